"""P05: roles — what a `user` may not do, and what an `admin` may."""

import secrets

import httpx
from pydantic import SecretStr

from tests.factories import PASSWORD, AppBuilder, Member, assert_error, make_client, unique_email


async def test_p05_user_cannot_delete_users(
    client: httpx.AsyncClient, member: Member, other_member: Member
) -> None:
    response = await client.delete(f"/api/v1/users/{other_member.id}", headers=member.headers)
    assert_error(response, 403, "FORBIDDEN")


async def test_p05_user_cannot_change_someone_else(
    client: httpx.AsyncClient, member: Member, other_member: Member
) -> None:
    response = await client.patch(
        f"/api/v1/users/{other_member.id}", json={"full_name": "Hijacked"}, headers=member.headers
    )
    assert_error(response, 403, "FORBIDDEN")


async def test_p05_user_cannot_promote_or_deactivate_themselves(
    client: httpx.AsyncClient, member: Member
) -> None:
    for change in ({"role": "admin"}, {"is_active": False}):
        response = await client.patch(
            f"/api/v1/users/{member.id}", json=change, headers=member.headers
        )
        assert_error(response, 403, "FORBIDDEN")
    me = await client.get("/api/v1/users/me", headers=member.headers)
    assert me.json()["role"] == "user"


async def test_p05_only_admins_create_admins(
    client: httpx.AsyncClient, member: Member, admin: Member
) -> None:
    body = {"email": unique_email("admin"), "password": "long-enough-1", "role": "admin"}
    for headers in ({}, member.headers):
        response = await client.post("/api/v1/users", json=body, headers=headers)
        assert_error(response, 403, "FORBIDDEN")
    created = await client.post("/api/v1/users", json=body, headers=admin.headers)
    assert created.status_code == 201
    assert created.json()["role"] == "admin"


async def test_p05_a_promoted_user_gains_admin_rights(
    client: httpx.AsyncClient, member: Member, other_member: Member, admin: Member
) -> None:
    response = await client.patch(
        f"/api/v1/users/{member.id}", json={"role": "admin"}, headers=admin.headers
    )
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    deleted = await client.delete(f"/api/v1/users/{other_member.id}", headers=member.headers)
    assert deleted.status_code == 204


async def test_p05_first_admin_email_registered_by_someone_else_is_taken_over(
    client: httpx.AsyncClient, build_app: AppBuilder
) -> None:
    """Registering FIRST_ADMIN_EMAIL before the operator configures it grants nothing: at start-up
    the account gets the configured password, and the squatter's token and password die."""
    email, configured = unique_email("ops"), "configured-" + secrets.token_hex(8)
    squatter = await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert squatter.status_code == 201
    squatter_token = (
        await client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    ).json()["access_token"]

    app = await build_app(first_admin_email=email, first_admin_password=SecretStr(configured))
    async with make_client(app) as http:
        refused = await http.post(
            "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
        )
        assert_error(refused, 401, "INVALID_CREDENTIALS")
        stale = await http.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {squatter_token}"}
        )
        assert_error(stale, 401, "INVALID_TOKEN")
        token = await http.post(
            "/api/v1/auth/token", data={"username": email, "password": configured}
        )
        me = await http.get(
            "/api/v1/users/me",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
    assert me.json()["role"] == "admin"
    assert me.json()["id"] == squatter.json()["id"]
