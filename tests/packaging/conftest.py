"""Fixtures for the packaging tests: apigen built as a wheel, commands run in other venvs."""

from __future__ import annotations

import os
import subprocess
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import harness

ROOT = Path(__file__).resolve().parents[2]

#: Variables that would make a child process use the test runner's venv, path or pytest options.
_SCRUBBED_ENV = (
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONDONTWRITEBYTECODE",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_CURRENT_TEST",
    "UV_PYTHON",
    "UV_PROJECT_ENVIRONMENT",
)


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _SCRUBBED_ENV}
    env.update(extra or {})
    return env


def run(
    command: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path,
    check: bool = True,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with a clean environment; output captured. ``check`` fails the test."""
    completed = subprocess.run(
        [os.fspath(part) for part in command],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and completed.returncode != 0:
        pytest.fail(
            f"{' '.join(map(os.fspath, command))} exited with {completed.returncode}\n"
            f"--- stdout\n{completed.stdout}\n--- stderr\n{completed.stderr}",
            pytrace=False,
        )
    return completed


def project_version() -> str:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(pyproject["project"]["version"])


@pytest.fixture(scope="session")
def uv() -> str:
    return harness.find_uv()


@dataclass(frozen=True)
class Wheel:
    path: Path
    #: When the build started: a checkout file changed after it may differ from the wheel's copy.
    started: float

    def templates_changed_since(self) -> bool:
        """Whether a template in the checkout changed after the build started (someone is
        editing it while the tests run)."""
        return any(path.stat().st_mtime >= self.started for path in (ROOT / "templates").rglob("*"))


@pytest.fixture(scope="session")
def wheel(uv: str, tmp_path_factory: pytest.TempPathFactory) -> Wheel:
    """apigen's wheel, built from this checkout (the build backend comes from uv's cache)."""
    out = tmp_path_factory.mktemp("wheel")
    started = time.time()
    run([uv, "build", "--wheel", "--quiet", "--out-dir", out, ROOT], cwd=out)
    (built,) = out.glob("apigen-*.whl")
    return Wheel(built, started)
