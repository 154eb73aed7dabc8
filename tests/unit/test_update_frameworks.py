"""`apigen update` on real projects of every ready framework: the render is deterministic (the
same answers and resources give the same bytes, so an update of an unchanged project changes
nothing), including resources with migrations (Alembic revision ids and dates, Django
dependencies recorded in the manifest), and a base adopted by an older project does the same."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from apigen import ProjectSpec, generate
from apigen.add import add_resource
from apigen.base import read_manifest
from apigen.frameworks import available_frameworks
from apigen.update import update_project

from .helpers import Snapshot

FRAMEWORKS = [framework.name for framework in available_frameworks()]


@pytest.fixture(scope="module", params=FRAMEWORKS)
def grown(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp(f"grown-{request.param}")
    project = generate(ProjectSpec(name="shop", framework=request.param), output_dir=output)
    root = project.destination
    add_resource(root, "author", ["name:str:80", "user_id:ref:users:optional"])
    add_resource(root, "book", ["title:str:120:index", "author_id:ref:authors"])
    return root


@pytest.fixture
def project(grown: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "shop"
    shutil.copytree(grown, copy, symlinks=True)
    return copy


def test_resources_are_recorded_with_their_migration(project: Path) -> None:
    manifest = read_manifest(project)
    assert manifest is not None
    assert [entry["name"] for entry in manifest.resources] == ["author", "book"]
    assert all(isinstance(entry["migration"], dict) for entry in manifest.resources)


def test_updating_an_unchanged_project_changes_nothing(
    project: Path, snapshot: Callable[[Path], Snapshot]
) -> None:
    before = snapshot(project)
    result = update_project(project)
    assert result.changes == [], result.diff
    after = snapshot(project)
    assert {k: v for k, v in after.items() if not k.startswith(".apigen")} == {
        k: v for k, v in before.items() if not k.startswith(".apigen")
    }


def test_a_user_edit_survives_and_an_adopted_base_is_deterministic(
    project: Path, snapshot: Callable[[Path], Snapshot]
) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nOur notes.\n")
    shutil.rmtree(project / ".apigen")
    update_project(project, adopt=True)
    before = snapshot(project)
    assert update_project(project).changes == []
    assert snapshot(project) == before
    assert readme.read_text().endswith("\nOur notes.\n")
