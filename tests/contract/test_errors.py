"""P06: every error is the one envelope, with no stack trace, SQL or driver name in it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.contract.client import assert_error, new_user, unique_email


def test_p06_unknown_route_is_not_found(client: httpx.Client) -> None:
    assert_error(client.get("/api/v1/no-such-route"), 404, "NOT_FOUND")


def test_p06_unknown_route_outside_api_is_not_found(client: httpx.Client) -> None:
    assert_error(client.get("/definitely/not/here"), 404, "NOT_FOUND")


def test_p06_missing_user_is_user_not_found(client: httpx.Client) -> None:
    user = new_user(client)
    response = client.get("/api/v1/users/2147483000", headers=user.headers)
    assert_error(response, 404, "USER_NOT_FOUND")


def test_p06_wrong_method_is_method_not_allowed(client: httpx.Client) -> None:
    assert_error(client.delete("/api/v1/auth/register"), 405, "METHOD_NOT_ALLOWED")


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
