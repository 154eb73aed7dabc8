"""The README's two set-up commands: what they say, and that CI and ``apigen new`` say the same."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from apigen.cli import SERVICE_TEST_COMMAND, service_setup_command

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

_FENCE = re.compile(r"^```(\w*)$")
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def opening_commands() -> list[tuple[str, list[str]]]:
    """The fenced blocks that open the README (before its first line of prose)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# "), "the README starts with its title"
    blocks: list[tuple[str, list[str]]] = []
    index = 1
    while index < len(lines):
        line = lines[index]
        fence = _FENCE.match(line)
        if fence:
            end = lines.index("```", index + 1)
            blocks.append((fence[1], lines[index + 1 : end]))
            index = end + 1
        elif line.strip():
            break
        else:
            index += 1
    return blocks


def test_readme_opens_with_exactly_two_one_line_bash_commands() -> None:
    blocks = opening_commands()
    assert [language for language, _ in blocks] == ["bash", "bash"]
    assert all(len(body) == 1 for _, body in blocks), blocks


def test_first_command_gives_the_service_its_own_venv_with_the_dev_extra() -> None:
    """Issue #6 item 12: apigen in its venv; the service in a venv of its own, with `.[dev]`."""
    first = opening_commands()[0][1][0]
    steps = [step.strip() for step in first.split("&&")]
    assert steps[:3] == [
        "python3 -m venv .venv",
        ".venv/bin/pip install .",
        ".venv/bin/apigen new myservice --no-input -o ~/apigen-demo",
    ]
    assert steps[3] == "cd ~/apigen-demo/myservice"
    # The rest is exactly what `apigen new` prints for the project.
    assert " && ".join(steps[4:]) == service_setup_command("myservice")
    assert ".[dev]" in shlex.split(steps[5])
    assert "activate" not in first  # no venv stays active to swallow the service's install


def test_ci_runs_the_second_command() -> None:
    second = opening_commands()[1][1][0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in ci if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert commands == [second]
    assert second.endswith(".venv/bin/python -m pytest -n auto --dist loadgroup")


def test_summary_test_command_runs_in_the_project_venv() -> None:
    assert SERVICE_TEST_COMMAND.startswith(".venv/bin/python ")
    assert "python3 -m venv .venv" in service_setup_command("pkg")


#: The steering folder beside a checkout, which users of apigen do not have (spelt in parts so that
#: a search for it finds only real references).
OUTSIDE_FOLDER = "/".join(("..", "shared"))


def test_readme_links_stay_inside_the_repository() -> None:
    text = README.read_text(encoding="utf-8")
    assert OUTSIDE_FOLDER not in text
    for target in _LINK.findall(text):
        if "://" in target:
            continue
        path = (ROOT / target).resolve()
        assert path.is_relative_to(ROOT), target
        assert path.exists(), target


def test_nothing_apigen_ships_points_outside_the_repository() -> None:
    shipped = [ROOT / "pyproject.toml", ROOT / ".ci" / "run", ROOT / "README.md"]
    shipped += sorted((ROOT / "src").rglob("*.py"))
    shipped += sorted((ROOT / "docs").rglob("*.md"))
    shipped += sorted((ROOT / "bench").rglob("*.py"))
    shipped += sorted(path for path in (ROOT / "templates").rglob("*") if path.is_file())
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in shipped
        if OUTSIDE_FOLDER in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
