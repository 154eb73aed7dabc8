"""P01 CRUD on users and P05 authorization (owner or admin; admin-only delete and roles)."""

from __future__ import annotations

import httpx
import pytest

from tests.contract.client import (
    PASSWORD,
    User,
    admin_user,
    assert_error,
    new_user,
    unique_email,
)
from tests.support.harness import Service

USER_V1_KEYS = {"id", "email", "full_name", "role", "is_active"}


@pytest.fixture
def admin(client: httpx.Client, service: Service) -> User:
    return admin_user(client, service.admin_email, service.admin_password)


def test_p01_create_user_anonymously(client: httpx.Client) -> None:
    email = unique_email("crud")
    response = client.post(
        "/api/v1/users", json={"email": email, "password": PASSWORD, "full_name": "Alan Turing"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == USER_V1_KEYS
    assert body["email"] == email
    assert body["role"] == "user"
    assert PASSWORD not in response.text


def test_p01_duplicate_email_is_case_insensitive(client: httpx.Client) -> None:
    email = unique_email("dup")
    first = client.post("/api/v1/users", json={"email": email, "password": PASSWORD})
    assert first.status_code == 201, first.text
    second = client.post("/api/v1/users", json={"email": email.upper(), "password": PASSWORD})
    assert_error(second, 409, "EMAIL_REGISTERED")


def test_p05_non_admin_cannot_create_admin(client: httpx.Client) -> None:
    user = new_user(client)
    response = client.post(
        "/api/v1/users",
        json={"email": unique_email(), "password": PASSWORD, "role": "admin"},
        headers=user.headers,
    )
    assert_error(response, 403, "FORBIDDEN")


def test_p05_admin_can_create_admin(client: httpx.Client, admin: User) -> None:
    response = client.post(
        "/api/v1/users",
        json={"email": unique_email("adm"), "password": PASSWORD, "role": "admin"},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["role"] == "admin"


def test_p01_get_user(client: httpx.Client) -> None:
    user, other = new_user(client), new_user(client)
    response = client.get(f"/api/v1/users/{other.id}", headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.json()["email"] == other.email
    assert set(response.json()) == USER_V1_KEYS


def test_p01_get_requires_authentication(client: httpx.Client) -> None:
    user = new_user(client)
    assert_error(client.get(f"/api/v1/users/{user.id}"), 401, "NOT_AUTHENTICATED")


def test_p01_get_missing_user(client: httpx.Client) -> None:
    user = new_user(client)
    assert_error(
        client.get("/api/v1/users/2147483001", headers=user.headers), 404, "USER_NOT_FOUND"
    )


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_p01_non_integer_id_names_no_user(client: httpx.Client, method: str) -> None:
    """No route has a non-numeric id segment: 404 NOT_FOUND (ids out of range: test_validation)."""
    user = new_user(client)
    body = {"full_name": "Nobody"} if method == "PATCH" else None
    response = client.request(method, "/api/v1/users/abc", json=body, headers=user.headers)
    assert_error(response, 404, "NOT_FOUND")


def test_p05_patch_own_record(client: httpx.Client) -> None:
    user = new_user(client)
    response = client.patch(
        f"/api/v1/users/{user.id}", json={"full_name": "New Name"}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["full_name"] == "New Name"


def test_p05_patch_someone_else_is_forbidden(client: httpx.Client) -> None:
    user, other = new_user(client), new_user(client)
    response = client.patch(
        f"/api/v1/users/{other.id}", json={"full_name": "Hijacked"}, headers=user.headers
    )
    assert_error(response, 403, "FORBIDDEN")


def test_p05_user_cannot_promote_self(client: httpx.Client) -> None:
    user = new_user(client)
    response = client.patch(
        f"/api/v1/users/{user.id}", json={"role": "admin"}, headers=user.headers
    )
    assert_error(response, 403, "FORBIDDEN")
    me = client.get("/api/v1/users/me", headers=user.headers)
    assert me.json()["role"] == "user"


def test_p05_admin_can_patch_anyone(client: httpx.Client, admin: User) -> None:
    user = new_user(client)
    response = client.patch(
        f"/api/v1/users/{user.id}", json={"full_name": "Set By Admin"}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["full_name"] == "Set By Admin"


def test_p01_patch_to_taken_email_is_conflict(client: httpx.Client) -> None:
    user, other = new_user(client), new_user(client)
    response = client.patch(
        f"/api/v1/users/{user.id}", json={"email": other.email.upper()}, headers=user.headers
    )
    assert_error(response, 409, "EMAIL_REGISTERED")


def test_p01_patch_missing_user(client: httpx.Client, admin: User) -> None:
    response = client.patch(
        "/api/v1/users/2147483002", json={"full_name": "Nobody"}, headers=admin.headers
    )
    assert_error(response, 404, "USER_NOT_FOUND")


def test_p05_non_admin_cannot_delete(client: httpx.Client) -> None:
    user = new_user(client)
    response = client.delete(f"/api/v1/users/{user.id}", headers=user.headers)
    assert_error(response, 403, "FORBIDDEN")


def test_p01_admin_deletes_user(client: httpx.Client, admin: User) -> None:
    user = new_user(client)
    response = client.delete(f"/api/v1/users/{user.id}", headers=admin.headers)
    assert response.status_code == 204, response.text
    assert response.content == b""
    gone = client.get(f"/api/v1/users/{user.id}", headers=admin.headers)
    assert_error(gone, 404, "USER_NOT_FOUND")
    again = client.delete(f"/api/v1/users/{user.id}", headers=admin.headers)
    assert_error(again, 404, "USER_NOT_FOUND")
