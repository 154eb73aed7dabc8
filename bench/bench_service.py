"""Service benchmark: a generated service side by side with a bare app of its framework.

For every row the generated service and a bare app (`bench/bare/<framework>_app.py`) doing the
same work (the same token check, the same queries, the same cache, the same JSON) are booted on
the same server settings and the same database, driven in turn by wrk (1 thread, 32 connections
by default), and compared: req/s, p50, p99, errors and the ratios service / bare.

    sudo apt-get install wrk          # Debian's package; any wrk 4.x works
    .venv/bin/python -m bench.bench_service [--backend sqlite|postgres-redis|all]
        [--workers 1 2] [--duration 10] [--warmup 3] [--rounds 2] [--connections 32]
        [--bare flat|structured] [--framework fastapi|django|flask] [--servers] [--no-pin]

PostgreSQL and Redis are the ones the test suite uses (127.0.0.1:5432, 127.0.0.1:6379); a fresh
database and Redis database are made for the run and dropped afterwards. Several workers need
Redis (the services refuse them without it), so SQLite runs with one. Prints figures only; it
asserts nothing (targets are in the issue tracker and the README, not in tests).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support import harness

ROOT = Path(__file__).resolve().parents[1]
BARE_APPS = ROOT / "bench" / "bare"
PASSWORD = "bench-password-1"


@dataclass(frozen=True)
class Row:
    """One benchmark row: the same request to the service and to the bare app."""

    name: str
    service_path: str
    bare_path: str
    method: str = "GET"
    body: list[str] = field(default_factory=list)  # bodies to alternate between (POST)
    authenticated: bool = True


@dataclass
class Figures:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)


def parse_wrk(output: str) -> Figures:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rate is None:
        raise ValueError(f"no Requests/sec in wrk's output:\n{output}")
    latency = {int(p): float(v) * _UNITS[unit] for p, v, unit in _LATENCY.findall(output)}
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        errors += int(match[1])
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(value) for value in match.groups())
    return Figures(
        float(rate[1]), latency.get(50, float("nan")), latency.get(99, float("nan")), errors
    )


def wrk_script(directory: Path, row: Row, token: str | None) -> Path:
    """A wrk Lua script sending the row's method, headers and (alternating) bodies."""
    headers = ['["Content-Type"] = "application/json"']
    if token:
        headers.append(f'["Authorization"] = "Bearer {token}"')
    bodies = ", ".join(f"[[{body}]]" for body in row.body) or "[[]]"
    body_expression = "bodies[(counter % #bodies) + 1]" if row.body else "nil"
    script = directory / f"{row.name.replace(' ', '-')}.lua"
    script.write_text(
        f"""
local headers = {{ {", ".join(headers)} }}
local bodies = {{ {bodies} }}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("{row.method}", nil, headers, {body_expression})
end
""",
        encoding="utf-8",
    )
    return script


#: wrk's CPUs during a pinned run (see `pinned_cpus`); empty otherwise.
WRK_CPUS: set[int] = set()


@contextlib.contextmanager
def pinned_cpus(enabled: bool) -> Iterator[int | None]:
    """With `enabled` and two CPUs or more: the servers started inside run on one CPU (yielded)
    and wrk on the others. A one-worker server holds one GIL, so it gains nothing from a second
    core, and sharing its core with the load generator (or its threads moving between cores) made
    runs of the same target swing by 15 % or more. Processes started inside inherit the CPU set."""
    cpus = sorted(os.sched_getaffinity(0))
    if not enabled or len(cpus) < 2:
        yield None
        return
    WRK_CPUS.update(cpus[1:])
    os.sched_setaffinity(0, {cpus[0]})
    try:
        yield cpus[0]
    finally:
        os.sched_setaffinity(0, cpus)
        WRK_CPUS.clear()


def _wrk_cpus() -> None:
    if WRK_CPUS:
        os.sched_setaffinity(0, WRK_CPUS)


def run_wrk(url: str, script: Path, seconds: int, connections: int) -> Figures:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",  # whole seconds: wrk reads no fractions
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(script),
        url,
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, check=True, preexec_fn=_wrk_cpus
    )
    return parse_wrk(completed.stdout)


#: What a bare app needs in its environment besides the service's settings, by framework and
#: structure (Django reads its settings from a module).
BARE_APP_ENV = {
    ("django", "flat"): {"DJANGO_SETTINGS_MODULE": "django_settings"},
    ("django", "structured"): {"DJANGO_SETTINGS_MODULE": "django_structured_settings"},
}


def bare_command(
    framework: str, venv: Path, module: str, port: int, workers: int, worker_class: str
) -> list[str]:
    """The bare app under the server its service runs on: uvicorn (FastAPI, Django) or gunicorn
    with the service's threaded workers (Flask; `worker_class="sync"` for gunicorn's default)."""
    python = str(harness.venv_python(venv))
    if framework == "flask":
        threads = ["--threads", "32"] if worker_class == "gthread" else []
        return [
            *(python, "-m", "gunicorn", f"{module}:app", "--chdir", str(BARE_APPS)),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
            *("--worker-class", worker_class, *threads, "--log-level", "warning"),
        ]
    return [
        *(python, "-m", "uvicorn", f"{module}:app", "--app-dir", str(BARE_APPS)),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        *("--no-access-log", "--log-level", "warning"),
    ]


@contextlib.contextmanager
def bare_server(
    framework: str,
    venv: Path,
    env: dict[str, str],
    workers: int,
    log_dir: Path,
    structure: str,
    worker_class: str = "gthread",
) -> Iterator[str]:
    """The framework's bare app under the same server as the service (access log off):
    `bare/<framework>_app.py`, or with `structure="structured"` the same work through the
    framework mechanisms the contract needs (`bare/<framework>_structured_app.py`)."""
    port = harness.free_port()
    base_url = f"http://127.0.0.1:{port}"
    module = f"{framework}_structured_app" if structure == "structured" else f"{framework}_app"
    command = bare_command(framework, venv, module, port, workers, worker_class)
    log = log_dir / f"bare-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env=harness.project_env(BARE_APPS, env | BARE_APP_ENV.get((framework, structure), {})),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        harness.wait_until_healthy(process, base_url, log, timeout=60)
        yield base_url
    finally:
        harness.stop_process_group(process)


@dataclass(frozen=True)
class Fixtures:
    token: str
    other_user_id: int
    post_id: int
    accounts: tuple[int, int]


def make_fixtures(base_url: str) -> Fixtures:
    """A user with a post and two rich accounts, and ten more users for the list page."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        ids = []
        for number in range(11):
            email = f"bench-{number}-{time.time_ns()}@example.com"
            created = http.post(
                "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
            )
            created.raise_for_status()
            ids.append(created.json()["id"])
            if number == 0:
                login = http.post(
                    "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
                )
                token = login.raise_for_status().json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        post = http.post("/api/v1/posts", json={"title": "Bench", "body": "x" * 200}, headers=auth)
        accounts = [
            http.post("/api/v1/accounts", json={"balance": "1000000.00"}, headers=auth)
            .raise_for_status()
            .json()["id"]
            for _ in range(2)
        ]
    return Fixtures(token, ids[1], post.raise_for_status().json()["id"], (accounts[0], accounts[1]))


def rows(fixtures: Fixtures) -> list[Row]:
    source, target = fixtures.accounts
    transfer = '{{"from_account_id": {}, "to_account_id": {}, "amount": "0.01"}}'
    return [
        Row(
            "cached user read",
            f"/api/v1/users/{fixtures.other_user_id}",
            f"/users/{fixtures.other_user_id}",
        ),
        Row("current user", "/api/v1/users/me", "/users/me"),
        Row("uncached read", f"/api/v1/posts/{fixtures.post_id}", f"/posts/{fixtures.post_id}"),
        Row("list page", "/api/v1/users?limit=10", "/users"),
        Row("health", "/health", "/health", authenticated=False),
        Row(
            "transfer",
            "/api/v1/transfers",
            "/transfers",
            method="POST",
            # Back and forth, so both balances stay put however long the run.
            body=[transfer.format(source, target), transfer.format(target, source)],
        ),
    ]


def measure(
    row: Row,
    service_url: str,
    bare_url: str,
    token: str,
    scripts: Path,
    options: argparse.Namespace,
) -> tuple[Figures, Figures]:
    """Warm both up, then alternate service and bare `rounds` times; medians of the rounds."""
    script = wrk_script(scripts, row, token if row.authenticated else None)
    targets = {"service": service_url + row.service_path, "bare": bare_url + row.bare_path}
    for url in targets.values():
        run_wrk(url, script, options.warmup, options.connections)
    results: dict[str, list[Figures]] = {"service": [], "bare": []}
    for _ in range(options.rounds):
        for name, url in targets.items():
            results[name].append(run_wrk(url, script, options.duration, options.connections))
    return _median(results["service"]), _median(results["bare"])


def _median(runs: list[Figures]) -> Figures:
    return Figures(
        statistics.median(run.requests_per_second for run in runs),
        statistics.median(run.p50_ms for run in runs),
        statistics.median(run.p99_ms for run in runs),
        sum(run.errors for run in runs),
    )


def report(
    title: str,
    results: list[tuple[Row, Figures, Figures]],
    names: tuple[str, str] = ("service", "bare"),
) -> None:
    first, second = names
    print(f"\n## {title}\n")
    print(
        f"| row | {first} req/s | {second} req/s | ratio | p50 ms ({first} / {second}) "
        f"| p99 ms ({first} / {second}) | p99 ratio | errors ({first} / {second}) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row, service, bare in results:
        print(
            f"| {row.name} | {service.requests_per_second:,.0f} | {bare.requests_per_second:,.0f}"
            f" | {service.requests_per_second / bare.requests_per_second:.2f}"
            f" | {service.p50_ms:.1f} / {bare.p50_ms:.1f}"
            f" | {service.p99_ms:.1f} / {bare.p99_ms:.1f}"
            f" | {service.p99_ms / bare.p99_ms:.2f} | {service.errors} / {bare.errors} |"
        )
    sys.stdout.flush()


def run_backend(
    framework: str,
    project: harness.BuiltProject,
    backend: str,
    workers: int,
    options: argparse.Namespace,
    work_dir: Path,
) -> None:
    with contextlib.ExitStack() as stack:
        server_cpu = stack.enter_context(pinned_cpus(workers == 1 and options.pin))
        env: dict[str, str] = {}
        if backend == "sqlite":
            env["DATABASE_URL"] = harness.sqlite_url(work_dir / f"bench-{time.time_ns()}.db")
        else:
            env["DATABASE_URL"] = stack.enter_context(harness.postgres_database())
            env["REDIS_URL"] = stack.enter_context(harness.redis_database())
        service = stack.enter_context(
            harness.boot(
                project.path,
                project.venv,
                env,
                workers=workers,
                rate_limit="100000000/minute",
                log_dir=work_dir,
            )
        )
        assert service.secret_key is not None
        bare_env = env | {"SECRET_KEY": service.secret_key}
        bare_url = stack.enter_context(
            bare_server(framework, project.venv, bare_env, workers, work_dir, options.bare)
        )
        fixtures = make_fixtures(service.base_url)
        title = f"{framework}, {backend}, {workers} worker(s), {options.connections} connections"
        if server_cpu is not None:
            title += f", server on CPU {server_cpu}, wrk on the others"
        if options.servers:
            # The bare app under the service's server against the same app under gunicorn's
            # default worker: both sides request the bare paths.
            sync_url = stack.enter_context(
                bare_server(framework, project.venv, bare_env, workers, work_dir, "flat", "sync")
            )
            results = [
                (row, *measure(bare_row, bare_url, sync_url, fixtures.token, work_dir, options))
                for row in rows(fixtures)
                for bare_row in [dataclasses.replace(row, service_path=row.bare_path)]
            ]
            report(f"{title}, bare app, gthread / sync", results, ("gthread", "sync"))
            return
        results = [
            (row, *measure(row, service.base_url, bare_url, fixtures.token, work_dir, options))
            for row in rows(fixtures)
        ]
    report(f"{title}, {options.bare} bare app", results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--framework", default="fastapi", choices=harness.ready_frameworks())
    parser.add_argument("--backend", default="all", choices=["sqlite", "postgres-redis", "all"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per target")
    parser.add_argument("--rounds", type=int, default=2, help="service/bare alternations")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--bare",
        choices=["flat", "structured"],
        default="flat",
        help="the bare app: the cheapest views its framework has (flat), or the same work through "
        "the mechanisms the contract needs (structured: FastAPI's included routers, injected "
        "caller and response models; DRF views, authentication and permission classes and "
        "serializers; APIFlask blueprints, the bearer scheme and validated path and response "
        "models; CORS and compression for all three)",
    )
    parser.add_argument(
        "--servers",
        action="store_true",
        help="Flask: instead of the service, the bare app under the service's server (gunicorn "
        "gthread) against the same app under gunicorn's default sync worker",
    )
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="one-worker runs: leave the server and wrk where the scheduler puts them (by "
        "default the server runs on one CPU and wrk on the others)",
    )
    options = parser.parse_args()
    if options.servers and options.framework != "flask":
        parser.error("--servers compares gunicorn's workers: Flask only")
    if (
        options.bare == "structured"
        and not (BARE_APPS / f"{options.framework}_structured_app.py").exists()
    ):
        parser.error(f"no structured bare app for {options.framework} (bench/bare/)")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: sudo apt-get install wrk")
    backends = ["sqlite", "postgres-redis"] if options.backend == "all" else [options.backend]
    with tempfile.TemporaryDirectory(prefix="apigen-bench-") as temp:
        work_dir = Path(temp)
        path = harness.generate_project(work_dir, options.framework)
        project = harness.BuiltProject(options.framework, path, harness.ensure_venv(path))
        for backend in backends:
            for workers in options.workers:
                if workers > 1 and backend == "sqlite":
                    continue  # refused by design: several workers need Redis
                run_backend(options.framework, project, backend, workers, options, work_dir)


if __name__ == "__main__":
    main()
