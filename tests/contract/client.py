"""Small helpers for talking to a service the way any API client would."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "correct-horse-battery"  # meets the 8-128 character rule

#: Words that would betray a stack trace, SQL or the database driver in an error body.
LEAK_MARKERS_CASE_SENSITIVE = ("Traceback", "SELECT ", 'File "')
LEAK_MARKERS_ANY_CASE = ("sqlalchemy", "psycopg", "asyncpg", "sqlite", "integrityerror")


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}@example.com"


@dataclass(frozen=True)
class User:
    """A registered user with a bearer token."""

    id: int
    email: str
    password: str
    token: str
    role: str = "user"

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register(
    client: httpx.Client, email: str | None = None, password: str = PASSWORD, **fields: Any
) -> dict[str, Any]:
    """Register a new user (201 expected); returns the UserV1 body."""
    body = {"email": email or unique_email(), "password": password, **fields}
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def token_response(client: httpx.Client, email: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/token", data={"username": email, "password": password})


def login(client: httpx.Client, email: str, password: str) -> str:
    response = token_response(client, email, password)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def new_user(client: httpx.Client, prefix: str = "user", **fields: Any) -> User:
    """Register a fresh user and log in."""
    email = unique_email(prefix)
    body = register(client, email, **fields)
    return User(body["id"], body["email"], PASSWORD, login(client, email, PASSWORD), body["role"])


def admin_user(client: httpx.Client, email: str | None, password: str | None) -> User:
    """Log in as the service's first admin (``FIRST_ADMIN_EMAIL``/``FIRST_ADMIN_PASSWORD``)."""
    import pytest

    if not email or not password:
        pytest.skip("no admin credentials for this service (--admin-email/--admin-password)")
    token = login(client, email, password)
    me = client.get("/api/v1/users/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    assert me.json()["role"] == "admin", me.text
    return User(me.json()["id"], me.json()["email"], password, token, "admin")


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Check the P06 envelope and return its ``error`` object."""
    assert response.status_code == status, response.text
    assert_no_leak(response)
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code, body
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["path"] == response.request.url.path, body
    assert error["request_id"] == response.headers["X-Request-ID"], body
    assert set(error) <= {"code", "message", "path", "request_id", "details"}, body
    if status == 401:
        assert response.headers.get("WWW-Authenticate", "").startswith("Bearer"), response.headers
    return error


def assert_no_leak(response: httpx.Response) -> None:
    text = response.text
    for marker in LEAK_MARKERS_CASE_SENSITIVE:
        assert marker not in text, f"{marker!r} in error body: {text[:2000]}"
    for marker in LEAK_MARKERS_ANY_CASE:
        assert marker not in text.lower(), f"{marker!r} in error body: {text[:2000]}"


def validation_fields(response: httpx.Response) -> list[str]:
    """The ``field`` of every 422 detail, after checking each detail's shape."""
    error = assert_error(response, 422, "VALIDATION_ERROR")
    details = error["details"]
    assert isinstance(details, list), error
    assert details, error
    for detail in details:
        assert {"field", "message", "type"} <= set(detail), detail
        assert all(isinstance(detail[key], str) for key in ("field", "message", "type")), detail
    return [detail["field"] for detail in details]


# --------------------------------------------------------------------------- hand-made JWTs


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_HMAC_ALGORITHMS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def make_jwt(payload: dict[str, Any], key: str | None, alg: str = "HS256") -> str:
    """A compact JWS; ``alg="none"`` gives an unsigned token with an empty signature."""
    header = {"alg": alg, "typ": "JWT"}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload)
    )
    if alg == "none":
        return f"{signing_input}."
    assert key is not None
    digest = hmac.new(key.encode(), signing_input.encode(), _HMAC_ALGORITHMS[alg]).digest()
    return f"{signing_input}.{_b64url(digest)}"


def jwt_payload(token: str) -> dict[str, Any]:
    return json.loads(_b64url_decode(token.split(".")[1]))


def replace_payload(token: str, payload: dict[str, Any]) -> str:
    """The token with its payload swapped and its original signature kept (a tampered token)."""
    header, _, signature = token.split(".")
    body = _b64url(json.dumps(payload, separators=(",", ":")).encode())
    return f"{header}.{body}.{signature}"


def claims_for(user_id: int, lifetime: int = 600, issued: float | None = None) -> dict[str, Any]:
    now = int(issued if issued is not None else time.time())
    return {"sub": str(user_id), "iat": now, "exp": now + lifetime}
