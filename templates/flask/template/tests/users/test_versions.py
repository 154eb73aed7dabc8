"""P17: `/api/v1` and `/api/v2` shapes of a user."""

from datetime import datetime

from flask.testing import FlaskClient

from tests.factories import Member, assert_error, json_of


def test_p17_v1_and_v2_shapes(client: FlaskClient, member: Member) -> None:
    v1 = client.get(f"/api/v1/users/{member.id}", headers=member.headers)
    v2 = client.get(f"/api/v2/users/{member.id}", headers=member.headers)
    assert v1.status_code == v2.status_code == 200
    one, two = json_of(v1), json_of(v2)
    assert set(one) == {"id", "email", "full_name", "role", "is_active"}
    assert set(two) == {"id", "email", "full_name", "roles", "is_active", "created_at"}
    assert two["roles"] == [one["role"]] == ["user"]
    for field in ("id", "email", "full_name", "is_active"):
        assert one[field] == two[field]
    created_at = datetime.fromisoformat(two["created_at"])
    assert created_at.utcoffset() is not None


def test_p17_v2_adds_created_at_and_roles(client: FlaskClient, member: Member) -> None:
    body = json_of(client.get(f"/api/v2/users/{member.id}", headers=member.headers))
    assert body["roles"] == ["user"]
    assert "role" not in body
    assert isinstance(body["created_at"], str)


def test_p17_v2_errors(client: FlaskClient, member: Member) -> None:
    assert_error(client.get("/api/v2/users/1"), 401, "NOT_AUTHENTICATED")
    missing = client.get("/api/v2/users/987654321", headers=member.headers)
    assert_error(missing, 404, "USER_NOT_FOUND")
    assert_error(client.get("/api/v2/users/me", headers=member.headers), 404, "NOT_FOUND")
    assert_error(client.get("/api/v2/users/0", headers=member.headers), 422, "VALIDATION_ERROR")
