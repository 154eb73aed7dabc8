"""P18: the OpenAPI document and the interactive docs."""

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import json_of

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
#: The schemas APIFlask documents the error envelope under: one shape (ERROR_SCHEMA) for both.
ENVELOPES = ("/HTTPError", "/ValidationError")


@pytest.fixture(scope="module")
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return json_of(response)


def test_p18_every_operation_is_described(document: dict[str, Any]) -> None:
    """Every operation the service starts with, exactly; the features added to it since
    (`apigen add resource`) bring their own paths, all under `/api/v1/`."""
    assert document["openapi"].startswith("3.")
    described = {path: set(item) for path, item in document["paths"].items()}
    assert {path: described.get(path) for path in OPERATIONS} == OPERATIONS
    assert all(path.startswith("/api/v1/") for path in described.keys() - OPERATIONS.keys())


def test_p18_openapi_and_docs(client: FlaskClient, document: dict[str, Any]) -> None:
    assert document["components"]["schemas"]["UserUpdate"]["additionalProperties"] is False
    # Anyone may create a user, and a bearer token lets an administrator create an admin.
    assert document["paths"]["/api/v1/users"]["post"]["security"] == [{"BearerAuth": []}, {}]
    assert document["paths"]["/api/v1/posts"]["post"]["requestBody"]["required"] is True
    assert client.get("/docs").status_code == 200


def test_p18_bearer_security_scheme(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerAuth"]["type"] == "http"
    assert schemes["BearerAuth"]["scheme"] == "bearer"
    assert "/api/v1/auth/token" in schemes["BearerAuth"]["description"]
    me = document["paths"]["/api/v1/users/me"]["get"]
    assert me["security"] == [{"BearerAuth": []}]


def test_p18_request_and_response_schemas(document: dict[str, Any]) -> None:
    transfer = document["paths"]["/api/v1/transfers"]["post"]
    request_schema = transfer["requestBody"]["content"]["application/json"]["schema"]
    assert request_schema["$ref"].endswith("/TransferCreate")
    created = transfer["responses"]["201"]["content"]["application/json"]["schema"]
    assert created["$ref"].endswith("/TransferRead")


def test_p18_errors_are_documented_with_the_envelope(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            errors = {code for code in operation["responses"] if code.startswith(("4", "5"))}
            assert {"413", "429"} <= errors, (method, path)
            for code in errors:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith(ENVELOPES), (method, path, code)
    for name in ENVELOPES:
        envelope = document["components"]["schemas"][name.removeprefix("/")]
        assert envelope["required"] == ["error"]
        assert envelope["properties"]["error"]["required"] == [
            "code",
            "message",
            "path",
            "request_id",
        ]


def test_p18_documented_statuses(document: dict[str, Any]) -> None:
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


def test_p06_request_bodies_forbid_unknown_fields(document: dict[str, Any]) -> None:
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


def test_p17_both_versions_are_documented(document: dict[str, Any]) -> None:
    assert "/api/v1/users/{user_id}" in document["paths"]
    assert "/api/v2/users/{user_id}" in document["paths"]


def test_p18_interactive_docs(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "text/html" in response.headers["Content-Type"]
    assert "/openapi.json" in response.text
