"""P17 API versions and P18 the OpenAPI document (request bodies closed, P06) and the docs."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.contract.client import assert_error, new_user

#: Every /api/v1 path of docs/CONTRACT.md, path parameters written as {}.
CONTRACT_PATHS = {
    "/api/v1/auth/register",
    "/api/v1/auth/token",
    "/api/v1/users",
    "/api/v1/users/me",
    "/api/v1/users/{}",
    "/api/v1/profiles",
    "/api/v1/posts",
    "/api/v1/posts/{}",
    "/api/v1/accounts",
    "/api/v1/accounts/{}",
    "/api/v1/transfers",
    "/api/v2/users/{}",
}


def _normalised(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/") or "/")


@pytest.fixture
def openapi(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200, response.text
    return response.json()


def test_p17_v1_and_v2_user_shapes(client: httpx.Client) -> None:
    user = new_user(client, "versions")
    v1 = client.get(f"/api/v1/users/{user.id}", headers=user.headers)
    v2 = client.get(f"/api/v2/users/{user.id}", headers=user.headers)
    assert v1.status_code == 200, v1.text
    assert v2.status_code == 200, v2.text
    assert v1.json()["role"] == "user"
    assert "created_at" not in v1.json()
    body = v2.json()
    assert "role" not in body
    assert body["roles"] == ["user"]
    assert isinstance(body["created_at"], str)
    assert body["id"] == user.id
    assert body["email"] == user.email


def test_p17_v2_errors(client: httpx.Client) -> None:
    user = new_user(client)
    assert_error(
        client.get("/api/v2/users/2147483000", headers=user.headers), 404, "USER_NOT_FOUND"
    )
    assert_error(client.get(f"/api/v2/users/{user.id}"), 401, "NOT_AUTHENTICATED")


def test_p17_both_versions_documented(openapi: dict[str, Any]) -> None:
    paths = {_normalised(path) for path in openapi["paths"]}
    assert {"/api/v1/users/{}", "/api/v2/users/{}"} <= paths


def test_p18_openapi_document(openapi: dict[str, Any]) -> None:
    assert str(openapi["openapi"]).startswith("3.")
    paths = {_normalised(path) for path in openapi["paths"]}
    assert paths >= CONTRACT_PATHS, sorted(CONTRACT_PATHS - paths)


def test_p18_bearer_security_scheme(openapi: dict[str, Any]) -> None:
    schemes = openapi.get("components", {}).get("securitySchemes", {}).values()

    def is_bearer(scheme: dict[str, Any]) -> bool:
        if scheme.get("type") == "http":
            return str(scheme.get("scheme", "")).lower() == "bearer"
        return scheme.get("type") == "oauth2" and "password" in scheme.get("flows", {})

    assert any(is_bearer(scheme) for scheme in schemes), openapi.get("components")


def test_p18_operations_have_responses(openapi: dict[str, Any]) -> None:
    methods = {"get", "post", "put", "patch", "delete"}
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in methods:
                assert operation.get("responses"), f"{method.upper()} {path} has no responses"


def _object_schemas(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    """``schema`` and every object schema it reaches through ``$ref``, ``properties``,
    ``anyOf`` / ``allOf`` / ``oneOf`` and ``items``."""
    found: list[dict[str, Any]] = []
    pending, seen = [schema], set()
    while pending:
        node = pending.pop()
        if "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/components/schemas/"), ref
            if ref not in seen:
                seen.add(ref)
                pending.append(components[ref.rsplit("/", 1)[-1]])
            continue
        if node.get("type") == "object" or "properties" in node:
            found.append(node)
        pending += list(node.get("properties", {}).values())
        for combinator in ("anyOf", "allOf", "oneOf"):
            pending += node.get(combinator, [])
        if isinstance(node.get("items"), dict):
            pending.append(node["items"])
    return found


def test_p06_request_body_schemas_forbid_unknown_properties(openapi: dict[str, Any]) -> None:
    """Every object a client sends, nested ones included, says ``additionalProperties: false``,
    so the document and the service agree that an unknown field is a 422."""
    components = openapi.get("components", {}).get("schemas", {})
    bodies, open_objects = 0, []
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                bodies += 1
                where = f"{method.upper()} {path} {media_type}"
                objects = _object_schemas(content.get("schema", {}), components)
                if not objects:  # `{}` or a bare type: anything goes
                    open_objects.append(f"{where}: no object schema")
                open_objects += [
                    f"{where}: {schema.get('title', '(untitled)')}"
                    for schema in objects
                    if schema.get("additionalProperties") is not False
                ]
    assert bodies, "no request body in /openapi.json"
    assert not open_objects, "request bodies that admit unknown properties:\n" + (
        "\n".join(open_objects)
    )


def test_p18_interactive_docs(client: httpx.Client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text.lower()
