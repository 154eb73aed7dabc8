"""The service's error types and their one mapping to the HTTP error envelope (P06)."""

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope
from starlette.routing import compile_path

logger = logging.getLogger(__name__)

MALFORMED_MESSAGE = "The request body could not be parsed"


class AppError(Exception):
    """Base of every error a handler may raise on purpose."""

    status_code: int = HTTPStatus.BAD_REQUEST
    code: str = "BAD_REQUEST"
    message: str = "Bad request"
    headers: ClassVar[dict[str, str] | None] = None

    def __init__(self, message: str | None = None, *, details: list[dict[str, Any]] | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.details = details


class NotFoundError(AppError):
    status_code = HTTPStatus.NOT_FOUND
    code = "NOT_FOUND"
    message = "Resource not found"


class ConflictError(AppError):
    status_code = HTTPStatus.CONFLICT
    code = "CONFLICT"
    message = "Conflict with the current state of the resource"


class ForbiddenError(AppError):
    status_code = HTTPStatus.FORBIDDEN
    code = "FORBIDDEN"
    message = "You are not allowed to do this"


class AuthenticationError(AppError):
    status_code = HTTPStatus.UNAUTHORIZED
    code = "NOT_AUTHENTICATED"
    message = "Not authenticated"
    headers: ClassVar[dict[str, str] | None] = {"WWW-Authenticate": "Bearer"}


class InvalidTokenError(AuthenticationError):
    code = "INVALID_TOKEN"
    message = "Invalid or expired token"


class InvalidCredentialsError(AuthenticationError):
    code = "INVALID_CREDENTIALS"
    message = "Incorrect email or password"


class RateLimitedError(AppError):
    status_code = HTTPStatus.TOO_MANY_REQUESTS
    code = "RATE_LIMITED"
    message = "Too many requests"


#: Codes of the errors the framework raises itself. Its 400s all mean that the body could not be
#: parsed (not JSON, not UTF-8, nested too deeply, a broken form): one code for all of them.
STATUS_CODES = {
    HTTPStatus.BAD_REQUEST: "MALFORMED_REQUEST",
    HTTPStatus.UNAUTHORIZED: "NOT_AUTHENTICATED",
    HTTPStatus.FORBIDDEN: "FORBIDDEN",
    HTTPStatus.NOT_FOUND: "NOT_FOUND",
    HTTPStatus.METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
    HTTPStatus.CONFLICT: "CONFLICT",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
    HTTPStatus.UNPROCESSABLE_ENTITY: "VALIDATION_ERROR",
    HTTPStatus.TOO_MANY_REQUESTS: "RATE_LIMITED",
    HTTPStatus.INTERNAL_SERVER_ERROR: "INTERNAL_ERROR",
}


def error_body(
    *,
    code: str,
    message: str,
    path: str,
    request_id: str,
    details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "code": code,
        "message": message,
        "path": path,
        "request_id": request_id,
    }
    if details is not None:
        error["details"] = details
    return {"error": error}


def error_response(
    scope: Scope,
    *,
    status_code: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The envelope for the request `scope` describes: from a handler (`request.scope`) or from
    ASGI middleware, which answers before any route runs."""
    body = error_body(
        code=code,
        message=message,
        path=scope["path"],
        request_id=scope.get("state", {}).get("request_id", ""),
        details=details,
    )
    return JSONResponse(body, status_code=status_code, headers=headers)


def validation_details(errors: Any) -> list[dict[str, Any]]:
    """Pydantic errors as `{field, message, type}`: field dotted, the rejected input not echoed."""
    details = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        if location and location[0] in {"body", "query", "path", "header", "cookie"}:
            location = location[1:]
        details.append(
            {"field": ".".join(location), "message": error["msg"], "type": error["type"]}
        )
    return details


async def _app_error(request: Request, exc: AppError) -> JSONResponse:
    return error_response(
        request.scope,
        status_code=exc.status_code,
        code=exc.code,
        message=exc.message,
        details=exc.details,
        headers=exc.headers,
    )


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(error["type"] == "json_invalid" for error in errors):
        return error_response(
            request.scope,
            status_code=HTTPStatus.BAD_REQUEST,
            code=STATUS_CODES[HTTPStatus.BAD_REQUEST],
            message=MALFORMED_MESSAGE,
        )
    return error_response(
        request.scope,
        status_code=HTTPStatus.UNPROCESSABLE_ENTITY,
        code="VALIDATION_ERROR",
        message="The request is invalid",
        details=validation_details(errors),
    )


def _allowed_methods(request: Request) -> str:
    """Every method the OpenAPI document lists for the request's path, for a 405's `Allow`
    (FastAPI serves no implicit HEAD, so none is listed).

    Starlette's own `Allow` names only the first route that matched the path, but `GET` and
    `POST /users` (or `GET`, `PATCH` and `DELETE /users/{id}`) are separate routes. A literal
    path (`/users/me`) wins over the templates it also matches (`/users/{user_id}`).
    """
    path = request.url.path
    paths: dict[str, dict[str, Any]] = request.app.openapi().get("paths", {})
    matching = paths.get(path)
    if matching is None:
        matching = {}
        for template, operations in paths.items():
            if compile_path(template)[0].match(path):
                matching |= operations
    return ", ".join(sorted(method.upper() for method in matching))


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    status = HTTPStatus(exc.status_code)
    if status is HTTPStatus.BAD_REQUEST:
        message = MALFORMED_MESSAGE
    else:
        message = exc.detail if isinstance(exc.detail, str) else status.phrase
    headers = exc.headers
    if status is HTTPStatus.METHOD_NOT_ALLOWED and (allowed := _allowed_methods(request)):
        headers = {**(headers or {}), "Allow": allowed}
    return error_response(
        request.scope,
        status_code=exc.status_code,
        code=STATUS_CODES.get(status, status.name),
        message=message,
        headers=headers,
    )


def register_error_handlers(app: FastAPI) -> None:
    app.exception_handler(AppError)(_app_error)
    app.exception_handler(RequestValidationError)(_validation_error)
    app.exception_handler(StarletteHTTPException)(_http_error)


class ErrorDetail(BaseModel):
    field: str
    message: str
    type: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    path: str
    request_id: str
    details: list[ErrorDetail] | None = None


class ErrorEnvelope(BaseModel):
    error: ErrorInfo


_DESCRIPTIONS = {
    400: "Malformed request, or a business rule refused it",
    401: "Missing, invalid or expired credentials",
    403: "Authenticated, but not allowed",
    404: "Not found",
    409: "Conflicts with existing data",
    413: "The request body is larger than MAX_REQUEST_BYTES",
    422: "Validation error",
    429: "Rate limit exceeded",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error statuses an operation can return (413 and 429 always:
    any request may carry a body that is too large, and any client may exceed its limit)."""
    return {
        status: {"model": ErrorEnvelope, "description": _DESCRIPTIONS[status]}
        for status in sorted({*statuses, 413, 429})
    }
