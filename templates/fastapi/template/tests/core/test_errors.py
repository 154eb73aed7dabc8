"""P06: every error, expected or not, is the one envelope."""

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import AppBuilder, Member, assert_error, error_fields, make_client

LEAK = "SELECT password_hash FROM users -- secret detail"


async def test_p06_unknown_route_is_404(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/v1/nowhere"), 404, "NOT_FOUND")


async def test_p06_wrong_method_is_405(client: httpx.AsyncClient) -> None:
    assert_error(await client.put("/api/v1/users/1"), 405, "METHOD_NOT_ALLOWED")
    assert_error(await client.delete("/health"), 405, "METHOD_NOT_ALLOWED")


async def test_p06_405_allows_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    """`Allow` lists the methods of every route on the path, not just the first route's."""
    for path, allowed in (
        ("/api/v1/users", "GET, POST"),
        ("/api/v1/users/1", "DELETE, GET, PATCH"),
        ("/api/v1/users/me", "GET"),
    ):
        response = await client.put(path)
        assert_error(response, 405, "METHOD_NOT_ALLOWED")
        assert response.headers["Allow"] == allowed, path
        for method in allowed.split(", "):  # every method it names is served
            assert (await client.request(method, path)).status_code != 405, (method, path)


@pytest.mark.parametrize("method", ["PATCH", "DELETE", "POST"])
async def test_p06_a_literal_path_is_not_captured_by_a_template(
    client: httpx.AsyncClient, member: Member, method: str
) -> None:
    """`/users/me` supports GET only: other methods are 405, never `/users/{user_id}` with a 422."""
    response = await client.request(
        method, "/api/v1/users/me", json={"full_name": "Me"}, headers=member.headers
    )
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["Allow"] == "GET"


async def test_p06_ids_in_paths_are_numbers(client: httpx.AsyncClient, member: Member) -> None:
    """A segment that is not a number names no user (404); a number no id can have is a 422."""
    assert_error(await client.get("/api/v1/users/abc", headers=member.headers), 404, "NOT_FOUND")
    for number in ("0", str(2**31)):
        response = await client.get(f"/api/v1/users/{number}", headers=member.headers)
        assert error_fields(response) == {"user_id"}


ADDRESS = {"street": "1 Main St", "city": "Springfield", "state": "NY", "zip_code": "10001"}


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PATCH", "/api/v1/users/{id}", {"nmae": "typo"}, "nmae"),
        ("PATCH", "/api/v1/users/{id}", {"full_name": "Real", "is_admin": True}, "is_admin"),
        ("POST", "/api/v1/posts", {"title": "t", "body": "b", "author_id": 1}, "author_id"),
        (
            "POST",
            "/api/v1/profiles",
            {"first_name": "A", "last_name": "B", "address": {**ADDRESS, "country": "US"}},
            "address.country",
        ),
    ],
    ids=["typo", "beside-valid-fields", "post", "nested"],
)
async def test_p06_unknown_fields_are_422_naming_the_field(
    client: httpx.AsyncClient,
    member: Member,
    method: str,
    path: str,
    body: dict[str, object],
    field: str,
) -> None:
    """A typo is never silently ignored: the unknown field is named, and nothing changes."""
    response = await client.request(
        method, path.format(id=member.id), json=body, headers=member.headers
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert [(detail["field"], detail["type"]) for detail in error["details"]] == [
        (field, "extra_forbidden")
    ]
    me = await client.get("/api/v1/users/me", headers=member.headers)
    assert me.json()["full_name"] is None


async def test_p06_unknown_form_fields_are_422(client: httpx.AsyncClient, member: Member) -> None:
    response = await client.post(
        "/api/v1/auth/token",
        data={"username": member.email, "password": "whatever-1", "usrename": "typo"},
    )
    assert error_fields(response) == {"usrename"}


@pytest.mark.parametrize(
    "content",
    [b'{"title": "unterminated', b'{"title": "\xff\xfe"}', b"[" * 100_000 + b"]" * 100_000],
    ids=["bad-json", "invalid-utf8", "nested-too-deeply"],
)
async def test_p06_every_unparseable_body_is_400_malformed_request(
    client: httpx.AsyncClient, member: Member, content: bytes
) -> None:
    response = await client.post(
        "/api/v1/posts",
        content=content,
        headers={**member.headers, "Content-Type": "application/json"},
    )
    error = assert_error(response, 400, "MALFORMED_REQUEST")
    assert "details" not in error


async def test_p06_malformed_json_is_400(client: httpx.AsyncClient, member: Member) -> None:
    response = await client.post(
        "/api/v1/posts",
        content=b'{"title": "unterminated',
        headers={**member.headers, "Content-Type": "application/json"},
    )
    error = assert_error(response, 400, "MALFORMED_REQUEST")
    assert "details" not in error


async def test_p06_validation_error_has_details(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/register", json={})
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert {detail["field"] for detail in error["details"]} == {"email", "password"}
    assert {detail["type"] for detail in error["details"]} == {"missing"}


async def test_p06_auth_errors_use_the_envelope(
    client: httpx.AsyncClient, member: Member, other_member: Member
) -> None:
    assert_error(await client.get("/api/v1/users/me"), 401, "NOT_AUTHENTICATED")
    forbidden = await client.delete(f"/api/v1/users/{other_member.id}", headers=member.headers)
    assert_error(forbidden, 403, "FORBIDDEN")
    conflict = await client.post(
        "/api/v1/users", json={"email": member.email, "password": "long-enough-1"}
    )
    assert_error(conflict, 409, "EMAIL_REGISTERED")


async def test_p06_unhandled_exception_is_500_without_internals(build_app: AppBuilder) -> None:
    app: FastAPI = await build_app()

    async def explode() -> None:
        raise RuntimeError(LEAK)

    app.add_api_route("/explode", explode)
    async with make_client(app) as http:
        response = await http.get("/explode", headers={"X-Request-ID": "boom-1"})
    error = assert_error(response, 500, "INTERNAL_ERROR")
    assert error["request_id"] == "boom-1"
    assert LEAK not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text
    assert response.headers["content-type"] == "application/json"
