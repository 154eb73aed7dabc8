"""The bare Flask app's work, served through the framework mechanisms the contract asks for.

`flask_app.py` registers plain views on a plain Flask application: the cheapest dispatch Flask
has. A service that keeps the contract cannot: it is an APIFlask application (the OpenAPI
document, P18) whose features are blueprints, the caller is checked by the bearer scheme a view
declares (`HTTPTokenAuth`, P03/P04), path parameters and responses go through validated models
(P02, P18), and CORS and compression run after every response (P19). This app does exactly the
bare app's work (it calls the same functions) through those mechanisms and nothing else: no rate
limit, no request id, no access log, no error envelope. The benchmark's `--bare structured`
measures the service against it, which separates what the framework charges for the contract's
structure from what the service's own code costs.
"""

from __future__ import annotations

from typing import Any

import flask_app
from apiflask import APIBlueprint, APIFlask, HTTPTokenAuth
from flask import abort
from flask_compress import Compress
from flask_cors import CORS
from pydantic import BaseModel, Field
from shapes import UserOut

#: Blueprints registered before the users blueprint, as the service's health, auth and
#: WebSocket are.
FILLER_BLUEPRINTS = 3
FILLER_ROUTES = 2


class UserId(BaseModel):
    user_id: int = Field(ge=1, le=2**63 - 1)


bearer = HTTPTokenAuth(scheme="Bearer")


@bearer.verify_token
def _verify_token(token: str) -> dict[str, Any] | None:
    if not token:
        return None
    return flask_app.caller()  # the bare app's check: the same decoding and look-up


users = APIBlueprint("users", __name__, url_prefix="/users", tag="users")


@users.get("/me")
@users.auth_required(bearer)
@users.output(UserOut)
def me() -> UserOut:
    user: dict[str, Any] = bearer.current_user
    return UserOut.model_validate(flask_app.public(user))


@users.get("/<int:user_id>")
@users.auth_required(bearer)
@users.input(UserId, location="path", arg_name="path")
@users.output(UserOut)
def read_user(user_id: int, path: UserId) -> UserOut:
    record = flask_app.user_record(path.user_id)
    if record is None:
        abort(404)
    return UserOut.model_validate(flask_app.public(record))


def _filler(number: int) -> APIBlueprint:
    blueprint = APIBlueprint(f"feature{number}", __name__, url_prefix=f"/feature{number}")
    for route in range(FILLER_ROUTES):
        blueprint.add_url_rule(
            f"/{route}/<int:item_id>", f"item{route}", _filler_view, methods=["GET"]
        )
    return blueprint


def _filler_view(item_id: int) -> dict[str, int]:
    return {"item_id": item_id}


app = APIFlask(__name__, title="bench", version="1", spec_path="/openapi.json")
app.config.update(
    COMPRESS_ALGORITHM="gzip",
    COMPRESS_MIN_SIZE=1024,
    COMPRESS_MIMETYPES=["application/json"],
)
CORS(
    app,
    origins=["http://localhost:3000"],
    supports_credentials=True,
    methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    allow_headers=["Authorization", "Content-Type"],
)
Compress(app)
app.add_url_rule("/health", view_func=flask_app.health, methods=["GET"])
app.add_url_rule("/posts/<int:post_id>", view_func=flask_app.read_post, methods=["GET"])
app.add_url_rule("/transfers", view_func=flask_app.transfer, methods=["POST"])
app.add_url_rule("/users", view_func=flask_app.list_users, methods=["GET"])
for number in range(FILLER_BLUEPRINTS):
    app.register_blueprint(_filler(number))
app.register_blueprint(users)
for code in (400, 401, 404):
    app.register_error_handler(code, flask_app.empty_response)
