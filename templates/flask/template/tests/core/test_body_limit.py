"""P06: bodies over MAX_REQUEST_BYTES are refused with 413, before they are read whole."""

import io

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, TestResponse, run_wsgi_app

from tests.conftest import AppBuilder
from tests.factories import Member, assert_error, json_of

LIMIT = 4096
CHUNK = 1024
#: Chunks an endless body offers (far more than any limit lets through).
ON_OFFER = 10_000


def chunked_post(client: FlaskClient, member: Member, body: bytes) -> TestResponse:
    """POST a body as gunicorn hands a chunked one on: `Transfer-Encoding: chunked`, no
    `Content-Length`, a stream the server ends itself (`wsgi.input_terminated`)."""
    return client.post(
        "/api/v1/posts",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={**member.headers, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_p06_body_over_the_limit_is_413(client: FlaskClient, member: Member) -> None:
    body = b'{"title": "big", "body": "' + b"x" * (1024 * 1024) + b'"}'
    response = client.post(
        "/api/v1/posts", data=body, content_type="application/json", headers=member.headers
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_p06_a_declared_body_over_the_limit_is_413(build_app: AppBuilder, member: Member) -> None:
    http = build_app(max_request_bytes=LIMIT).test_client()
    response = http.post(
        "/api/v1/posts",
        json={"title": "big", "body": "x" * LIMIT},
        headers={**member.headers, "X-Request-ID": "too-big-1"},
    )
    error = assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert error["request_id"] == "too-big-1"


def test_p06_chunked_body_over_the_limit_is_413(client: FlaskClient, member: Member) -> None:
    """Werkzeug alone stops reading a chunked body at the limit, and the view would see a
    truncated document (400): the body is counted before the application reads it."""
    body = b'{"title": "big", "body": "' + b"x" * (17 * 65536) + b'"}'
    assert_error(chunked_post(client, member, body), 413, "PAYLOAD_TOO_LARGE")


def test_p06_a_streamed_body_over_the_limit_is_413(build_app: AppBuilder, member: Member) -> None:
    http = build_app(max_request_bytes=LIMIT).test_client()
    body = b'{"title": "big", "body": "' + b"x" * (8 * CHUNK) + b'"}'
    assert_error(chunked_post(http, member, body), 413, "PAYLOAD_TOO_LARGE")


def test_p06_chunked_body_within_the_limit_is_served(client: FlaskClient, member: Member) -> None:
    response = chunked_post(client, member, b'{"title": "chunked", "body": "fits"}')
    assert response.status_code == 201, response.text
    assert json_of(response)["body"] == "fits"


def test_p06_a_body_within_the_limit_is_served(build_app: AppBuilder, member: Member) -> None:
    http = build_app(max_request_bytes=LIMIT).test_client()
    response = http.post(
        "/api/v1/posts", json={"title": "fits", "body": "x" * 1000}, headers=member.headers
    )
    assert response.status_code == 201, response.text


class EndlessBody:
    """A request body that never ends; counts the bytes the application takes from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        if self.read_bytes >= ON_OFFER * CHUNK:
            return b""
        piece = b"x" * (CHUNK if size < 0 else min(size, CHUNK))
        self.read_bytes += len(piece)
        return piece

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def _call(app: Flask, member: Member, headers: dict[str, str]) -> tuple[int, int]:
    """Send an endless body straight to the WSGI application; return the status and the bytes
    it read."""
    body = EndlessBody()
    environ = EnvironBuilder(
        path="/api/v1/posts",
        method="POST",
        content_type="application/json",
        headers=Headers(member.headers | headers),
    ).get_environ()
    environ["wsgi.input"] = body
    environ["wsgi.input_terminated"] = "Transfer-Encoding" in headers
    environ.pop("CONTENT_LENGTH", None)
    if "Content-Length" in headers:
        environ["CONTENT_LENGTH"] = headers["Content-Length"]
    _, status, _ = run_wsgi_app(app, environ, buffered=True)
    return int(status.split(" ", 1)[0]), body.read_bytes


def test_p06_an_oversized_body_is_never_read_whole(build_app: AppBuilder, member: Member) -> None:
    """The limit holds against the transport itself: with a declared length nothing is read;
    without one, reading stops just past the limit (10,000 chunks were on offer)."""
    app = build_app(max_request_bytes=LIMIT)
    declared = {"Content-Length": str(ON_OFFER * CHUNK)}
    assert _call(app, member, declared) == (413, 0)
    status, read = _call(app, member, {"Transfer-Encoding": "chunked"})
    assert status == 413
    assert read <= LIMIT + CHUNK


def test_p06_get_with_an_oversized_body_is_413(client: FlaskClient, member: Member) -> None:
    too_big = b"x" * (1024 * 1024 + 1)
    response = client.get(f"/api/v1/users/{member.id}", data=too_big, headers=member.headers)
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
