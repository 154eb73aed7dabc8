"""Generate a project, install it, boot it: the machinery behind tests/contract and tests/e2e.

Everything here is framework-agnostic: a generated project is driven only through its answers
file (``package_name``), its ``pyproject.toml`` and ``python -m <package> migrate|serve``, as
docs/CONTRACT.md describes.

Venvs are cached under ``~/.cache/apigen-tests/venvs/<key>`` (``APIGEN_TEST_CACHE`` moves the
cache) where ``key`` hashes the project's dependency lists and the Python version, so a second run
with unchanged dependencies installs nothing. The project itself is never installed into a cached
venv: commands run with ``cwd=project_dir`` and ``PYTHONPATH=project_dir``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

CACHE_ROOT = Path(os.environ.get("APIGEN_TEST_CACHE", Path.home() / ".cache" / "apigen-tests"))
#: Bump to throw away every cached venv (e.g. when the way venvs are built changes).
VENV_LAYOUT_VERSION = 1
VENV_MARKER = ".apigen-venv.json"

POSTGRES_HOST, POSTGRES_PORT = "127.0.0.1", 5432
POSTGRES_ADMIN_URL = f"postgresql://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/test"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
#: Redis database numbers the harness may claim (one per running service); 0-9 are left alone.
REDIS_DB_NUMBERS = range(10, 16)

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin-password-e2e"  # test-only credential for a throwaway database

#: Settings the service reads (CONTRACT.md) plus variables that would leak the test runner's own
#: environment into the child; all are removed before the harness sets its own values.
_SCRUBBED_ENV = (
    "APP_ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "REDIS_KEY_PREFIX",
    "RATE_LIMIT",
    "CACHE_TTL_SECONDS",
    "CORS_ORIGINS",
    "ACCESS_TOKEN_EXPIRE_MINUTES",
    "FIRST_ADMIN_EMAIL",
    "FIRST_ADMIN_PASSWORD",
    "DB_POOL_SIZE",
    "DB_MAX_OVERFLOW",
    "LOG_LEVEL",
    "MAX_REQUEST_BYTES",
    "SSE_PING_SECONDS",
    "MAIL_BACKEND",
    "MAIL_FROM",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_TLS",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_CURRENT_TEST",
)


class HarnessError(RuntimeError):
    """A generated project could not be installed, migrated or booted."""


# --------------------------------------------------------------------------- generation


def ready_frameworks() -> list[str]:
    """Names of the frameworks apigen can generate today (Django/Flask join when ready)."""
    from apigen.frameworks import available_frameworks

    return [framework.name for framework in available_frameworks()]


#: The resources every booted target is grown by (``apigen add resource``), in this order: one
#: with every field type and every modifier, then one that refers to it and to ``users``.
GROWN_RESOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "book",
        (
            "title:str:120:index",
            "isbn:str:13:unique",
            "summary:text:optional",
            "pages:int:optional:index",
            "rating:float:optional",
            "price:decimal",
            "in_print:bool",
            "published:date:optional",
            "available_at:datetime:optional",
            "serial:uuid:unique:optional",
            "contact:email:optional",
            "homepage:url:optional",
            "genre:enum:novel,essay,short-story:index",
            "editor_id:ref:users:optional",
        ),
    ),
    ("review", ("book_id:ref:books", "reviewer_id:ref:users", "body:text", "stars:int:index")),
)


def generate_project(tmp_dir: Path, framework: str, name: str = "svc") -> Path:
    """Render a project with apigen's engine into ``tmp_dir / name`` and return its folder."""
    from apigen import ProjectSpec, generate

    result = generate(ProjectSpec(name=name, framework=framework), output_dir=tmp_dir)
    return result.destination


def pluralize(name: str) -> str:
    """The plural apigen gives a resource (its table, URL and package)."""
    from apigen.naming import pluralize as apigen_pluralize

    return apigen_pluralize(name)


def grow_project(project_dir: Path) -> Path:
    """Add ``GROWN_RESOURCES`` to a generated project, as ``apigen add resource`` does."""
    from apigen.add import add_resource

    for name, fields in GROWN_RESOURCES:
        add_resource(project_dir, name, fields)
    return project_dir


def read_answers(project_dir: Path) -> dict[str, object]:
    """The project's ``.apigen-answers.yml`` as a mapping (read as apigen reads it)."""
    from apigen.project import read_project

    return dict(read_project(project_dir).answers)


def package_name(project_dir: Path) -> str:
    """The importable package of a generated project, from its answers file."""
    from apigen.project import read_project

    return read_project(project_dir).package


def read_dotenv(project_dir: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of the project's ``.env`` (comments and blank lines skipped)."""
    values: dict[str, str] = {}
    path = project_dir / ".env"
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


# --------------------------------------------------------------------------- venvs


@dataclass(frozen=True)
class BuiltProject:
    """A generated project and the cached venv holding its dependencies."""

    framework: str
    path: Path
    venv: Path


def find_uv() -> str:
    """The uv executable: the PyPI ``uv`` package's binary, else ``uv`` on ``PATH``."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found:
            return found
    raise HarnessError("uv not found: install the dev extra (it includes uv) or put uv on PATH")


def venv_key(project_dir: Path, resolution: str = "highest") -> str:
    """Cache key of the venv a project needs: dependency lists, resolution and this Python."""
    pyproject = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject.get("project", {})
    material = {
        "layout": VENV_LAYOUT_VERSION,
        "resolution": resolution,
        "python": f"{sys.implementation.name}-{platform.python_version()}-{platform.machine()}",
        "dependencies": sorted(project.get("dependencies", [])),
        "optional-dependencies": {
            extra: sorted(requirements)
            for extra, requirements in sorted(project.get("optional-dependencies", {}).items())
        },
    }
    encoded = json.dumps(material, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``path``, held for the ``with`` block (waits for other holders)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_venv(project_dir: Path, *, extra: str = "dev", resolution: str = "highest") -> Path:
    """A venv with the project's dependencies and ``extra``; built once, then reused.

    ``resolution`` is uv's: ``highest`` (what users get today) or ``lowest-direct`` (every direct
    dependency at its declared lower bound, which proves the bound). The venv is built in a
    staging folder and renamed into place under a file lock, so a crash leaves no half-built venv
    behind and concurrent builders wait for each other.
    """
    root = CACHE_ROOT / "venvs"
    key = venv_key(project_dir, resolution)
    final = root / key
    if (final / VENV_MARKER).is_file():
        return final
    with file_lock(root / f"{key}.lock"):
        if (final / VENV_MARKER).is_file():
            return final
        if final.exists():  # left over by a builder that died between rename and marker
            shutil.rmtree(final)
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{key[:12]}-", dir=root))
        try:
            venv = staging / "venv"
            uv = find_uv()
            _run(
                [uv, "venv", "--quiet", "--relocatable", "--python", sys.executable, str(venv)],
                cwd=staging,
            )
            _run(
                [
                    uv,
                    "pip",
                    "install",
                    "--quiet",
                    "--resolution",
                    resolution,
                    "--python",
                    str(venv_python(venv)),
                    "-r",
                    str(project_dir / "pyproject.toml"),
                    "--extra",
                    extra,
                ],
                cwd=staging,
            )
            (venv / VENV_MARKER).write_text(
                json.dumps(
                    {
                        "key": key,
                        "built_from": str(project_dir),
                        "extra": extra,
                        "resolution": resolution,
                    }
                ),
                encoding="utf-8",
            )
            venv.rename(final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return final


def _run(command: list[str], *, cwd: Path) -> None:
    completed = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False, env=_base_env()
    )
    if completed.returncode != 0:
        raise HarnessError(
            f"{' '.join(command)} exited with {completed.returncode}\n"
            f"{completed.stdout}\n{completed.stderr}"
        )


# --------------------------------------------------------------------------- environments


def _base_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in _SCRUBBED_ENV}


def project_env(project_dir: Path, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a project's commands run with: the runner's, minus every service setting,
    with ``PYTHONPATH`` pointing at the project, plus ``overrides``."""
    env = _base_env()
    env["PYTHONPATH"] = str(project_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides or {})
    return env


def run_in_project(
    project_dir: Path,
    venv: Path,
    args: list[str],
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    """Run ``<venv python> args...`` in the project folder; output captured (stderr merged)."""
    return subprocess.run(
        [str(venv_python(venv)), *args],
        cwd=project_dir,
        env=project_env(project_dir, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.absolute()}"


# --------------------------------------------------------------------------- backends


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for the ``with`` block; yields its URL, then drops it.

    Skips the calling test when PostgreSQL does not answer.
    """
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        pytest.skip("psycopg is not installed (it is in apigen's dev extra)")
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_HOST}:{POSTGRES_PORT}: {exc}")
    name = f"apigen_e2e_{secrets.token_hex(6)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield f"postgresql://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/{name}"
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextlib.contextmanager
def redis_database() -> Iterator[str]:
    """A Redis database number of our own, flushed before and after use; yields its URL.

    Numbers come from ``REDIS_DB_NUMBERS`` and are claimed with a file lock, so two test sessions
    (or two services of one session) never share one. Skips when Redis does not answer.
    """
    try:
        import redis
    except ImportError:
        pytest.skip("redis is not installed (it is in apigen's dev extra)")
    probe = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=3)
    try:
        probe.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_HOST}:{REDIS_PORT}: {exc}")
    finally:
        probe.close()

    locks_dir = CACHE_ROOT / "redis-locks"
    locks_dir.mkdir(parents=True, exist_ok=True)
    for number in REDIS_DB_NUMBERS:
        handle = (locks_dir / f"db-{number}.lock").open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number)
        try:
            client.flushdb()
            yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
            client.flushdb()
        finally:
            client.close()
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        return
    raise HarnessError(f"all Redis databases {REDIS_DB_NUMBERS} are claimed by other sessions")


# --------------------------------------------------------------------------- serving


@dataclass(frozen=True)
class Service:
    """A running service as the contract suite sees it."""

    base_url: str
    admin_email: str | None
    admin_password: str | None
    rate_limit: str
    #: The JWT signing key, when known (lets the suite sign expired tokens); None for a remote one.
    secret_key: str | None = None
    log_path: Path | None = None
    #: Worker processes behind ``base_url`` (scale-out tests need 2 or more, sharing Redis).
    workers: int = 1
    #: The service's ``SSE_PING_SECONDS`` (keep-alive comment interval of the event stream).
    sse_ping_seconds: float = 15

    @property
    def limit_amount(self) -> int:
        """The number of requests ``rate_limit`` allows per window (``"5/minute"`` -> 5)."""
        return int(self.rate_limit.split("/", 1)[0].strip())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def boot(
    project_dir: Path,
    venv: Path,
    env: Mapping[str, str],
    workers: int = 1,
    *,
    rate_limit: str = "100000/minute",
    admin_email: str = ADMIN_EMAIL,
    admin_password: str = ADMIN_PASSWORD,
    log_dir: Path | None = None,
    timeout: float = 60,
) -> Iterator[Service]:
    """Serve the project on a free 127.0.0.1 port until the ``with`` block ends.

    Runs ``python -m <package> serve`` in its own process group with ``env`` on top of the
    harness's settings, waits for ``GET /health`` to answer 200 and stops the whole group
    (SIGTERM, then SIGKILL) afterwards. The server's output goes to a log file whose tail is
    shown when booting fails.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = {
        "APP_ENV": "development",
        "RATE_LIMIT": rate_limit,
        "FIRST_ADMIN_EMAIL": admin_email,
        "FIRST_ADMIN_PASSWORD": admin_password,
        **env,
    }
    if log_dir is None:
        log_dir = Path(tempfile.mkdtemp(prefix="apigen-serve-"))
    log_path = log_dir / f"serve-{port}.log"
    command = [
        str(venv_python(venv)),
        "-m",
        package_name(project_dir),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=project_dir,
            env=project_env(project_dir, settings),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_healthy(process, base_url, log_path, timeout)
        yield Service(
            base_url=base_url,
            admin_email=admin_email,
            admin_password=admin_password,
            rate_limit=rate_limit,
            secret_key=settings.get("SECRET_KEY") or read_dotenv(project_dir).get("SECRET_KEY"),
            log_path=log_path,
            workers=workers,
            sse_ping_seconds=float(
                settings.get("SSE_PING_SECONDS")
                or read_dotenv(project_dir).get("SSE_PING_SECONDS")
                or 15
            ),
        )
    finally:
        stop_process_group(process)


def wait_until_healthy(
    process: subprocess.Popen[bytes], base_url: str, log_path: Path, timeout: float
) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise HarnessError(
                f"service exited with {process.returncode} before answering /health\n"
                f"{log_tail(log_path)}"
            )
        try:
            response = httpx.get(f"{base_url}/health", timeout=2)
        except httpx.HTTPError as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:500]}"
        time.sleep(0.25)
    raise HarnessError(
        f"service at {base_url} not healthy after {timeout:.0f}s (last: {last})\n"
        f"{log_tail(log_path)}"
    )


def log_tail(log_path: Path, limit: int = 20_000) -> str:
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {log_path})"
    return f"--- {log_path} ---\n{text[-limit:]}"


def stop_process_group(process: subprocess.Popen[bytes], grace: float = 10) -> None:
    """SIGTERM the process's group, SIGKILL it if it is still there after ``grace`` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; make sure no worker of its group outlived it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return
