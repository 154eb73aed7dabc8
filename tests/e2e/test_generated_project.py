"""Generate every ready framework's project, install it and run what it ships (P22, P23)."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support import harness

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FRAMEWORKS = harness.ready_frameworks()
BACKENDS = ("sqlite", "postgres-redis")

Build = Callable[[str], harness.BuiltProject]


def _show(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout}"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_p23_project_test_suite_passes(
    build_project: Build, framework: str, backend: str, tmp_path: Path
) -> None:
    project = build_project(framework)
    with ExitStack() as stack:
        env: dict[str, str] = {}
        if backend == "postgres-redis":
            env["DATABASE_URL"] = stack.enter_context(harness.postgres_database())
            env["REDIS_URL"] = stack.enter_context(harness.redis_database())
        result = harness.run_in_project(
            project.path, project.venv, ["-m", "pytest", "-q", "-p", "no:cacheprovider"], env
        )
    assert result.returncode == 0, _show(result)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_p22_migrate_on_an_empty_sqlite_database(
    build_project: Build, framework: str, tmp_path: Path
) -> None:
    project = build_project(framework)
    database = tmp_path / "empty.db"
    env = {"DATABASE_URL": harness.sqlite_url(database)}
    package = harness.package_name(project.path)
    for _ in range(2):  # a second run finds nothing to do and still succeeds
        result = harness.run_in_project(project.path, project.venv, ["-m", package, "migrate"], env)
        assert result.returncode == 0, _show(result)
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert len(tables) >= 5, tables


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_p22_migrate_on_an_empty_postgres_database(build_project: Build, framework: str) -> None:
    project = build_project(framework)
    package = harness.package_name(project.path)
    with harness.postgres_database() as url:
        result = harness.run_in_project(
            project.path, project.venv, ["-m", package, "migrate"], {"DATABASE_URL": url}
        )
        assert result.returncode == 0, _show(result)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_p21_production_refuses_the_default_key(build_project: Build, framework: str) -> None:
    """APP_ENV=production with an empty SECRET_KEY must not start."""
    project = build_project(framework)
    package = harness.package_name(project.path)
    result = harness.run_in_project(
        project.path,
        project.venv,
        ["-m", package, "serve", "--host", "127.0.0.1", "--port", str(harness.free_port())],
        {"APP_ENV": "production", "SECRET_KEY": "", "DATABASE_URL": "sqlite:///:memory:"},
        timeout=60,
    )
    assert result.returncode != 0, _show(result)
