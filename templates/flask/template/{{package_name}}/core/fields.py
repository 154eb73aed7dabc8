"""Field types shared by every schema: what the database can store is what the API accepts.

Ids fit a 32-bit integer column, and text cannot hold NUL (PostgreSQL rejects it; Pydantic already
refuses lone surrogates), so such input is a 422 at the edge, never a driver error at the database.
Routes take ids as `<int:name>`: a path segment that is not a number names no resource (404), and
a literal path beside it (`/users/me`) is never mistaken for an id, whatever the method; the
path model (`id_path`) then refuses numbers outside 1..MAX_ID with a 422.
"""

import re
from datetime import UTC, date, datetime
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
)

MAX_ID = 2**31 - 1
STORABLE_TEXT = r"^[^\x00]*$"

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
StorableText = Annotated[str, StringConstraints(pattern=STORABLE_TEXT)]

_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _iso_text(value: object) -> object:
    """Dates and timestamps are ISO 8601 text (`"2000-01-31"`), never numbers of days or seconds:
    Pydantic would read `0` or `"0"` as a Unix time, which OpenAPI's `format: date` / `date-time`
    does not allow (in a body, or spelled as digits in a query)."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("must be an ISO 8601 date or timestamp")
    return value


def _in_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


IsoDate = Annotated[date, BeforeValidator(_iso_text)]
#: A timestamp that carries its UTC offset, converted to UTC: what is stored and returned.
UTCDatetime = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_in_utc)]


def normalize_email(value: str) -> str:
    """The one spelling of an address that the service stores and compares.

    Unicode NFC, the domain as Unicode (an IDNA `xn--` label becomes its Unicode form) and
    everything lower-cased, so `X@xn--exmple-cua.com`, `x@EXÄMPLE.com` and a decomposed `a\u0308`
    are one address. Registration, login, look-ups and filters all go through this function.
    No DNS lookup, and the reserved `.test` domain (RFC 2606) is accepted: whatever the OpenAPI
    document calls `format: email` is. Raises `ValueError` for an invalid address.
    """
    try:
        address = validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise ValueError(f"value is not a valid email address: {exc}") from exc
    return address.normalized.lower()


Email = Annotated[
    str,
    StringConstraints(max_length=320),
    AfterValidator(normalize_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 320}),
]
