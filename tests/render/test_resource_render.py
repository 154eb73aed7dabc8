"""Every field type alone (and with each modifier) renders a clean resource: the resource template
builds its imports from the types it uses, so each type must bring exactly what it needs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from apigen import ProjectSpec, generate
from apigen.add import add_resource
from tests.support import harness

FIELDS = [
    "value:str",
    "value:str:40:unique:index",
    "value:text",
    "value:text:optional",
    "value:int:index",
    "value:float:optional",
    "value:decimal",
    "value:bool:optional",
    "value:date",
    "value:datetime:unique",
    "value:uuid:unique:optional",
    "value:email:unique",
    "value:url:index",
    "value:enum:one,two-three",
    "value_id:ref:users",
    "value_id:ref:users:optional:unique",
    "parent_id:ref:things:optional",
]

CASES = [
    pytest.param((framework, field), id=f"{framework}-{field}")
    for framework in harness.ready_frameworks()
    for field in FIELDS
]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        framework: generate(
            ProjectSpec(name="svc", framework=framework),
            output_dir=tmp_path_factory.mktemp(framework),
        ).destination
        for framework in harness.ready_frameworks()
    }


@pytest.mark.parametrize("case", CASES)
def test_a_resource_of_one_field_is_ruff_clean(
    case: tuple[str, str], pristine: dict[str, Path], tmp_path: Path
) -> None:
    framework, field = case
    project = tmp_path / "svc"
    shutil.copytree(pristine[framework], project)
    result = add_resource(project, "thing", [field])
    for relative in result.created:
        text = (project / relative).read_text(encoding="utf-8")
        assert "{{" not in text and "{%" not in text, relative
    python_files = [path for path in [*result.created, *result.changed] if path.endswith(".py")]
    for command in (["check"], ["format", "--check"]):
        completed = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--no-cache", *python_files],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr
