"""The base of every request body: an unknown field is a 422 naming it, never silently ignored."""

from pydantic import BaseModel, ConfigDict


class RequestModel(BaseModel):
    """A request body or form. `extra="forbid"` makes a typo (`{"nmae": ...}`) a validation error
    and puts `additionalProperties: false` in the OpenAPI schema (P06)."""

    model_config = ConfigDict(extra="forbid")
