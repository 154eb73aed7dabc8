"""Render every variant of every ready framework and inspect the output (P21, P24).

No install, no boot: these run in a second or two per variant. tests/e2e runs what is rendered.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from apigen import ProjectSpec, generate
from tests.support import harness


@dataclass(frozen=True)
class Variant:
    suffix: str
    spec: dict[str, Any]
    package: str
    answers: dict[str, str] = field(default_factory=dict)
    #: Grown by the harness's resources (``apigen add resource``) after generation.
    grown: bool = False


VARIANTS = (
    Variant("default", {"name": "svc"}, "svc"),
    Variant("hyphenated-name", {"name": "my-service"}, "my_service"),
    Variant(
        "py312", {"name": "svc312", "python_version": "3.12"}, "svc312", {"python_version": "3.12"}
    ),
    Variant(
        "custom-metadata",
        {
            "name": "shop-api",
            "description": 'Orders & "carts" \\ it\'s <fast>',
            "author_name": "Ada Lovelace",
            "author_email": "ada@example.org",
        },
        "shop_api",
        {"description": 'Orders & "carts" \\ it\'s <fast>', "author_name": "Ada Lovelace"},
    ),
    Variant("grown", {"name": "svc"}, "svc", grown=True),
    Variant(
        "grown-py312",
        {"name": "svc312", "python_version": "3.12"},
        "svc312",
        {"python_version": "3.12"},
        grown=True,
    ),
)

CASES = [
    pytest.param((framework, variant), id=f"{framework}-{variant.suffix}")
    for framework in harness.ready_frameworks()
    for variant in VARIANTS
]

#: GitHub Actions expressions look like Jinja but belong in workflow files.
_ACTIONS_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
_JINJA_MARKERS = ("{{", "{%", "{#")
_SECRET_LINE = re.compile(r"^SECRET_KEY=(?P<key>.*)$", re.MULTILINE)


def render(tmp_path: Path, framework: str, variant: Variant) -> Path:
    spec = ProjectSpec(framework=framework, **variant.spec)
    project = generate(spec, output_dir=tmp_path).destination
    return harness.grow_project(project) if variant.grown else project


def text_files(project: Path) -> dict[str, str]:
    """The project's text files; the merge base's copies (``.apigen/base/``) are left out:
    ``test_the_merge_base_is_the_pristine_render`` holds them equal to the files checked here."""
    texts = {}
    for path in sorted(project.rglob("*")):
        if not path.is_file() or ".ruff_cache" in path.parts:
            continue
        if path.relative_to(project).as_posix().startswith(".apigen/base/"):
            continue
        try:
            texts[path.relative_to(project).as_posix()] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary: nothing to check
    return texts


def secret_key(project: Path) -> str:
    match = _SECRET_LINE.search((project / ".env").read_text(encoding="utf-8"))
    assert match, "no SECRET_KEY line in .env"
    return match["key"].strip()


@pytest.fixture(params=CASES)
def rendered(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str, Variant]:
    framework, variant = request.param
    return render(tmp_path, framework, variant), framework, variant


def test_p24_no_template_residue(rendered: tuple[Path, str, Variant]) -> None:
    project, _, _ = rendered
    residue = []
    for relative, text in text_files(project).items():
        if relative.startswith(".github/workflows/"):
            text = _ACTIONS_EXPRESSION.sub("", text)
        residue += [f"{relative}: {marker}" for marker in _JINJA_MARKERS if marker in text]
    assert residue == []


def test_the_merge_base_is_the_pristine_render(rendered: tuple[Path, str, Variant]) -> None:
    """``.apigen/`` (apigen's addition, not the template's) holds a copy of every rendered file
    but the private ones, whose hash alone the manifest keeps: the secret key is not in it."""
    import hashlib
    import json

    project, _, _ = rendered
    manifest = json.loads((project / ".apigen/manifest.json").read_text(encoding="utf-8"))
    base = project / ".apigen/base"
    project_files = sorted(
        p.relative_to(project).as_posix()
        for p in project.rglob("*")
        if p.is_file() and not p.relative_to(project).as_posix().startswith(".apigen/")
    )
    assert sorted(manifest["files"]) == project_files
    for relative, digest in manifest["files"].items():
        assert hashlib.sha256((project / relative).read_bytes()).hexdigest() == digest
        if relative == ".env":
            assert not (base / relative).exists()
        else:
            assert (base / relative).read_bytes() == (project / relative).read_bytes()
    assert secret_key(project) not in (project / ".apigen/manifest.json").read_text()


def test_p24_no_template_file_names(rendered: tuple[Path, str, Variant]) -> None:
    project, _, _ = rendered
    names = [p.relative_to(project).as_posix() for p in project.rglob("*")]
    assert [n for n in names if n.endswith(".jinja") or "{{" in n or "{%" in n] == []


def test_p24_package_folder(rendered: tuple[Path, str, Variant]) -> None:
    project, _, variant = rendered
    assert (project / variant.package / "__init__.py").is_file()
    assert (project / variant.package / "__main__.py").is_file()
    assert project.name == variant.spec["name"]


def test_p24_answers_file_records_the_answers(rendered: tuple[Path, str, Variant]) -> None:
    project, framework, variant = rendered
    text = (project / ".apigen-answers.yml").read_text(encoding="utf-8")
    answers = yaml.safe_load(text)
    expected = {
        "project_name": variant.spec["name"],
        "package_name": variant.package,
        "framework": framework,
        **variant.answers,
    }
    assert {key: answers.get(key) for key in expected} == expected
    assert "secret_key" not in answers
    assert secret_key(project) not in text


def test_p21_env_has_a_strong_secret_key(rendered: tuple[Path, str, Variant]) -> None:
    project, _, _ = rendered
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", secret_key(project))


def test_p21_secret_key_differs_between_renders(tmp_path: Path) -> None:
    for framework in harness.ready_frameworks():
        first = render(tmp_path / f"{framework}-1", framework, VARIANTS[0])
        second = render(tmp_path / f"{framework}-2", framework, VARIANTS[0])
        assert secret_key(first) != secret_key(second)


def test_p24_env_is_ignored_by_git(rendered: tuple[Path, str, Variant]) -> None:
    project, _, _ = rendered
    lines = {line.strip() for line in (project / ".gitignore").read_text().splitlines()}
    assert lines & {".env", "/.env"}


def test_p24_hygiene_files_present(rendered: tuple[Path, str, Variant]) -> None:
    project, _, _ = rendered
    for name in ("pyproject.toml", "README.md", ".env.example", "Dockerfile", ".gitignore"):
        assert (project / name).is_file(), name
    assert list((project / ".github" / "workflows").glob("*.y*ml")), "no CI workflow"
    example = (project / ".env.example").read_text(encoding="utf-8")
    assert secret_key(project) not in example


def test_p24_python_version_is_declared(rendered: tuple[Path, str, Variant]) -> None:
    import tomllib

    project, _, variant = rendered
    version = variant.spec.get("python_version", "3.11")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == f">={version}"
    assert pyproject["tool"]["ruff"]["target-version"] == f"py{version.replace('.', '')}"


def test_p24_metadata_survives_quotes(rendered: tuple[Path, str, Variant]) -> None:
    """Descriptions and names with quotes or backslashes still give valid TOML and Python."""
    import ast
    import tomllib

    project, _, variant = rendered
    spec = ProjectSpec(**variant.spec)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == spec.name
    assert pyproject["project"]["description"] == spec.description
    assert pyproject["project"]["authors"] == [
        {"name": spec.author_name, "email": spec.author_email}
    ]
    if tuple(map(int, spec.python_version.split("."))) <= sys.version_info[:2]:
        for source in project.rglob("*.py"):
            ast.parse(source.read_text(encoding="utf-8"), filename=str(source))


def test_p24_no_noqa(rendered: tuple[Path, str, Variant]) -> None:
    project, _, _ = rendered
    offenders = [name for name, text in text_files(project).items() if "noqa" in text.lower()]
    assert offenders == []


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["check", "format"])
def test_p24_ruff_is_clean(rendered: tuple[Path, str, Variant], command: list[str]) -> None:
    project, _, _ = rendered
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "--no-cache", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _dotenv(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return {key: value for key, value in pairs}


def test_p21_env_holds_every_setting_so_nothing_needs_copying(
    rendered: tuple[Path, str, Variant],
) -> None:
    """Issue #6 item 14: `.env` is complete (every setting of `.env.example`, same defaults, plus
    the key), and `.env.example` no longer tells anyone to copy itself over it."""
    project, _, _ = rendered
    env, example = _dotenv(project / ".env"), _dotenv(project / ".env.example")
    assert example["SECRET_KEY"] == ""
    assert env.pop("SECRET_KEY") == secret_key(project)
    example.pop("SECRET_KEY")
    assert env == example
    first_line = (project / ".env.example").read_text(encoding="utf-8").splitlines()[0]
    assert not first_line.lower().startswith("# copy to .env")


_PINNED_ACTION = re.compile(r"^\s*-?\s*uses:\s*[\w.-]+/[\w.-]+@[0-9a-f]{40}\s+#\s*v\S+$")


def test_p24_ci_workflow_is_pinned_and_least_privilege(rendered: tuple[Path, str, Variant]) -> None:
    """Issue #6 item 18: actions pinned by commit SHA, read-only token, no persisted credentials,
    and zizmor (offline audits) finds nothing."""
    project, _, _ = rendered
    workflow = project / ".github" / "workflows" / "ci.yml"
    text = workflow.read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    assert document["permissions"] == {"contents": "read"}
    uses = [line for line in text.splitlines() if "uses:" in line]
    assert uses
    assert [line for line in uses if not _PINNED_ACTION.match(line)] == []
    for job in document["jobs"].values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
    zizmor = Path(sys.executable).with_name("zizmor")  # a binary the PyPI package installs
    result = subprocess.run(
        [str(zizmor), "--offline", "--no-progress", str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_p24_project_readme_tells_what_apigen_prints(rendered: tuple[Path, str, Variant]) -> None:
    """Issue #6 item 12: one story: the service's README gives the commands `apigen new` prints
    (its own venv with the dev extra, then serve; tests with that venv's Python)."""
    from apigen.cli import SERVICE_TEST_COMMAND, service_setup_command

    project, _, variant = rendered
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert service_setup_command(variant.package) in readme
    assert SERVICE_TEST_COMMAND in readme
