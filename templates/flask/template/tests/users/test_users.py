"""P01 CRUD, P10 the cached read, P11 the listing, P12 no N+1 and P17 the v2 shape."""

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Member, assert_error, count_queries, create_member, json_of, unique_email


def test_p01_create_read_update_delete(client: FlaskClient, admin: Member) -> None:
    email = unique_email("crud")
    created = client.post("/api/v1/users", json={"email": email, "password": "long-password-1"})
    assert created.status_code == 201, created.text
    user = json_of(created)
    assert "password" not in user and "password_hash" not in user
    read = client.get(f"/api/v1/users/{user['id']}", headers=admin.headers)
    assert json_of(read) == user
    changed = client.patch(
        f"/api/v1/users/{user['id']}", json={"full_name": "Ada"}, headers=admin.headers
    )
    assert json_of(changed)["full_name"] == "Ada"
    assert client.delete(f"/api/v1/users/{user['id']}", headers=admin.headers).status_code == 204
    missing = client.get(f"/api/v1/users/{user['id']}", headers=admin.headers)
    assert_error(missing, 404, "USER_NOT_FOUND")


def test_p01_duplicate_email_is_a_conflict(client: FlaskClient, member: Member) -> None:
    body = {"email": member.email.upper(), "password": "long-password-1"}
    assert_error(client.post("/api/v1/users", json=body), 409, "EMAIL_REGISTERED")


def test_p05_only_admins_delete_and_create_admins(
    client: FlaskClient, member: Member, other_member: Member
) -> None:
    response = client.delete(f"/api/v1/users/{other_member.id}", headers=member.headers)
    assert_error(response, 403, "FORBIDDEN")
    body = {"email": unique_email(), "password": "long-password-1", "role": "admin"}
    assert_error(client.post("/api/v1/users", json=body), 403, "FORBIDDEN")


def test_p05_users_change_only_themselves(
    client: FlaskClient, member: Member, other_member: Member
) -> None:
    path = f"/api/v1/users/{other_member.id}"
    assert_error(client.patch(path, json={"full_name": "X"}, headers=member.headers), 403, "FORBIDDEN")
    own = client.patch(f"/api/v1/users/{member.id}", json={"role": "admin"}, headers=member.headers)
    assert_error(own, 403, "FORBIDDEN")


def test_p10_read_after_write_is_never_stale(client: FlaskClient, member: Member) -> None:
    path = f"/api/v1/users/{member.id}"
    assert json_of(client.get(path, headers=member.headers))["full_name"] is None  # cached
    client.patch(path, json={"full_name": "Fresh"}, headers=member.headers)
    assert json_of(client.get(path, headers=member.headers))["full_name"] == "Fresh"


def test_p10_a_warm_read_runs_no_query(app: Flask, client: FlaskClient, member: Member) -> None:
    path = f"/api/v1/users/{member.id}"
    client.get(path, headers=member.headers)
    with count_queries(app) as statements:
        assert client.get(path, headers=member.headers).status_code == 200
    assert statements == []


def test_p11_page_sort_and_filter(client: FlaskClient, member: Member) -> None:
    page = client.get(
        "/api/v1/users",
        query_string={"skip": 0, "limit": 2, "sort_by": "created_at", "sort_order": "desc"},
        headers=member.headers,
    )
    assert page.status_code == 200, page.text
    assert set(json_of(page)) == {"items", "total", "skip", "limit", "has_more"}
    assert len(json_of(page)["items"]) <= 2
    found = client.get(
        "/api/v1/users", query_string={"email": member.email.upper()}, headers=member.headers
    )
    assert [item["id"] for item in json_of(found)["items"]] == [member.id]


def test_p11_sort_field_is_allow_listed(client: FlaskClient, member: Member) -> None:
    for sort_by in ("password_hash", "__init__", "metadata"):
        response = client.get(
            "/api/v1/users", query_string={"sort_by": sort_by}, headers=member.headers
        )
        assert_error(response, 422, "VALIDATION_ERROR")


def test_p12_posts_load_in_constant_queries(app: Flask, client: FlaskClient) -> None:
    authors = [create_member(app, posts=3) for _ in range(4)]
    query = {"include": "posts", "limit": 100, "sort_by": "id", "sort_order": "desc"}

    def listing(limit: int) -> int:
        with count_queries(app) as statements:
            response = client.get(
                "/api/v1/users", query_string={**query, "limit": limit}, headers=authors[0].headers
            )
        assert response.status_code == 200, response.text
        return len(statements)

    listing(2)  # authenticates the caller once: its record is cached from here on
    assert listing(2) == listing(4)


def test_p17_v2_adds_created_at_and_roles(client: FlaskClient, member: Member) -> None:
    body = json_of(client.get(f"/api/v2/users/{member.id}", headers=member.headers))
    assert body["roles"] == ["user"]
    assert "role" not in body
    assert isinstance(body["created_at"], str)


def test_p04_create_user_refuses_a_bad_token_before_reading_the_body(
    client: FlaskClient,
) -> None:
    """Anyone may create a user, but a request that carries a token must carry a valid one."""
    forged = {"Authorization": "Bearer not-a-token"}
    assert_error(client.post("/api/v1/users", json={}, headers=forged), 401, "INVALID_TOKEN")
    body = {"email": unique_email("anonymous"), "password": "anonymous-password-1"}
    assert client.post("/api/v1/users", json=body).status_code == 201
