"""Serializer fields shared by every request: what the database can store is what the API accepts.

JSON values keep their JSON type (a number refuses `true` and `"5"`, a boolean refuses `1` and
`"true"`, a date refuses a number), ids fit a 32-bit integer column, and text cannot hold NUL or a
lone surrogate, so such input is a 422 at the edge, never a driver error at the database.
Each refusal carries a pydantic-like `type` as its DRF error code (P02).

Routes take ids as `<int:id>`: a path segment that is not a number names no resource (404), and a
literal path beside it (`users/me`) is never mistaken for an id, whatever the method.
"""

import math
import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, NoReturn
from urllib.parse import urlsplit

from django.core.validators import RegexValidator
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import extend_schema_field
from email_validator import EmailNotValidError, validate_email
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

MAX_ID = 2**31 - 1
MAX_EMAIL_LENGTH = 320
STORABLE_TEXT = r"^[^\x00]*$"
#: A money string: what a NUMERIC(14, 2) column holds, written plainly (no sign, exponent or
#: blanks); numbers are read through the same rule.
MONEY_TEXT = r"^\d{1,12}(\.\d{1,2})?$"
MAX_MONEY = Decimal("999999999999.99")

_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_SURROGATE = re.compile("[\ud800-\udfff]")

#: Messages in pydantic's words for DRF's own checks.
_MESSAGES = {
    "required": "Field required",
    "null": "Input should not be null",
    "blank": "String should have at least 1 character",
    "max_length": "String should have at most {max_length} characters",
    "min_length": "String should have at least {min_length} characters",
    "max_value": "Input should be less than or equal to {max_value}",
    "min_value": "Input should be greater than or equal to {min_value}",
}


def normalize_email(value: str) -> str:
    """The one spelling of an address that the service stores and compares.

    Unicode NFC, the domain as Unicode (an IDNA `xn--` label becomes its Unicode form) and
    everything lower-cased, so `X@xn--exmple-cua.com`, `x@EXÄMPLE.com` and a decomposed `a\u0308`
    are one address. Registration, login, look-ups, filters and `FIRST_ADMIN_EMAIL` all go
    through this function. No DNS lookup, and the reserved `.test` domain (RFC 2606) is
    accepted. Raises `ValueError` for an invalid address.
    """
    try:
        address = validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise ValueError(f"value is not a valid email address: {exc}") from exc
    return address.normalized.lower()


def invalid(code: str, message: str) -> NoReturn:
    """Refuse a value with a pydantic-like `type` (the DRF error code)."""
    raise serializers.ValidationError(ErrorDetail(message, code=code))


class StrictFieldMixin:
    """Pydantic's messages for DRF's checks, and a `null` refusal typed like the field's own
    type error (`{"email": null}` is a `string_type`, as a number would be)."""

    default_error_messages: ClassVar[dict[str, Any]] = _MESSAGES
    type_code: ClassVar[str] = "none_forbidden"
    type_message: ClassVar[str] = "Input should not be null"

    def fail(self, key: str, **kwargs: Any) -> NoReturn:
        if key == "null":
            invalid(self.type_code, self.type_message)
        messages: dict[str, str] = getattr(self, "error_messages", {})
        invalid(key, messages.get(key, key).format(**kwargs))


class TextField(StrictFieldMixin, serializers.CharField):
    """A JSON string kept as sent (never trimmed), without NUL or a lone surrogate."""

    type_code = "string_type"
    type_message = "Input should be a valid string"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("allow_blank", not kwargs.get("min_length"))
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            invalid(self.type_code, self.type_message)
        if "\x00" in data:
            invalid("string_pattern_mismatch", f"String should match pattern '{STORABLE_TEXT}'")
        if _SURROGATE.search(data):
            invalid("string_unicode", "Input should be a valid string without lone surrogates")
        return data


class PatternField(TextField):
    """Text matching a regular expression (`^[A-Z]{2}$`), refused in pydantic's words."""

    def __init__(self, pattern: str, **kwargs: Any) -> None:
        self.pattern = pattern
        # Also documents the pattern in the OpenAPI schema (the check itself is below).
        kwargs.setdefault("validators", [RegexValidator(pattern)])
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        if not re.search(self.pattern, text):
            invalid("string_pattern_mismatch", f"String should match pattern '{self.pattern}'")
        return text


@extend_schema_field({"type": "string", "format": "email", "maxLength": MAX_EMAIL_LENGTH})
class EmailField(TextField):
    """An e-mail address, checked and returned in its normal form (`normalize_email`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_EMAIL_LENGTH)
        kwargs.setdefault("min_length", 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        if len(text) > MAX_EMAIL_LENGTH:
            invalid("string_too_long", f"String should have at most {MAX_EMAIL_LENGTH} characters")
        try:
            return normalize_email(text)
        except ValueError as exc:
            invalid("value_error", f"Value error, {exc}")


class StrictIntegerField(StrictFieldMixin, serializers.IntegerField):
    """A JSON integer: `true`, `"5"` and `5.5` are refused (`5.0` is read as 5, as pydantic
    does)."""

    type_code = "int_type"
    type_message = "Input should be a valid integer"

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int | float):
            invalid(self.type_code, self.type_message)
        if isinstance(data, float) and not data.is_integer():
            invalid("int_from_float", "Input should be a valid integer, got a fractional number")
        return int(data)


class QueryIntegerField(StrictFieldMixin, serializers.IntegerField):
    """An integer query parameter: its decimal digits (query values are text)."""

    type_code = "int_type"
    type_message = "Input should be a valid integer"

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, str) or not re.fullmatch(r"[+-]?\d{1,20}", data.strip()):
            invalid("int_parsing", "Input should be a valid integer, unable to parse string")
        return int(data)


class IdField(StrictIntegerField):
    """An id in a body: 1..2**31-1, like the column it names."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class StrictBooleanField(StrictFieldMixin, serializers.BooleanField):
    """A JSON boolean: `1`, `"true"` and `"yes"` are refused."""

    type_code = "bool_type"
    type_message = "Input should be a valid boolean"

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            invalid(self.type_code, self.type_message)
        return data


class ChoiceField(StrictFieldMixin, serializers.ChoiceField):
    """One of a few strings; the refusal lists the choices, never the input."""

    type_code = "enum"

    def __init__(self, choices: Any, **kwargs: Any) -> None:
        super().__init__(choices, **kwargs)
        names = [f"'{choice}'" for choice in self.choices]
        allowed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        self.enum_message = f"Input should be {allowed}"

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or data not in self.choice_strings_to_values:
            invalid("enum", self.enum_message)
        return self.choice_strings_to_values[data]

    def fail(self, key: str, **kwargs: Any) -> NoReturn:
        if key == "null":
            invalid("enum", self.enum_message)
        super().fail(key, **kwargs)


def _iso_text(data: Any) -> str:
    """Dates and timestamps are ISO 8601 text (`"2000-01-31"`), never numbers of days or seconds
    (OpenAPI's `format: date` / `date-time` does not allow them)."""
    if isinstance(data, bool | int | float):
        invalid("value_error", "Value error, must be an ISO 8601 date or timestamp")
    if not isinstance(data, str):
        invalid("string_type", "Input should be a valid string")
    if _NUMBER.fullmatch(data):
        invalid("value_error", "Value error, must be an ISO 8601 date or timestamp")
    return data


class IsoDateField(StrictFieldMixin, serializers.DateField):
    """A `YYYY-MM-DD` date; numbers (Unix times) are refused."""

    type_code = "date_type"
    type_message = "Input should be a valid date"

    def to_internal_value(self, data: Any) -> date:
        text = _iso_text(data)
        try:
            parsed = parse_date(text)
        except ValueError:
            parsed = None
        if parsed is None:
            invalid("date_from_datetime_parsing", "Input should be a valid date in YYYY-MM-DD")
        return parsed

    def to_representation(self, value: Any) -> Any:
        return None if value is None else value.isoformat()


class UTCDateTimeField(StrictFieldMixin, serializers.DateTimeField):
    """A timestamp that carries its UTC offset, read and written in UTC
    (`2025-01-31T12:00:00.123456+00:00`)."""

    type_code = "datetime_type"
    type_message = "Input should be a valid datetime"

    def to_internal_value(self, value: Any) -> datetime:
        text = _iso_text(value)
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
        if parsed is None:
            invalid("datetime_from_date_parsing", "Input should be a valid datetime")
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            invalid("timezone_aware", "Input should have timezone info")
        return parsed.astimezone(UTC)

    def to_representation(self, value: Any) -> Any:
        if value is None:
            return None
        stamp: datetime = value
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        return stamp.astimezone(UTC).isoformat()


class MoneyField(StrictFieldMixin, serializers.DecimalField):
    """Money: a string or a number with at most 12 digits before the point and 2 after, no sign,
    exponent or blanks; returned as a string with two decimals (`"100.00"`). Never a float
    inside: a number is read through its shortest decimal spelling."""

    type_code = "decimal_type"
    type_message = "Input should be a valid decimal"
    #: What a decimal sent as text looks like (numbers are read through their text too).
    text_pattern: ClassVar[str] = MONEY_TEXT

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", True)
        kwargs.setdefault("max_value", MAX_MONEY)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            invalid(self.type_code, self.type_message)
        text = data if isinstance(data, str) else repr(data)
        if isinstance(data, float) and text.endswith(".0"):
            text = text[:-2]
        if not re.fullmatch(self.text_pattern, text):
            invalid(
                "value_error",
                "Value error, must be a decimal number with at most 12 digits and 2 decimals",
            )
        try:
            return Decimal(text).quantize(Decimal("0.01"))
        except InvalidOperation:
            invalid(self.type_code, self.type_message)

    def to_representation(self, value: Any) -> str:
        return f"{Decimal(value):.2f}"


def check_path_id(value: int, name: str) -> int:
    """A path id in range (1..2**31-1), else a 422 naming the path parameter as the OpenAPI
    document does. (A segment that is not all digits never reaches a view: `<int:…>` is a 404.)"""
    if value < 1:
        raise serializers.ValidationError(
            {
                name: [
                    ErrorDetail("Input should be greater than or equal to 1", "greater_than_equal")
                ]
            }
        )
    if value > MAX_ID:
        raise serializers.ValidationError(
            {
                name: [
                    ErrorDetail(
                        f"Input should be less than or equal to {MAX_ID}", "less_than_equal"
                    )
                ]
            }
        )
    return value


#: The OpenAPI schema of a path id, for `OpenApiParameter(type=...)`.
ID_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


#: The range of a 32-bit integer column.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
#: An exact decimal like money but signed: what a NUMERIC(14, 2) column holds, written plainly.
DECIMAL_TEXT = r"^[+-]?\d{1,12}(\.\d{1,2})?$"
MAX_URL_LENGTH = 2048
_TRUE = frozenset({"true", "1", "yes", "on", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "off", "f", "n"})


class StrictFloatField(StrictFieldMixin, serializers.FloatField):
    """A finite JSON number: `true`, `"1.5"`, infinities and NaN are refused."""

    type_code = "float_type"
    type_message = "Input should be a valid number"

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            invalid(self.type_code, self.type_message)
        value = float(data)
        if not math.isfinite(value):
            invalid("finite_number", "Input should be a finite number")
        return value


class QueryFloatField(StrictFloatField):
    """A finite number in a query string (its text)."""

    def to_internal_value(self, data: Any) -> float:
        if not isinstance(data, str) or not _NUMBER.fullmatch(data):
            invalid("float_parsing", "Input should be a valid number, unable to parse string")
        return super().to_internal_value(float(data))


class QueryBooleanField(StrictFieldMixin, serializers.BooleanField):
    """A boolean in a query string: `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`)."""

    type_code = "bool_parsing"
    type_message = "Input should be a valid boolean, unable to interpret input"

    def to_internal_value(self, data: Any) -> bool:
        text = data.strip().lower() if isinstance(data, str) else None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        invalid(self.type_code, self.type_message)


class DecimalTextField(MoneyField):
    """An exact decimal with two places that may be negative: a string or a number with at
    most 12 digits before the point and 2 after, returned as a string with two decimals."""

    text_pattern = DECIMAL_TEXT

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", -MAX_MONEY)
        super().__init__(**kwargs)


class StrictUUIDField(StrictFieldMixin, serializers.UUIDField):
    """A UUID as a string (canonical or hex); numbers are refused."""

    type_code = "uuid_type"
    type_message = "Input should be a valid UUID"

    def to_internal_value(self, data: Any) -> uuid.UUID:
        if not isinstance(data, str):
            invalid(self.type_code, self.type_message)
        try:
            return uuid.UUID(data)
        except ValueError:
            invalid("uuid_parsing", "Input should be a valid UUID, unable to parse string")

    def to_representation(self, value: Any) -> Any:
        return None if value is None else str(value)


@extend_schema_field({"type": "string", "format": "uri", "maxLength": MAX_URL_LENGTH})
class HttpUrlField(TextField):
    """An absolute `http` or `https` URL of at most 2048 characters, kept as written."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_URL_LENGTH)
        kwargs.setdefault("min_length", 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        if len(text) > MAX_URL_LENGTH:
            invalid("string_too_long", f"String should have at most {MAX_URL_LENGTH} characters")
        if not is_http_url(text):
            invalid("url_parsing", "Input should be a valid absolute http or https URL")
        return text


def is_http_url(text: str) -> bool:
    """An absolute URL with the `http` or `https` scheme and a host, without blanks or control
    characters (RFC 3986 syntax; the host is not looked up)."""
    if any(character.isspace() or not character.isprintable() for character in text):
        return False
    try:
        parts = urlsplit(text)
        port = parts.port  # a port out of range or not a number raises ValueError
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname) and port != 0
