"""P06: every error, expected or not, is the one envelope."""

import pytest
from flask.testing import FlaskClient

from tests.conftest import AppBuilder
from tests.factories import Member, assert_error, error_fields, json_of

LEAK = "SELECT password_hash FROM users -- secret detail"
ADDRESS = {"street": "1 Main St", "city": "Springfield", "state": "NY", "zip_code": "10001"}


def test_p06_unknown_route_is_404(client: FlaskClient) -> None:
    assert_error(client.get("/api/v1/nowhere"), 404, "NOT_FOUND")


def test_p06_unknown_route_and_wrong_method(client: FlaskClient) -> None:
    assert_error(client.get("/no-such-route"), 404, "NOT_FOUND")
    refused = client.put("/api/v1/users/me")
    assert_error(refused, 405, "METHOD_NOT_ALLOWED")
    assert refused.headers["Allow"] == "GET"


def test_p06_wrong_method_is_405(client: FlaskClient) -> None:
    assert_error(client.put("/api/v1/users/1"), 405, "METHOD_NOT_ALLOWED")
    assert_error(client.delete("/health"), 405, "METHOD_NOT_ALLOWED")


def test_p06_405_allows_every_method_of_the_path(client: FlaskClient) -> None:
    """`Allow` lists the methods of every route on the path, not just the first route's (in
    the order the routes were registered: the header is a set)."""
    for path, allowed in (
        ("/api/v1/users", {"GET", "POST"}),
        ("/api/v1/users/1", {"DELETE", "GET", "PATCH"}),
        ("/api/v1/users/me", {"GET"}),
    ):
        response = client.put(path)
        assert_error(response, 405, "METHOD_NOT_ALLOWED")
        assert set(response.headers["Allow"].split(", ")) == allowed, path
        for method in allowed:  # every method it names is served
            assert client.open(path, method=method).status_code != 405, (method, path)


@pytest.mark.parametrize("method", ["PATCH", "DELETE", "POST"])
def test_p06_a_literal_path_is_not_captured_by_a_template(
    client: FlaskClient, member: Member, method: str
) -> None:
    """`/users/me` supports GET only: other methods are 405, never `/users/<id>` with a 422."""
    response = client.open(
        "/api/v1/users/me", method=method, json={"full_name": "Me"}, headers=member.headers
    )
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["Allow"] == "GET"


def test_p06_ids_in_paths_are_numbers(client: FlaskClient, member: Member) -> None:
    """A segment that is not a number names no user (404); a number no id can have is a 422."""
    assert_error(client.get("/api/v1/users/abc", headers=member.headers), 404, "NOT_FOUND")
    for number in ("0", str(2**31)):
        response = client.get(f"/api/v1/users/{number}", headers=member.headers)
        assert error_fields(response) == {"user_id"}


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
def test_p06_unknown_fields_are_422_naming_the_field(
    client: FlaskClient,
    member: Member,
    method: str,
    path: str,
    body: dict[str, object],
    field: str,
) -> None:
    """A typo is never silently ignored: the unknown field is named, and nothing changes."""
    response = client.open(
        path.format(id=member.id), method=method, json=body, headers=member.headers
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert [(detail["field"], detail["type"]) for detail in error["details"]] == [
        (field, "extra_forbidden")
    ]
    assert json_of(client.get("/api/v1/users/me", headers=member.headers))["full_name"] is None


def test_p06_unknown_form_fields_are_422(client: FlaskClient, member: Member) -> None:
    response = client.post(
        "/api/v1/auth/token",
        data={"username": member.email, "password": "whatever-1", "usrename": "typo"},
    )
    assert error_fields(response) == {"usrename"}


@pytest.mark.parametrize(
    "content",
    [
        b'{"title": "unterminated',
        b"{not json",
        b'{"title": "\xff\xfe"}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["bad-json", "not-json", "invalid-utf8", "nested-too-deeply"],
)
def test_p06_every_unparseable_body_is_400_malformed_request(
    client: FlaskClient, member: Member, content: bytes
) -> None:
    response = client.post(
        "/api/v1/posts", data=content, content_type="application/json", headers=member.headers
    )
    error = assert_error(response, 400, "MALFORMED_REQUEST")
    assert "details" not in error


@pytest.mark.parametrize("path", ["/api/v1/posts", "/api/v1/users/{id}"])
def test_p06_null_body_is_422_naming_the_whole_body(
    client: FlaskClient, member: Member, path: str
) -> None:
    """`null` is neither an object nor `{}`: the whole body (field "") is refused."""
    null = client.open(
        path.format(id=member.id),
        method="POST" if path.endswith("posts") else "PATCH",
        data=b"null",
        content_type="application/json",
        headers=member.headers,
    )
    assert error_fields(null) == {""}


def test_p06_validation_error_has_details(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/register", json={})
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert {detail["field"] for detail in error["details"]} == {"email", "password"}
    assert {detail["type"] for detail in error["details"]} == {"missing"}


def test_p06_auth_errors_use_the_envelope(
    client: FlaskClient, member: Member, other_member: Member
) -> None:
    assert_error(client.get("/api/v1/users/me"), 401, "NOT_AUTHENTICATED")
    forbidden = client.delete(f"/api/v1/users/{other_member.id}", headers=member.headers)
    assert_error(forbidden, 403, "FORBIDDEN")
    conflict = client.post(
        "/api/v1/users", json={"email": member.email, "password": "long-enough-1"}
    )
    assert_error(conflict, 409, "EMAIL_REGISTERED")


def test_p06_unhandled_exception_is_500_without_internals(build_app: AppBuilder) -> None:
    app = build_app()

    def explode() -> str:
        raise RuntimeError(LEAK)

    app.add_url_rule("/explode", view_func=explode)
    response = app.test_client().get("/explode", headers={"X-Request-ID": "boom-1"})
    error = assert_error(response, 500, "INTERNAL_ERROR")
    assert error["request_id"] == "boom-1"
    assert LEAK not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text
    assert response.headers["Content-Type"] == "application/json"
