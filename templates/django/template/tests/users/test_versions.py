"""P17: `/api/v1` and `/api/v2` shapes of a user."""

from datetime import datetime

import pytest
from rest_framework.test import APIClient

from tests.factories import Member, assert_error

pytestmark = pytest.mark.django_db


def test_p17_v1_and_v2_shapes(api_client: APIClient, member: Member) -> None:
    v1 = api_client.get(f"/api/v1/users/{member.id}", headers=member.headers)
    v2 = api_client.get(f"/api/v2/users/{member.id}", headers=member.headers)
    assert v1.status_code == v2.status_code == 200
    assert set(v1.json()) == {"id", "email", "full_name", "role", "is_active"}
    assert set(v2.json()) == {"id", "email", "full_name", "roles", "is_active", "created_at"}
    assert v2.json()["roles"] == [v1.json()["role"]] == ["user"]
    for field in ("id", "email", "full_name", "is_active"):
        assert v1.json()[field] == v2.json()[field]
    created_at = datetime.fromisoformat(v2.json()["created_at"])
    assert created_at.utcoffset() is not None
    assert v2.json()["created_at"].endswith("+00:00")


def test_p17_v2_errors(api_client: APIClient, member: Member) -> None:
    assert_error(api_client.get("/api/v2/users/1"), 401, "NOT_AUTHENTICATED")
    missing = api_client.get("/api/v2/users/987654321", headers=member.headers)
    assert_error(missing, 404, "USER_NOT_FOUND")
    assert_error(api_client.get("/api/v2/users/me", headers=member.headers), 404, "NOT_FOUND")
    zero = api_client.get("/api/v2/users/0", headers=member.headers)
    assert_error(zero, 422, "VALIDATION_ERROR")


def test_p17_both_versions_are_documented(api_client: APIClient) -> None:
    paths = api_client.get("/openapi.json").json()["paths"]
    assert "/api/v1/users/{user_id}" in paths
    assert "/api/v2/users/{user_id}" in paths
