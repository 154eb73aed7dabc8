"""The service's error types and their one mapping to the HTTP error envelope (P06).

Views raise `AppError` subclasses; DRF's own exceptions (validation, parsing, authentication,
routing) and anything unexpected reach `exception_handler`, Django's 404 and 500 the
`not_found` and `server_error` views. All of them answer with `error_response`.
"""

import logging
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from django.db import connections
from django.http import Http404, HttpRequest, JsonResponse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions as drf
from rest_framework import serializers

logger = logging.getLogger(__name__)

MALFORMED_MESSAGE = "The request body could not be parsed"
VALIDATION_MESSAGE = "The request is invalid"
NOT_AN_OBJECT_TYPE = "model_attributes_type"
NOT_AN_OBJECT_MESSAGE = "Input should be a valid dictionary or object to extract fields from"


class AppError(Exception):
    """Base of every error a view may raise on purpose."""

    status_code: int = HTTPStatus.BAD_REQUEST
    code: str = "BAD_REQUEST"
    message: str = "Bad request"
    headers: ClassVar[dict[str, str] | None] = None

    def __init__(
        self, message: str | None = None, *, details: list[dict[str, Any]] | None = None
    ) -> None:
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


class MalformedRequestError(AppError):
    status_code = HTTPStatus.BAD_REQUEST
    code = "MALFORMED_REQUEST"
    message = MALFORMED_MESSAGE


class PayloadTooLargeError(AppError):
    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "PAYLOAD_TOO_LARGE"
    message = "The request body is too large"


class ValidationError(AppError):
    """A 422 raised by hand (a rule no serializer field expresses); `details` as P02 says."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "VALIDATION_ERROR"
    message = VALIDATION_MESSAGE


class RateLimitedError(AppError):
    status_code = HTTPStatus.TOO_MANY_REQUESTS
    code = "RATE_LIMITED"
    message = "Too many requests"


class InternalError(AppError):
    status_code = HTTPStatus.INTERNAL_SERVER_ERROR
    code = "INTERNAL_ERROR"
    message = "Internal server error"


#: Codes of the errors the framework raises itself, by status.
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

#: DRF's validation codes as the pydantic-like `type` of a 422 detail (P02). The service's own
#: fields (`core.fields`) raise pydantic names directly; these cover DRF's built-in checks.
DRF_TYPES = {
    "required": "missing",
    "null": "none_forbidden",
    "blank": "string_too_short",
    "max_length": "string_too_long",
    "min_length": "string_too_short",
    "max_value": "less_than_equal",
    "min_value": "greater_than_equal",
    "invalid_choice": "enum",
    "not_a_list": "list_type",
    "empty": "too_short",
    "max_digits": "decimal_max_digits",
    "max_decimal_places": "decimal_max_places",
    "max_whole_digits": "decimal_whole_digits",
    "max_string_length": "string_too_long",
    "does_not_exist": "value_error",
    "incorrect_type": "value_error",
    "invalid": "value_error",
    "unique": "value_error",
}

#: Messages of DRF codes whose own text quotes the rejected input: replaced, never echoed.
ECHOING_MESSAGES = {
    "invalid_choice": "Input is not one of the allowed values",
    "does_not_exist": "No such object",
    "incorrect_type": "Input has the wrong type",
    "not_a_list": "Input should be a valid list",
    "not_a_dict": "Input should be a valid dictionary",
}

#: The key DRF files errors about a serializer as a whole under.
NON_FIELD_KEY = "non_field_errors"


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


def request_id_of(request: HttpRequest) -> str:
    """The id `RequestContextMiddleware` gave the request (a fresh one if it never ran)."""
    request_id = getattr(request, "request_id", None)
    if isinstance(request_id, str) and request_id:
        return request_id
    return str(uuid.uuid4())


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JsonResponse:
    """The P06 envelope for `request` (a Django `HttpRequest` or a DRF `Request`)."""
    body = error_body(
        code=code,
        message=message,
        path=request.path,
        request_id=request_id_of(request),
        details=details,
    )
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def validation_details(detail: Any, location: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """DRF's nested error detail as `[{field, message, type}]`: field dotted (`address.zip_code`,
    `""` for the body as a whole), the rejected input never echoed."""
    if isinstance(detail, Mapping):
        details: list[dict[str, str]] = []
        for key, value in detail.items():
            name = str(key)
            inner = location if name == NON_FIELD_KEY else (*location, name)
            details.extend(validation_details(value, inner))
        return details
    if isinstance(detail, list | tuple):
        return [item for value in detail for item in validation_details(value, location)]
    code = getattr(detail, "code", None) or "invalid"
    message = ECHOING_MESSAGES.get(code, str(detail))
    return [{"field": ".".join(location), "message": message, "type": DRF_TYPES.get(code, code)}]


def _allowed_methods(context: Mapping[str, Any]) -> str:
    """The methods the view serves, for a 405's `Allow`: exactly those (no implicit HEAD or
    OPTIONS, which the service does not answer)."""
    view = context.get("view")
    if view is None:
        return ""
    allowed = getattr(view, "allowed_methods", [])
    return ", ".join(sorted(method for method in allowed if method not in {"HEAD", "OPTIONS"}))


def _set_rollback() -> None:
    """Roll back a request-wide transaction (`ATOMIC_REQUESTS`), as DRF's own handler does."""
    for connection in connections.all(initialized_only=True):
        if connection.settings_dict.get("ATOMIC_REQUESTS") and connection.in_atomic_block:
            connection.set_rollback(True)


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> JsonResponse | None:
    """DRF's `EXCEPTION_HANDLER`: every exception a view raises, as the envelope."""
    request: HttpRequest = context["request"]
    _set_rollback()
    if isinstance(exc, AppError):
        return error_response(
            request, exc.status_code, exc.code, exc.message, exc.details, exc.headers
        )
    if isinstance(exc, drf.ValidationError):
        return error_response(
            request,
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            VALIDATION_MESSAGE,
            validation_details(exc.detail),
        )
    if isinstance(exc, drf.ParseError):
        return error_response(
            request, HTTPStatus.BAD_REQUEST, "MALFORMED_REQUEST", MALFORMED_MESSAGE
        )
    if isinstance(exc, drf.UnsupportedMediaType):
        # A body in another media type is not the object the operation reads: a 422 on the
        # body as a whole, like a JSON body that is not an object.
        details = [{"field": "", "message": NOT_AN_OBJECT_MESSAGE, "type": NOT_AN_OBJECT_TYPE}]
        return error_response(
            request,
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            VALIDATION_MESSAGE,
            details,
        )
    if isinstance(exc, drf.MethodNotAllowed):
        return error_response(
            request,
            HTTPStatus.METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "Method not allowed",
            headers={"Allow": _allowed_methods(context)},
        )
    if isinstance(exc, drf.NotAuthenticated):
        error: AppError = AuthenticationError()
        return error_response(
            request, error.status_code, error.code, error.message, None, error.headers
        )
    if isinstance(exc, drf.AuthenticationFailed):
        error = InvalidTokenError()
        return error_response(
            request, error.status_code, error.code, error.message, None, error.headers
        )
    if isinstance(exc, drf.PermissionDenied):
        error = ForbiddenError()
        return error_response(request, error.status_code, error.code, error.message)
    if isinstance(exc, Http404 | drf.NotFound):
        return error_response(request, HTTPStatus.NOT_FOUND, "NOT_FOUND", "Not found")
    if isinstance(exc, drf.Throttled):
        wait = max(1, int(getattr(exc, "wait", None) or 1))
        return error_response(
            request,
            HTTPStatus.TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            RateLimitedError.message,
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, drf.APIException):
        status = HTTPStatus(exc.status_code)
        return error_response(request, status, STATUS_CODES.get(status, status.name), status.phrase)
    logger.error(
        "Unhandled error on %s %s",
        request.method,
        request.path,
        exc_info=exc,
        extra={"request_id": request_id_of(request)},
    )
    return error_response(
        request, HTTPStatus.INTERNAL_SERVER_ERROR, InternalError.code, InternalError.message
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """`handler404`: a path no route matches (or an `Http404` outside DRF)."""
    return error_response(request, HTTPStatus.NOT_FOUND, "NOT_FOUND", "Not found")


def server_error(request: HttpRequest) -> JsonResponse:
    """`handler500`: Django has logged the exception already, with the request id."""
    return error_response(
        request, HTTPStatus.INTERNAL_SERVER_ERROR, InternalError.code, InternalError.message
    )


class ErrorDetailSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    message = serializers.CharField()
    type = serializers.CharField()


class ErrorInfoSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()
    path = serializers.CharField()
    request_id = serializers.CharField()
    details = ErrorDetailSerializer(many=True, required=False)


class ErrorEnvelopeSerializer(serializers.Serializer[Any]):
    """The error envelope (P06), as the OpenAPI document shows it."""

    error = ErrorInfoSerializer()


_DESCRIPTIONS = {
    400: "Malformed request, or a business rule refused it",
    401: "Missing, invalid or expired credentials",
    403: "Authenticated, but not allowed",
    404: "Not found",
    405: "The path does not serve this method",
    409: "Conflicts with existing data",
    413: "The request body is larger than MAX_REQUEST_BYTES",
    422: "Validation error",
    429: "Rate limit exceeded",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """drf-spectacular `responses` for the error statuses an operation can return (413 and 429
    always: any request may carry a body that is too large, and any client may exceed its
    limit)."""
    return {
        status: OpenApiResponse(ErrorEnvelopeSerializer, description=_DESCRIPTIONS[status])
        for status in sorted({*statuses, 413, 429})
    }
