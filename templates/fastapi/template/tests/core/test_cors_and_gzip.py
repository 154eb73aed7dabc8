"""P19: CORS from settings, gzip for bodies of 1 KiB and more."""

import httpx

from tests.factories import ALLOWED_ORIGIN

FOREIGN_ORIGIN = "https://evil.example"


async def test_p19_allowed_origin_is_echoed_with_credentials(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"Origin": ALLOWED_ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "X-Request-ID" in response.headers["Access-Control-Expose-Headers"]


async def test_p19_foreign_origin_is_not_allowed(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"Origin": FOREIGN_ORIGIN})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_p19_preflight(client: httpx.AsyncClient) -> None:
    request = {"Access-Control-Request-Method": "POST"}
    allowed = await client.options(
        "/api/v1/transfers",
        headers={**request, "Origin": ALLOWED_ORIGIN},
    )
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    foreign = await client.options(
        "/api/v1/transfers", headers={**request, "Origin": FOREIGN_ORIGIN}
    )
    assert "Access-Control-Allow-Origin" not in foreign.headers


async def test_p19_large_responses_are_gzipped(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert len(response.content) >= 1024
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.json()["openapi"]


async def test_p19_small_or_unaccepted_responses_are_not(client: httpx.AsyncClient) -> None:
    small = await client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert len(small.content) < 1024
    assert "Content-Encoding" not in small.headers
    identity = await client.get("/openapi.json", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in identity.headers


async def test_p06_refused_preflight_uses_the_error_envelope(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/api/v1/users",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    error = response.json()["error"]
    assert error["code"] == "CORS_REJECTED"
    assert error["request_id"] == response.headers["x-request-id"]
