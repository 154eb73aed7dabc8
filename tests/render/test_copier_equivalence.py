"""`apigen new` renders project templates with Jinja directly (rendering.render_project); each
template stays a valid Copier template, and Copier renders every variant to the same bytes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from apigen import ProjectSpec
from apigen.engine import template_answers
from apigen.frameworks import get_framework
from apigen.rendering import render_project, render_project_with_copier
from tests.render.test_render import VARIANTS
from tests.support import harness

CASES = [
    pytest.param((framework, variant.spec), id=f"{framework}-{variant.suffix}")
    for framework in harness.ready_frameworks()
    for variant in VARIANTS
    if not variant.grown
]


def tree(root: Path) -> dict[str, tuple[str, int, bytes]]:
    """Every path below ``root``: its kind, permission bits and (for files) bytes."""
    entries = {}
    for path in sorted(root.rglob("*")):
        mode = os.lstat(path).st_mode
        kind = "dir" if stat.S_ISDIR(mode) else "file"
        content = path.read_bytes() if kind == "file" else b""
        entries[path.relative_to(root).as_posix()] = (kind, stat.S_IMODE(mode), content)
    return entries


@pytest.mark.parametrize("case", CASES)
def test_jinja_and_copier_render_the_same_project(
    case: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    framework_name, spec = case
    framework = get_framework(framework_name)
    data = template_answers(
        framework, ProjectSpec(framework=framework_name, **spec), secret_key="k" * 64
    )
    render_project(framework, tmp_path / "jinja", data)
    render_project_with_copier(framework, tmp_path / "copier", data)
    direct, reference = tree(tmp_path / "jinja"), tree(tmp_path / "copier")
    assert direct.keys() == reference.keys()
    different = [path for path in direct if direct[path] != reference[path]]
    assert not different, different
    assert len(direct) > 50
    # The merge base (.apigen/) is apigen's addition, written by `generate` after the render and
    # not by the template: neither render has it.
    assert not any(path == ".apigen" or path.startswith(".apigen/") for path in direct)
