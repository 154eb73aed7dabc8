"""P10: `GET /users/<id>` is cached; writes invalidate it."""

from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Member, assert_error, count_queries, create_member, json_of


def queries_for(client: FlaskClient, app: Flask, path: str, member: Member) -> int:
    with count_queries(app) as statements:
        response = client.get(path, headers=member.headers)
    assert response.status_code == 200, response.text
    return len(statements)


def test_p10_a_warm_caller_is_authenticated_without_the_database(
    client: FlaskClient, app: Flask, member: Member
) -> None:
    """The caller's record is cached too: once warm, authenticating reads no row."""
    queries_for(client, app, "/api/v1/users/me", member)
    assert queries_for(client, app, "/api/v1/users/me", member) == 0


def test_p10_a_warm_read_runs_no_query(app: Flask, client: FlaskClient, member: Member) -> None:
    path = f"/api/v1/users/{member.id}"
    client.get(path, headers=member.headers)
    assert queries_for(client, app, path, member) == 0


def test_p10_second_read_is_served_from_cache(
    client: FlaskClient, app: Flask, member: Member
) -> None:
    target = create_member(app)
    path = f"/api/v1/users/{target.id}"
    queries_for(client, app, "/api/v1/users/me", member)
    assert queries_for(client, app, path, member) == 1
    assert queries_for(client, app, path, member) == 0


def test_p10_concurrent_misses_share_one_fill(
    client: FlaskClient, app: Flask, member: Member
) -> None:
    """When a record expires, the requests waiting for it make one database read, not one each
    (on SQLite each would queue for the write lock)."""
    target = create_member(app)
    queries_for(client, app, "/api/v1/users/me", member)
    path = f"/api/v1/users/{target.id}"

    def read(_: int) -> int:
        return app.test_client().get(path, headers=member.headers).status_code

    with count_queries(app) as statements, ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(read, range(20)))
    assert statuses == [200] * 20
    assert len(statements) == 1


def test_p10_v2_shares_the_cache(client: FlaskClient, app: Flask, member: Member) -> None:
    target = create_member(app)
    queries_for(client, app, f"/api/v1/users/{target.id}", member)
    assert queries_for(client, app, f"/api/v2/users/{target.id}", member) == 0


def test_p10_read_after_write_is_never_stale(client: FlaskClient, member: Member) -> None:
    path = f"/api/v1/users/{member.id}"
    assert json_of(client.get(path, headers=member.headers))["full_name"] is None  # cached
    client.patch(path, json={"full_name": "Fresh"}, headers=member.headers)
    assert json_of(client.get(path, headers=member.headers))["full_name"] == "Fresh"


def test_p10_patch_invalidates(client: FlaskClient, member: Member) -> None:
    path = f"/api/v1/users/{member.id}"
    assert json_of(client.get(path, headers=member.headers))["full_name"] is None
    patched = client.patch(path, json={"full_name": "Fresh Name"}, headers=member.headers)
    assert patched.status_code == 200, patched.text
    for read_path in (path, f"/api/v2/users/{member.id}"):
        read = client.get(read_path, headers=member.headers)
        assert json_of(read)["full_name"] == "Fresh Name"


def test_p10_delete_invalidates(client: FlaskClient, app: Flask, admin: Member) -> None:
    target = create_member(app)
    path = f"/api/v1/users/{target.id}"
    assert client.get(path, headers=admin.headers).status_code == 200
    assert client.delete(path, headers=admin.headers).status_code == 204
    assert_error(client.get(path, headers=admin.headers), 404, "USER_NOT_FOUND")
    v2 = client.get(f"/api/v2/users/{target.id}", headers=admin.headers)
    assert_error(v2, 404, "USER_NOT_FOUND")
