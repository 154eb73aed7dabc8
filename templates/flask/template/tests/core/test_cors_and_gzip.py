"""P19: CORS from settings, gzip for bodies of 1 KiB and more."""

import gzip
import json

from flask.testing import FlaskClient

from tests.factories import ALLOWED_ORIGIN, Member, assert_error, json_of

FOREIGN_ORIGIN = "https://evil.example"


def test_p19_allowed_origin_is_echoed_with_credentials(client: FlaskClient) -> None:
    response = client.get("/health", headers={"Origin": ALLOWED_ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "X-Request-ID" in response.headers["Access-Control-Expose-Headers"]


def test_p19_foreign_origin_is_not_allowed(client: FlaskClient) -> None:
    response = client.get("/health", headers={"Origin": FOREIGN_ORIGIN})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_p19_preflight(client: FlaskClient) -> None:
    request = {"Access-Control-Request-Method": "POST"}
    allowed = client.options("/api/v1/transfers", headers={**request, "Origin": ALLOWED_ORIGIN})
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    foreign = client.options("/api/v1/transfers", headers={**request, "Origin": FOREIGN_ORIGIN})
    assert "Access-Control-Allow-Origin" not in foreign.headers


def test_p06_refused_preflight_uses_the_error_envelope(client: FlaskClient) -> None:
    response = client.options(
        "/api/v1/users",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers
    assert_error(response, 400, "CORS_REJECTED")


def test_p19_large_responses_are_gzipped(client: FlaskClient) -> None:
    response = client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert len(response.data) >= 1024
    assert response.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.data))["openapi"]


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
    assert json.loads(gzip.decompress(zipped.data))["body"] == "x" * 3000


def test_p19_small_or_unaccepted_responses_are_not(client: FlaskClient) -> None:
    small = client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert len(small.data) < 1024
    assert "Content-Encoding" not in small.headers
    identity = client.get("/openapi.json", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in identity.headers
