"""P06 the envelope, P07 request context, P08 rate limits, P18 OpenAPI, P19 CORS and gzip."""

import io
import uuid

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import AppBuilder
from tests.factories import ALLOWED_ORIGIN, Member, assert_error, error_fields, json_of, random_ip


def test_p06_unknown_route_and_wrong_method(client: FlaskClient) -> None:
    assert_error(client.get("/no-such-route"), 404, "NOT_FOUND")
    refused = client.put("/api/v1/users/me")
    assert_error(refused, 405, "METHOD_NOT_ALLOWED")
    assert refused.headers["Allow"] == "GET"


def test_p06_malformed_and_unknown_fields(client: FlaskClient, member: Member) -> None:
    for content in (b"{not json", b'{"title": "\xff"}', b"[" * 100_000 + b"]" * 100_000):
        response = client.post(
            "/api/v1/posts", data=content, content_type="application/json", headers=member.headers
        )
        assert_error(response, 400, "MALFORMED_REQUEST")
    typo = client.patch(f"/api/v1/users/{member.id}", json={"nmae": "x"}, headers=member.headers)
    assert error_fields(typo) == {"nmae"}
    for path in ("/api/v1/posts", f"/api/v1/users/{member.id}"):  # not an object, not `{}` either
        method = "POST" if path.endswith("posts") else "PATCH"
        null = client.open(
            path,
            method=method,
            data=b"null",
            content_type="application/json",
            headers=member.headers,
        )
        assert error_fields(null) == {""}


def test_p06_body_over_the_limit_is_413(client: FlaskClient, member: Member) -> None:
    body = b'{"title": "big", "body": "' + b"x" * (1024 * 1024) + b'"}'
    response = client.post(
        "/api/v1/posts", data=body, content_type="application/json", headers=member.headers
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


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


def test_p06_chunked_body_over_the_limit_is_413(client: FlaskClient, member: Member) -> None:
    """Werkzeug alone stops reading a chunked body at the limit, and the view would see a
    truncated document (400): the body is counted before the application reads it."""
    body = b'{"title": "big", "body": "' + b"x" * (17 * 65536) + b'"}'
    assert_error(chunked_post(client, member, body), 413, "PAYLOAD_TOO_LARGE")


def test_p06_chunked_body_within_the_limit_is_served(client: FlaskClient, member: Member) -> None:
    response = chunked_post(client, member, b'{"title": "chunked", "body": "fits"}')
    assert response.status_code == 201, response.text
    assert json_of(response)["body"] == "fits"


def test_p07_request_id_is_echoed_or_made(client: FlaskClient) -> None:
    assert client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == (
        "abc-123"
    )
    made = client.get("/health", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"]
    assert uuid.UUID(made).version == 4
    assert float(client.get("/health").headers["X-Process-Time"]) >= 0


def test_p08_rate_limit_per_client(build_app: AppBuilder) -> None:
    limited = build_app(rate_limit="3/minute").test_client()
    address = {"REMOTE_ADDR": random_ip()}
    for remaining in (2, 1, 0):
        response = limited.get("/api/v1/users/me", environ_base=address)
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert response.headers["X-RateLimit-Remaining"] == str(remaining)
        assert "Retry-After" not in response.headers
    over = limited.get("/api/v1/users/me", environ_base=address)
    assert_error(over, 429, "RATE_LIMITED")
    assert int(over.headers["Retry-After"]) >= 1
    assert limited.get("/health", environ_base=address).status_code == 200
    other = limited.get("/api/v1/users/me", environ_base={"REMOTE_ADDR": random_ip()})
    assert other.headers["X-RateLimit-Remaining"] == "2"


def test_p08_unknown_routes_spend_the_bucket_too(build_app: AppBuilder) -> None:
    limited = build_app(rate_limit="2/minute").test_client()
    address = {"REMOTE_ADDR": random_ip()}
    assert_error(limited.get("/no-such-route", environ_base=address), 404, "NOT_FOUND")
    assert_error(limited.put("/api/v1/users/me", environ_base=address), 405, "METHOD_NOT_ALLOWED")
    assert_error(limited.get("/no-such-route", environ_base=address), 429, "RATE_LIMITED")


def test_p18_openapi_and_docs(client: FlaskClient) -> None:
    document = json_of(client.get("/openapi.json"))
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    assert document["components"]["schemas"]["UserUpdate"]["additionalProperties"] is False
    assert "/api/v2/users/{user_id}" in document["paths"]
    # Anyone may create a user, and a bearer token lets an administrator create an admin.
    assert document["paths"]["/api/v1/users"]["post"]["security"] == [{"BearerAuth": []}, {}]
    assert document["paths"]["/api/v1/users/me"]["get"]["security"] == [{"BearerAuth": []}]
    assert document["paths"]["/api/v1/posts"]["post"]["requestBody"]["required"] is True
    assert client.get("/docs").status_code == 200


def test_p19_cors(client: FlaskClient) -> None:
    allowed = client.get("/health", headers={"Origin": ALLOWED_ORIGIN})
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    foreign = client.get("/health", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers
    preflight = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    assert_error(client.options("/api/v1/users", headers=preflight), 400, "CORS_REJECTED")


def test_p19_gzip_over_one_kib(client: FlaskClient, member: Member) -> None:
    post = json_of(
        client.post(
            "/api/v1/posts", json={"title": "Long", "body": "x" * 3000}, headers=member.headers
        )
    )
    zipped = client.get(
        f"/api/v1/posts/{post['id']}", headers={**member.headers, "Accept-Encoding": "gzip"}
    )
    assert zipped.headers["Content-Encoding"] == "gzip"
    small = client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers
