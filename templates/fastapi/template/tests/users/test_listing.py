"""P11 pagination, sorting and filtering; P12 no N+1 when posts are included."""

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Member, count_queries, create_member, error_fields


async def all_users(client: httpx.AsyncClient, headers: dict[str, str], **query: Any) -> list[Any]:
    """Every user, page by page."""
    users: list[Any] = []
    while True:
        response = await client.get(
            "/api/v1/users", params={**query, "skip": len(users), "limit": 100}, headers=headers
        )
        assert response.status_code == 200, response.text
        users += response.json()["items"]
        if not response.json()["has_more"]:
            return users


async def test_p11_page_shape_and_defaults(client: httpx.AsyncClient, member: Member) -> None:
    response = await client.get("/api/v1/users", headers=member.headers)
    assert response.status_code == 200
    page = response.json()
    assert set(page) == {"items", "total", "skip", "limit", "has_more"}
    assert page["skip"] == 0
    assert page["limit"] == 10
    assert len(page["items"]) == min(10, page["total"])
    assert page["has_more"] == (page["total"] > 10)
    assert set(page["items"][0]) >= {"id", "email", "full_name", "role", "is_active"}
    assert "password_hash" not in page["items"][0]


async def test_p11_pagination_math(client: httpx.AsyncClient, app: FastAPI, member: Member) -> None:
    for _ in range(3):
        await create_member(app)
    first = (await client.get("/api/v1/users?limit=2", headers=member.headers)).json()
    total = first["total"]
    assert total >= 4
    assert len(first["items"]) == 2
    assert first["has_more"] is True

    second = (await client.get("/api/v1/users?skip=2&limit=2", headers=member.headers)).json()
    first_ids = [user["id"] for user in first["items"]]
    second_ids = [user["id"] for user in second["items"]]
    assert first_ids + second_ids == sorted(first_ids + second_ids)
    assert not set(first_ids) & set(second_ids)

    last = (
        await client.get(f"/api/v1/users?skip={total - 1}&limit=2", headers=member.headers)
    ).json()
    assert (len(last["items"]), last["has_more"], last["total"]) == (1, False, total)

    beyond = (
        await client.get(f"/api/v1/users?skip={total}&limit=100", headers=member.headers)
    ).json()
    assert (beyond["items"], beyond["has_more"], beyond["total"]) == ([], False, total)

    assert len(await all_users(client, member.headers)) == total


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
async def test_p11_bad_list_query_is_422(
    client: httpx.AsyncClient, member: Member, query: str, field: str
) -> None:
    response = await client.get(f"/api/v1/users?{query}", headers=member.headers)
    assert error_fields(response) == {field}


async def test_p11_limit_bounds_are_inclusive(client: httpx.AsyncClient, member: Member) -> None:
    for limit in (1, 100):
        response = await client.get(f"/api/v1/users?limit={limit}", headers=member.headers)
        assert response.status_code == 200
        assert response.json()["limit"] == limit


async def test_p11_listing_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/users")
    assert response.status_code == 401


async def test_p11_sort_by_id_and_created_at(
    client: httpx.AsyncClient, app: FastAPI, member: Member, admin: Member
) -> None:
    newest = await create_member(app)
    by_id = await client.get(
        "/api/v1/users?sort_by=id&sort_order=desc&limit=100", headers=member.headers
    )
    ids = [user["id"] for user in by_id.json()["items"]]
    assert ids[0] == newest.id
    assert ids == sorted(ids, reverse=True)
    for order, first in (("desc", newest.id), ("asc", admin.id)):
        response = await client.get(
            f"/api/v1/users?sort_by=created_at&sort_order={order}", headers=member.headers
        )
        assert response.json()["items"][0]["id"] == first


async def test_p11_sort_by_email_both_ways(
    client: httpx.AsyncClient, app: FastAPI, member: Member
) -> None:
    tag = uuid.uuid4().hex
    emails = [f"sort-{letter}-{tag}@example.com" for letter in "abc"]
    for email in reversed(emails):
        await create_member(app, email=email)
    for order, expected in (("asc", emails), ("desc", emails[::-1])):
        users = await all_users(client, member.headers, sort_by="email", sort_order=order)
        assert [user["email"] for user in users if tag in user["email"]] == expected


async def test_p11_filter_by_email_and_role(
    client: httpx.AsyncClient, member: Member, admin: Member
) -> None:
    by_email = await client.get(
        "/api/v1/users", params={"email": member.email.upper()}, headers=member.headers
    )
    assert by_email.json()["total"] == 1
    assert [user["id"] for user in by_email.json()["items"]] == [member.id]

    admins = await all_users(client, member.headers, role="admin")
    assert admin.id in [user["id"] for user in admins]
    assert {user["role"] for user in admins} == {"admin"}

    nobody = await client.get(
        "/api/v1/users", params={"email": "nobody@example.com"}, headers=member.headers
    )
    assert nobody.json() == {"items": [], "total": 0, "skip": 0, "limit": 10, "has_more": False}


async def test_p12_include_posts(client: httpx.AsyncClient, app: FastAPI) -> None:
    author = await create_member(app, posts=3)
    response = await client.get(
        "/api/v1/users", params={"email": author.email, "include": "posts"}, headers=author.headers
    )
    (user,) = response.json()["items"]
    assert sorted(post["title"] for post in user["posts"]) == ["Post 0", "Post 1", "Post 2"]
    assert {post["author_id"] for post in user["posts"]} == {author.id}

    without = await client.get(
        "/api/v1/users", params={"email": author.email}, headers=author.headers
    )
    assert without.json()["items"][0]["posts"] is None


async def test_p12_include_posts_takes_constant_queries(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    authors = [await create_member(app, posts=2) for _ in range(20)]
    caller = authors[0]
    await client.get("/api/v1/users/me", headers=caller.headers)  # the caller's record is cached
    counts = {}
    for limit in (2, 20):
        with count_queries(app.state.engine) as statements:
            response = await client.get(
                "/api/v1/users",
                params={"sort_by": "id", "sort_order": "desc", "limit": limit, "include": "posts"},
                headers=caller.headers,
            )
        items = response.json()["items"]
        assert len(items) == limit
        assert all(len(user["posts"]) == 2 for user in items)
        counts[limit] = len(statements)
    assert counts[2] == counts[20]
