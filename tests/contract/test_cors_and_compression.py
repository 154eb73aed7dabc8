"""P19: CORS from settings (default http://localhost:3000) and gzip for bodies of 1 KiB or more."""

from __future__ import annotations

import httpx

from tests.contract.client import assert_error, new_user

ALLOWED = "http://localhost:3000"
FOREIGN = "http://evil.example"


def test_p19_allowed_origin_is_echoed(client: httpx.Client) -> None:
    response = client.get("/health", headers={"Origin": ALLOWED})
    assert response.headers.get("Access-Control-Allow-Origin") == ALLOWED
    assert response.headers.get("Access-Control-Allow-Credentials") == "true"


def test_p19_foreign_origin_gets_no_cors_header(client: httpx.Client) -> None:
    response = client.get("/health", headers={"Origin": FOREIGN})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_p19_preflight_for_allowed_origin(client: httpx.Client) -> None:
    response = client.options(
        "/api/v1/users",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers.get("Access-Control-Allow-Origin") == ALLOWED
    assert "POST" in response.headers.get("Access-Control-Allow-Methods", "").upper()


def test_p19_preflight_for_foreign_origin_is_not_allowed(client: httpx.Client) -> None:
    response = client.options(
        "/api/v1/users",
        headers={"Origin": FOREIGN, "Access-Control-Request-Method": "POST"},
    )
    assert response.headers.get("Access-Control-Allow-Origin") in (None, "")
    assert_error(response, 400, "CORS_REJECTED")


def test_p19_large_response_is_gzipped(client: httpx.Client) -> None:
    author = new_user(client, "gzip")
    body = "All work and no play makes a dull service. " * 60
    created = client.post(
        "/api/v1/posts", json={"title": "Long", "body": body}, headers=author.headers
    )
    assert created.status_code == 201, created.text
    response = client.get(
        f"/api/v1/posts/{created.json()['id']}",
        headers={**author.headers, "Accept-Encoding": "gzip"},
    )
    assert response.status_code == 200
    assert len(response.content) >= 1024  # decoded by httpx
    assert response.headers.get("Content-Encoding") == "gzip"
    assert response.json()["body"] == body


def test_p19_small_response_is_not_compressed(client: httpx.Client) -> None:
    response = client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert len(response.content) < 1024
    assert "Content-Encoding" not in response.headers


def test_p19_no_gzip_unless_accepted(client: httpx.Client) -> None:
    author = new_user(client, "gzip")
    created = client.post(
        "/api/v1/posts", json={"title": "Long", "body": "x" * 3000}, headers=author.headers
    )
    response = client.get(
        f"/api/v1/posts/{created.json()['id']}",
        headers={**author.headers, "Accept-Encoding": "identity"},
    )
    assert "Content-Encoding" not in response.headers
