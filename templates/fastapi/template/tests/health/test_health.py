"""P20: `/health` reports each dependency, 503 when one is down."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import AppBuilder, make_client


async def test_p20_healthy(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


async def test_p20_database_down_is_503(build_app: AppBuilder, tmp_path: Path) -> None:
    unreachable = f"sqlite:///{tmp_path / 'missing' / 'dir' / 'app.db'}"
    app = await build_app(database_url=unreachable)
    async with make_client(app) as http:
        response = await http.get("/health")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "error", "cache": "ok"},
    }


class BrokenCache:
    async def set(self, *args: object, **kwargs: object) -> None:
        raise ConnectionError("cache is down")

    async def get(self, *args: object, **kwargs: object) -> None:
        raise ConnectionError("cache is down")


@pytest.fixture
def broken_cache(app: FastAPI) -> Iterator[None]:
    healthy = app.state.cache
    app.state.cache = BrokenCache()
    yield
    app.state.cache = healthy


async def test_p20_cache_down_is_503(client: httpx.AsyncClient, broken_cache: None) -> None:
    response = await client.get("/health")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "error"},
    }
