"""The base of every request body, and how APIFlask validates bodies against it: an unknown field
is a 422 naming it, and so is a body that is not an object, never silently ignored."""

from http import HTTPStatus
from typing import Any

from apiflask import HTTPError
from apiflask.schema_adapters import registry
from apiflask.schema_adapters.pydantic import PydanticAdapter
from flask import Request
from pydantic import BaseModel, ConfigDict, ValidationError


class RequestModel(BaseModel):
    """A request body or form. `extra="forbid"` makes a typo (`{"nmae": ...}`) a validation error
    and puts `additionalProperties: false` in the OpenAPI schema (P06)."""

    model_config = ConfigDict(extra="forbid")


class BodyAdapter(PydanticAdapter):
    """APIFlask's Pydantic adapter, except that a JSON body of `null` is refused like any other
    body that is not an object (422). APIFlask reads it as `{}`, so a `PATCH` of `null` would
    change nothing and succeed, and a `POST` of `null` would take every default."""

    def validate_input(self, request: Request, location: str, **kwargs: Any) -> BaseModel:
        if location == "json" and request.get_json(force=True) is None:
            try:
                self.model_class.model_validate(None)
            except ValidationError as error:
                raise HTTPError(HTTPStatus.UNPROCESSABLE_ENTITY) from error
        return super().validate_input(request, location, **kwargs)


# The routes' `@bp.input` decorators create their adapters as they are defined, and every request
# model imports this module first: registered here, the adapter is the one they get.
registry.register("pydantic", BodyAdapter)
