"""Issue #6 item 17: apigen works on the lowest versions its dependency bounds allow.

A venv gets apigen's ``[project] dependencies`` with ``uv pip install --resolution lowest-direct``
(each direct dependency at its lower bound, what they pull in at the newest allowed), plus the
tools the test suite itself needs at their newest. It is cached under
``<APIGEN_TEST_CACHE>/lowest-direct/<key>``, the key hashing the dependency list and this Python,
so a run with unchanged bounds installs nothing but apigen. apigen's wheel goes in without
dependencies, then the venv runs ``apigen --version``, ``apigen new`` and the unit tests: a bound
that lies fails one of them.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from tests.support import harness

from .conftest import ROOT, Wheel, project_version, run

pytestmark = pytest.mark.slow

#: Bump to throw away every cached lowest-direct venv.
LAYOUT_VERSION = 1
#: What the unit tests import besides apigen (tests/conftest.py imports httpx): newest versions.
TEST_TOOLS = ("pytest", "httpx")
MARKER = ".apigen-lowest-direct.json"


def dependencies() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return sorted(pyproject["project"]["dependencies"])


def venv_key() -> str:
    material = {
        "layout": LAYOUT_VERSION,
        "resolution": "lowest-direct",
        "python": f"{sys.implementation.name}-{platform.python_version()}-{platform.machine()}",
        "dependencies": dependencies(),
        "tools": TEST_TOOLS,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _build(uv: str, venv: Path, requirements: Path) -> None:
    python = harness.venv_python(venv)
    # Relocatable: it is built in a staging folder and renamed into place.
    run([uv, "venv", "--quiet", "--relocatable", "--python", sys.executable, venv], cwd=venv.parent)
    lowest = ["--resolution", "lowest-direct", "-r", os.fspath(requirements)]
    run([uv, "pip", "install", "--quiet", "--python", python, *lowest], cwd=venv.parent)
    run([uv, "pip", "install", "--quiet", "--python", python, *TEST_TOOLS], cwd=venv.parent)


@pytest.fixture(scope="module")
def lowest_venv(uv: str, wheel: Wheel) -> Iterator[Path]:
    """The cached lowest-direct venv with this checkout's wheel installed, locked while in use."""
    root = harness.CACHE_ROOT / "lowest-direct"
    key = venv_key()
    final = root / key
    with harness.file_lock(root / f"{key}.lock"):
        if not (final / MARKER).is_file():
            if final.exists():  # left over by a builder that died between rename and marker
                shutil.rmtree(final)
            staging = Path(tempfile.mkdtemp(prefix=f".staging-{key[:12]}-", dir=root))
            try:
                requirements = staging / "requirements.txt"
                requirements.write_text("\n".join(dependencies()) + "\n", encoding="utf-8")
                _build(uv, staging / "venv", requirements)
                (staging / "venv" / MARKER).write_text(
                    json.dumps({"key": key, "dependencies": dependencies()}), encoding="utf-8"
                )
                (staging / "venv").rename(final)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        # apigen itself changes with every edit: reinstall it, never its dependencies.
        python = harness.venv_python(final)
        reinstall = ["--no-deps", "--reinstall-package", "apigen", wheel.path]
        run([uv, "pip", "install", "--quiet", "--python", python, *reinstall], cwd=root)
        yield final


def test_installed_versions_are_the_declared_lower_bounds(uv: str, lowest_venv: Path) -> None:
    """The venv really holds each direct dependency at its bound (else the test proves nothing)."""
    listed = run(
        [uv, "pip", "list", "--format", "json", "--python", harness.venv_python(lowest_venv)],
        cwd=lowest_venv,
    )
    installed = {
        item["name"].lower(): Version(item["version"]) for item in json.loads(listed.stdout)
    }
    for line in dependencies():
        requirement = Requirement(line)
        bounds = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
        assert bounds, f"{line}: declare a lower bound"
        version = installed[requirement.name.lower()]
        assert version == bounds[0], f"{requirement.name} {version} installed for {line}"


def test_version(lowest_venv: Path, tmp_path: Path) -> None:
    result = run([lowest_venv / "bin" / "apigen", "--version"], cwd=tmp_path)
    assert result.stdout.strip() == f"apigen {project_version()}"


def test_new_generates_a_project(lowest_venv: Path, tmp_path: Path) -> None:
    result = run(
        [lowest_venv / "bin" / "apigen", "new", "svc", "--no-input", "-o", tmp_path / "out"],
        cwd=tmp_path,
    )
    assert result.returncode == 0
    project = tmp_path / "out" / "svc"
    assert (project / "svc" / "__init__.py").is_file(), result.stdout + result.stderr
    assert (project / "svc" / "__main__.py").is_file()
    assert (project / "pyproject.toml").is_file()
    assert "Traceback" not in result.stderr


def test_unit_tests_pass(lowest_venv: Path) -> None:
    python = harness.venv_python(lowest_venv)
    result = run(
        [python, "-m", "pytest", "tests/unit", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
