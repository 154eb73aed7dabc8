"""P10: `GET /users/{id}` is cached; writes invalidate it."""

import asyncio

import httpx
from fastapi import FastAPI

from tests.factories import Member, assert_error, count_queries, create_member


async def queries_for(client: httpx.AsyncClient, app: FastAPI, path: str, member: Member) -> int:
    with count_queries(app.state.engine) as statements:
        response = await client.get(path, headers=member.headers)
    assert response.status_code == 200, response.text
    return len(statements)


async def test_p10_a_warm_caller_is_authenticated_without_the_database(
    client: httpx.AsyncClient, app: FastAPI, member: Member
) -> None:
    """The caller's record is cached too: once warm, authenticating reads no row."""
    await queries_for(client, app, "/api/v1/users/me", member)
    assert await queries_for(client, app, "/api/v1/users/me", member) == 0


async def test_p10_second_read_is_served_from_cache(
    client: httpx.AsyncClient, app: FastAPI, member: Member
) -> None:
    target = await create_member(app)
    path = f"/api/v1/users/{target.id}"
    await queries_for(client, app, "/api/v1/users/me", member)
    assert await queries_for(client, app, path, member) == 1
    assert await queries_for(client, app, path, member) == 0


async def test_p10_concurrent_misses_share_one_fill(
    client: httpx.AsyncClient, app: FastAPI, member: Member
) -> None:
    """When a record expires, the requests waiting for it make one database read, not one each
    (on SQLite each would queue for the write lock)."""
    target = await create_member(app)
    await queries_for(client, app, "/api/v1/users/me", member)
    path = f"/api/v1/users/{target.id}"
    with count_queries(app.state.engine) as statements:
        responses = await asyncio.gather(
            *(client.get(path, headers=member.headers) for _ in range(20))
        )
    assert [response.status_code for response in responses] == [200] * 20
    assert len(statements) == 1


async def test_p10_v2_shares_the_cache(
    client: httpx.AsyncClient, app: FastAPI, member: Member
) -> None:
    target = await create_member(app)
    await queries_for(client, app, f"/api/v1/users/{target.id}", member)
    assert await queries_for(client, app, f"/api/v2/users/{target.id}", member) == 0


async def test_p10_patch_invalidates(client: httpx.AsyncClient, member: Member) -> None:
    path = f"/api/v1/users/{member.id}"
    assert (await client.get(path, headers=member.headers)).json()["full_name"] is None
    patched = await client.patch(path, json={"full_name": "Fresh Name"}, headers=member.headers)
    assert patched.status_code == 200
    for read_path in (path, f"/api/v2/users/{member.id}"):
        read = await client.get(read_path, headers=member.headers)
        assert read.json()["full_name"] == "Fresh Name"


async def test_p10_delete_invalidates(
    client: httpx.AsyncClient, app: FastAPI, admin: Member
) -> None:
    target = await create_member(app)
    path = f"/api/v1/users/{target.id}"
    assert (await client.get(path, headers=admin.headers)).status_code == 200
    assert (await client.delete(path, headers=admin.headers)).status_code == 204
    assert_error(await client.get(path, headers=admin.headers), 404, "USER_NOT_FOUND")
    v2 = await client.get(f"/api/v2/users/{target.id}", headers=admin.headers)
    assert_error(v2, 404, "USER_NOT_FOUND")
