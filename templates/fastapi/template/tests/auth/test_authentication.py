"""P04: registration, the OAuth2 password flow, and every way a token can be wrong."""

import base64
import json
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from tests.factories import PASSWORD, Member, assert_error, create_member, unique_email


def _claims(subject: Any, **changes: Any) -> dict[str, Any]:
    """Claims of a valid token for `subject` (credentials version 0), with `changes` applied."""
    now = datetime.now(UTC)
    return {"sub": subject, "ver": 0, "iat": now, "exp": now + timedelta(minutes=5)} | changes


def _sign(claims: dict[str, Any], app: FastAPI, algorithm: str = "HS256") -> str:
    key = app.state.settings.secret_key.get_secret_value()
    return jwt.encode(claims, key, algorithm=algorithm)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_p04_register_token_me(
    client: httpx.AsyncClient, app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    email, password = unique_email(), "Pa55word-" + secrets.token_hex(8)
    with caplog.at_level(logging.DEBUG):
        registered = await client.post(
            "/api/v1/auth/register",
            json={"email": email.upper(), "password": password, "full_name": "Grace Hopper"},
        )
        assert registered.status_code == 201, registered.text
        token = await client.post(
            "/api/v1/auth/token", data={"username": email, "password": password}
        )
    assert token.status_code == 200, token.text
    assert password not in caplog.text
    user = registered.json()
    assert user == {
        "id": user["id"],
        "email": email,
        "full_name": "Grace Hopper",
        "role": "user",
        "is_active": True,
    }
    for response in (registered, token):
        assert password not in response.text
        assert "password" not in response.text

    body = token.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == app.state.settings.access_token_expire_minutes * 60
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "HS256"
    claims = jwt.decode(
        body["access_token"],
        app.state.settings.secret_key.get_secret_value(),
        algorithms=["HS256"],
    )
    assert claims["sub"] == str(user["id"])
    assert claims["exp"] - claims["iat"] == body["expires_in"]

    me = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json() == user


async def test_p04_password_is_stored_as_an_argon2_hash(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    password = "Pa55word-" + secrets.token_hex(8)
    response = await client.post(
        "/api/v1/auth/register", json={"email": unique_email(), "password": password}
    )
    async with app.state.sessionmaker() as session:
        stored = await session.scalar(
            text("SELECT password_hash FROM users WHERE id = :id"), {"id": response.json()["id"]}
        )
    assert stored.startswith("$argon2")
    assert password not in stored


async def test_p04_wrong_password_or_unknown_email_is_401(
    client: httpx.AsyncClient, member: Member
) -> None:
    for username, password in ((member.email, "wrong-password"), (unique_email(), "whatever1")):
        response = await client.post(
            "/api/v1/auth/token", data={"username": username, "password": password}
        )
        assert_error(response, 401, "INVALID_CREDENTIALS")
        assert password not in response.text


async def test_p04_token_request_needs_both_fields(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/token", data={"username": "someone@example.com"})
    assert_error(response, 422, "VALIDATION_ERROR")


async def test_p04_missing_credentials_is_401_not_authenticated(
    client: httpx.AsyncClient,
) -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}):
        response = await client.get("/api/v1/users/me", headers=headers)
        assert_error(response, 401, "NOT_AUTHENTICATED")


FAR_FUTURE = 4_102_444_800  # 2100-01-01


def _expired(app: FastAPI, user_id: int) -> str:
    return _sign(_claims(str(user_id), exp=datetime.now(UTC) - timedelta(minutes=1)), app)


def _unsigned(app: FastAPI, user_id: int) -> str:
    header = _b64({"alg": "none", "typ": "JWT"})
    return f"{header}.{_b64({'sub': str(user_id), 'ver': 0, 'iat': 0, 'exp': FAR_FUTURE})}."


def _wrong_key(app: FastAPI, user_id: int) -> str:
    return jwt.encode(_claims(str(user_id)), secrets.token_urlsafe(48), algorithm="HS256")


def _other_algorithm(app: FastAPI, user_id: int) -> str:
    return _sign(_claims(str(user_id)), app, algorithm="HS512")


def _without_exp(app: FastAPI, user_id: int) -> str:
    claims = _claims(str(user_id))
    del claims["exp"]
    return _sign(claims, app)


def _integer_sub(app: FastAPI, user_id: int) -> str:
    return _sign(_claims(user_id), app)


def _unknown_user(app: FastAPI, user_id: int) -> str:
    return _sign(_claims("987654321"), app)


def _unstorable_sub(app: FastAPI, user_id: int) -> str:
    return _sign(_claims(str(2**63)), app)  # no id column holds it: never sent to the database


def _non_ascii_digits_sub(app: FastAPI, user_id: int) -> str:
    return _sign(_claims("\u00b2"), app)  # "²".isdigit() is true, int("²") is an error


def _without_version(app: FastAPI, user_id: int) -> str:
    claims = _claims(str(user_id))
    del claims["ver"]
    return _sign(claims, app)


def _stale_version(app: FastAPI, user_id: int) -> str:
    return _sign(_claims(str(user_id), ver=1), app)


def _boolean_version(app: FastAPI, user_id: int) -> str:
    return _sign(_claims(str(user_id), ver=False), app)  # `False == 0`, but not an integer


def _garbage(app: FastAPI, user_id: int) -> str:
    return "not.a.jwt"


FORGERIES: dict[str, Callable[[FastAPI, int], str]] = {
    "expired": _expired,
    "alg-none": _unsigned,
    "wrong-key": _wrong_key,
    "other-algorithm": _other_algorithm,
    "missing-exp": _without_exp,
    "integer-sub": _integer_sub,
    "unknown-user": _unknown_user,
    "unstorable-sub": _unstorable_sub,
    "non-ascii-digits-sub": _non_ascii_digits_sub,
    "missing-ver": _without_version,
    "stale-ver": _stale_version,
    "boolean-ver": _boolean_version,
    "garbage": _garbage,
}


@pytest.mark.parametrize("forgery", FORGERIES)
async def test_p04_bad_token_is_401_invalid_token(
    client: httpx.AsyncClient, app: FastAPI, member: Member, forgery: str
) -> None:
    token = FORGERIES[forgery](app, member.id)
    response = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401, "INVALID_TOKEN")


async def test_p04_tampered_token_is_401(
    client: httpx.AsyncClient, app: FastAPI, member: Member, admin: Member
) -> None:
    header, _, signature = _sign(_claims(str(member.id)), app).split(".")
    forged_payload = _b64({"sub": str(admin.id), "ver": 0, "iat": 0, "exp": FAR_FUTURE})
    token = f"{header}.{forged_payload}.{signature}"
    response = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401, "INVALID_TOKEN")


async def test_p04_deactivated_user_is_locked_out(
    client: httpx.AsyncClient, member: Member, admin: Member
) -> None:
    response = await client.patch(
        f"/api/v1/users/{member.id}", json={"is_active": False}, headers=admin.headers
    )
    assert response.json()["is_active"] is False
    me = await client.get("/api/v1/users/me", headers=member.headers)
    assert_error(me, 401, "INVALID_TOKEN")


async def _login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/token", data={"username": email, "password": password})


async def _me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})


async def test_p04_a_deleted_users_token_never_logs_in_the_next_user(
    client: httpx.AsyncClient, app: FastAPI, admin: Member
) -> None:
    """SQLite hands the largest deleted rowid to the next insert unless the table is
    AUTOINCREMENT: the deleted user's token must not authenticate as the newcomer."""
    departed = await create_member(app)  # the newest user: its id is the largest
    deleted = await client.delete(f"/api/v1/users/{departed.id}", headers=admin.headers)
    assert deleted.status_code == 204
    newcomer = await client.post(
        "/api/v1/auth/register", json={"email": unique_email("newcomer"), "password": PASSWORD}
    )
    assert newcomer.status_code == 201, newcomer.text
    assert newcomer.json()["id"] > departed.id
    me = await client.get("/api/v1/users/me", headers=departed.headers)
    assert_error(me, 401, "INVALID_TOKEN")


async def test_p04_a_password_change_ends_every_earlier_token(
    client: httpx.AsyncClient, member: Member
) -> None:
    old_token = (await _login(client, member.email, PASSWORD)).json()["access_token"]
    new_password = "n3w-" + secrets.token_hex(8)
    changed = await client.patch(
        f"/api/v1/users/{member.id}", json={"password": new_password}, headers=member.headers
    )
    assert changed.status_code == 200, changed.text
    for token in (old_token, member.headers["Authorization"].removeprefix("Bearer ")):
        assert_error(await _me(client, token), 401, "INVALID_TOKEN")
    assert_error(await _login(client, member.email, PASSWORD), 401, "INVALID_CREDENTIALS")
    fresh = await _login(client, member.email, new_password)
    assert fresh.status_code == 200
    assert (await _me(client, fresh.json()["access_token"])).status_code == 200


async def test_p04_reactivation_does_not_revive_old_tokens(
    client: httpx.AsyncClient, member: Member, admin: Member
) -> None:
    path = f"/api/v1/users/{member.id}"
    for active in (False, True):
        response = await client.patch(path, json={"is_active": active}, headers=admin.headers)
        assert response.status_code == 200, response.text
    assert_error(await client.get("/api/v1/users/me", headers=member.headers), 401, "INVALID_TOKEN")
    fresh = await _login(client, member.email, PASSWORD)
    assert (await _me(client, fresh.json()["access_token"])).status_code == 200


async def test_p04_other_changes_keep_the_token(client: httpx.AsyncClient, member: Member) -> None:
    response = await client.patch(
        f"/api/v1/users/{member.id}", json={"full_name": "Still Me"}, headers=member.headers
    )
    assert response.status_code == 200
    assert (await client.get("/api/v1/users/me", headers=member.headers)).status_code == 200


@pytest.mark.parametrize(
    ("registered_as", "logged_in_as"),
    [
        ("x-{tag}@xn--exmple-cua.com", "x-{tag}@xn--exmple-cua.com"),
        ("x-{tag}@xn--exmple-cua.com", "X-{tag}@EX\u00c4MPLE.com"),
        ("u\u0308-{tag}@example.com", "u\u0308-{tag}@example.com"),
        ("u\u0308-{tag}@example.com", "\u00fc-{tag}@example.com"),
        ("\u00fc-{tag}@example.com", "U\u0308-{tag}@Example.COM"),
    ],
    ids=["idna-same", "idna-unicode-upper", "nfd-same", "nfd-then-nfc", "nfc-then-nfd"],
)
async def test_p04_login_normalises_the_email_as_registration_does(
    client: httpx.AsyncClient, registered_as: str, logged_in_as: str
) -> None:
    tag = secrets.token_hex(4)
    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": registered_as.format(tag=tag), "password": PASSWORD},
    )
    assert registered.status_code == 201, registered.text
    token = await _login(client, logged_in_as.format(tag=tag), PASSWORD)
    assert token.status_code == 200, token.text
    me = await _me(client, token.json()["access_token"])
    assert me.json()["email"] == registered.json()["email"]
