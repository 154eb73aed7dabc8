from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from apigen import GenerationResult, ProjectSpec, __version__, generate
from apigen.errors import DestinationNotEmpty, DestinationNotWritable, TemplateError
from apigen.frameworks import get_framework

from .helpers import FIXTURE_TEMPLATE_FILES, Snapshot, build_file_tree, fail_nth_replace

SnapshotFn = Callable[[Path], Snapshot]


def _answers(destination: Path) -> dict[str, str]:
    return yaml.safe_load((destination / ".apigen-answers.yml").read_text(encoding="utf-8"))


def _leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.startswith(".apigen-tmp-")]


def test_renders_into_output_dir_slash_name(tmp_path: Path, tiny: str) -> None:
    spec = ProjectSpec(name="my-service", framework=tiny, description="Sells things")
    result = generate(spec, output_dir=tmp_path / "out", secret_key="s" * 40)

    assert isinstance(result, GenerationResult)
    assert result.destination == tmp_path / "out" / "my-service"
    assert result.spec is spec
    assert result.files == [
        ".apigen-answers.yml",
        ".env",
        "README.md",
        "my_service/__init__.py",
        "my_service/core/config.py",
    ]
    assert (result.destination / "README.md").read_text() == "# my-service\n\nSells things\n"
    assert (result.destination / "my_service/__init__.py").read_text() == 'NAME = "my-service"\n'
    assert _leftovers(tmp_path / "out") == []


def test_answers_file_records_every_answer_but_the_secret(tmp_path: Path, tiny: str) -> None:
    spec = ProjectSpec(name="shop", framework=tiny, author_email="me@shop.example")
    result = generate(spec, output_dir=tmp_path, secret_key="k" * 40)

    answers = _answers(result.destination)
    assert answers.pop("_src_path")
    assert answers == spec.answers() | {"apigen_version": __version__}
    assert "k" * 40 not in (result.destination / ".apigen-answers.yml").read_text()
    assert (result.destination / ".env").read_text() == f"SECRET_KEY={'k' * 40}\n"


def test_secret_key_is_random_and_long_when_not_given(tmp_path: Path, tiny: str) -> None:
    keys = []
    for name in ("one", "two"):
        result = generate(ProjectSpec(name=name, framework=tiny), output_dir=tmp_path)
        keys.append((result.destination / ".env").read_text().removeprefix("SECRET_KEY=").strip())
    assert keys[0] != keys[1]
    assert all(len(key) >= 48 for key in keys)


def test_project_folder_gets_normal_permissions(tmp_path: Path, tiny: str) -> None:
    result = generate(ProjectSpec(name="shop", framework=tiny), output_dir=tmp_path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(result.destination.stat().st_mode) == 0o777 & ~umask


def test_creates_missing_output_dirs(tmp_path: Path, tiny: str) -> None:
    result = generate(ProjectSpec(name="shop", framework=tiny), output_dir=tmp_path / "a" / "b")
    assert (result.destination / "README.md").is_file()


def test_empty_existing_destination_is_fine(tmp_path: Path, tiny: str) -> None:
    (tmp_path / "shop").mkdir()
    result = generate(ProjectSpec(name="shop", framework=tiny), output_dir=tmp_path)
    assert (result.destination / "README.md").is_file()


def test_non_empty_destination_is_refused_before_writing(
    tmp_path: Path, tiny: str, snapshot: SnapshotFn
) -> None:
    build_file_tree(tmp_path / "out" / "shop", {"notes.txt": "mine"})
    before = snapshot(tmp_path / "out")
    with pytest.raises(DestinationNotEmpty) as caught:
        generate(ProjectSpec(name="shop", framework=tiny), output_dir=tmp_path / "out")
    assert caught.value.path == tmp_path / "out" / "shop"
    assert caught.value.hint == "use --force"
    assert snapshot(tmp_path / "out") == before


def test_force_merges_and_keeps_user_files(tmp_path: Path, tiny: str) -> None:
    build_file_tree(
        tmp_path / "shop",
        {"notes.txt": "mine", "README.md": "old", "shop/extra.py": "X = 1\n"},
    )
    result = generate(ProjectSpec(name="shop", framework=tiny), output_dir=tmp_path, force=True)
    assert (tmp_path / "shop/notes.txt").read_text() == "mine"
    assert (tmp_path / "shop/shop/extra.py").read_text() == "X = 1\n"
    assert (tmp_path / "shop/README.md").read_text().startswith("# shop")
    assert "notes.txt" not in result.files
    assert _leftovers(tmp_path) == []


def test_force_refuses_a_folder_where_the_template_puts_a_file(
    tmp_path: Path, tiny: str, snapshot: SnapshotFn
) -> None:
    (tmp_path / "shop" / "README.md").mkdir(parents=True)
    before = snapshot(tmp_path)
    with pytest.raises(DestinationNotWritable):
        generate(ProjectSpec(name="shop", framework=tiny), output_dir=tmp_path, force=True)
    assert snapshot(tmp_path) == before


def test_force_keeps_an_existing_env_and_its_secret(tmp_path: Path, tiny: str) -> None:
    build_file_tree(tmp_path / "shop", {".env": "SECRET_KEY=the-one-in-use\n"})
    result = generate(ProjectSpec(name="shop", framework=tiny), output_dir=tmp_path, force=True)
    assert (tmp_path / "shop/.env").read_text() == "SECRET_KEY=the-one-in-use\n"
    assert ".env" not in result.files


def test_env_is_readable_by_its_owner_only(tmp_path: Path, tiny: str) -> None:
    generate(ProjectSpec(name="shop", framework=tiny), output_dir=tmp_path)
    assert stat.S_IMODE((tmp_path / "shop/.env").stat().st_mode) == 0o600


@pytest.mark.parametrize("link_to", ["nowhere", "elsewhere"], ids=["dangling", "outside"])
def test_force_does_not_write_through_symbolic_links(
    tmp_path: Path, tiny: str, snapshot: SnapshotFn, link_to: str
) -> None:
    (tmp_path / "elsewhere").mkdir()
    build_file_tree(tmp_path / "shop", {".env": "SECRET_KEY=mine\n", "README.md": "old"})
    (tmp_path / "shop" / "shop").symlink_to(tmp_path / link_to)
    before = snapshot(tmp_path)
    with pytest.raises(DestinationNotWritable) as raised:
        generate(ProjectSpec(name="shop", framework=tiny), output_dir=tmp_path, force=True)
    assert "symbolic link" in str(raised.value)
    assert snapshot(tmp_path) == before


def test_failed_merge_puts_back_what_it_displaced(
    tmp_path: Path, tiny: str, snapshot: SnapshotFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_file_tree(tmp_path / "shop", {"README.md": "old", "shop/__init__.py": "OLD = 1\n"})
    before = snapshot(tmp_path)
    calls = fail_nth_replace(monkeypatch, 5)
    with pytest.raises(DestinationNotWritable):
        generate(ProjectSpec(name="shop", framework=tiny), output_dir=tmp_path, force=True)
    monkeypatch.undo()
    assert calls["n"] >= 5
    assert snapshot(tmp_path) == before


def test_output_dir_below_a_file_is_not_writable(
    tmp_path: Path, tiny: str, snapshot: SnapshotFn
) -> None:
    # A regular file as a parent stops root too, unlike chmod.
    (tmp_path / "a-file").write_text("x")
    before = snapshot(tmp_path)
    for output_dir in (tmp_path / "a-file", tmp_path / "a-file" / "sub"):
        with pytest.raises(DestinationNotWritable):
            generate(ProjectSpec(name="shop", framework=tiny), output_dir=output_dir)
    assert snapshot(tmp_path) == before


def test_destination_that_is_a_file_is_not_writable(tmp_path: Path, tiny: str) -> None:
    (tmp_path / "shop").write_text("x")
    with pytest.raises(DestinationNotWritable):
        generate(ProjectSpec(name="shop", framework=tiny), output_dir=tmp_path, force=True)


@pytest.mark.parametrize(
    "broken",
    [
        {"template/broken.txt.jinja": "{% if %}"},  # Jinja syntax error
        {"template/broken.txt.jinja": "{{ undefined_answer.attribute }}"},  # undefined
    ],
    ids=["syntax-error", "undefined"],
)
def test_rendering_failure_leaves_nothing_behind(
    tmp_path: Path,
    use_template: Callable[[Path], str],
    snapshot: SnapshotFn,
    broken: dict[str, str],
) -> None:
    framework = use_template(build_file_tree(tmp_path / "tpl", FIXTURE_TEMPLATE_FILES | broken))
    work = tmp_path / "work"
    work.mkdir()
    before = snapshot(work)
    with pytest.raises(TemplateError):
        generate(ProjectSpec(name="shop", framework=framework), output_dir=work / "new" / "deep")
    assert snapshot(work) == before


def test_question_validator_failure_is_a_template_error(
    tmp_path: Path, tiny: str, snapshot: SnapshotFn
) -> None:
    # Copier raises a plain ValueError here, not a CopierError.
    before = snapshot(tmp_path)
    spec = ProjectSpec(name="shop", framework=tiny, description="forbidden words")
    with pytest.raises(TemplateError):
        generate(spec, output_dir=tmp_path)
    assert snapshot(tmp_path) == before


def test_a_question_apigen_cannot_answer_needs_a_default(
    tmp_path: Path, use_template: Callable[[Path], str]
) -> None:
    files = dict(FIXTURE_TEMPLATE_FILES)
    files["copier.yml"] = files["copier.yml"].replace("author_name:", "author_nickname:")
    framework = use_template(build_file_tree(tmp_path / "tpl", files))
    with pytest.raises(TemplateError, match="unanswered: author_nickname"):
        generate(ProjectSpec(name="shop", framework=framework), output_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_templates_may_ask_their_own_questions(
    tmp_path: Path, use_template: Callable[[Path], str]
) -> None:
    """A question of its own takes its default (a Jinja expression over earlier answers); an
    answer of apigen's the template does not ask for is left out."""
    files = dict(FIXTURE_TEMPLATE_FILES)
    files["copier.yml"] = files["copier.yml"].replace(
        "author_name: {type: str}\n",
        'settings_module: {type: str, default: "{{ package_name }}.settings"}\n',
    )
    files["template/{{package_name}}/settings.txt.jinja"] = "{{ settings_module }}\n"
    framework = use_template(build_file_tree(tmp_path / "tpl", files))
    result = generate(ProjectSpec(name="shop", framework=framework), output_dir=tmp_path)
    assert (result.destination / "shop" / "settings.txt").read_text() == "shop.settings\n"
    answers = _answers(result.destination)
    assert answers["settings_module"] == "shop.settings"
    assert "author_name" not in answers


def test_every_template_must_ask_the_core_questions(
    tmp_path: Path, use_template: Callable[[Path], str]
) -> None:
    files = dict(FIXTURE_TEMPLATE_FILES)
    files["copier.yml"] = files["copier.yml"].replace("package_name: {type: str}\n", "")
    framework = use_template(build_file_tree(tmp_path / "tpl", files))
    with pytest.raises(TemplateError, match="core answers not asked: package_name"):
        generate(ProjectSpec(name="shop", framework=framework), output_dir=tmp_path / "out")


def test_missing_template_folder_is_a_template_error(
    tmp_path: Path, use_template: Callable[[Path], str]
) -> None:
    framework = use_template(tmp_path / "nowhere")
    with pytest.raises(TemplateError, match="no Copier template"):
        generate(ProjectSpec(name="shop", framework=framework), output_dir=tmp_path)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_template_inside_a_git_checkout_renders_the_working_tree(
    tmp_path: Path, use_template: Callable[[Path], str]
) -> None:
    # Like templates/fastapi inside the apigen repository: uncommitted edits must be rendered.
    repo = tmp_path / "checkout"
    template = build_file_tree(repo / "templates" / "tiny", FIXTURE_TEMPLATE_FILES)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "template"], check=True)
    (template / "template/README.md.jinja").write_text("edited {{ project_name }}\n")
    (template / "template/NEW.txt").write_text("untracked\n")

    framework = use_template(template)
    result = generate(ProjectSpec(name="shop", framework=framework), output_dir=tmp_path / "out")
    assert (result.destination / "README.md").read_text() == "edited shop\n"
    assert (result.destination / "NEW.txt").read_text() == "untracked\n"


def test_real_fastapi_template_records_its_answers(tmp_path: Path) -> None:
    spec = ProjectSpec(name="my-service", description="Real template")
    result = generate(spec, output_dir=tmp_path, secret_key="r" * 48)

    answers = _answers(result.destination)
    assert answers.pop("_src_path")
    assert answers == spec.answers() | {"apigen_version": __version__}
    answers_text = (result.destination / ".apigen-answers.yml").read_text()
    assert "r" * 48 not in answers_text
    if (get_framework("fastapi").template_dir / "template" / ".env.jinja").is_file():
        assert f"SECRET_KEY={'r' * 48}" in (result.destination / ".env").read_text()
    assert _leftovers(tmp_path) == []
