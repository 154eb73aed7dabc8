"""P18: the OpenAPI document and the interactive docs."""

import re
from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

#: Every operation the service starts with, path parameters written as {}.
OPERATIONS = {
    "/health": {"get"},
    "/api/v1/auth/register": {"post"},
    "/api/v1/auth/token": {"post"},
    "/api/v1/users": {"get", "post"},
    "/api/v1/users/me": {"get"},
    "/api/v1/users/{}": {"get", "patch", "delete"},
    "/api/v1/profiles": {"post"},
    "/api/v1/posts": {"post"},
    "/api/v1/posts/{}": {"get"},
    "/api/v1/accounts": {"post"},
    "/api/v1/accounts/{}": {"get"},
    "/api/v1/transfers": {"post"},
    "/api/v2/users/{}": {"get"},
    "/api/v1/notifications": {"post"},
    "/api/v1/events/stream": {"get"},
}
METHODS = {"get", "put", "post", "patch", "delete"}


def normalised(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


@pytest.fixture
def document(api_client: APIClient) -> dict[str, Any]:
    response = api_client.get("/openapi.json")
    assert response.status_code == 200
    assert "json" in response["Content-Type"]
    document: dict[str, Any] = response.json()
    return document


def test_p18_every_operation_is_described(document: dict[str, Any]) -> None:
    """Every operation the service starts with, exactly; the features added to it since
    (`apigen add resource`) bring their own paths, all under `/api/v1/`."""
    assert document["openapi"].startswith("3.")
    described = {
        normalised(path): set(item) & METHODS for path, item in document["paths"].items()
    }
    assert {path: described.get(path) for path in OPERATIONS} == OPERATIONS
    assert all(path.startswith("/api/v1/") for path in described.keys() - OPERATIONS.keys())


def test_p18_bearer_security_scheme(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    (name, scheme) = next(iter(schemes.items()))
    assert scheme == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    me = document["paths"]["/api/v1/users/me"]["get"]
    assert {name: []} in me["security"]
    assert not document["paths"]["/health"]["get"].get("security")


def test_p18_errors_are_documented_with_the_envelope(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            errors = {code for code in operation["responses"] if code.startswith(("4", "5"))}
            assert "500" in errors, (method, path)
            if path == "/health":
                assert not {"413", "429"} & errors
                continue
            assert {"413", "429"} <= errors, (method, path)
            if operation.get("security") and {} not in operation["security"]:
                assert "401" in errors, (method, path)
            for code in errors:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/ErrorEnvelope"), (method, path, code)
    envelope = document["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["error"]


def test_p18_health_documents_its_own_503(document: dict[str, Any]) -> None:
    responses = document["paths"]["/health"]["get"]["responses"]
    assert {"200", "503"} <= set(responses)
    assert not responses["503"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorEnvelope"
    )


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
            if method not in METHODS:
                continue
            for content in operation.get("requestBody", {}).get("content", {}).values():
                schemas = _schemas_under(content["schema"], components)
                assert schemas, (method, path)
                for schema in schemas:
                    bodies += 1
                    assert schema.get("additionalProperties") is False, (method, path, schema)
    assert bodies >= 9


def test_p18_interactive_docs(api_client: APIClient) -> None:
    response = api_client.get("/docs")
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]
    assert "/openapi.json" in response.content.decode()


def test_p18_the_docs_need_no_cdn(api_client: APIClient) -> None:
    """Swagger UI's scripts come from the service itself (drf-spectacular-sidecar)."""
    page = api_client.get("/docs").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts
    for script in scripts:
        assert script.startswith("/static/"), script
        response = api_client.get(script)
        assert response.status_code == 200, script
