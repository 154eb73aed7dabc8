"""P04: registration, OAuth2 password login, bearer tokens and every way a token can be bad."""

from __future__ import annotations

import secrets
import time

import httpx
import pytest

from tests.contract.client import (
    PASSWORD,
    assert_error,
    bearer,
    claims_for,
    jwt_payload,
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
