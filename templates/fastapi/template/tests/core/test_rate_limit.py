"""P08: per-client fixed-window rate limit with the standard headers."""

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import AppBuilder, assert_error, create_member, make_client, random_ip


@pytest.fixture
async def limited_app(build_app: AppBuilder) -> FastAPI:
    return await build_app(rate_limit="3/minute")


async def test_p08_excess_requests_get_429(limited_app: FastAPI) -> None:
    async with make_client(limited_app, random_ip()) as http:
        remaining = []
        for _ in range(3):
            response = await http.get("/api/v1/users/me")
            assert response.status_code == 401
            assert response.headers["X-RateLimit-Limit"] == "3"
            remaining.append(response.headers["X-RateLimit-Remaining"])
        assert remaining == ["2", "1", "0"]

        limited = await http.get("/api/v1/users/me", headers={"X-Request-ID": "too-many"})
    error = assert_error(limited, 429, "RATE_LIMITED")
    assert error["request_id"] == "too-many"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Limit"] == "3"
    assert limited.headers["X-RateLimit-Remaining"] == "0"


async def test_p08_each_user_has_their_own_bucket(limited_app: FastAPI) -> None:
    alice, bob = await create_member(limited_app), await create_member(limited_app)
    async with make_client(limited_app, random_ip()) as http:
        for _ in range(3):
            await http.get("/api/v1/users/me")
        assert (await http.get("/api/v1/users/me")).status_code == 429
        for user in (alice, bob):
            response = await http.get("/api/v1/users/me", headers=user.headers)
            assert response.status_code == 200
            assert response.headers["X-RateLimit-Remaining"] == "2"
        forged = {"Authorization": "Bearer not-a-valid-token"}
        assert (await http.get("/api/v1/users/me", headers=forged)).status_code == 429


async def test_p08_user_bucket_follows_the_user_across_addresses(limited_app: FastAPI) -> None:
    user = await create_member(limited_app)
    for _ in range(3):
        async with make_client(limited_app, random_ip()) as http:
            assert (await http.get("/api/v1/users/me", headers=user.headers)).status_code == 200
    async with make_client(limited_app, random_ip()) as http:
        response = await http.get("/api/v1/users/me", headers=user.headers)
    assert_error(response, 429, "RATE_LIMITED")


async def test_p08_health_is_exempt(limited_app: FastAPI) -> None:
    async with make_client(limited_app, random_ip()) as http:
        for _ in range(4):
            await http.get("/api/v1/users/me")
        for _ in range(5):
            response = await http.get("/health")
            assert response.status_code == 200
            assert "X-RateLimit-Limit" not in response.headers


async def test_p08_normal_responses_carry_the_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.headers["X-RateLimit-Limit"] == "10000"
    assert int(response.headers["X-RateLimit-Remaining"]) < 10000
