"""Issue #6 item 11: apigen as users install it, from a wheel, generates what the checkout does.

pip byte-compiles every ``.py`` file it installs, the template's too, and Copier drops its default
excludes once ``_subdirectory`` is set: without the template's ``_exclude`` every project got the
template's ``__pycache__`` folders. An editable install (the dev venv) never shows it.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from pathlib import Path

import pytest

from apigen import ProjectSpec, frameworks, generate
from tests.support import harness

from .conftest import Wheel, project_version, run

#: Files whose content differs between two renders of the same answers: the secrets in ``.env``
#: and the template's location in the answers (a checkout here, site-packages there).
VOLATILE = {".env", ".apigen-answers.yml", ".apigen/base/.apigen-answers.yml"}
MANIFEST = ".apigen/manifest.json"


def comparable(name: str, content: bytes) -> bytes:
    """The manifest compared without the hashes of the volatile files it records."""
    if name != MANIFEST:
        return content
    manifest = json.loads(content)
    manifest["files"] = {
        path: digest for path, digest in manifest["files"].items() if path not in VOLATILE
    }
    return json.dumps(manifest, sort_keys=True).encode()


#: Leftovers a template folder collects in a checkout or an installed wheel: never copied.
LITTER = (
    "__pycache__/settings.cpython-311.pyc",
    "{{package_name}}/__pycache__/__init__.cpython-311.pyc",
    "{{package_name}}/stale.pyc",
    "{{package_name}}/optimised.pyo",
    "tests/.pytest_cache/v/cache/lastfailed",
    ".ruff_cache/0.6.0/cache",
    ".mypy_cache/3.11/cache.json",
    ".git/HEAD",
    "{{package_name}}/.DS_Store",
    "~README.md.jinja",
)


def bytecode_and_caches(project: Path) -> list[str]:
    return sorted(
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.name == "__pycache__" or path.suffix in (".pyc", ".pyo")
    )


def files(project: Path) -> dict[str, bytes]:
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("framework", harness.ready_frameworks())
def test_template_litter_is_never_copied(
    framework: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fast and wheel-free: a template folder full of caches renders exactly as a clean one."""
    registry = frameworks._registry()
    original = registry[framework]
    littered = tmp_path / "templates" / framework
    shutil.copytree(original.template_dir, littered)
    for relative in LITTER:
        path = littered / "template" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"litter")
    registry[framework] = dataclasses.replace(original, template_dir=littered)
    monkeypatch.setattr(frameworks, "_registry", lambda: registry)

    project = generate(
        ProjectSpec(name="svc", framework=framework), output_dir=tmp_path / "littered"
    ).destination
    monkeypatch.undo()
    clean = generate(
        ProjectSpec(name="svc", framework=framework), output_dir=tmp_path / "clean"
    ).destination

    assert bytecode_and_caches(project) == []
    assert sorted(files(project)) == sorted(files(clean))


@pytest.mark.slow
def test_wheel_in_a_clean_venv_generates_what_the_checkout_does(
    uv: str, wheel: Wheel, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    python, apigen = venv / "bin" / "python", venv / "bin" / "apigen"
    run([uv, "venv", "--quiet", "--python", sys.executable, venv], cwd=tmp_path)
    # Byte-compiled like pip installs it by default (uv does not unless asked).
    run(
        [uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", python, wheel.path],
        cwd=tmp_path,
    )

    located = run(
        [python, "-c", "from apigen.frameworks import templates_root; print(templates_root())"],
        cwd=tmp_path,
    ).stdout.strip()
    installed_templates = Path(located)
    assert installed_templates.is_relative_to(venv), "not the wheel's own templates"
    assert list(installed_templates.rglob("*.pyc")), "the installed template was not byte-compiled"

    version = run([apigen, "--version"], cwd=tmp_path)
    assert version.stdout.strip() == f"apigen {project_version()}"

    created = run([apigen, "new", "svc", "--no-input", "-o", tmp_path / "from-wheel"], cwd=tmp_path)
    assert created.returncode == 0
    project = tmp_path / "from-wheel" / "svc"
    assert bytecode_and_caches(project) == []

    reference = generate(ProjectSpec(name="svc"), output_dir=tmp_path / "from-source").destination
    if wheel.templates_changed_since():
        return  # a template was edited during this run: the checkout no longer is what was built
    from_wheel, from_source = files(project), files(reference)
    assert sorted(from_wheel) == sorted(from_source)
    differing = [
        name
        for name in from_source
        if name not in VOLATILE
        and comparable(name, from_wheel[name]) != comparable(name, from_source[name])
    ]
    assert differing == []
