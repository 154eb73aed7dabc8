"""P04: registration, OAuth2 password login, bearer tokens and every way a token can be bad."""

from __future__ import annotations

import secrets
import time

import httpx
import pytest

from tests.contract.client import (
    PASSWORD,
    User,
    admin_user,
    assert_error,
    bearer,
    claims_for,
    jwt_payload,
    login,
    make_jwt,
    new_user,
    register,
    replace_payload,
    token_response,
    unique_email,
)
from tests.support.harness import Service


def test_p04_register_returns_user_without_password(client: httpx.Client) -> None:
    email = unique_email("REG").replace("reg", "Reg")
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "Ada"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == email.lower()
    assert body["full_name"] == "Ada"
    assert body["role"] == "user"
    assert body["is_active"] is True
    assert isinstance(body["id"], int)
    assert "password" not in body
    assert "password_hash" not in body
    assert PASSWORD not in response.text


def test_p04_token_and_me(client: httpx.Client) -> None:
    email = unique_email()
    registered = register(client, email)
    response = token_response(client, email, PASSWORD)
    assert response.status_code == 200, response.text
    token = response.json()
    assert set(token) >= {"access_token", "token_type", "expires_in"}
    assert token["token_type"] == "bearer"
    assert isinstance(token["expires_in"], int)
    assert token["expires_in"] > 0
    claims = jwt_payload(token["access_token"])
    assert claims["sub"] == str(registered["id"])
    assert {"exp", "iat"} <= set(claims)

    me = client.get("/api/v1/users/me", headers=bearer(token["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json() == registered


def test_p04_login_email_is_case_insensitive(client: httpx.Client) -> None:
    email = unique_email()
    register(client, email)
    assert token_response(client, email.upper(), PASSWORD).status_code == 200


def test_p04_wrong_password(client: httpx.Client) -> None:
    email = unique_email()
    register(client, email)
    response = token_response(client, email, "wrong-password")
    assert_error(response, 401, "INVALID_CREDENTIALS")
    assert "wrong-password" not in response.text


def test_p04_unknown_email(client: httpx.Client) -> None:
    assert_error(token_response(client, unique_email(), PASSWORD), 401, "INVALID_CREDENTIALS")


def test_p04_token_without_form_fields_is_validation_error(client: httpx.Client) -> None:
    error = assert_error(client.post("/api/v1/auth/token", data={}), 422, "VALIDATION_ERROR")
    fields = {detail["field"] for detail in error["details"]}
    assert {"username", "password"} <= fields


def test_p04_missing_token(client: httpx.Client) -> None:
    assert_error(client.get("/api/v1/users/me"), 401, "NOT_AUTHENTICATED")


def test_p04_wrong_scheme_is_not_a_bearer_token(client: httpx.Client) -> None:
    response = client.get("/api/v1/users/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401, response.text
    code = response.json()["error"]["code"]
    assert code in {"NOT_AUTHENTICATED", "INVALID_TOKEN"}
    assert_error(response, 401, code)


def _forged(client: httpx.Client, kind: str) -> str:
    user = new_user(client, "forge")
    if kind == "garbage":
        return "not-a-jwt"
    if kind == "three-garbage-parts":
        return "aaaa.bbbb.cccc"
    if kind == "alg-none":
        return make_jwt(claims_for(user.id), None, alg="none")
    if kind == "tampered-sub":
        other = new_user(client, "victim")
        return replace_payload(user.token, {**jwt_payload(user.token), "sub": str(other.id)})
    if kind == "tampered-exp":
        claims = jwt_payload(user.token)
        return replace_payload(user.token, {**claims, "exp": claims["exp"] + 3600})
    if kind == "foreign-key":
        return make_jwt(claims_for(user.id), secrets.token_urlsafe(48))
    if kind == "stripped-signature":
        return user.token.rsplit(".", 1)[0] + "."
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "garbage",
        "three-garbage-parts",
        "alg-none",
        "tampered-sub",
        "tampered-exp",
        "foreign-key",
        "stripped-signature",
    ],
)
def test_p04_bad_token_is_invalid_token(client: httpx.Client, kind: str) -> None:
    token = _forged(client, kind)
    assert_error(client.get("/api/v1/users/me", headers=bearer(token)), 401, "INVALID_TOKEN")


@pytest.fixture
def secret_key(service: Service) -> str:
    if not service.secret_key:
        pytest.skip("SECRET_KEY of this service unknown (--secret-key)")
    return service.secret_key


def test_p04_hand_signed_token_is_accepted(client: httpx.Client, secret_key: str) -> None:
    """Control for the tests below: a token we sign with the service's key works."""
    user = new_user(client)
    token = make_jwt(claims_for(user.id), secret_key)
    response = client.get("/api/v1/users/me", headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["id"] == user.id


def test_p04_expired_token(client: httpx.Client, secret_key: str) -> None:
    user = new_user(client)
    token = make_jwt(claims_for(user.id, lifetime=60, issued=time.time() - 3600), secret_key)
    assert_error(client.get("/api/v1/users/me", headers=bearer(token)), 401, "INVALID_TOKEN")


def test_p04_token_without_exp(client: httpx.Client, secret_key: str) -> None:
    user = new_user(client)
    claims = claims_for(user.id)
    del claims["exp"]
    token = make_jwt(claims, secret_key)
    assert_error(client.get("/api/v1/users/me", headers=bearer(token)), 401, "INVALID_TOKEN")


def test_p04_other_algorithm_with_right_key(client: httpx.Client, secret_key: str) -> None:
    user = new_user(client)
    token = make_jwt(claims_for(user.id), secret_key, alg="HS512")
    assert_error(client.get("/api/v1/users/me", headers=bearer(token)), 401, "INVALID_TOKEN")


def test_p04_token_of_deleted_user(client: httpx.Client, secret_key: str) -> None:
    token = make_jwt(claims_for(2147483000), secret_key)
    assert_error(client.get("/api/v1/users/me", headers=bearer(token)), 401, "INVALID_TOKEN")


# --------------------------------------------------------------------------- dead tokens


def _me(client: httpx.Client, token: str) -> httpx.Response:
    return client.get("/api/v1/users/me", headers=bearer(token))


@pytest.fixture
def admin(client: httpx.Client, service: Service) -> User:
    return admin_user(client, service.admin_email, service.admin_password)


def test_p04_deleted_users_token_never_authenticates_anyone(
    client: httpx.Client, admin: User
) -> None:
    """Ids are never reused (SQLite included), so a dead user's token cannot name a newcomer."""
    departed = new_user(client, "departed")  # the newest user: its id is the largest
    deleted = client.delete(f"/api/v1/users/{departed.id}", headers=admin.headers)
    assert deleted.status_code == 204, deleted.text
    newcomer = new_user(client, "newcomer")
    assert newcomer.id > departed.id, (departed.id, newcomer.id)
    assert_error(_me(client, departed.token), 401, "INVALID_TOKEN")
    assert _me(client, newcomer.token).json()["id"] == newcomer.id


@pytest.mark.parametrize("changed_by", ["owner", "admin"])
def test_p04_password_change_ends_every_earlier_token(
    client: httpx.Client, service: Service, changed_by: str
) -> None:
    user = new_user(client, "rotate")
    second = login(client, user.email, PASSWORD)  # a second token issued before the change
    # Control: a change that is not a credential keeps the tokens alive.
    renamed = client.patch(
        f"/api/v1/users/{user.id}", json={"full_name": "Still Me"}, headers=user.headers
    )
    assert renamed.status_code == 200, renamed.text
    assert _me(client, user.token).status_code == 200

    caller = (
        user
        if changed_by == "owner"
        else admin_user(client, service.admin_email, service.admin_password)
    )
    new_password = f"n3w-{secrets.token_hex(8)}"
    changed = client.patch(
        f"/api/v1/users/{user.id}", json={"password": new_password}, headers=caller.headers
    )
    assert changed.status_code == 200, changed.text
    for token in (user.token, second):
        assert_error(_me(client, token), 401, "INVALID_TOKEN")
    assert_error(token_response(client, user.email, PASSWORD), 401, "INVALID_CREDENTIALS")
    fresh = _me(client, login(client, user.email, new_password))
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["id"] == user.id


def test_p04_reactivation_does_not_revive_old_tokens(client: httpx.Client, admin: User) -> None:
    user = new_user(client, "paused")
    path = f"/api/v1/users/{user.id}"
    off = client.patch(path, json={"is_active": False}, headers=admin.headers)
    assert off.status_code == 200, off.text
    assert_error(_me(client, user.token), 401, "INVALID_TOKEN")
    assert_error(token_response(client, user.email, PASSWORD), 401, "INVALID_CREDENTIALS")
    on = client.patch(path, json={"is_active": True}, headers=admin.headers)
    assert on.status_code == 200, on.text
    assert_error(_me(client, user.token), 401, "INVALID_TOKEN")
    fresh = _me(client, login(client, user.email, PASSWORD))
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["id"] == user.id


# --------------------------------------------------------------------------- e-mail normal form


@pytest.mark.parametrize(
    ("registered_as", "logged_in_as", "normal_form"),
    [
        ("x-{tag}@xn--exmple-cua.com", "x-{tag}@xn--exmple-cua.com", "x-{tag}@ex\u00e4mple.com"),
        ("x-{tag}@xn--exmple-cua.com", "X-{tag}@EX\u00c4MPLE.com", "x-{tag}@ex\u00e4mple.com"),
        ("u\u0308-{tag}@example.com", "u\u0308-{tag}@example.com", "\u00fc-{tag}@example.com"),
        ("u\u0308-{tag}@example.com", "\u00fc-{tag}@example.com", "\u00fc-{tag}@example.com"),
        ("\u00fc-{tag}@example.com", "U\u0308-{tag}@Example.COM", "\u00fc-{tag}@example.com"),
    ],
    ids=[
        "idna-same",
        "idna-as-unicode-upper-case",
        "decomposed-same",
        "decomposed-then-composed",
        "composed-then-decomposed-upper-case",
    ],
)
def test_p04_login_normalises_the_email_as_registration_does(
    client: httpx.Client, registered_as: str, logged_in_as: str, normal_form: str
) -> None:
    """NFC, the domain in Unicode, lower case: two spellings of one address are one address."""
    tag = secrets.token_hex(6)
    registered = register(client, registered_as.format(tag=tag))
    assert registered["email"] == normal_form.format(tag=tag)
    me = _me(client, login(client, logged_in_as.format(tag=tag), PASSWORD))
    assert me.status_code == 200, me.text
    assert me.json() == registered
