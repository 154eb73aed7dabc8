"""`apigen update` on projects of a tiny inline template: each merge case, the base it leaves, the
dry run and every refusal (nothing touched, one line, exit 2)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from apigen import ProjectSpec, generate
from apigen.base import MANIFEST, read_manifest
from apigen.cli import app
from apigen.errors import NoBase, NotAProject, ProjectTooNew, UncommittedChanges
from apigen.update import (
    ADDED,
    CONFLICT,
    DELETED,
    KEPT_DELETED,
    MERGED,
    MIGRATION_KEPT,
    RENAMED,
    UPDATED,
    USER_DELETED,
    is_migration,
    update_project,
)

from .helpers import Snapshot, cli_runner

SETTINGS = "ONE = 1\nTWO = 2\nTHREE = 3\nFOUR = 4\nFIVE = 5\nSIX = 6\n"


@pytest.fixture
def template(fixture_template: Path) -> Path:
    (fixture_template / "template/{{package_name}}/settings.py").write_text(SETTINGS)
    (fixture_template / "template/logo.bin").write_bytes(b"\x89PNG\x00\x01")
    return fixture_template


@pytest.fixture
def project(template: Path, tiny: str, tmp_path: Path) -> Path:
    return generate(
        ProjectSpec(name="shop", framework=tiny), output_dir=tmp_path / "work", secret_key="s" * 40
    ).destination


def revise(template: Path, relative: str, text: str | bytes | None) -> None:
    """A new template revision: ``relative`` (under template/) gets ``text`` (None: removed)."""
    path = template / "template" / relative
    if text is None:
        path.unlink()
    elif isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def actions(result: object) -> dict[str, str]:
    return {change.path: change.action for change in result.changes}  # type: ignore[attr-defined]


def run(*args: str) -> tuple[int, str, str]:
    result = cli_runner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_new_writes_a_base_without_the_secret(project: Path) -> None:
    manifest = read_manifest(project)
    assert manifest is not None
    assert not (project / ".apigen/base/.env").exists()
    assert ".env" in manifest.files  # its hash only
    assert "s" * 40 not in (project / MANIFEST).read_text()
    assert "secret_key" not in manifest.answers
    assert (project / ".apigen/base/shop/settings.py").read_text() == SETTINGS


def test_no_template_change_changes_nothing(
    project: Path, snapshot: Callable[[Path], Snapshot]
) -> None:
    before = snapshot(project)
    result = update_project(project)
    assert result.changes == []
    assert snapshot(project) == before


def test_a_file_the_user_did_not_touch_takes_the_template_change(
    template: Path, project: Path
) -> None:
    revise(template, "{{package_name}}/core/config.py", 'DEBUG = False\nLEVEL = "info"\n')
    result = update_project(project)
    assert actions(result) == {"shop/core/config.py": UPDATED}
    assert (project / "shop/core/config.py").read_text() == 'DEBUG = False\nLEVEL = "info"\n'


def test_a_file_the_template_did_not_change_keeps_the_user_edit(
    template: Path, project: Path
) -> None:
    (project / "shop/core/config.py").write_text("DEBUG = True\n")
    revise(template, "README.md.jinja", "# {{ project_name }}\n\nNew readme\n")
    result = update_project(project)
    assert actions(result) == {"README.md": UPDATED}
    assert (project / "shop/core/config.py").read_text() == "DEBUG = True\n"


def test_changes_on_both_sides_are_merged(template: Path, project: Path) -> None:
    (project / "shop/settings.py").write_text(SETTINGS.replace("ONE = 1", "ONE = 100"))
    revise(template, "{{package_name}}/settings.py", SETTINGS.replace("SIX = 6", "SIX = 600"))
    result = update_project(project)
    assert actions(result) == {"shop/settings.py": MERGED}
    merged = (project / "shop/settings.py").read_text()
    assert "ONE = 100\n" in merged and "SIX = 600\n" in merged
    # The next base is the new render, not the merged result: a second run changes nothing.
    assert (project / ".apigen/base/shop/settings.py").read_text() == SETTINGS.replace(
        "SIX = 6", "SIX = 600"
    )
    assert update_project(project).changes == []
    assert (project / "shop/settings.py").read_text() == merged


def test_a_conflict_is_written_with_markers_listed_and_exits_1(
    template: Path, project: Path
) -> None:
    (project / "shop/settings.py").write_text(SETTINGS.replace("TWO = 2", 'TWO = "mine"'))
    revise(template, "{{package_name}}/settings.py", SETTINGS.replace("TWO = 2", 'TWO = "theirs"'))
    code, out, err = run("update", "--project", str(project))
    assert code == 1
    assert "conflict" in out
    assert "shop/settings.py" in err and "conflict" in err
    text = (project / "shop/settings.py").read_text()
    assert '<<<<<<< yours\nTWO = "mine"\n=======\nTWO = "theirs"\n>>>>>>> template\n' in text
    assert "ONE = 1\n" in text and "SIX = 6\n" in text


def test_template_adds_and_drops_files(template: Path, project: Path) -> None:
    revise(template, "{{package_name}}/extra.py", "EXTRA = 1\n")
    revise(template, "{{package_name}}/core/config.py", None)
    result = update_project(project)
    assert actions(result) == {"shop/extra.py": ADDED, "shop/core/config.py": DELETED}
    assert (project / "shop/extra.py").read_text() == "EXTRA = 1\n"
    assert not (project / "shop/core").exists()  # the emptied folder goes too
    assert "shop/core/config.py" not in read_manifest(project).files  # type: ignore[union-attr]


def test_a_dropped_file_the_user_changed_is_kept(template: Path, project: Path) -> None:
    (project / "shop/core/config.py").write_text("DEBUG = True\n")
    revise(template, "{{package_name}}/core/config.py", None)
    result = update_project(project)
    assert actions(result) == {"shop/core/config.py": KEPT_DELETED}
    assert (project / "shop/core/config.py").read_text() == "DEBUG = True\n"


def test_a_file_the_user_deleted_stays_deleted(template: Path, project: Path) -> None:
    (project / "shop/settings.py").unlink()
    revise(template, "{{package_name}}/settings.py", SETTINGS + "SEVEN = 7\n")
    result = update_project(project)
    assert actions(result) == {"shop/settings.py": USER_DELETED}
    assert not (project / "shop/settings.py").exists()
    again = update_project(project)  # still reported, still deleted
    assert actions(again) == {"shop/settings.py": USER_DELETED}
    assert not (project / "shop/settings.py").exists()


def test_a_renamed_file_moves_with_the_user_edits(template: Path, project: Path) -> None:
    (project / "shop/settings.py").write_text(SETTINGS.replace("ONE = 1", "ONE = 100"))
    revise(template, "{{package_name}}/settings.py", None)
    revise(template, "{{package_name}}/conf/settings.py", SETTINGS.replace("SIX = 6", "SIX = 60"))
    result = update_project(project)
    assert actions(result) == {"shop/conf/settings.py": MERGED}
    assert not (project / "shop/settings.py").exists()
    moved = (project / "shop/conf/settings.py").read_text()
    assert "ONE = 100\n" in moved and "SIX = 60\n" in moved


def test_an_untouched_renamed_file_is_moved(template: Path, project: Path) -> None:
    revise(template, "{{package_name}}/settings.py", None)
    revise(template, "{{package_name}}/conf/settings.py", SETTINGS)
    result = update_project(project)
    assert actions(result) == {"shop/conf/settings.py": RENAMED}
    assert not (project / "shop/settings.py").exists()


def test_a_binary_file_changed_on_both_sides_is_a_conflict(template: Path, project: Path) -> None:
    (project / "logo.bin").write_bytes(b"\x89PNG\x00mine")
    revise(template, "logo.bin", b"\x89PNG\x00theirs")
    result = update_project(project)
    assert actions(result) == {"logo.bin": CONFLICT}
    assert result.conflicts == ["logo.bin"]
    assert (project / "logo.bin").read_bytes() == b"\x89PNG\x00mine"
    assert (project / "logo.bin.apigen-new").read_bytes() == b"\x89PNG\x00theirs"


def test_a_binary_file_the_user_did_not_touch_is_updated(template: Path, project: Path) -> None:
    revise(template, "logo.bin", b"\x89PNG\x00new")
    assert actions(update_project(project)) == {"logo.bin": UPDATED}
    assert (project / "logo.bin").read_bytes() == b"\x89PNG\x00new"


def test_the_users_env_is_never_overwritten(template: Path, project: Path) -> None:
    (project / ".env").write_text("SECRET_KEY=mine\nDEBUG=1\n")
    revise(template, ".env.jinja", "SECRET_KEY={{ secret_key }}\nNEW=1\n")
    result = update_project(project)
    assert ".env" not in actions(result)
    assert (project / ".env").read_text() == "SECRET_KEY=mine\nDEBUG=1\n"
    assert not (project / ".apigen/base/.env").exists()


def test_an_existing_migration_is_never_rewritten(
    template: Path, tiny: str, tmp_path: Path
) -> None:
    revise(template, "{{package_name}}/migrations/versions/0001_initial.py", "UP = 1\n")
    project = generate(
        ProjectSpec(name="shop", framework=tiny), output_dir=tmp_path / "m"
    ).destination
    revise(template, "{{package_name}}/migrations/versions/0001_initial.py", "UP = 2\n")
    revise(template, "{{package_name}}/migrations/versions/0002_more.py", "UP = 3\n")
    result = update_project(project)
    assert actions(result) == {
        "shop/migrations/versions/0001_initial.py": MIGRATION_KEPT,
        "shop/migrations/versions/0002_more.py": ADDED,
    }
    assert (project / "shop/migrations/versions/0001_initial.py").read_text() == "UP = 1\n"


def test_is_migration() -> None:
    assert is_migration("shop/migrations/versions/20260101_ab12_add_books.py")
    assert is_migration("shop/books/migrations/0001_initial.py")
    assert not is_migration("shop/books/migrations/__init__.py")
    assert not is_migration("shop/migrations/env.py")


def test_dry_run_prints_the_plan_and_diff_and_touches_nothing(
    template: Path, project: Path, snapshot: Callable[[Path], Snapshot]
) -> None:
    revise(template, "{{package_name}}/core/config.py", 'DEBUG = False\nLEVEL = "info"\n')
    before = snapshot(project)
    code, out, _ = run("update", "--project", str(project), "--dry-run")
    assert code == 0
    assert "updated" in out and "shop/core/config.py" in out
    assert '+LEVEL = "info"' in out
    assert snapshot(project) == before


def test_a_second_run_changes_nothing(
    template: Path, project: Path, snapshot: Callable[[Path], Snapshot]
) -> None:
    revise(template, "{{package_name}}/extra.py", "EXTRA = 1\n")
    update_project(project)
    after = snapshot(project)
    assert update_project(project).changes == []
    assert snapshot(project) == after


def test_a_failed_move_leaves_the_project_as_it_was(
    template: Path,
    project: Path,
    snapshot: Callable[[Path], Snapshot],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from .helpers import fail_nth_replace

    revise(template, "{{package_name}}/core/config.py", None)
    revise(template, "{{package_name}}/extra.py", "EXTRA = 1\n")
    before = snapshot(project)
    fail_nth_replace(monkeypatch, 3)
    code, _, err = run("update", "--project", str(project))
    assert code == 2 and err.startswith("error: ")
    assert snapshot(project) == before


# -- refusals: one line, exit 2, nothing touched -----------------------------------------------


def _refused(project: Path, snapshot: Callable[[Path], Snapshot], *args: str) -> str:
    before = snapshot(project)
    code, _, err = run("update", "--project", str(project), *args)
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert snapshot(project) == before
    return err


def test_refuses_a_folder_that_is_not_a_project(
    tmp_path: Path, snapshot: Callable[[Path], Snapshot]
) -> None:
    (tmp_path / "plain").mkdir()
    assert "not an apigen project" in _refused(tmp_path / "plain", snapshot)
    with pytest.raises(NotAProject):
        update_project(tmp_path / "plain")


def test_refuses_a_project_made_by_a_newer_apigen(
    project: Path, snapshot: Callable[[Path], Snapshot]
) -> None:
    manifest = json.loads((project / MANIFEST).read_text())
    manifest["apigen_version"] = "99.0.0"
    (project / MANIFEST).write_text(json.dumps(manifest))
    assert "99.0.0" in _refused(project, snapshot)
    with pytest.raises(ProjectTooNew):
        update_project(project)


def test_refuses_uncommitted_changes_unless_forced(
    template: Path, project: Path, snapshot: Callable[[Path], Snapshot]
) -> None:
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "initial"], check=True)
    revise(template, "README.md.jinja", "# {{ project_name }}\n\nNew\n")
    (project / "shop/core/config.py").write_text("DEBUG = True\n")
    assert "uncommitted" in _refused(project, snapshot)
    with pytest.raises(UncommittedChanges):
        update_project(project)
    assert actions(update_project(project, force=True)) == {"README.md": UPDATED}


def test_a_project_without_a_base_is_told_how_to_adopt_one(
    template: Path, project: Path, snapshot: Callable[[Path], Snapshot]
) -> None:
    shutil.rmtree(project / ".apigen")
    (project / "README.md").write_text("# mine\n")
    assert "--adopt" in _refused(project, snapshot)
    with pytest.raises(NoBase):
        update_project(project)
    before = snapshot(project)
    code, out, _ = run("update", "--project", str(project), "--adopt")
    assert code == 0 and "adopted" in out
    after = snapshot(project)
    assert {path for path in after if not path.startswith(".apigen")} == {
        path for path in before if not path.startswith(".apigen")
    }
    assert all(after[path] == before[path] for path in before)
    # From the adopted base, the user's edit is the user's: kept; template changes arrive.
    revise(template, "{{package_name}}/core/config.py", "DEBUG = False\nX = 1\n")
    assert actions(update_project(project)) == {"shop/core/config.py": UPDATED}
    assert (project / "README.md").read_text() == "# mine\n"


def test_refuses_a_damaged_base(project: Path, snapshot: Callable[[Path], Snapshot]) -> None:
    (project / ".apigen/base/shop/settings.py").write_text("tampered\n")
    assert "merge base" in _refused(project, snapshot)
    (project / ".apigen/base/shop/settings.py").unlink()
    assert "missing" in _refused(project, snapshot)


def test_a_new_template_file_where_the_user_has_one_is_a_conflict(
    template: Path, project: Path
) -> None:
    (project / "shop/extra.py").write_text("MINE = 1\n")
    revise(template, "{{package_name}}/extra.py", "EXTRA = 1\n")
    result = update_project(project)
    assert actions(result) == {"shop/extra.py": CONFLICT}
    text = (project / "shop/extra.py").read_text()
    assert "<<<<<<< yours\nMINE = 1\n" in text and "EXTRA = 1\n>>>>>>> template\n" in text
