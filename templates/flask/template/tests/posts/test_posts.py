"""Posts (the resource P12 lists with its authors)."""

import pytest
from flask.testing import FlaskClient

from tests.factories import Member, assert_error, error_fields, json_of


def test_p01_post_create_and_read(client: FlaskClient, member: Member) -> None:
    created = client.post(
        "/api/v1/posts", json={"title": "Hello", "body": "World"}, headers=member.headers
    )
    assert created.status_code == 201, created.text
    post = json_of(created)
    assert post["title"] == "Hello"
    assert post["body"] == "World"
    assert post["author_id"] == member.id
    read = client.get(f"/api/v1/posts/{post['id']}", headers=member.headers)
    assert json_of(read) == post


def test_p01_unknown_post_is_404(client: FlaskClient, member: Member) -> None:
    response = client.get("/api/v1/posts/987654321", headers=member.headers)
    assert_error(response, 404, "POST_NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"title": "ok", "body": "b" * 10_001}, "body"),
    ],
)
def test_p02_invalid_post_is_422(
    client: FlaskClient, member: Member, body: dict[str, str], field: str
) -> None:
    response = client.post("/api/v1/posts", json=body, headers=member.headers)
    assert error_fields(response) == {field}


def test_p04_posting_needs_a_token(client: FlaskClient) -> None:
    response = client.post("/api/v1/posts", json={"title": "Hello"})
    assert_error(response, 401, "NOT_AUTHENTICATED")
