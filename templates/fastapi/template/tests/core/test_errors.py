"""P06: every error, expected or not, is the one envelope."""

import httpx
from fastapi import FastAPI

from tests.factories import AppBuilder, Member, assert_error, make_client

LEAK = "SELECT password_hash FROM users -- secret detail"


async def test_p06_unknown_route_is_404(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/v1/nowhere"), 404, "NOT_FOUND")


async def test_p06_wrong_method_is_405(client: httpx.AsyncClient) -> None:
    assert_error(await client.put("/api/v1/users/1"), 405, "METHOD_NOT_ALLOWED")
    assert_error(await client.delete("/health"), 405, "METHOD_NOT_ALLOWED")


async def test_p06_405_allows_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    """`Allow` lists the methods of every route on the path, not just the first route's."""
    for path, allowed in (
        ("/api/v1/users", "GET, HEAD, POST"),
        ("/api/v1/users/1", "DELETE, GET, HEAD, PATCH"),
        ("/api/v1/users/me", "GET, HEAD"),
    ):
        response = await client.put(path)
        assert_error(response, 405, "METHOD_NOT_ALLOWED")
        assert response.headers["Allow"] == allowed, path


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
