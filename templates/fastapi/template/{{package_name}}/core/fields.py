"""Field types shared by every schema: what the database can store is what the API accepts.

Ids fit a 32-bit integer column, and text cannot hold NUL (PostgreSQL rejects it; Pydantic already
refuses lone surrogates), so such input is a 422 at the edge, never a driver error at the database.
"""

from typing import Annotated

from fastapi import Path
from pydantic import Field, StringConstraints

MAX_ID = 2**31 - 1
STORABLE_TEXT = r"^[^\x00]*$"

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
StorableText = Annotated[str, StringConstraints(pattern=STORABLE_TEXT)]
