"""Options and fixtures shared by the contract, end-to-end and render suites."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support import harness


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("apigen", "apigen contract suite")
    group.addoption(
        "--base-url",
        default=None,
        help="run tests/contract against this already-running service instead of booting one",
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


@pytest.fixture(scope="session")
def build_project(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], harness.BuiltProject]:
    """``build_project(framework)``: generate (once per session) and install a project."""
    built: dict[str, harness.BuiltProject] = {}

    def build(framework: str) -> harness.BuiltProject:
        if framework not in built:
            path = harness.generate_project(tmp_path_factory.mktemp(f"gen-{framework}"), framework)
            built[framework] = harness.BuiltProject(framework, path, harness.ensure_venv(path))
        return built[framework]

    return build
