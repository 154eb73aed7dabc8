"""The harness itself, checked against a tiny fake project (stdlib http.server, no framework)."""

from __future__ import annotations

import json
import textwrap
import threading
from pathlib import Path

import httpx
import pytest

from tests.support import harness

pytestmark = pytest.mark.e2e

FAKE_MAIN = """
import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SEEN = ("APP_ENV", "DATABASE_URL", "RATE_LIMIT", "FIRST_ADMIN_EMAIL", "PYTHONPATH", "EXTRA")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(
            {"status": "ok", "cwd": os.getcwd(), "env": {k: os.environ.get(k) for k in SEEN}}
        ).encode()
        self.send_response(200 if self.path == "/health" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        print("request", *args, flush=True)


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate")
    serve = commands.add_parser("serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if os.environ.get("FAKE_FAIL"):
        print("boom: the fake service refuses to start", flush=True)
        sys.exit(3)
    if args.command == "migrate":
        print("migrated", flush=True)
        return
    print(f"serving on {args.host}:{args.port}", flush=True)
    ThreadingHTTPServer((args.host, args.port), Handler).serve_forever()


main()
"""


def make_fake_project(root: Path, dependency: str = "iniconfig>=1") -> Path:
    project = root / "fake"
    package = project / "fakesvc"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(FAKE_MAIN)
    (project / ".apigen-answers.yml").write_text(
        "framework: fake\npackage_name: fakesvc\nproject_name: fake\n"
    )
    (project / ".env").write_text("SECRET_KEY=fake-secret-key-for-the-harness-tests-only\n")
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [project]
            name = "fake"
            version = "0.1.0"
            dependencies = ["{dependency}"]

            [project.optional-dependencies]
            dev = ["iniconfig>=1"]
            """
        )
    )
    return project


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setattr(harness, "CACHE_ROOT", root)
    return root


@pytest.fixture
def uv_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    runs: list[list[str]] = []
    real_run = harness._run

    def counting_run(command: list[str], *, cwd: Path) -> None:
        runs.append(command)
        real_run(command, cwd=cwd)

    monkeypatch.setattr(harness, "_run", counting_run)
    return runs


def test_venv_key_follows_dependencies_only(tmp_path: Path) -> None:
    project = make_fake_project(tmp_path / "a")
    other = make_fake_project(tmp_path / "b")
    text = (other / "pyproject.toml").read_text().replace('name = "fake"', 'name = "other"')
    (other / "pyproject.toml").write_text(text)
    changed = make_fake_project(tmp_path / "c", dependency="iniconfig>=2")
    assert harness.venv_key(project) == harness.venv_key(other)
    assert harness.venv_key(project) != harness.venv_key(changed)


def test_venv_is_built_once_then_reused(
    tmp_path: Path, cache: Path, uv_runs: list[list[str]]
) -> None:
    project = make_fake_project(tmp_path)
    venv = harness.ensure_venv(project)
    assert venv.parent == cache / "venvs"
    assert (venv / harness.VENV_MARKER).is_file()
    assert len(uv_runs) == 2  # uv venv, uv pip install
    check = harness.run_in_project(project, venv, ["-c", "import iniconfig, fakesvc"])
    assert check.returncode == 0, check.stdout

    assert harness.ensure_venv(project) == venv
    assert len(uv_runs) == 2, "a cache hit must not run uv"
    leftovers = [p.name for p in (cache / "venvs").iterdir() if p.name.startswith(".staging")]
    assert leftovers == []


def test_concurrent_builders_build_once(
    tmp_path: Path, cache: Path, uv_runs: list[list[str]]
) -> None:
    project = make_fake_project(tmp_path)
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(harness.ensure_venv(project)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3
    assert len(set(results)) == 1
    assert len(uv_runs) == 2


def test_half_built_venv_is_rebuilt(tmp_path: Path, cache: Path) -> None:
    project = make_fake_project(tmp_path)
    stale = cache / "venvs" / harness.venv_key(project)
    stale.mkdir(parents=True)
    (stale / "junk").write_text("no marker: a builder died here")
    venv = harness.ensure_venv(project)
    assert venv == stale
    assert not (venv / "junk").exists()
    assert (venv / harness.VENV_MARKER).is_file()


def test_boot_serves_with_settings_and_stops(tmp_path: Path, cache: Path) -> None:
    project = make_fake_project(tmp_path)
    venv = harness.ensure_venv(project)
    with harness.boot(
        project, venv, {"EXTRA": "yes"}, rate_limit="7/minute", log_dir=tmp_path
    ) as service:
        response = httpx.get(f"{service.base_url}/health")
        assert response.status_code == 200
        seen = response.json()
        assert seen["cwd"] == str(project)
        assert seen["env"] == {
            "APP_ENV": "development",
            "DATABASE_URL": None,
            "RATE_LIMIT": "7/minute",
            "FIRST_ADMIN_EMAIL": harness.ADMIN_EMAIL,
            "PYTHONPATH": str(project),
            "EXTRA": "yes",
        }
        assert service.limit_amount == 7
        assert service.secret_key == "fake-secret-key-for-the-harness-tests-only"
        assert service.base_url.startswith("http://127.0.0.1:")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{service.base_url}/health", timeout=2)
    assert service.log_path is not None
    assert "serving on 127.0.0.1" in service.log_path.read_text()


def test_boot_failure_shows_server_output(tmp_path: Path, cache: Path) -> None:
    project = make_fake_project(tmp_path)
    venv = harness.ensure_venv(project)
    with (
        pytest.raises(harness.HarnessError, match="boom: the fake service refuses to start"),
        harness.boot(project, venv, {"FAKE_FAIL": "1"}, log_dir=tmp_path),
    ):
        pytest.fail("boot must not yield")


def test_migrate_runs_in_project(tmp_path: Path, cache: Path) -> None:
    project = make_fake_project(tmp_path)
    venv = harness.ensure_venv(project)
    result = harness.run_in_project(project, venv, ["-m", "fakesvc", "migrate"])
    assert result.returncode == 0, result.stdout
    assert "migrated" in result.stdout


def test_postgres_database_is_created_and_dropped() -> None:
    import psycopg

    with harness.postgres_database() as url:
        name = url.rsplit("/", 1)[1]
        assert name.startswith("apigen_e2e_")
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT current_database()").fetchone() == (name,)
            connection.execute("CREATE TABLE probe (id int)")
    with psycopg.connect(harness.POSTGRES_ADMIN_URL) as admin:
        row = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        assert row is None


def test_redis_databases_are_private_and_flushed() -> None:
    import redis

    with harness.redis_database() as first, harness.redis_database() as second:
        assert first != second
        client = redis.Redis.from_url(first)
        assert client.dbsize() == 0
        client.set("probe", json.dumps({"left": "behind"}))
        client.close()
    client = redis.Redis.from_url(first)
    try:
        assert client.get("probe") is None
    finally:
        client.close()


def test_sqlite_url_is_absolute(tmp_path: Path) -> None:
    assert harness.sqlite_url(tmp_path / "app.db") == f"sqlite:///{tmp_path}/app.db"
