"""P06: every error is the one envelope, with no stack trace, SQL or driver name in it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.contract.client import (
    MAX_REQUEST_BYTES,
    PASSWORD,
    User,
    allowed_methods,
    assert_error,
    new_user,
    unique_email,
    validation_fields,
)


def test_p06_unknown_route_is_not_found(client: httpx.Client) -> None:
    assert_error(client.get("/api/v1/no-such-route"), 404, "NOT_FOUND")


def test_p06_unknown_route_outside_api_is_not_found(client: httpx.Client) -> None:
    assert_error(client.get("/definitely/not/here"), 404, "NOT_FOUND")


def test_p06_missing_user_is_user_not_found(client: httpx.Client) -> None:
    user = new_user(client)
    response = client.get("/api/v1/users/2147483000", headers=user.headers)
    assert_error(response, 404, "USER_NOT_FOUND")


def test_p06_wrong_method_is_method_not_allowed(client: httpx.Client) -> None:
    response = client.delete("/api/v1/auth/register")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "POST" in allowed_methods(response)


#: Every method a client might try; OPTIONS without CORS headers is a plain request.
PROBED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@pytest.mark.parametrize(
    "path",
    [
        "/health",
        "/api/v1/auth/register",
        "/api/v1/auth/token",
        "/api/v1/users",
        "/api/v1/users/me",
        "/api/v1/users/1",
        "/api/v1/posts/1",
        "/api/v1/transfers",
    ],
)
def test_p06_allow_names_exactly_the_served_methods(client: httpx.Client, path: str) -> None:
    """A 405's ``Allow`` lists every method the path answers and nothing else (no HEAD unless
    HEAD is served). Requests go without a token or body, so none of them changes anything."""
    refused = client.put(path)
    assert_error(refused, 405, "METHOD_NOT_ALLOWED")
    allowed = allowed_methods(refused)
    served = {
        method for method in PROBED_METHODS if client.request(method, path).status_code != 405
    }
    assert allowed == served, f"{path}: Allow {sorted(allowed)}, served {sorted(served)}"


@pytest.mark.parametrize("method", ["PATCH", "DELETE", "POST"])
def test_p06_users_me_is_never_taken_for_an_id(client: httpx.Client, method: str) -> None:
    """``/users/me`` answers GET only: other methods are 405, never ``/users/{id}`` with id "me"."""
    user = new_user(client, "me")
    response = client.request(
        method, "/api/v1/users/me", json={"full_name": "Me"}, headers=user.headers
    )
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert allowed_methods(response) == {"GET"}
    me = client.get("/api/v1/users/me", headers=user.headers)
    assert me.status_code == 200, me.text
    assert me.json()["full_name"] is None


def test_p06_missing_credentials_is_not_authenticated(client: httpx.Client) -> None:
    assert_error(client.get("/api/v1/users/me"), 401, "NOT_AUTHENTICATED")


def test_p06_forbidden(client: httpx.Client) -> None:
    user, victim = new_user(client), new_user(client)
    response = client.delete(f"/api/v1/users/{victim.id}", headers=user.headers)
    assert_error(response, 403, "FORBIDDEN")


def test_p06_conflict_is_email_registered(client: httpx.Client) -> None:
    user = new_user(client)
    response = client.post(
        "/api/v1/auth/register", json={"email": user.email, "password": "another-password"}
    )
    assert_error(response, 409, "EMAIL_REGISTERED")


def test_p06_validation_error_has_details(client: httpx.Client) -> None:
    user = new_user(client)
    response = client.get("/api/v1/users", params={"limit": 0}, headers=user.headers)
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert [detail["field"] for detail in error["details"]] == ["limit"], error


def test_p06_malformed_json_is_malformed_request(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/auth/register",
        content=b'{"email": "a@example.com", "password": ',
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 400, "MALFORMED_REQUEST")


def test_p06_malformed_json_on_authenticated_route(client: httpx.Client) -> None:
    user = new_user(client)
    response = client.post(
        "/api/v1/posts",
        content=b"{not json",
        headers={**user.headers, "Content-Type": "application/json"},
    )
    assert_error(response, 400, "MALFORMED_REQUEST")


@pytest.mark.parametrize(
    "content",
    [b'{"title": "unterminated', b'{"title": "\xff\xfe"}', b"[" * 100_000 + b"]" * 100_000],
    ids=["bad-json", "invalid-utf8", "nested-too-deeply"],
)
def test_p06_every_unparseable_body_is_malformed_request(
    client: httpx.Client, content: bytes
) -> None:
    user = new_user(client)
    response = client.post(
        "/api/v1/posts",
        content=content,
        headers={**user.headers, "Content-Type": "application/json"},
    )
    error = assert_error(response, 400, "MALFORMED_REQUEST")
    assert "details" not in error, error


ADDRESS = {"street": "1 Main St", "city": "Springfield", "state": "NY", "zip_code": "10001"}
#: case -> (method, path (``{id}``: the caller's), the caller's body, the unknown field it names).
UNKNOWN_FIELDS: dict[str, tuple[str, str, Callable[[User], dict[str, Any]], str]] = {
    "typo": ("PATCH", "/api/v1/users/{id}", lambda user: {"nmae": "x"}, "nmae"),
    "beside-valid-fields": (
        "PATCH",
        "/api/v1/users/{id}",
        lambda user: {"full_name": "Real", "is_admin": True},
        "is_admin",
    ),
    "post": (
        "POST",
        "/api/v1/posts",
        lambda user: {"title": "t", "body": "b", "author_id": user.id},
        "author_id",
    ),
    "nested": (
        "POST",
        "/api/v1/profiles",
        lambda user: {"first_name": "A", "last_name": "B", "address": {**ADDRESS, "country": "US"}},
        "address.country",
    ),
    "register": (
        "POST",
        "/api/v1/auth/register",
        lambda user: {"email": unique_email(), "password": PASSWORD, "role": "admin"},
        "role",
    ),
    "notification": (
        "POST",
        "/api/v1/notifications",
        lambda user: {"email": user.email, "message": "hi", "cc": unique_email("cc")},
        "cc",
    ),
}


@pytest.mark.parametrize("case", list(UNKNOWN_FIELDS))
def test_p06_unknown_body_field_is_refused(client: httpx.Client, case: str) -> None:
    """A typo is never silently ignored: a 422 naming the field (dotted when nested), and the
    request changes nothing."""
    method, path, body, field = UNKNOWN_FIELDS[case]
    user = new_user(client, "extra")
    response = client.request(
        method, path.format(id=user.id), json=body(user), headers=user.headers
    )
    assert validation_fields(response) == [field]
    me = client.get("/api/v1/users/me", headers=user.headers)
    assert me.status_code == 200, me.text
    assert me.json()["full_name"] is None


def _post_body(size: int) -> bytes:
    """A JSON post of exactly ``size`` bytes (its ``body`` is far over 10,000 characters)."""
    head, tail = b'{"title": "big", "body": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_p06_declared_body_over_the_limit_is_413(client: httpx.Client) -> None:
    user = new_user(client, "big")
    headers = {**user.headers, "Content-Type": "application/json"}
    at_limit = client.post("/api/v1/posts", content=_post_body(MAX_REQUEST_BYTES), headers=headers)
    assert_error(at_limit, 422, "VALIDATION_ERROR")  # read and validated, not refused unread
    over = client.post(
        "/api/v1/posts",
        content=_post_body(MAX_REQUEST_BYTES + 1),
        headers={**headers, "X-Request-ID": "too-big-declared"},
    )
    assert over.request.headers["Content-Length"] == str(MAX_REQUEST_BYTES + 1)
    error = assert_error(over, 413, "PAYLOAD_TOO_LARGE")
    assert error["request_id"] == "too-big-declared"
    assert "X-Process-Time" in over.headers


def test_p06_streamed_body_over_the_limit_is_413(client: httpx.Client) -> None:
    """Chunked, without a Content-Length: counted as it arrives (it ends 64 KiB past the limit)."""
    user = new_user(client, "big")
    chunk = 64 * 1024

    def chunks() -> Iterator[bytes]:
        yield b'{"title": "big", "body": "'
        for _ in range(MAX_REQUEST_BYTES // chunk + 1):
            yield b"x" * chunk
        yield b'"}'

    response = client.post(
        "/api/v1/posts",
        content=chunks(),
        headers={**user.headers, "Content-Type": "application/json", "X-Request-ID": "too-big-2"},
    )
    assert "Content-Length" not in response.request.headers
    assert response.request.headers["Transfer-Encoding"] == "chunked"
    error = assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert error["request_id"] == "too-big-2"


def test_p06_request_id_in_body_is_the_incoming_one(client: httpx.Client) -> None:
    response = client.get("/api/v1/no-such-route", headers={"X-Request-ID": "trace-p06.1_ok"})
    error = assert_error(response, 404, "NOT_FOUND")
    assert error["request_id"] == "trace-p06.1_ok"


def test_p06_duplicate_insert_race_never_leaks(client: httpx.Client) -> None:
    """Two registrations of one address: one 201, the other the 409 envelope, never a 500."""
    email = unique_email("race")
    body = {"email": email, "password": "race-password-1"}
    with (
        httpx.Client(base_url=str(client.base_url), timeout=30) as other,
        ThreadPoolExecutor(max_workers=2) as pool,
    ):
        responses = list(
            pool.map(lambda http: http.post("/api/v1/auth/register", json=body), [client, other])
        )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 409], [response.text for response in responses]
    assert_error(next(r for r in responses if r.status_code == 409), 409, "EMAIL_REGISTERED")
