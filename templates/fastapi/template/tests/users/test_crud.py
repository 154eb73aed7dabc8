"""P01: the users resource — create, read, update, delete, duplicates."""

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from tests.factories import Member, assert_error, create_member, error_fields, unique_email


async def test_p01_create_read_update_delete(client: httpx.AsyncClient, admin: Member) -> None:
    email = unique_email()
    created = await client.post(
        "/api/v1/users",
        json={"email": email, "password": "s3cret-password", "full_name": "Ada Lovelace"},
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user == {
        "id": user["id"],
        "email": email,
        "full_name": "Ada Lovelace",
        "role": "user",
        "is_active": True,
    }

    read = await client.get(f"/api/v1/users/{user['id']}", headers=admin.headers)
    assert read.status_code == 200
    assert read.json() == user

    patched = await client.patch(
        f"/api/v1/users/{user['id']}", json={"full_name": "Ada King"}, headers=admin.headers
    )
    assert patched.status_code == 200
    assert patched.json() == {**user, "full_name": "Ada King"}

    deleted = await client.delete(f"/api/v1/users/{user['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    assert deleted.content == b""

    gone = await client.get(f"/api/v1/users/{user['id']}", headers=admin.headers)
    assert_error(gone, 404, "USER_NOT_FOUND")


async def test_p01_owner_updates_own_record(client: httpx.AsyncClient, member: Member) -> None:
    new_email = unique_email("renamed").upper()
    response = await client.patch(
        f"/api/v1/users/{member.id}",
        json={"email": new_email, "full_name": "New Name"},
        headers=member.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["email"] == new_email.lower()
    assert response.json()["full_name"] == "New Name"


async def test_p01_unknown_user_is_404(client: httpx.AsyncClient, member: Member) -> None:
    for method in ("GET", "PATCH"):
        response = await client.request(
            method, "/api/v1/users/987654321", json={}, headers=member.headers
        )
        assert_error(response, 404, "USER_NOT_FOUND")


async def test_p01_delete_unknown_user_is_404(client: httpx.AsyncClient, admin: Member) -> None:
    response = await client.delete("/api/v1/users/987654321", headers=admin.headers)
    assert_error(response, 404, "USER_NOT_FOUND")


async def test_p01_duplicate_email_is_409_whatever_the_case(
    client: httpx.AsyncClient, member: Member
) -> None:
    for path in ("/api/v1/users", "/api/v1/auth/register"):
        response = await client.post(
            path, json={"email": member.email.upper(), "password": "another-password"}
        )
        error = assert_error(response, 409, "EMAIL_REGISTERED")
        assert "IntegrityError" not in response.text
        assert "UNIQUE" not in response.text.upper()
        assert "details" not in error


async def test_p01_changing_email_to_a_taken_one_is_409(
    client: httpx.AsyncClient, member: Member, other_member: Member
) -> None:
    response = await client.patch(
        f"/api/v1/users/{member.id}",
        json={"email": other_member.email.title()},
        headers=member.headers,
    )
    assert_error(response, 409, "EMAIL_REGISTERED")
    me = await client.get("/api/v1/users/me", headers=member.headers)
    assert me.json()["email"] == member.email


async def test_p01_deleting_a_user_removes_their_posts(
    client: httpx.AsyncClient, app: FastAPI, admin: Member
) -> None:
    author = await create_member(app, posts=2)
    response = await client.delete(f"/api/v1/users/{author.id}", headers=admin.headers)
    assert response.status_code == 204
    async with app.state.sessionmaker() as session:
        remaining = await session.scalar(
            text("SELECT count(*) FROM posts WHERE author_id = :id"), {"id": author.id}
        )
    assert remaining == 0


async def test_p01_a_user_who_owns_accounts_cannot_be_deleted(
    client: httpx.AsyncClient, member: Member, admin: Member
) -> None:
    opened = await client.post("/api/v1/accounts", json={}, headers=member.headers)
    assert opened.status_code == 201
    response = await client.delete(f"/api/v1/users/{member.id}", headers=admin.headers)
    assert_error(response, 409, "USER_HAS_ACCOUNTS")
    still_there = await client.get(f"/api/v1/users/{member.id}", headers=admin.headers)
    assert still_there.status_code == 200


async def test_p01_null_is_422_for_fields_that_cannot_be_empty(
    client: httpx.AsyncClient, admin: Member, member: Member
) -> None:
    """Omitted means unchanged; `null` clears only `full_name` — the rest cannot hold it."""
    for field in ("email", "password", "role", "is_active"):
        response = await client.patch(
            f"/api/v1/users/{member.id}", json={field: None}, headers=admin.headers
        )
        assert error_fields(response) == {field}
    cleared = await client.patch(
        f"/api/v1/users/{member.id}", json={"full_name": None}, headers=member.headers
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["full_name"] is None


async def test_p01_reserved_test_domains_are_valid_addresses(client: httpx.AsyncClient) -> None:
    """`format: email` in the OpenAPI document: RFC 2606's `.test` is as valid as any."""
    email = unique_email("reserved").replace("@example.com", "@qa.example.test")
    response = await client.post(
        "/api/v1/auth/register", json={"email": email.upper(), "password": "s3cret-password"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["email"] == email
