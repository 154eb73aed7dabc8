"""The bare Django app that `bench/bench_service.py` measures a generated Django service against.

Each view does the work of one benchmark row and nothing else: the same token check (PyJWT,
HS256, the same required claims, the caller's record looked up to check `ver` and `is_active`),
the same queries on the same database, the same cache (Django's cache framework: local memory,
or Redis with `REDIS_URL`), the same JSON. Plain Django function views (sync, as DRF's are), no
middleware, no DRF, no rate limit, no validation layer, no logging: what the generated service
costs beyond that is what the ratios show. The work itself is in functions of its own, which
`django_structured_app.py` serves through DRF.

Run inside the generated project's venv, on the database the project migrated:
`DJANGO_SETTINGS_MODULE=django_settings uvicorn django_app:app --app-dir bench/bare` with
`SECRET_KEY`, `DATABASE_URL` and optionally `REDIS_URL`.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import jwt
from django.core.asgi import get_asgi_application
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

SECRET_KEY = os.environ["SECRET_KEY"]
SQLITE = os.environ["DATABASE_URL"].startswith("sqlite")
REQUIRED_CLAIMS = ["exp", "iat", "sub", "ver"]
CACHE_TTL = 60
USER_COLUMN_NAMES = (
    "id",
    "email",
    "full_name",
    "role",
    "is_active",
    "credentials_version",
    "created_at",
)
USER_COLUMNS = ", ".join(USER_COLUMN_NAMES)
USER_BY_ID = f"SELECT {USER_COLUMNS} FROM users WHERE id = %s"
USER_PAGE = f"SELECT {USER_COLUMNS} FROM users ORDER BY id LIMIT 10 OFFSET 0"
POST_COLUMN_NAMES = ("id", "title", "body", "author_id", "created_at")
POST_BY_ID = f"SELECT {', '.join(POST_COLUMN_NAMES)} FROM posts WHERE id = %s"
# SQLite takes its write lock when the transaction begins ("transaction_mode": "IMMEDIATE").
LOCK_ACCOUNTS_SQLITE = "SELECT id, owner_id, balance FROM accounts WHERE id IN (%s, %s) ORDER BY id"
LOCK_ACCOUNTS = f"{LOCK_ACCOUNTS_SQLITE} FOR UPDATE"


class Unauthorized(Exception):
    pass


class InsufficientFunds(Exception):
    pass


def _time(value: Any) -> str:
    stamp = datetime.fromisoformat(value) if isinstance(value, str) else value
    return stamp.replace(tzinfo=stamp.tzinfo or UTC).astimezone(UTC).isoformat()


def _record(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(USER_COLUMN_NAMES, row, strict=True))
    record["created_at"] = _time(record["created_at"])
    record["is_active"] = bool(record["is_active"])
    return record


def user_record(user_id: int) -> dict[str, Any] | None:
    key = f"bare:user:{user_id}"
    record: dict[str, Any] | None = cache.get(key)
    if record is None:
        with connection.cursor() as cursor:
            cursor.execute(USER_BY_ID, [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        record = _record(row)
        cache.set(key, record, CACHE_TTL)
    return record


def caller(authorization: str | None) -> dict[str, Any]:
    scheme, _, token = (authorization or "").partition(" ")
    try:
        claims = jwt.decode(
            token, SECRET_KEY, algorithms=["HS256"], options={"require": REQUIRED_CLAIMS}
        )
    except jwt.PyJWTError as exc:
        raise Unauthorized from exc
    record = user_record(int(claims["sub"]))
    if scheme.lower() != "bearer" or record is None or not record["is_active"]:
        raise Unauthorized
    if record["credentials_version"] != claims["ver"]:
        raise Unauthorized
    return record


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record[key] for key in ("id", "email", "full_name", "role", "is_active")}


def post(post_id: int) -> dict[str, Any] | None:
    with connection.cursor() as cursor:
        cursor.execute(POST_BY_ID, [post_id])
        row = cursor.fetchone()
    if row is None:
        return None
    record = dict(zip(POST_COLUMN_NAMES, row, strict=True))
    record["created_at"] = _time(record["created_at"])
    return record


def users_page() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(USER_PAGE)
        rows = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM users")
        (total,) = cursor.fetchone() or (0,)
    items = [public(_record(row)) | {"posts": None} for row in rows]
    return {"items": items, "total": total, "skip": 0, "limit": 10, "has_more": len(items) < total}


def health_checks() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    key, token = f"bare:health:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, token, CACHE_TTL)
    healthy = cache.get(key) == token
    cache.delete(key)
    return {"status": "ok", "checks": {"database": "ok", "cache": "ok" if healthy else "error"}}


def make_transfer(user: dict[str, Any], source_id: int, target_id: int, amount: Decimal) -> dict:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(LOCK_ACCOUNTS_SQLITE if SQLITE else LOCK_ACCOUNTS, [source_id, target_id])
        accounts = {row[0]: row for row in cursor.fetchall()}
        source = accounts[source_id]
        if source[1] != user["id"] or Decimal(str(source[2])) < amount:
            raise InsufficientFunds
        cursor.execute(
            "UPDATE accounts SET balance = balance - %s WHERE id = %s", [amount, source_id]
        )
        cursor.execute(
            "UPDATE accounts SET balance = balance + %s WHERE id = %s", [amount, target_id]
        )
        created = datetime.now(UTC)
        cursor.execute(
            "INSERT INTO transfers (from_account_id, to_account_id, amount, created_at)"
            " VALUES (%s, %s, %s, %s) RETURNING id",
            [source_id, target_id, amount, created],
        )
        (transfer_id,) = cursor.fetchone() or (None,)
    return {
        "id": transfer_id,
        "from_account_id": source_id,
        "to_account_id": target_id,
        "amount": f"{amount:.2f}",
        "created_at": created.isoformat(),
    }


def unauthorized() -> HttpResponse:
    return HttpResponse(status=401)


@require_GET
def me(request: HttpRequest) -> HttpResponse:
    try:
        return JsonResponse(public(caller(request.headers.get("Authorization"))))
    except Unauthorized:
        return unauthorized()


@require_GET
def read_user(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        caller(request.headers.get("Authorization"))
    except Unauthorized:
        return unauthorized()
    record = user_record(user_id)
    if record is None:
        return HttpResponse(status=404)
    return JsonResponse(public(record))


@require_GET
def read_post(request: HttpRequest, post_id: int) -> HttpResponse:
    try:
        caller(request.headers.get("Authorization"))
    except Unauthorized:
        return unauthorized()
    record = post(post_id)
    if record is None:
        return HttpResponse(status=404)
    return JsonResponse(record)


@require_GET
def list_users(request: HttpRequest) -> HttpResponse:
    try:
        caller(request.headers.get("Authorization"))
    except Unauthorized:
        return unauthorized()
    return JsonResponse(users_page())


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return JsonResponse(health_checks())


@require_POST
def transfer(request: HttpRequest) -> HttpResponse:
    try:
        user = caller(request.headers.get("Authorization"))
    except Unauthorized:
        return unauthorized()
    body = json.loads(request.body)
    source_id, target_id = int(body["from_account_id"]), int(body["to_account_id"])
    try:
        record = make_transfer(user, source_id, target_id, Decimal(str(body["amount"])))
    except InsufficientFunds:
        return HttpResponse(status=400)
    return JsonResponse(record, status=201)


urlpatterns = [
    path("users/me", me),
    path("users/<int:user_id>", read_user),
    path("users", list_users),
    path("posts/<int:post_id>", read_post),
    path("health", health),
    path("transfers", transfer),
]

app = get_asgi_application()
