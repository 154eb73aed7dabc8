"""P20: `/health` reports each dependency, 503 when one is down, 200 under any concurrency."""

import asyncio
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


class BrokenBackend:
    """A cache server that is down: every command fails."""

    async def set(self, *args: object, **kwargs: object) -> None:
        raise ConnectionError("cache is down")

    async def get(self, *args: object, **kwargs: object) -> None:
        raise ConnectionError("cache is down")

    async def delete(self, *args: object, **kwargs: object) -> None:
        raise ConnectionError("cache is down")


@pytest.fixture
def broken_cache(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.state.cache, "_backend", BrokenBackend())


async def test_p20_cache_down_is_503(client: httpx.AsyncClient, broken_cache: None) -> None:
    response = await client.get("/health")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "error"},
    }


async def test_p20_parallel_probes_are_all_healthy(client: httpx.AsyncClient) -> None:
    """Each probe writes and reads a key of its own: concurrent probes never see each other's."""
    responses = await asyncio.gather(*(client.get("/health") for _ in range(50)))
    assert [response.status_code for response in responses] == [200] * 50
