"""P08: per-client fixed-window rate limit with the standard headers."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import AppBuilder
from tests.factories import assert_error, create_member, random_ip


@pytest.fixture
def limited_app(build_app: AppBuilder) -> Flask:
    return build_app(rate_limit="3/minute")


def test_p08_rate_limit_per_client(limited_app: Flask) -> None:
    limited = limited_app.test_client()
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


def test_p08_excess_requests_get_429(limited_app: Flask) -> None:
    http = limited_app.test_client()
    address = {"REMOTE_ADDR": random_ip()}
    remaining = []
    for _ in range(3):
        response = http.get("/api/v1/users/me", environ_base=address)
        assert response.status_code == 401
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(response.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]

    limited = http.get(
        "/api/v1/users/me", headers={"X-Request-ID": "too-many"}, environ_base=address
    )
    error = assert_error(limited, 429, "RATE_LIMITED")
    assert error["request_id"] == "too-many"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Limit"] == "3"
    assert limited.headers["X-RateLimit-Remaining"] == "0"


def test_p08_unknown_routes_spend_the_bucket_too(build_app: AppBuilder) -> None:
    limited = build_app(rate_limit="2/minute").test_client()
    address = {"REMOTE_ADDR": random_ip()}
    assert_error(limited.get("/no-such-route", environ_base=address), 404, "NOT_FOUND")
    assert_error(limited.put("/api/v1/users/me", environ_base=address), 405, "METHOD_NOT_ALLOWED")
    assert_error(limited.get("/no-such-route", environ_base=address), 429, "RATE_LIMITED")


def test_p08_each_user_has_their_own_bucket(limited_app: Flask) -> None:
    alice, bob = create_member(limited_app), create_member(limited_app)
    http = limited_app.test_client()
    address = {"REMOTE_ADDR": random_ip()}
    for _ in range(3):
        http.get("/api/v1/users/me", environ_base=address)
    assert http.get("/api/v1/users/me", environ_base=address).status_code == 429
    for user in (alice, bob):
        response = http.get("/api/v1/users/me", headers=user.headers, environ_base=address)
        assert response.status_code == 200, response.text
        assert response.headers["X-RateLimit-Remaining"] == "2"
    forged = {"Authorization": "Bearer not-a-valid-token"}
    assert http.get("/api/v1/users/me", headers=forged, environ_base=address).status_code == 429


def test_p08_user_bucket_follows_the_user_across_addresses(limited_app: Flask) -> None:
    user = create_member(limited_app)
    http = limited_app.test_client()
    for _ in range(3):
        response = http.get(
            "/api/v1/users/me", headers=user.headers, environ_base={"REMOTE_ADDR": random_ip()}
        )
        assert response.status_code == 200, response.text
    response = http.get(
        "/api/v1/users/me", headers=user.headers, environ_base={"REMOTE_ADDR": random_ip()}
    )
    assert_error(response, 429, "RATE_LIMITED")


def test_p08_health_is_exempt(limited_app: Flask) -> None:
    http = limited_app.test_client()
    address = {"REMOTE_ADDR": random_ip()}
    for _ in range(4):
        http.get("/api/v1/users/me", environ_base=address)
    for _ in range(5):
        response = http.get("/health", environ_base=address)
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers


def test_p08_normal_responses_carry_the_headers(client: FlaskClient) -> None:
    response = client.get("/openapi.json")
    assert response.headers["X-RateLimit-Limit"] == "10000"
    assert int(response.headers["X-RateLimit-Remaining"]) < 10000
