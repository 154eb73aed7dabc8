"""Generate every ready framework's project, install it and run what it ships (P22, P23)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
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


SENTINEL = "apigen-sentinel"


def _plant_sentinels(database_url: str, redis_url: str) -> None:
    """Data of the developer's own: a table and row in the database, a key in Redis."""
    import psycopg
    import redis

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("CREATE TABLE sentinel (value text)")
        connection.execute("INSERT INTO sentinel VALUES (%s)", (SENTINEL,))
    with redis.Redis.from_url(redis_url) as client:
        client.set(SENTINEL, SENTINEL)


def _assert_sentinels_intact(database_url: str, redis_url: str) -> None:
    import psycopg
    import redis

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url, autocommit=True) as connection:
        assert connection.execute("SELECT value FROM sentinel").fetchall() == [(SENTINEL,)]
        tables = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        assert tables == [("sentinel",)], "the tests created tables in the configured database"
        leftovers = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"%{name}%",)
        ).fetchall()
    assert leftovers == [(name,)], f"throwaway databases left behind: {leftovers}"
    with redis.Redis.from_url(redis_url) as client:
        assert client.get(SENTINEL) == SENTINEL.encode()
        assert client.keys("*") == [SENTINEL.encode()], "the tests left keys behind"


def _run_project_tests(project: harness.BuiltProject, venv: Path, backend: str) -> None:
    """The project's own suite on `backend`. On PostgreSQL + Redis, with the developer's real
    DATABASE_URL / REDIS_URL exported (P23): data there before the run is there after it."""
    with ExitStack() as stack:
        env: dict[str, str] = {}
        if backend == "postgres-redis":
            env["DATABASE_URL"] = stack.enter_context(harness.postgres_database())
            env["REDIS_URL"] = stack.enter_context(harness.redis_database())
            _plant_sentinels(env["DATABASE_URL"], env["REDIS_URL"])
        result = harness.run_in_project(
            project.path, venv, ["-m", "pytest", "-q", "-p", "no:cacheprovider"], env
        )
        assert result.returncode == 0, _show(result)
        if backend == "postgres-redis":
            _assert_sentinels_intact(env["DATABASE_URL"], env["REDIS_URL"])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_p23_project_test_suite_passes(build_project: Build, framework: str, backend: str) -> None:
    project = build_project(framework)
    _run_project_tests(project, project.venv, backend)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_p24_project_passes_at_its_lowest_declared_versions(
    build_project: Build, framework: str, backend: str
) -> None:
    """Every direct dependency at its declared lower bound (`uv pip install --resolution
    lowest-direct`): a bound that lies fails the project's own suite."""
    project = build_project(framework)
    venv = harness.ensure_venv(project.path, resolution="lowest-direct")
    _run_project_tests(project, venv, backend)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_p10_several_workers_without_redis_are_refused(
    build_project: Build, framework: str, tmp_path: Path
) -> None:
    """Per-process caches would serve stale reads (P10): one line, exit 2, nothing migrated."""
    project = build_project(framework)
    package = harness.package_name(project.path)
    env = {"DATABASE_URL": harness.sqlite_url(tmp_path / "app.db")}
    args = ["-m", package, "serve", "--workers", "2", "--port", str(harness.free_port())]
    result = harness.run_in_project(project.path, project.venv, args, env, timeout=60)
    assert result.returncode == 2, _show(result)
    assert "REDIS_URL" in result.stdout, _show(result)
    assert len(result.stdout.strip().splitlines()) == 1, _show(result)
    assert not (tmp_path / "app.db").exists(), "it migrated before refusing"


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


#: SECRET_KEY values production must refuse: None = unset (and no .env), placeholder, too short.
WEAK_KEYS = {"missing": None, "empty": "", "default": "changeme", "short": "k3y-0f-10c"}


@pytest.mark.parametrize("weak", sorted(WEAK_KEYS))
@pytest.mark.parametrize("command", ["serve", "migrate"])
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_p21_production_refuses_a_weak_key(
    build_project: Build, framework: str, command: str, weak: str, tmp_path: Path
) -> None:
    """APP_ENV=production with a missing, default or short SECRET_KEY exits at once, non-zero,
    with a message naming SECRET_KEY and neither a traceback nor the key in its output."""
    project = build_project(framework)
    package = harness.package_name(project.path)
    key = WEAK_KEYS[weak]
    env = {"APP_ENV": "production", "DATABASE_URL": harness.sqlite_url(tmp_path / "app.db")}
    project_dir = project.path
    if key is None:  # no SECRET_KEY anywhere: a copy of the project without its .env
        project_dir = tmp_path / "no-dotenv"
        shutil.copytree(project.path, project_dir, ignore=shutil.ignore_patterns(".env"))
    else:
        env["SECRET_KEY"] = key
    args = ["-m", package, command]
    if command == "serve":
        args += ["--host", "127.0.0.1", "--port", str(harness.free_port())]
    started = time.monotonic()
    result = harness.run_in_project(project_dir, project.venv, args, env, timeout=60)
    elapsed = time.monotonic() - started
    assert result.returncode != 0, _show(result)
    assert elapsed < 30, f"took {elapsed:.1f}s to refuse\n{_show(result)}"
    assert "SECRET_KEY" in result.stdout, _show(result)
    assert "Traceback" not in result.stdout, _show(result)
    if key:
        assert key not in result.stdout, _show(result)
    assert not (tmp_path / "app.db").exists(), "it migrated before refusing"


def _in_project(project: harness.BuiltProject, url: str, *args: str) -> str:
    result = harness.run_in_project(project.path, project.venv, list(args), {"DATABASE_URL": url})
    assert result.returncode == 0, _show(result)
    return result.stdout


def _migrate_up_down_up(
    project: harness.BuiltProject, url: str, tables: Callable[[], set[str]]
) -> None:
    """The grown project's migrations: up to the latest (every added table there), down to the
    generated schema (the added tables gone, the rest intact), up again, and no drift between
    the models and the migrations (`alembic check` / `makemigrations --check`)."""
    added = [harness.pluralize(name) for name, _ in harness.GROWN_RESOURCES]
    package = harness.package_name(project.path)
    _in_project(project, url, "-m", package, "migrate")
    assert set(added) <= tables()
    if project.framework == "django":
        for app in reversed(added):  # an app's migration goes before those it depends on
            _in_project(project, url, "manage.py", "migrate", app, "zero")
    else:
        _in_project(project, url, "-m", "alembic", "downgrade", f"-{len(added)}")
    assert not set(added) & tables()
    assert {"users", "posts", "accounts"} <= tables()
    _in_project(project, url, "-m", package, "migrate")
    assert set(added) <= tables()
    if project.framework == "django":
        checked = _in_project(project, url, "manage.py", "makemigrations", "--check", "--dry-run")
        assert "No changes detected" in checked, checked
    else:
        checked = _in_project(project, url, "-m", "alembic", "check")
        assert "No new upgrade operations detected" in checked, checked
        heads = _in_project(project, url, "-m", "alembic", "heads")
        assert len(heads.strip().splitlines()) == 1, heads


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_p22_added_resources_migrate_up_down_up_without_drift_on_sqlite(
    build_project: Build, framework: str, tmp_path: Path
) -> None:
    project = build_project(framework)
    database = tmp_path / "grown.db"

    def tables() -> set[str]:
        with sqlite3.connect(database) as connection:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return {row[0] for row in rows}

    _migrate_up_down_up(project, harness.sqlite_url(database), tables)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_p22_added_resources_migrate_up_down_up_without_drift_on_postgres(
    build_project: Build, framework: str
) -> None:
    import psycopg

    project = build_project(framework)
    with harness.postgres_database() as url:

        def tables() -> set[str]:
            with psycopg.connect(url, autocommit=True) as connection:
                rows = connection.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                ).fetchall()
            return {row[0] for row in rows}

        _migrate_up_down_up(project, url, tables)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_p24_a_project_as_generated_passes_its_own_mypy(
    build_project: Build, framework: str, tmp_path: Path
) -> None:
    """The suites run against grown projects (whose own tests type-check them); this checks one
    as `apigen new` leaves it, before any resource is added, with the same dependencies."""
    grown = build_project(framework)
    pristine = harness.generate_project(tmp_path, framework)
    assert harness.venv_key(pristine) == harness.venv_key(grown.path)
    result = harness.run_in_project(pristine, grown.venv, ["-m", "mypy"])
    assert result.returncode == 0, _show(result)
    assert "Success: no issues found" in result.stdout, _show(result)
