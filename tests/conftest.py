"""Options and fixtures shared by the contract, gate, end-to-end and render suites.

By default every test that takes ``target`` (``service``, ``limited_service``, ``client``) runs once
per (framework, backend) target: the framework's project is generated, installed in a cached venv
and booted (``service``); a second process of the same project on the same database with
``RATE_LIMIT=5/minute`` serves the P08 tests (``limited_service``). With ``--base-url`` the
suites run against that service instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support import harness


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("apigen", "apigen contract suite")
    group.addoption(
        "--base-url",
        default=None,
        help="run tests/contract against this already-running service instead of booting one",
    )
    group.addoption(
        "--service-log",
        default=None,
        help="where the --base-url service writes its output (enables the access-log tests)",
    )
    group.addoption("--admin-email", default=None, help="admin login of the --base-url service")
    group.addoption("--admin-password", default=None, help="admin password of --base-url")
    group.addoption(
        "--secret-key",
        default=None,
        help="SECRET_KEY of the --base-url service (enables the expired-token tests)",
    )
    group.addoption(
        "--limited-base-url",
        default=None,
        help="a second, freshly started service with a low RATE_LIMIT for the P08 tests",
    )
    group.addoption(
        "--limited-rate-limit",
        default="5/minute",
        help="RATE_LIMIT of the --limited-base-url service (default 5/minute)",
    )
    group.addoption(
        "--workers",
        type=int,
        default=1,
        help="worker processes behind --base-url (the scale-out tests need 2+ sharing Redis)",
    )
    group.addoption(
        "--limited-workers",
        type=int,
        default=1,
        help="worker processes behind --limited-base-url (default 1)",
    )
    group.addoption(
        "--sse-ping-seconds",
        type=float,
        default=15,
        help="SSE_PING_SECONDS of the --base-url service (default 15)",
    )
    group.addoption(
        "--resource",
        action="append",
        default=None,
        metavar="'NAME FIELD:TYPE... '",
        help=(
            "a resource the --base-url service was grown by (`apigen add resource`), as its name "
            "and --field specs separated by spaces; repeatable, in the order they were added "
            "(default: the harness's GROWN_RESOURCES) - tests/contract/test_resources.py"
        ),
    )


@pytest.fixture(scope="session")
def build_project(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], harness.BuiltProject]:
    """``build_project(framework)``: generate (once per session), grow by the harness's added
    resources (``harness.GROWN_RESOURCES``) and install a project: every suite runs against a
    service that ``apigen add resource`` has grown, so the resources are proven in it and it is
    proven intact with them."""
    built: dict[str, harness.BuiltProject] = {}

    def build(framework: str) -> harness.BuiltProject:
        if framework not in built:
            path = harness.generate_project(tmp_path_factory.mktemp(f"gen-{framework}"), framework)
            harness.grow_project(path)
            built[framework] = harness.BuiltProject(framework, path, harness.ensure_venv(path))
        return built[framework]

    return build


BACKENDS = ("sqlite", "postgres-redis")
#: Backends booted with several worker processes sharing Redis: where `scale_out` tests run.
SCALED_BACKENDS = ("postgres-redis",)
LIMITED_RATE_LIMIT = "5/minute"
#: Settings every booted process gets: a short SSE keep-alive so P16 can see a ping quickly.
BOOT_ENV = {"SSE_PING_SECONDS": "1"}


@dataclass(frozen=True)
class Target:
    """What the suite runs against: a framework on a backend, or an external service."""

    framework: str | None
    backend: str

    @property
    def external(self) -> bool:
        return self.framework is None


@dataclass(frozen=True)
class Deployment:
    """A booted target's project and the settings its processes share."""

    project: harness.BuiltProject
    env: dict[str, str]
    workers: int
    log_dir: Path
    #: Each process gets a Redis database of its own (REDIS_URL) when true.
    redis: bool


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "target" not in metafunc.fixturenames:
        return
    if metafunc.config.getoption("base_url"):
        params = [pytest.param(Target(None, "external"), id="external")]
    else:
        frameworks = harness.ready_frameworks()
        scale_out = metafunc.definition.get_closest_marker("scale_out") is not None
        backends = SCALED_BACKENDS if scale_out else BACKENDS
        # One xdist group per target: its services boot in one worker process, however the
        # tests that use them are spread (`-n auto --dist loadgroup`).
        params = [
            pytest.param(
                Target(framework, backend),
                id=f"{framework}-{backend}",
                marks=pytest.mark.xdist_group(f"{framework}-{backend}"),
            )
            for framework in frameworks
            for backend in backends
        ] or [pytest.param(None, id="none", marks=pytest.mark.skip(reason="no ready framework"))]
    metafunc.parametrize("target", params, indirect=True, scope="session")


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Target:
    return request.param


@pytest.fixture(scope="session")
def deployment(
    target: Target,
    build_project: Callable[[str], harness.BuiltProject],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Deployment | None]:
    if target.external:
        yield None
        return
    assert target.framework is not None
    project = build_project(target.framework)
    log_dir = tmp_path_factory.mktemp(f"logs-{target.framework}-{target.backend}")
    if target.backend == "sqlite":
        env = {"DATABASE_URL": harness.sqlite_url(log_dir / "app.db")}
        yield Deployment(project, env, workers=1, log_dir=log_dir, redis=False)
        return
    # Two workers, so the cache (P10) and the rate limit (P08) must hold across processes.
    with harness.postgres_database() as database_url:
        env = {"DATABASE_URL": database_url}
        yield Deployment(project, env, workers=2, log_dir=log_dir, redis=True)


@contextlib.contextmanager
def _boot(deployment: Deployment, rate_limit: str) -> Iterator[harness.Service]:
    with contextlib.ExitStack() as stack:
        env = {**BOOT_ENV, **deployment.env}
        if deployment.redis:
            env["REDIS_URL"] = stack.enter_context(harness.redis_database())
        yield stack.enter_context(
            harness.boot(
                deployment.project.path,
                deployment.project.venv,
                env,
                workers=deployment.workers,
                rate_limit=rate_limit,
                log_dir=deployment.log_dir,
            )
        )


@pytest.fixture(scope="session")
def service(
    request: pytest.FixtureRequest, deployment: Deployment | None
) -> Iterator[harness.Service]:
    """The service under test, with a rate limit high enough never to interfere."""
    if deployment is None:
        options = request.config.option
        yield harness.Service(
            base_url=options.base_url.rstrip("/"),
            admin_email=options.admin_email,
            admin_password=options.admin_password,
            rate_limit="100000/minute",
            secret_key=options.secret_key,
            log_path=Path(options.service_log) if options.service_log else None,
            workers=options.workers,
            sse_ping_seconds=options.sse_ping_seconds,
        )
        return
    with _boot(deployment, "100000/minute") as running:
        yield running


@pytest.fixture(scope="session")
def limited_service(
    request: pytest.FixtureRequest, deployment: Deployment | None, service: harness.Service
) -> Iterator[harness.Service]:
    """A second process on the same database (and SECRET_KEY) with ``RATE_LIMIT=5/minute``."""
    if deployment is None:
        options = request.config.option
        if not options.limited_base_url:
            pytest.skip("--limited-base-url not given")
        yield harness.Service(
            base_url=options.limited_base_url.rstrip("/"),
            admin_email=options.admin_email,
            admin_password=options.admin_password,
            rate_limit=options.limited_rate_limit,
            secret_key=options.secret_key,
            workers=options.limited_workers,
            sse_ping_seconds=options.sse_ping_seconds,
        )
        return
    with _boot(deployment, LIMITED_RATE_LIMIT) as running:
        # Same worker count as ``service``: on the Redis target the limit must hold across both.
        assert running.workers == deployment.workers == service.workers
        yield running


@pytest.fixture
def client(service: harness.Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service.base_url, timeout=30) as http:
        yield http


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs a target boots a service: mark it ``e2e``."""
    for item in items:
        if "target" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)
