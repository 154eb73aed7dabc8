"""P06: bodies over MAX_REQUEST_BYTES are refused with 413, before they are read whole."""

from collections.abc import AsyncIterator

import httpx

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


async def test_p06_get_with_an_oversized_body_is_413(
    client: httpx.AsyncClient, member: Member
) -> None:
    too_big = b"x" * (1024 * 1024 + 1)
    response = await client.request(
        "GET", f"/api/v1/users/{member.id}", content=too_big, headers=member.headers
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
