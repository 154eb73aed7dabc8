"""P11 pagination, sorting and filtering; P12 no N+1 when posts are included."""

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import (
    Member,
    assert_error,
    count_queries,
    create_member,
    error_fields,
    json_of,
)

#: Pages `all_users` reads at most (100 users each).
MAX_PAGES = 1000


def page_of(client: FlaskClient, headers: dict[str, str], **query: Any) -> dict[str, Any]:
    response = client.get("/api/v1/users", query_string=query, headers=headers)
    assert response.status_code == 200, response.text
    return json_of(response)


def all_users(client: FlaskClient, headers: dict[str, str], **query: Any) -> list[Any]:
    """Every user, page by page."""
    users: list[Any] = []
    for _ in range(MAX_PAGES):
        page = page_of(client, headers, **query, skip=len(users), limit=100)
        users += page["items"]
        if not page["has_more"]:
            return users
    raise AssertionError(f"more than {MAX_PAGES} pages of users")


def test_p11_page_shape_and_defaults(client: FlaskClient, member: Member) -> None:
    page = page_of(client, member.headers)
    assert set(page) == {"items", "total", "skip", "limit", "has_more"}
    assert page["skip"] == 0
    assert page["limit"] == 10
    assert len(page["items"]) == min(10, page["total"])
    assert page["has_more"] == (page["total"] > 10)
    assert set(page["items"][0]) >= {"id", "email", "full_name", "role", "is_active"}
    assert "password_hash" not in page["items"][0]


def test_p11_page_sort_and_filter(client: FlaskClient, member: Member) -> None:
    page = page_of(client, member.headers, skip=0, limit=2, sort_by="created_at", sort_order="desc")
    assert set(page) == {"items", "total", "skip", "limit", "has_more"}
    assert len(page["items"]) <= 2
    found = page_of(client, member.headers, email=member.email.upper())
    assert [item["id"] for item in found["items"]] == [member.id]


def test_p11_pagination_math(client: FlaskClient, app: Flask, member: Member) -> None:
    for _ in range(3):
        create_member(app)
    first = page_of(client, member.headers, limit=2)
    total = first["total"]
    assert total >= 4
    assert len(first["items"]) == 2
    assert first["has_more"] is True

    second = page_of(client, member.headers, skip=2, limit=2)
    first_ids = [user["id"] for user in first["items"]]
    second_ids = [user["id"] for user in second["items"]]
    assert first_ids + second_ids == sorted(first_ids + second_ids)
    assert not set(first_ids) & set(second_ids)

    last = page_of(client, member.headers, skip=total - 1, limit=2)
    assert (len(last["items"]), last["has_more"], last["total"]) == (1, False, total)

    beyond = page_of(client, member.headers, skip=total, limit=100)
    assert (beyond["items"], beyond["has_more"], beyond["total"]) == ([], False, total)

    assert len(all_users(client, member.headers)) == total


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("skip=-1", "skip"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("sort_by=password_hash", "sort_by"),
        ("sort_by=__init__", "sort_by"),
        ("sort_by=is_active", "sort_by"),
        ("sort_order=sideways", "sort_order"),
        ("role=superuser", "role"),
        ("include=accounts", "include"),
    ],
)
def test_p11_bad_list_query_is_422(
    client: FlaskClient, member: Member, query: str, field: str
) -> None:
    response = client.get(f"/api/v1/users?{query}", headers=member.headers)
    assert error_fields(response) == {field}


def test_p11_sort_field_is_allow_listed(client: FlaskClient, member: Member) -> None:
    for sort_by in ("password_hash", "__init__", "metadata"):
        response = client.get(
            "/api/v1/users", query_string={"sort_by": sort_by}, headers=member.headers
        )
        assert_error(response, 422, "VALIDATION_ERROR")


def test_p11_limit_bounds_are_inclusive(client: FlaskClient, member: Member) -> None:
    for limit in (1, 100):
        assert page_of(client, member.headers, limit=limit)["limit"] == limit


def test_p11_listing_needs_a_token(client: FlaskClient) -> None:
    assert_error(client.get("/api/v1/users"), 401, "NOT_AUTHENTICATED")


def test_p11_sort_by_id_and_created_at(
    client: FlaskClient, app: Flask, member: Member, admin: Member
) -> None:
    newest = create_member(app)
    by_id = page_of(client, member.headers, sort_by="id", sort_order="desc", limit=100)
    ids = [user["id"] for user in by_id["items"]]
    assert ids[0] == newest.id
    assert ids == sorted(ids, reverse=True)
    for order, first in (("desc", newest.id), ("asc", admin.id)):
        page = page_of(client, member.headers, sort_by="created_at", sort_order=order)
        assert page["items"][0]["id"] == first


def test_p11_sort_by_email_both_ways(client: FlaskClient, app: Flask, member: Member) -> None:
    tag = uuid.uuid4().hex
    emails = [f"sort-{letter}-{tag}@example.com" for letter in "abc"]
    for email in reversed(emails):
        create_member(app, email=email)
    for order, expected in (("asc", emails), ("desc", emails[::-1])):
        users = all_users(client, member.headers, sort_by="email", sort_order=order)
        assert [user["email"] for user in users if tag in user["email"]] == expected


def test_p11_filter_by_email_and_role(client: FlaskClient, member: Member, admin: Member) -> None:
    by_email = page_of(client, member.headers, email=member.email.upper())
    assert by_email["total"] == 1
    assert [user["id"] for user in by_email["items"]] == [member.id]

    admins = all_users(client, member.headers, role="admin")
    assert admin.id in [user["id"] for user in admins]
    assert {user["role"] for user in admins} == {"admin"}

    nobody = page_of(client, member.headers, email="nobody@example.com")
    assert nobody == {"items": [], "total": 0, "skip": 0, "limit": 10, "has_more": False}


def test_p12_include_posts(client: FlaskClient, app: Flask) -> None:
    author = create_member(app, posts=3)
    page = page_of(client, author.headers, email=author.email, include="posts")
    (user,) = page["items"]
    assert sorted(post["title"] for post in user["posts"]) == ["Post 0", "Post 1", "Post 2"]
    assert {post["author_id"] for post in user["posts"]} == {author.id}

    without = page_of(client, author.headers, email=author.email)
    assert without["items"][0]["posts"] is None


def test_p12_posts_load_in_constant_queries(app: Flask, client: FlaskClient) -> None:
    authors = [create_member(app, posts=3) for _ in range(4)]
    query = {"include": "posts", "sort_by": "id", "sort_order": "desc"}

    def listing(limit: int) -> int:
        with count_queries(app) as statements:
            page_of(client, authors[0].headers, **query, limit=limit)
        return len(statements)

    listing(2)  # authenticates the caller once: its record is cached from here on
    assert listing(2) == listing(4)


def test_p12_include_posts_takes_constant_queries(client: FlaskClient, app: Flask) -> None:
    authors = [create_member(app, posts=2) for _ in range(20)]
    caller = authors[0]
    client.get("/api/v1/users/me", headers=caller.headers)  # the caller's record is cached
    counts = {}
    for limit in (2, 20):
        with count_queries(app) as statements:
            page = page_of(
                client,
                caller.headers,
                sort_by="id",
                sort_order="desc",
                limit=limit,
                include="posts",
            )
        items = page["items"]
        assert len(items) == limit
        assert all(len(user["posts"]) == 2 for user in items)
        counts[limit] = len(statements)
    assert counts[2] == counts[20]
