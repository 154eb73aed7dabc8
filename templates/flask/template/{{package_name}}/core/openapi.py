"""What the OpenAPI document says about errors, in one place (P18).

Views list the error statuses they can answer with (`@bp.doc(responses=error_responses(404))`);
APIFlask documents each with the error envelope (`HTTP_ERROR_SCHEMA`) and adds 401/403 for the
bearer scheme and 422 for validated input itself. `document_common_errors` adds what any request
may meet: 413 (a body over `MAX_REQUEST_BYTES`) and 429 (the rate limit), and 400 (an unparseable
body) wherever there is a body.
"""

from typing import Any

DESCRIPTIONS = {
    400: "Malformed request, or a business rule refused it",
    401: "Missing, invalid or expired credentials",
    403: "Authenticated, but not allowed",
    404: "Not found",
    409: "Conflicts with existing data",
    413: "The request body is larger than MAX_REQUEST_BYTES",
    422: "Validation error",
    429: "Rate limit exceeded",
    503: "A dependency is down",
}

_OPERATIONS = ("get", "post", "put", "patch", "delete")

#: The error envelope (P06), as `HTTP_ERROR_SCHEMA` and `VALIDATION_ERROR_SCHEMA` of APIFlask.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "path", "request_id"],
            "properties": {
                "code": {"type": "string", "examples": ["USER_NOT_FOUND"]},
                "message": {"type": "string"},
                "path": {"type": "string"},
                "request_id": {"type": "string"},
                "details": {
                    "type": "array",
                    "description": "The rejected fields of a 422, `field` dotted",
                    "items": {
                        "type": "object",
                        "required": ["field", "message", "type"],
                        "properties": {
                            "field": {"type": "string", "examples": ["address.zip_code"]},
                            "message": {"type": "string"},
                            "type": {"type": "string"},
                        },
                    },
                },
            },
        }
    },
}


#: `responses` for `@bp.doc` when a status has a body of its own, not the error envelope.
Responses = dict[int | str, dict[str, str | dict[str, dict[str, Any]]]]


def error_responses(*statuses: int) -> dict[int, str]:
    """`responses` for `@bp.doc`: each status with its description."""
    return {status: DESCRIPTIONS[status] for status in statuses}


def document_common_errors(spec: dict[Any, Any] | str) -> dict[Any, Any] | str:
    """An APIFlask spec processor: 413 and 429 on every operation; on those with a body, the
    body required and 400."""
    if isinstance(spec, str):  # the YAML form, made from the dict this has already seen
        return spec
    for path, item in spec.get("paths", {}).items():
        for method in _OPERATIONS:
            operation = item.get(method)
            if operation is None:
                continue
            statuses = [413] if path == "/health" else [413, 429]
            if "requestBody" in operation:
                # APIFlask leaves it optional, but a view with a body schema refuses a request
                # without one (400).
                operation["requestBody"]["required"] = True
                statuses.append(400)
            for status in statuses:
                operation["responses"].setdefault(
                    str(status),
                    {
                        "description": DESCRIPTIONS[status],
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}
                        },
                    },
                )
    return spec
