"""Field types shared by every schema: what the database can store is what the API accepts.

Ids fit a 32-bit integer column, and text cannot hold NUL (PostgreSQL rejects it; Pydantic already
refuses lone surrogates), so such input is a 422 at the edge, never a driver error at the database.
"""

from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from fastapi import Path
from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema

MAX_ID = 2**31 - 1
STORABLE_TEXT = r"^[^\x00]*$"

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
StorableText = Annotated[str, StringConstraints(pattern=STORABLE_TEXT)]


def _email(value: str) -> str:
    """A syntactically valid address, lower-cased. No DNS lookup, and the reserved `.test` domain
    (RFC 2606) is accepted: whatever the OpenAPI document calls `format: email` is."""
    try:
        address = validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise ValueError(f"value is not a valid email address: {exc}") from exc
    return address.normalized.lower()


Email = Annotated[
    str,
    StringConstraints(max_length=320),
    AfterValidator(_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 320}),
]
