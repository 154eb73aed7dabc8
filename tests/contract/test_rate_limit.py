"""P08: per-client fixed-window rate limits on ``limited_service`` (RATE_LIMIT=5/minute).

The limited service is a second process on the same database and SECRET_KEY as ``service``, so a
token issued by ``service`` is valid there and does not spend the limited service's IP bucket.
Only ``test_p08_anonymous_requests_share_the_ip_bucket`` spends that bucket.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.contract.client import PASSWORD, assert_error, new_user, unique_email
from tests.support.harness import Service


@pytest.fixture
def limited(limited_service: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=limited_service.base_url, timeout=30) as http:
        yield http


def _assert_limited(response: httpx.Response) -> None:
    assert_error(response, 429, "RATE_LIMITED")
    assert int(response.headers["Retry-After"]) >= 1


def test_p08_anonymous_requests_share_the_ip_bucket(
    limited: httpx.Client, limited_service: Service
) -> None:
    limit = limited_service.limit_amount
    for spent in range(1, limit + 1):
        body = {"email": unique_email("limited"), "password": PASSWORD}
        response = limited.post("/api/v1/auth/register", json=body)
        assert response.status_code == 201, response.text
        assert response.headers["X-RateLimit-Limit"] == str(limit)
        assert response.headers["X-RateLimit-Remaining"] == str(limit - spent)
    over = limited.post(
        "/api/v1/auth/register", json={"email": unique_email("over"), "password": PASSWORD}
    )
    _assert_limited(over)
    assert over.headers["X-RateLimit-Limit"] == str(limit)
    assert over.headers["X-RateLimit-Remaining"] == "0"


def test_p08_authenticated_requests_use_a_user_bucket(
    client: httpx.Client, limited: httpx.Client, limited_service: Service
) -> None:
    limit = limited_service.limit_amount
    user = new_user(client, "bucket")  # registered on the unlimited service
    for spent in range(1, limit + 1):
        response = limited.get("/api/v1/users/me", headers=user.headers)
        assert response.status_code == 200, response.text
        assert response.headers["X-RateLimit-Limit"] == str(limit)
        assert response.headers["X-RateLimit-Remaining"] == str(limit - spent)
    _assert_limited(limited.get("/api/v1/users/me", headers=user.headers))
    # Another user has a bucket of their own.
    other = new_user(client, "bucket")
    fresh = limited.get("/api/v1/users/me", headers=other.headers)
    assert fresh.status_code == 200, fresh.text
    assert fresh.headers["X-RateLimit-Remaining"] == str(limit - 1)


def test_p08_health_is_never_limited(limited: httpx.Client, limited_service: Service) -> None:
    for _ in range(limited_service.limit_amount * 3):
        assert limited.get("/health").status_code == 200
