"""P10: cached reads are never stale after a write (across workers too, with Redis)."""

from __future__ import annotations

import httpx

from tests.contract.client import admin_user, assert_error, new_user
from tests.support.harness import Service


def test_p10_read_after_patch_is_fresh(client: httpx.Client) -> None:
    user = new_user(client)
    path = f"/api/v1/users/{user.id}"
    for attempt in range(3):  # warm the cache, then write, then read: several times over
        before = client.get(path, headers=user.headers)
        assert before.status_code == 200, before.text
        name = f"Name {attempt}"
        patched = client.patch(path, json={"full_name": name}, headers=user.headers)
        assert patched.status_code == 200, patched.text
        for _ in range(4):  # more than one read, so every worker process is likely asked
            after = client.get(path, headers=user.headers)
            assert after.json()["full_name"] == name, after.text


def test_p10_v2_read_after_patch_is_fresh(client: httpx.Client) -> None:
    user = new_user(client)
    client.get(f"/api/v2/users/{user.id}", headers=user.headers)
    client.patch(f"/api/v1/users/{user.id}", json={"full_name": "Fresh"}, headers=user.headers)
    response = client.get(f"/api/v2/users/{user.id}", headers=user.headers)
    assert response.json()["full_name"] == "Fresh", response.text


def test_p10_read_after_delete_is_not_found(client: httpx.Client, service: Service) -> None:
    admin = admin_user(client, service.admin_email, service.admin_password)
    user = new_user(client)
    path = f"/api/v1/users/{user.id}"
    for _ in range(4):
        assert client.get(path, headers=admin.headers).status_code == 200
    assert client.delete(path, headers=admin.headers).status_code == 204
    for _ in range(4):
        assert_error(client.get(path, headers=admin.headers), 404, "USER_NOT_FOUND")
