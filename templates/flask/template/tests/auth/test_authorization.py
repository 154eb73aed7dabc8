"""P05: roles — what a `user` may not do, and what an `admin` may."""

import secrets

from flask.testing import FlaskClient
from pydantic import SecretStr

from tests.conftest import AppBuilder
from tests.factories import PASSWORD, Member, assert_error, json_of, unique_email


def test_p05_user_cannot_delete_users(
    client: FlaskClient, member: Member, other_member: Member
) -> None:
    response = client.delete(f"/api/v1/users/{other_member.id}", headers=member.headers)
    assert_error(response, 403, "FORBIDDEN")


def test_p05_user_cannot_change_someone_else(
    client: FlaskClient, member: Member, other_member: Member
) -> None:
    response = client.patch(
        f"/api/v1/users/{other_member.id}", json={"full_name": "Hijacked"}, headers=member.headers
    )
    assert_error(response, 403, "FORBIDDEN")


def test_p05_user_cannot_promote_or_deactivate_themselves(
    client: FlaskClient, member: Member
) -> None:
    for change in ({"role": "admin"}, {"is_active": False}):
        response = client.patch(f"/api/v1/users/{member.id}", json=change, headers=member.headers)
        assert_error(response, 403, "FORBIDDEN")
    assert json_of(client.get("/api/v1/users/me", headers=member.headers))["role"] == "user"


def test_p05_only_admins_create_admins(client: FlaskClient, member: Member, admin: Member) -> None:
    body = {"email": unique_email("admin"), "password": "long-enough-1", "role": "admin"}
    for headers in ({}, member.headers):
        response = client.post("/api/v1/users", json=body, headers=headers)
        assert_error(response, 403, "FORBIDDEN")
    created = client.post("/api/v1/users", json=body, headers=admin.headers)
    assert created.status_code == 201, created.text
    assert json_of(created)["role"] == "admin"


def test_p05_a_promoted_user_gains_admin_rights(
    client: FlaskClient, member: Member, other_member: Member, admin: Member
) -> None:
    response = client.patch(
        f"/api/v1/users/{member.id}", json={"role": "admin"}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert json_of(response)["role"] == "admin"
    deleted = client.delete(f"/api/v1/users/{other_member.id}", headers=member.headers)
    assert deleted.status_code == 204


def test_p05_first_admin_email_registered_by_someone_else_is_taken_over(
    client: FlaskClient, build_app: AppBuilder
) -> None:
    """Registering FIRST_ADMIN_EMAIL before the operator configures it grants nothing: at start-up
    the account gets the configured password, and the squatter's token and password die."""
    email, configured = unique_email("ops"), "configured-" + secrets.token_hex(8)
    squatter = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert squatter.status_code == 201, squatter.text
    squatter_token = json_of(
        client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    )["access_token"]

    http = build_app(
        first_admin_email=email, first_admin_password=SecretStr(configured)
    ).test_client()
    refused = http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert_error(refused, 401, "INVALID_CREDENTIALS")
    stale = http.get("/api/v1/users/me", headers={"Authorization": f"Bearer {squatter_token}"})
    assert_error(stale, 401, "INVALID_TOKEN")
    token = http.post("/api/v1/auth/token", data={"username": email, "password": configured})
    me = json_of(
        http.get(
            "/api/v1/users/me",
            headers={"Authorization": f"Bearer {json_of(token)['access_token']}"},
        )
    )
    assert me["role"] == "admin"
    assert me["id"] == json_of(squatter)["id"]


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
    assert_error(
        client.patch(path, json={"full_name": "X"}, headers=member.headers), 403, "FORBIDDEN"
    )
    own = client.patch(f"/api/v1/users/{member.id}", json={"role": "admin"}, headers=member.headers)
    assert_error(own, 403, "FORBIDDEN")
