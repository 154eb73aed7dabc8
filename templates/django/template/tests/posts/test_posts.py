"""Posts (the resource P12 lists with its authors)."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import Member, assert_error

pytestmark = pytest.mark.django_db


def error_fields(response: Any) -> set[str]:
    error = assert_error(response, 422, "VALIDATION_ERROR")
    return {detail["field"] for detail in error["details"]}


def test_p01_post_create_and_read(api_client: APIClient, member: Member) -> None:
    created = api_client.post(
        "/api/v1/posts", {"title": "Hello", "body": "World"}, format="json", headers=member.headers
    )
    assert created.status_code == 201, created.content
    post = created.json()
    assert set(post) == {"id", "title", "body", "author_id", "created_at"}
    assert post["title"] == "Hello"
    assert post["body"] == "World"
    assert post["author_id"] == member.id
    assert post["created_at"].endswith("+00:00")
    read = api_client.get(f"/api/v1/posts/{post['id']}", headers=member.headers)
    assert read.json() == post


def test_p01_body_defaults_to_empty(api_client: APIClient, member: Member) -> None:
    created = api_client.post(
        "/api/v1/posts", {"title": "T"}, format="json", headers=member.headers
    )
    assert created.status_code == 201, created.content
    assert created.json()["body"] == ""


def test_p01_unknown_post_is_404(api_client: APIClient, member: Member) -> None:
    response = api_client.get("/api/v1/posts/987654321", headers=member.headers)
    assert_error(response, 404, "POST_NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"title": "ok", "body": "b" * 10_001}, "body"),
        ({"title": 7}, "title"),
        ({"title": "ok", "body": "a\u0000b"}, "body"),
        ({"body": "no title"}, "title"),
    ],
)
def test_p02_invalid_post_is_422(
    api_client: APIClient, member: Member, body: dict[str, Any], field: str
) -> None:
    response = api_client.post("/api/v1/posts", body, format="json", headers=member.headers)
    assert error_fields(response) == {field}


def test_p04_posting_needs_a_token(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/posts", {"title": "Hello"}, format="json")
    assert_error(response, 401, "NOT_AUTHENTICATED")
