"""P06: bodies over MAX_REQUEST_BYTES are refused with 413, before they are read whole."""

from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
from fastapi import FastAPI

from tests.factories import AppBuilder, Member, assert_error, make_client

LIMIT = 4096
CHUNK = 1024


async def test_p06_a_declared_body_over_the_limit_is_413(
    build_app: AppBuilder, member: Member
) -> None:
    app = await build_app(max_request_bytes=LIMIT)
    async with make_client(app) as http:
        response = await http.post(
            "/api/v1/posts",
            json={"title": "big", "body": "x" * LIMIT},
            headers={**member.headers, "X-Request-ID": "too-big-1"},
        )
    error = assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert error["request_id"] == "too-big-1"


async def test_p06_a_streamed_body_over_the_limit_is_413(
    build_app: AppBuilder, member: Member
) -> None:
    app = await build_app(max_request_bytes=LIMIT)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: sent chunked
        yield b'{"title": "big", "body": "'
        for _ in range(8):
            yield b"x" * CHUNK
        yield b'"}'

    async with make_client(app) as http:
        response = await http.post(
            "/api/v1/posts",
            content=chunks(),
            headers={**member.headers, "Content-Type": "application/json"},
        )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_p06_a_body_within_the_limit_is_served(
    build_app: AppBuilder, member: Member
) -> None:
    app = await build_app(max_request_bytes=LIMIT)
    async with make_client(app) as http:
        response = await http.post(
            "/api/v1/posts", json={"title": "fits", "body": "x" * 1000}, headers=member.headers
        )
    assert response.status_code == 201, response.text


async def _call(app: FastAPI, headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """Send an endless body straight to the ASGI app; return the status and the chunks read."""
    read = 0
    status = 0

    async def receive() -> MutableMapping[str, Any]:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": read < 10_000}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/posts",
        "raw_path": b"/api/v1/posts",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
    }
    await app(scope, receive, send)
    return status, read


async def test_p06_an_oversized_body_is_never_read_whole(build_app: AppBuilder) -> None:
    """The limit holds against the transport itself: with a declared length nothing is read;
    without one, reading stops at the first chunk past the limit (10,000 were on offer)."""
    app = await build_app(max_request_bytes=LIMIT)
    declared = [(b"content-length", str(10_000 * CHUNK).encode())]
    assert await _call(app, declared) == (413, 0)
    status, read = await _call(app, [])
    assert status == 413
    assert read <= LIMIT // CHUNK + 1


async def test_p06_get_with_an_oversized_body_is_413(
    client: httpx.AsyncClient, member: Member
) -> None:
    too_big = b"x" * (1024 * 1024 + 1)
    response = await client.request(
        "GET", f"/api/v1/users/{member.id}", content=too_big, headers=member.headers
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
