"""The bare FastAPI app's work, served through the framework mechanisms the contract asks for.

`fastapi_app.py` registers six endpoints on the application itself: the cheapest routing FastAPI
has. A service that keeps the contract cannot: its features are routers included in the
application and matched in order, the caller is an injected dependency
(P03), responses are validated models (P18), and CORS and compression are middleware (P19). This
app does exactly the bare app's work (it calls the same functions) through those mechanisms and
nothing else: no rate limit, no request id, no access log, no error envelope. The benchmark's
`--bare structured` measures the service against it, which separates what the framework charges
for the contract's structure from what the service's own code costs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from fastapi.security.base import SecurityBase
from fastapi_app import (
    caller,
    health,
    lifespan,
    list_users,
    public,
    read_post,
    transfer,
    user_record,
)
from shapes import UserOut

#: Routers matched before the users router, as the service's health, WebSocket and auth are.
FILLER_ROUTERS = 3
FILLER_ROUTES = 2


class Caller(SecurityBase):
    """The caller as one security dependency, as the service injects it."""

    def __init__(self) -> None:
        from fastapi.security import OAuth2PasswordBearer

        scheme = OAuth2PasswordBearer(tokenUrl="/token", auto_error=False)
        self.model = scheme.model
        self.scheme_name = scheme.scheme_name

    async def __call__(self, request: Request) -> dict[str, Any]:
        return await caller(request.headers.get("authorization"))


CallerDep = Annotated[dict[str, Any], Depends(Caller())]
users = APIRouter(prefix="/users", tags=["users"])


@users.get("/me")
async def me(user: CallerDep) -> UserOut:
    return UserOut.model_validate(public(user))


@users.get("/{user_id:int}")
async def read_user(user_id: int, _: CallerDep) -> UserOut:
    record = await user_record(user_id)
    if record is None:
        raise HTTPException(404)
    return UserOut.model_validate(public(record))


@users.get("")
async def users_page(authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    return await list_users(authorization)


def _filler(number: int) -> APIRouter:
    router = APIRouter(prefix=f"/feature{number}", tags=[f"feature{number}"])
    for route in range(FILLER_ROUTES):
        router.add_api_route(f"/{route}/{{item_id:int}}", _filler_endpoint, methods=["GET"])
    return router


async def _filler_endpoint(item_id: int) -> dict[str, int]:
    return {"item_id": item_id}


app = FastAPI(lifespan=lifespan)
app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
    allow_credentials=True,
    allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    allow_headers=["Authorization", "Content-Type"],
)
app.add_middleware(GZipMiddleware, minimum_size=1024)
others = APIRouter()
others.add_api_route("/health", health, methods=["GET"])
others.add_api_route("/posts/{post_id}", read_post, methods=["GET"])
others.add_api_route("/transfers", transfer, methods=["POST"])
app.include_router(others)
for number in range(FILLER_ROUTERS):
    app.include_router(_filler(number))
app.include_router(users)
