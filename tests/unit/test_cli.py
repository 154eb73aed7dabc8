from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from apigen import __version__
from apigen.cli import app

from .helpers import Snapshot, build_file_tree, cli_runner

runner = cli_runner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path/work`` as the current directory, with a non-empty ``taken`` project in it."""
    work = tmp_path / "work"
    build_file_tree(work, {"taken/notes.txt": "mine", "a-file": "not a folder"})
    monkeypatch.chdir(work)
    return work


BAD_INPUTS = {
    "empty": ["new", ""],
    "blank": ["new", "   "],
    "digit-first": ["new", "1bad"],
    "space": ["new", "my proj"],
    "keyword": ["new", "class"],
    "stdlib-json": ["new", "json"],
    "stdlib-typing": ["new", "typing"],
    "parent-path": ["new", "../x"],
    "absolute-path": ["new", "/abs/path"],
    "cyrillic-lookalike": ["new", "m\u0443-service"],
    "bad-package-name": ["new", "shop", "--package-name", "Shop"],
    "unknown-framework": ["new", "shop", "--framework", "rails"],
    "bad-email": ["new", "shop", "--no-input", "--author-email", "nope"],
    "bad-python": ["new", "shop", "--no-input", "--python-version", "2.7"],
    "not-empty": ["new", "taken", "--no-input"],
    # A regular file as parent: fails for root as well, unlike a chmod 0o500 folder.
    "output-below-file": ["new", "shop", "--no-input", "-o", "a-file/sub"],
    "output-is-file": ["new", "shop", "--no-input", "-o", "a-file"],
}


@pytest.mark.parametrize("args", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_exits_2_with_one_error_line_and_writes_nothing(
    args: list[str], workdir: Path, tmp_path: Path, snapshot: Callable[[Path], Snapshot]
) -> None:
    before = snapshot(tmp_path)
    result = runner.invoke(app, args)

    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert snapshot(tmp_path) == before


def test_not_empty_error_names_the_fix(workdir: Path) -> None:
    result = runner.invoke(app, ["new", "taken", "--no-input"])
    assert "(hint: use --force)" in result.stderr


def test_unknown_framework_lists_available_ones(workdir: Path) -> None:
    result = runner.invoke(app, ["new", "shop", "--framework", "rails"])
    assert result.stderr.strip() == (
        "error: unknown framework 'rails' (hint: available: fastapi, django, flask)"
    )


def test_planned_framework_says_it_is_planned_and_writes_nothing(
    planned: str, workdir: Path, snapshot: Callable[[Path], Snapshot]
) -> None:
    before = snapshot(workdir)
    result = runner.invoke(app, ["new", "shop", "--framework", planned, "--no-input"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: framework '{planned}' is planned but not available yet "
        "(hint: available: fastapi, django, flask)"
    )
    assert snapshot(workdir) == before


def test_usage_errors_exit_2(workdir: Path) -> None:
    assert runner.invoke(app, ["new"]).exit_code == 2
    assert runner.invoke(app, ["new", "shop", "--no-such-option"]).exit_code == 2


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"apigen {__version__}"


def test_frameworks_lists_only_ready_ones(planned: str) -> None:
    result = runner.invoke(app, ["frameworks"])
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert names == ["fastapi", "django", "flask"]


@pytest.mark.parametrize("args", [["--help"], ["new", "--help"], ["frameworks", "--help"]])
def test_help(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


def test_new_with_hyphenated_name(workdir: Path, tiny: str) -> None:
    result = runner.invoke(app, ["new", "my-service", "-f", tiny, "--no-input", "-o", "out"])

    assert result.exit_code == 0, result.output + result.stderr
    assert (workdir / "out/my-service/my_service/__init__.py").is_file()
    assert "5 files" in result.stdout
    assert result.stderr == ""


def test_new_passes_options_to_the_template(workdir: Path, tiny: str) -> None:
    args = ["new", "shop", "-f", tiny, "--no-input", "--description", "Sells things"]
    args += ["--package-name", "storefront", "--python-version", "3.13"]
    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.stderr
    assert (workdir / "shop/README.md").read_text() == "# shop\n\nSells things\n"
    assert (workdir / "shop/storefront/__init__.py").is_file()
    assert "python_version: '3.13'" in (workdir / "shop/.apigen-answers.yml").read_text()


def test_force_writes_into_non_empty_folder(workdir: Path, tiny: str) -> None:
    result = runner.invoke(app, ["new", "taken", "-f", tiny, "--no-input", "--force"])
    assert result.exit_code == 0, result.stderr
    assert (workdir / "taken/notes.txt").read_text() == "mine"
    assert (workdir / "taken/README.md").is_file()


def test_no_prompt_without_a_tty(workdir: Path, tiny: str) -> None:
    # CliRunner's stdin is not a TTY: the command must not wait for input.
    result = runner.invoke(app, ["new", "shop", "-f", tiny], input="")
    assert result.exit_code == 0, result.stderr
    assert "An API service generated by apigen" in (workdir / "shop/README.md").read_text()


def test_help_does_not_import_copier_or_pydantic() -> None:
    code = (
        "import sys\n"
        "from apigen.cli import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('copier', 'pydantic', 'jinja2') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "HEAVY []" in out


def test_prompts_for_missing_values_on_a_terminal(
    workdir: Path, tiny: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("apigen.cli._can_prompt", lambda no_input: not no_input)
    answers = "Sells things\n\n3.12\n"  # description, author name (default), python
    result = runner.invoke(
        app, ["new", "shop", "-f", tiny, "--author-email", "a@b.example"], input=answers
    )

    assert result.exit_code == 0, result.stderr
    recorded = (workdir / "shop/.apigen-answers.yml").read_text()
    assert "description: Sells things" in recorded
    assert "author_name: Your Name" in recorded
    assert "author_email: a@b.example" in recorded
    assert "python_version: '3.12'" in recorded


def test_summary_sets_the_service_up_in_its_own_venv(workdir: Path, tiny: str) -> None:
    """Issue #6 item 12: the service gets a venv of its own, with its dev extra, so that its
    tests run (installing it into apigen's venv without the extra left pytest missing)."""
    result = runner.invoke(app, ["new", "my-service", "-f", tiny, "--no-input", "-o", "out"])

    assert result.exit_code == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert (
        "cd out/my-service && python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' "
        "&& .venv/bin/python -m my_service serve"
    ) in lines
    assert any(line.startswith(".venv/bin/python -m pytest") for line in lines)
    assert "its own virtual environment" in result.stdout


def _prompting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI believe a person sits at the terminal (CliRunner's stdin is not a TTY)."""
    monkeypatch.setattr("apigen.cli._can_prompt", lambda no_input: not no_input)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["new", "taken"], id="not-empty"),
        pytest.param(["new", "shop", "-o", "a-file"], id="not-writable"),
        pytest.param(["new", "shop", "--author-email", "nope"], id="bad-email-option"),
        pytest.param(["new", "shop", "--python-version", "2.7"], id="bad-python-option"),
        pytest.param(["new", "shop", "-f", "rails"], id="unknown-framework"),
    ],
)
def test_bad_input_is_refused_before_the_first_question(
    args: list[str], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _prompting(monkeypatch)
    result = runner.invoke(app, args, input="Sells things\nAda\nada@example.org\n3.12\n")

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.splitlines()) == 1
    assert "Description" not in result.stdout  # no question was asked


def test_a_planned_framework_is_refused_before_the_first_question(
    planned: str, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _prompting(monkeypatch)
    result = runner.invoke(app, ["new", "shop", "-f", planned], input="Sells things\n")
    assert result.exit_code == 2, result.output
    assert "is planned but not available yet" in result.stderr
    assert "Description" not in result.stdout


def test_an_invalid_answer_is_asked_again_and_earlier_answers_kept(
    workdir: Path, tiny: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _prompting(monkeypatch)
    answers = [
        "two\tcolumns",  # description: not printable text, asked again
        "Sells things",
        "",  # author name: the default
        "nope",  # author e-mail: asked again
        "ada@example.org",
        "3.9",  # not a choice: Rich asks again
        "3.11",
    ]
    result = runner.invoke(app, ["new", "shop", "-f", tiny], input="\n".join(answers) + "\n")

    assert result.exit_code == 0, result.stderr
    reasons = result.stderr.splitlines()
    assert len(reasons) == 2, result.stderr
    assert reasons[0].startswith("invalid description 'two\\tcolumns'")
    assert reasons[1].startswith("invalid author e-mail 'nope'")
    assert result.stdout.count("Author e-mail") == 2
    assert result.stdout.count("Description") == 2
    recorded = (workdir / "shop/.apigen-answers.yml").read_text()
    assert "description: Sells things" in recorded
    assert "author_email: ada@example.org" in recorded
    assert "python_version: '3.11'" in recorded


def test_end_of_input_at_a_prompt_is_one_error_line(
    workdir: Path, tiny: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _prompting(monkeypatch)
    result = runner.invoke(app, ["new", "shop", "-f", tiny], input="Sells things\n")

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: input ended before 'Author name' was answered "
        "(hint: give the value as an option, or use --no-input for the defaults)"
    )
    assert not (workdir / "shop").exists()


@pytest.mark.parametrize(
    ("running", "chosen", "warned"),
    [((3, 11), "3.12", True), ((3, 11), "3.13", True), ((3, 12), "3.12", False)],
)
def test_warns_when_the_project_needs_a_newer_python(
    running: tuple[int, int],
    chosen: str,
    warned: bool,
    workdir: Path,
    tiny: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("apigen.cli._interpreter_version", lambda: running)
    result = runner.invoke(
        app, ["new", "shop", "-f", tiny, "--no-input", "--python-version", chosen]
    )

    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    if warned:
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("warning: ")
        assert f"Python >= {chosen}" in lines[0]
        assert f"({running[0]}.{running[1]})" in lines[0]
    else:
        assert lines == []
    assert (workdir / "shop/README.md").is_file()


def test_shell_completion_is_offered() -> None:
    assert "--install-completion" in runner.invoke(app, ["--help"]).stdout
    script = runner.invoke(app, ["--show-completion", "bash"], prog_name="apigen")
    assert script.exit_code == 0
    assert "_APIGEN_COMPLETE=complete_bash" in script.stdout


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("apigen new x --framework ", ["fastapi", "django", "flask"]),
        ("apigen new x --python-version 3.1", ["3.11", "3.12", "3.13"]),
    ],
)
def test_shell_completion_completes_option_values(words: str, expected: list[str]) -> None:
    env = {"_APIGEN_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": "4"}
    result = runner.invoke(app, [], prog_name="apigen", env=env)
    assert result.exit_code == 0
    assert result.stdout.split() == expected
