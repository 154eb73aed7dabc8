"""The bare FastAPI app that `bench/bench_service.py` measures a generated FastAPI service against.

Each endpoint does the work of one benchmark row and nothing else: the same token check (PyJWT,
HS256, the same required claims, the caller's record looked up to check `ver` and `is_active`),
the same queries on the same database, the same cache (a dict, or Redis with `REDIS_URL`), the
same JSON. No middleware, no rate limit, no validation layer, no logging: what the generated
service costs beyond that is what the ratios show.

Run inside the generated project's venv, on the database the project migrated:
`uvicorn bare.fastapi_app:app` with `SECRET_KEY`, `DATABASE_URL` and optionally `REDIS_URL`.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import jwt
import redis.asyncio as redis
from fastapi import FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

SECRET_KEY = os.environ["SECRET_KEY"]
DATABASE_URL = os.environ["DATABASE_URL"]
REDIS_URL = os.environ.get("REDIS_URL") or None
REQUIRED_CLAIMS = ["exp", "iat", "sub", "ver"]
CACHE_TTL = 60
USER_COLUMNS = "id, email, full_name, role, is_active, token_version, created_at"


def _driver_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    drivers = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
    return f"{drivers.get(scheme, scheme)}{sep}{rest}"


SQLITE = DATABASE_URL.startswith("sqlite")
engine = create_async_engine(
    _driver_url(DATABASE_URL), **({"connect_args": {"timeout": 30}} if SQLITE else {})
)
if SQLITE:

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


class Cache:
    """The same cache the service uses: a dict in process, or Redis holding JSON."""

    def __init__(self) -> None:
        self.memory: dict[str, Any] = {}
        self.redis = redis.from_url(REDIS_URL) if REDIS_URL else None

    async def get(self, key: str) -> Any:
        if self.redis is None:
            return self.memory.get(key)
        raw = await self.redis.get(key)
        return None if raw is None else json.loads(raw)

    async def set(self, key: str, value: Any) -> None:
        if self.redis is None:
            self.memory[key] = value
        else:
            await self.redis.set(key, json.dumps(value), ex=CACHE_TTL)

    async def delete(self, key: str) -> None:
        if self.redis is None:
            self.memory.pop(key, None)
        else:
            await self.redis.delete(key)


cache = Cache()


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()
    if cache.redis is not None:
        await cache.redis.aclose()


app = FastAPI(lifespan=lifespan)


def _record(row: Any) -> dict[str, Any]:
    record = dict(row._mapping)
    record["created_at"] = _record_time(record["created_at"])
    record["is_active"] = bool(record["is_active"])
    return record


async def user_record(user_id: int) -> dict[str, Any] | None:
    key = f"bare:user:{user_id}"
    record = await cache.get(key)
    if record is None:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text(f"SELECT {USER_COLUMNS} FROM users WHERE id = :id"), {"id": user_id}
                )
            ).first()
        if row is None:
            return None
        record = _record(row)
        await cache.set(key, record)
    return record


async def caller(authorization: str | None) -> dict[str, Any]:
    scheme, _, token = (authorization or "").partition(" ")
    try:
        claims = jwt.decode(
            token, SECRET_KEY, algorithms=["HS256"], options={"require": REQUIRED_CLAIMS}
        )
    except jwt.PyJWTError as exc:
        raise HTTPException(401) from exc
    record = await user_record(int(claims["sub"]))
    if scheme.lower() != "bearer" or record is None or not record["is_active"]:
        raise HTTPException(401)
    if record["token_version"] != claims["ver"]:
        raise HTTPException(401)
    return record


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record[key] for key in ("id", "email", "full_name", "role", "is_active")}


@app.get("/users/me")
async def me(authorization: str | None = Header(default=None)) -> JSONResponse:
    return JSONResponse(public(await caller(authorization)))


@app.get("/users/{user_id}")
async def read_user(user_id: int, authorization: str | None = Header(default=None)) -> JSONResponse:
    await caller(authorization)
    record = await user_record(user_id)
    if record is None:
        raise HTTPException(404)
    return JSONResponse(public(record))


@app.get("/posts/{post_id}")
async def read_post(post_id: int, authorization: str | None = Header(default=None)) -> JSONResponse:
    await caller(authorization)
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT id, title, body, author_id, created_at FROM posts WHERE id = :id"),
                {"id": post_id},
            )
        ).first()
    if row is None:
        raise HTTPException(404)
    post = dict(row._mapping)
    post["created_at"] = _record_time(post["created_at"])
    return JSONResponse(post)


def _record_time(value: Any) -> str:
    created = datetime.fromisoformat(value) if isinstance(value, str) else value
    return created.replace(tzinfo=created.tzinfo or UTC).isoformat()


@app.get("/users")
async def list_users(authorization: str | None = Header(default=None)) -> JSONResponse:
    await caller(authorization)
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text(f"SELECT {USER_COLUMNS} FROM users ORDER BY id LIMIT 10 OFFSET 0")
            )
        ).all()
        total = (await connection.execute(text("SELECT count(*) FROM users"))).scalar_one()
    items = [public(_record(row)) | {"posts": None} for row in rows]
    page = {"items": items, "total": total, "skip": 0, "limit": 10}
    return JSONResponse(page | {"has_more": len(items) < total})


@app.get("/health")
async def health() -> JSONResponse:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    key, token = f"bare:health:{secrets.token_hex(8)}", secrets.token_hex(8)
    await cache.set(key, token)
    healthy = await cache.get(key) == token
    await cache.delete(key)
    checks = {"database": "ok", "cache": "ok" if healthy else "error"}
    return JSONResponse({"status": "ok", "checks": checks})


async def _lock_accounts(connection: AsyncConnection, ids: list[int]) -> dict[int, Any]:
    if SQLITE:
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
        query = "SELECT id, owner_id, balance FROM accounts WHERE id IN (:a, :b) ORDER BY id"
    else:
        query = (
            "SELECT id, owner_id, balance FROM accounts WHERE id IN (:a, :b) ORDER BY id FOR UPDATE"
        )
    rows = (await connection.execute(text(query), {"a": ids[0], "b": ids[1]})).all()
    return {row.id: row for row in rows}


@app.post("/transfers")
async def transfer(request: Request, authorization: str | None = Header(default=None)) -> Any:
    user = await caller(authorization)
    body = await request.json()
    source_id, target_id = int(body["from_account_id"]), int(body["to_account_id"])
    amount = Decimal(str(body["amount"]))
    scale = 100 if SQLITE else 1  # integer cents on SQLite, NUMERIC on PostgreSQL
    async with engine.connect() as connection:
        if not SQLITE:
            await connection.begin()
        accounts = await _lock_accounts(connection, sorted({source_id, target_id}))
        source = accounts[source_id]
        if source.owner_id != user["id"] or Decimal(source.balance) / scale < amount:
            await connection.rollback()
            raise HTTPException(400)
        delta = amount * scale if SQLITE else amount
        await connection.execute(
            text("UPDATE accounts SET balance = balance - :d WHERE id = :id"),
            {"d": int(delta) if SQLITE else delta, "id": source_id},
        )
        await connection.execute(
            text("UPDATE accounts SET balance = balance + :d WHERE id = :id"),
            {"d": int(delta) if SQLITE else delta, "id": target_id},
        )
        created = datetime.now(UTC)
        row = (
            await connection.execute(
                text(
                    "INSERT INTO transfers (from_account_id, to_account_id, amount, created_at)"
                    " VALUES (:f, :t, :a, :c) RETURNING id"
                ),
                {
                    "f": source_id,
                    "t": target_id,
                    "a": int(delta) if SQLITE else delta,
                    "c": created if not SQLITE else created.isoformat(" "),
                },
            )
        ).first()
        await connection.commit()
    record = {
        "id": row.id if row else None,
        "from_account_id": source_id,
        "to_account_id": target_id,
        "amount": f"{amount:.2f}",
        "created_at": created.isoformat(),
    }
    if cache.redis is not None:  # the service broadcasts `transfer.completed` to every worker
        await cache.redis.publish("bare:events", json.dumps({"type": "transfer.completed"}))
    return JSONResponse(record, status_code=201)
