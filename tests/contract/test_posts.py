"""Posts (the resource P12 loads)."""

from __future__ import annotations

import httpx

from tests.contract.client import assert_error, new_user, validation_fields


def test_p01_create_and_get_post(client: httpx.Client) -> None:
    author = new_user(client, "poster")
    response = client.post(
        "/api/v1/posts", json={"title": "Hello", "body": "World"}, headers=author.headers
    )
    assert response.status_code == 201, response.text
    post = response.json()
    assert {"id", "title", "body", "author_id", "created_at"} <= set(post)
    assert post["author_id"] == author.id
    again = client.get(f"/api/v1/posts/{post['id']}", headers=author.headers)
    assert again.status_code == 200, again.text
    assert again.json() == post


def test_p01_missing_post(client: httpx.Client) -> None:
    user = new_user(client)
    assert_error(
        client.get("/api/v1/posts/2147483000", headers=user.headers), 404, "POST_NOT_FOUND"
    )


def test_p02_post_bounds(client: httpx.Client) -> None:
    user = new_user(client)
    for body, field in (
        ({"title": "", "body": "x"}, "title"),
        ({"title": "t" * 201, "body": "x"}, "title"),
        ({"title": "ok", "body": "b" * 10001}, "body"),
    ):
        response = client.post("/api/v1/posts", json=body, headers=user.headers)
        assert validation_fields(response) == [field]


def test_p01_posts_require_authentication(client: httpx.Client) -> None:
    response = client.post("/api/v1/posts", json={"title": "Hello", "body": "World"})
    assert_error(response, 401, "NOT_AUTHENTICATED")
