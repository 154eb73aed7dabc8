"""P01: the users resource — create, read, update, delete, duplicates."""

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import (
    Member,
    assert_error,
    create_member,
    error_fields,
    json_of,
    scalar,
    unique_email,
)

UNKNOWN_ID = 987654321


def test_p01_create_read_update_delete(client: FlaskClient, admin: Member) -> None:
    email = unique_email()
    created = client.post(
        "/api/v1/users",
        json={"email": email, "password": "s3cret-password", "full_name": "Ada Lovelace"},
    )
    assert created.status_code == 201, created.text
    user = json_of(created)
    assert user == {
        "id": user["id"],
        "email": email,
        "full_name": "Ada Lovelace",
        "role": "user",
        "is_active": True,
    }

    read = client.get(f"/api/v1/users/{user['id']}", headers=admin.headers)
    assert read.status_code == 200
    assert json_of(read) == user

    patched = client.patch(
        f"/api/v1/users/{user['id']}", json={"full_name": "Ada King"}, headers=admin.headers
    )
    assert patched.status_code == 200, patched.text
    assert json_of(patched) == {**user, "full_name": "Ada King"}

    deleted = client.delete(f"/api/v1/users/{user['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    assert deleted.data == b""

    gone = client.get(f"/api/v1/users/{user['id']}", headers=admin.headers)
    assert_error(gone, 404, "USER_NOT_FOUND")


def test_p01_owner_updates_own_record(client: FlaskClient, member: Member) -> None:
    new_email = unique_email("renamed").upper()
    response = client.patch(
        f"/api/v1/users/{member.id}",
        json={"email": new_email, "full_name": "New Name"},
        headers=member.headers,
    )
    assert response.status_code == 200, response.text
    assert json_of(response)["email"] == new_email.lower()
    assert json_of(response)["full_name"] == "New Name"


def test_p01_unknown_user_is_404(client: FlaskClient, member: Member) -> None:
    for method in ("GET", "PATCH"):
        response = client.open(
            f"/api/v1/users/{UNKNOWN_ID}", method=method, json={}, headers=member.headers
        )
        assert_error(response, 404, "USER_NOT_FOUND")


def test_p01_delete_unknown_user_is_404(client: FlaskClient, admin: Member) -> None:
    response = client.delete(f"/api/v1/users/{UNKNOWN_ID}", headers=admin.headers)
    assert_error(response, 404, "USER_NOT_FOUND")


def test_p01_duplicate_email_is_a_conflict(client: FlaskClient, member: Member) -> None:
    body = {"email": member.email.upper(), "password": "long-password-1"}
    assert_error(client.post("/api/v1/users", json=body), 409, "EMAIL_REGISTERED")


def test_p01_duplicate_email_is_409_whatever_the_case(client: FlaskClient, member: Member) -> None:
    for path in ("/api/v1/users", "/api/v1/auth/register"):
        response = client.post(
            path, json={"email": member.email.upper(), "password": "another-password"}
        )
        error = assert_error(response, 409, "EMAIL_REGISTERED")
        assert "IntegrityError" not in response.text
        assert "UNIQUE" not in response.text.upper()
        assert "details" not in error


def test_p01_changing_email_to_a_taken_one_is_409(
    client: FlaskClient, member: Member, other_member: Member
) -> None:
    response = client.patch(
        f"/api/v1/users/{member.id}",
        json={"email": other_member.email.title()},
        headers=member.headers,
    )
    assert_error(response, 409, "EMAIL_REGISTERED")
    me = client.get("/api/v1/users/me", headers=member.headers)
    assert json_of(me)["email"] == member.email


def test_p01_deleting_a_user_removes_their_posts(
    client: FlaskClient, app: Flask, admin: Member
) -> None:
    author = create_member(app, posts=2)
    response = client.delete(f"/api/v1/users/{author.id}", headers=admin.headers)
    assert response.status_code == 204
    remaining = scalar(app, "SELECT count(*) FROM posts WHERE author_id = :id", id=author.id)
    assert remaining == 0


def test_p01_a_user_who_owns_accounts_cannot_be_deleted(
    client: FlaskClient, member: Member, admin: Member
) -> None:
    opened = client.post("/api/v1/accounts", json={}, headers=member.headers)
    assert opened.status_code == 201, opened.text
    response = client.delete(f"/api/v1/users/{member.id}", headers=admin.headers)
    assert_error(response, 409, "USER_HAS_ACCOUNTS")
    still_there = client.get(f"/api/v1/users/{member.id}", headers=admin.headers)
    assert still_there.status_code == 200


def test_p01_null_is_422_for_fields_that_cannot_be_empty(
    client: FlaskClient, admin: Member, member: Member
) -> None:
    """Omitted means unchanged; `null` clears only `full_name` — the rest cannot hold it."""
    for field in ("email", "password", "role", "is_active"):
        response = client.patch(
            f"/api/v1/users/{member.id}", json={field: None}, headers=admin.headers
        )
        assert error_fields(response) == {field}
    cleared = client.patch(
        f"/api/v1/users/{member.id}", json={"full_name": None}, headers=member.headers
    )
    assert cleared.status_code == 200, cleared.text
    assert json_of(cleared)["full_name"] is None


def test_p01_reserved_test_domains_are_valid_addresses(client: FlaskClient) -> None:
    """`format: email` in the OpenAPI document: RFC 2606's `.test` is as valid as any."""
    email = unique_email("reserved").replace("@example.com", "@qa.example.test")
    response = client.post(
        "/api/v1/auth/register", json={"email": email.upper(), "password": "s3cret-password"}
    )
    assert response.status_code == 201, response.text
    assert json_of(response)["email"] == email
