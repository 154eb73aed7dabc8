"""Reliability gate: forged and broken JWTs get 401 on every protected operation (P04, issue 3).

The protected operations are read from the live ``/openapi.json`` (every operation with a security
requirement), so a new route joins the gate by being documented. schemathesis' ``ignored_auth``
check would not notice a disabled signature check; these hand-made tokens do.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.contract.client import (
    User,
    assert_error,
    bearer,
    claims_for,
    jwt_payload,
    make_jwt,
    new_user,
    replace_payload,
)
from tests.gates.leaks import assert_no_internals
from tests.support.harness import Service

METHODS = ("get", "post", "put", "patch", "delete")
#: Route families the gate must cover (a path prefix each); optional ones join when documented.
REQUIRED_FAMILIES = {
    "users v1": "/api/v1/users",
    "users v2": "/api/v2/users",
    "posts": "/api/v1/posts",
    "profiles": "/api/v1/profiles",
    "accounts": "/api/v1/accounts",
    "transfers": "/api/v1/transfers",
}
OPTIONAL_FAMILIES = {
    "notifications": "/api/v1/notifications",
    "events": "/api/v1/events",
}
#: The v1 user operations the issue names, all of which must be protected.
REQUIRED_USER_OPERATIONS = {
    "GET /api/v1/users",
    "GET /api/v1/users/{user_id}",
    "PATCH /api/v1/users/{user_id}",
    "DELETE /api/v1/users/{user_id}",
    "GET /api/v1/users/me",
}


def _forge(kind: str, user: User, secret_key: str | None) -> str:
    """A token of the given kind for ``user``; needs the service's key for some kinds."""
    now = time.time()
    if kind == "alg-none":
        return make_jwt(claims_for(user.id), None, alg="none")
    if kind == "wrong-key":
        return make_jwt(claims_for(user.id), secrets.token_urlsafe(48))
    if kind == "tampered-payload":
        claims = jwt_payload(user.token)
        claims["sub"] = str(user.id + 1)
        return replace_payload(user.token, claims)
    if kind == "garbage":
        return "this-is-not.a-jwt"
    if secret_key is None:
        pytest.skip("the service's SECRET_KEY is unknown (--secret-key)")
    if kind == "expired":
        return make_jwt(claims_for(user.id, lifetime=3600, issued=now - 7200), secret_key)
    if kind == "missing-exp":
        claims = claims_for(user.id)
        del claims["exp"]
        return make_jwt(claims, secret_key)
    if kind == "other-algorithm":  # right key, but HS512 is not the configured HS256
        return make_jwt(claims_for(user.id), secret_key, alg="HS512")
    if kind == "unknown-subject":  # well signed, names no user (and no storable id)
        return make_jwt({**claims_for(user.id), "sub": str(2**63)}, secret_key)
    raise AssertionError(kind)


TOKEN_KINDS = (
    "alg-none",
    "expired",
    "missing-exp",
    "wrong-key",
    "tampered-payload",
    "other-algorithm",
    "garbage",
    "unknown-subject",
)


@pytest.fixture(scope="session")
def protected_operations(service: Service) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path template, operation) of every operation with a security requirement."""
    document = httpx.get(f"{service.base_url}/openapi.json", timeout=30).json()
    default_security = document.get("security", [])
    found = [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS and operation.get("security", default_security)
    ]
    names = {f"{method} {path}" for method, path, _ in found}
    missing = REQUIRED_USER_OPERATIONS - names
    assert not missing, f"not protected in /openapi.json: {sorted(missing)}"
    families = {**REQUIRED_FAMILIES}
    families |= {
        name: prefix
        for name, prefix in OPTIONAL_FAMILIES.items()
        if any(path.startswith(prefix) for path in document["paths"])
    }
    for family, prefix in families.items():
        assert any(path.startswith(prefix) for _, path, _ in found), (
            f"no protected operation in the {family} family ({prefix}): {sorted(names)}"
        )
    return found


@pytest.fixture(scope="session")
def victim(service: Service) -> User:
    with httpx.Client(base_url=service.base_url, timeout=30) as http:
        return new_user(http, "jwt-victim")


def _request_for(
    http: httpx.Client, method: str, path: str, operation: dict[str, Any], token: str
) -> httpx.Response:
    url = re.sub(r"\{[^}]+\}", "1", path)
    kwargs: dict[str, Any] = {"headers": bearer(token)}
    if "requestBody" in operation:
        kwargs["json"] = {}  # authentication is decided before the body is validated
    return http.request(method, url, **kwargs)


@pytest.fixture
def http(service: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service.base_url, timeout=15) as client:
        yield client


@pytest.mark.parametrize("kind", TOKEN_KINDS)
def test_gate_jwt_negative_is_401_everywhere(
    kind: str,
    service: Service,
    victim: User,
    protected_operations: list[tuple[str, str, dict[str, Any]]],
    http: httpx.Client,
) -> None:
    token = _forge(kind, victim, service.secret_key)
    failures: list[str] = []
    for method, path, operation in protected_operations:
        response = _request_for(http, method, path, operation, token)
        try:
            assert_no_internals(response)
            assert_error(response, 401, "INVALID_TOKEN")
        except AssertionError as exc:
            failures.append(f"{method} {path}: {str(exc)[:600]}")
    assert not failures, f"{kind} token accepted or mishandled:\n" + "\n".join(failures)


def test_gate_jwt_the_real_token_still_works(victim: User, http: httpx.Client) -> None:
    """The control: the victim's own token is accepted where the forged ones were not."""
    for path in ("/api/v1/users/me", "/api/v1/users", f"/api/v2/users/{victim.id}"):
        response = http.get(path, headers=victim.headers)
        assert response.status_code == 200, f"GET {path}: {response.text[:500]}"
