"""P17: `/api/v1` and `/api/v2` shapes of a user."""

from datetime import datetime

import httpx

from tests.factories import Member, assert_error


async def test_p17_v1_and_v2_shapes(client: httpx.AsyncClient, member: Member) -> None:
    v1 = await client.get(f"/api/v1/users/{member.id}", headers=member.headers)
    v2 = await client.get(f"/api/v2/users/{member.id}", headers=member.headers)
    assert v1.status_code == v2.status_code == 200
    assert set(v1.json()) == {"id", "email", "full_name", "role", "is_active"}
    assert set(v2.json()) == {"id", "email", "full_name", "roles", "is_active", "created_at"}
    assert v2.json()["roles"] == [v1.json()["role"]] == ["user"]
    for field in ("id", "email", "full_name", "is_active"):
        assert v1.json()[field] == v2.json()[field]
    created_at = datetime.fromisoformat(v2.json()["created_at"])
    assert created_at.utcoffset() is not None


async def test_p17_v2_errors(client: httpx.AsyncClient, member: Member) -> None:
    assert_error(await client.get("/api/v2/users/1"), 401, "NOT_AUTHENTICATED")
    missing = await client.get("/api/v2/users/987654321", headers=member.headers)
    assert_error(missing, 404, "USER_NOT_FOUND")
    assert_error(await client.get("/api/v2/users/me", headers=member.headers), 404, "NOT_FOUND")
    assert_error(await client.get("/api/v2/users/0", headers=member.headers), 422, "VALIDATION_ERROR")


async def test_p17_both_versions_are_documented(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/api/v1/users/{user_id}" in paths
    assert "/api/v2/users/{user_id}" in paths
