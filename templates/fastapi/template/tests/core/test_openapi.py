"""P18: the OpenAPI document and the interactive docs."""

from typing import Any

import httpx
import pytest

OPERATIONS = {
    "/health": {"get"},
    "/api/v1/auth/register": {"post"},
    "/api/v1/auth/token": {"post"},
    "/api/v1/users": {"get", "post"},
    "/api/v1/users/me": {"get"},
    "/api/v1/users/{user_id}": {"get", "patch", "delete"},
    "/api/v1/profiles": {"post"},
    "/api/v1/posts": {"post"},
    "/api/v1/posts/{post_id}": {"get"},
    "/api/v1/accounts": {"post"},
    "/api/v1/accounts/{account_id}": {"get"},
    "/api/v1/transfers": {"post"},
    "/api/v2/users/{user_id}": {"get"},
    "/api/v1/notifications": {"post"},
    "/api/v1/events/stream": {"get"},
}


@pytest.fixture(scope="module")
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def test_p18_every_operation_is_described(document: dict[str, Any]) -> None:
    """Every operation the service starts with, exactly; the features added to it since
    (`apigen add resource`) bring their own paths, all under `/api/v1/`."""
    assert document["openapi"].startswith("3.")
    described = {path: set(item) for path, item in document["paths"].items()}
    assert {path: described.get(path) for path in OPERATIONS} == OPERATIONS
    assert all(path.startswith("/api/v1/") for path in described.keys() - OPERATIONS.keys())


async def test_p18_bearer_security_scheme(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    (name, scheme) = next(iter(schemes.items()))
    assert scheme["type"] == "oauth2"
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    me = document["paths"]["/api/v1/users/me"]["get"]
    assert {name: []} in me["security"]


async def test_p18_request_and_response_schemas(document: dict[str, Any]) -> None:
    transfer = document["paths"]["/api/v1/transfers"]["post"]
    request_schema = transfer["requestBody"]["content"]["application/json"]["schema"]
    assert request_schema["$ref"].endswith("/TransferCreate")
    created = transfer["responses"]["201"]["content"]["application/json"]["schema"]
    assert created["$ref"].endswith("/TransferRead")


async def test_p18_errors_are_documented_with_the_envelope(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            errors = {code for code in operation["responses"] if code.startswith(("4", "5"))}
            assert {"413", "429"} <= errors, (method, path)
            for code in errors:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/ErrorEnvelope"), (method, path, code)
    envelope = document["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["error"]


async def test_p18_documented_statuses(document: dict[str, Any]) -> None:
    transfer = document["paths"]["/api/v1/transfers"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "422", "429"} <= set(transfer)
    delete = document["paths"]["/api/v1/users/{user_id}"]["delete"]["responses"]
    assert {"204", "401", "403", "404"} <= set(delete)


def _schemas_under(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    """`schema` and every object schema it reaches through `$ref`, properties and unions."""
    found, pending, seen = [], [schema], set()
    while pending:
        node = pending.pop()
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                pending.append(components[name])
            continue
        if node.get("type") == "object" or "properties" in node:
            found.append(node)
        pending += list(node.get("properties", {}).values())
        pending += node.get("anyOf", []) + node.get("allOf", []) + node.get("oneOf", [])
        if isinstance(node.get("items"), dict):
            pending.append(node["items"])
    return found


async def test_p06_request_bodies_forbid_unknown_fields(document: dict[str, Any]) -> None:
    """Every object a client sends, nested ones included, says `additionalProperties: false`."""
    components = document["components"]["schemas"]
    bodies = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                for schema in _schemas_under(content["schema"], components):
                    bodies += 1
                    assert schema.get("additionalProperties") is False, (method, path, schema)
    assert bodies >= 9


async def test_p18_interactive_docs(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "/openapi.json" in response.text
