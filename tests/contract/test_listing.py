"""P11 pagination, sorting and filtering of GET /api/v1/users; P12 include=posts (shape only;
the query count is the generated project's own test)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from tests.contract.client import User, admin_user, new_user, validation_fields
from tests.support.harness import Service

PAGE_KEYS = {"items", "total", "skip", "limit", "has_more"}


def _page(client: httpx.Client, user: User, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/users", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    page = response.json()
    assert set(page) == PAGE_KEYS, page
    return page


def _timestamp(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert value.tzinfo is not None, f"timestamp without UTC offset: {text}"
    return value


@pytest.fixture
def user(client: httpx.Client) -> User:
    for _ in range(2):  # at least three users exist, whatever ran before
        new_user(client, "list")
    return new_user(client, "list")


def test_p11_default_page(client: httpx.Client, user: User) -> None:
    page = _page(client, user)
    assert page["skip"] == 0
    assert page["limit"] == 10
    assert page["total"] >= 3
    assert len(page["items"]) == min(10, page["total"])
    assert page["has_more"] is (page["total"] > 10)


def test_p11_has_more(client: httpx.Client, user: User) -> None:
    first = _page(client, user, limit=1)
    total = first["total"]
    assert len(first["items"]) == 1
    assert first["has_more"] is True
    last = _page(client, user, skip=total - 1, limit=1)
    assert len(last["items"]) == 1
    assert last["has_more"] is False
    beyond = _page(client, user, skip=total, limit=5)
    assert beyond["items"] == []
    assert beyond["has_more"] is False
    assert beyond["total"] == total


def test_p11_pages_do_not_overlap(client: httpx.Client, user: User) -> None:
    first = _page(client, user, skip=0, limit=2, sort_by="id")
    second = _page(client, user, skip=2, limit=2, sort_by="id")
    first_ids = [item["id"] for item in first["items"]]
    second_ids = [item["id"] for item in second["items"]]
    assert not set(first_ids) & set(second_ids)
    assert max(first_ids) < min(second_ids)


@pytest.mark.parametrize("sort_order", ["asc", "desc"])
def test_p11_sort_by_id(client: httpx.Client, user: User, sort_order: str) -> None:
    ids = [
        item["id"]
        for item in _page(client, user, sort_by="id", sort_order=sort_order, limit=100)["items"]
    ]
    assert ids == sorted(ids, reverse=sort_order == "desc")
    assert len(ids) >= 3


def test_p11_sort_by_created_at_desc(client: httpx.Client, user: User) -> None:
    created = []
    for item in _page(client, user, sort_by="created_at", sort_order="desc", limit=20)["items"]:
        response = client.get(f"/api/v2/users/{item['id']}", headers=user.headers)
        assert response.status_code == 200, response.text
        created.append(_timestamp(response.json()["created_at"]))
    assert created == sorted(created, reverse=True)


def test_p11_newest_first(client: httpx.Client, user: User) -> None:
    newest = new_user(client, "newest")
    page = _page(client, user, sort_by="id", sort_order="desc", limit=1)
    assert page["items"][0]["id"] == newest.id


def test_p11_filter_by_email(client: httpx.Client, user: User) -> None:
    page = _page(client, user, email=user.email)
    assert page["total"] == 1
    assert [item["id"] for item in page["items"]] == [user.id]


def test_p11_filter_by_role(client: httpx.Client, user: User, service: Service) -> None:
    users = _page(client, user, role="user", limit=100)
    assert users["items"]
    assert {item["role"] for item in users["items"]} == {"user"}
    admins = _page(client, user, role="admin", limit=100)
    assert {item["role"] for item in admins["items"]} <= {"admin"}
    if service.admin_email:
        admin = admin_user(client, service.admin_email, service.admin_password)
        assert admin.id in {item["id"] for item in admins["items"]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"skip": -1}, "skip"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"sort_by": "password_hash"}, "sort_by"),
        ({"sort_by": "__init__"}, "sort_by"),
        ({"sort_by": "metadata"}, "sort_by"),
        ({"sort_order": "sideways"}, "sort_order"),
    ],
    ids=[
        "skip-negative",
        "limit-zero",
        "limit-101",
        "limit-text",
        "sort-password-hash",
        "sort-dunder",
        "sort-metadata",
        "order-unknown",
    ],
)
def test_p11_bad_query_is_rejected(
    client: httpx.Client, user: User, params: dict[str, Any], field: str
) -> None:
    response = client.get("/api/v1/users", params=params, headers=user.headers)
    assert validation_fields(response) == [field]


def test_p11_limit_bounds_accepted(client: httpx.Client, user: User) -> None:
    assert _page(client, user, limit=1)["limit"] == 1
    assert _page(client, user, limit=100)["limit"] == 100


def test_p11_listing_requires_authentication(client: httpx.Client) -> None:
    assert client.get("/api/v1/users").status_code == 401


def test_p12_include_posts(client: httpx.Client) -> None:
    author = new_user(client, "author")
    titles = {"First post", "Second post"}
    for title in sorted(titles):
        response = client.post(
            "/api/v1/posts", json={"title": title, "body": "Hello."}, headers=author.headers
        )
        assert response.status_code == 201, response.text
    page = _page(client, author, email=author.email, include="posts")
    (item,) = page["items"]
    assert {post["title"] for post in item["posts"]} == titles
    assert {post["author_id"] for post in item["posts"]} == {author.id}


def test_p12_include_posts_on_a_full_page(client: httpx.Client, user: User) -> None:
    page = _page(client, user, include="posts", sort_by="id", sort_order="desc", limit=100)
    assert all(isinstance(item["posts"], list) for item in page["items"])
    assert page["items"][0]["id"] == user.id
    assert page["items"][0]["posts"] == []
