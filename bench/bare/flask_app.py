"""The bare Flask app that `bench/bench_service.py` measures a generated Flask service against.

Each view does the work of one benchmark row and nothing else: the same token check (PyJWT,
HS256, the same required claims, the caller's record looked up to check `ver` and `is_active`),
the same queries on the same database through the same driver and pool (SQLAlchemy 2 sync,
psycopg 3 on PostgreSQL), the same cache (a dict, or Redis holding JSON), the same JSON. Plain
Flask views, no extensions, no rate limit, no validation layer, no logging: what the generated
service costs beyond that is what the ratios show.

Run inside the generated project's venv, on the database the project migrated, under the
service's server: `gunicorn -k gthread --threads 32 --chdir bench/bare flask_app:app` with
`SECRET_KEY`, `DATABASE_URL` and optionally `REDIS_URL` (or `-k sync` for gunicorn's default
worker).
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import jwt
import redis
from flask import Flask, Response, abort, request
from sqlalchemy import Connection, create_engine, event, text

SECRET_KEY = os.environ["SECRET_KEY"]
DATABASE_URL = os.environ["DATABASE_URL"]
REDIS_URL = os.environ.get("REDIS_URL") or None
REQUIRED_CLAIMS = ["exp", "iat", "sub", "ver"]
CACHE_TTL = 60
USER_COLUMNS = "id, email, full_name, role, is_active, token_version, created_at"
SQLITE = DATABASE_URL.startswith("sqlite")


def _driver_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    return f"{'postgresql+psycopg' if scheme == 'postgresql' else scheme}{sep}{rest}"


engine = create_engine(
    _driver_url(DATABASE_URL),
    **({"connect_args": {"timeout": 30}} if SQLITE else {"pool_size": 10, "max_overflow": 20}),
)
if SQLITE:

    @event.listens_for(engine, "connect")
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
        self.lock = threading.Lock()
        self.redis = redis.Redis.from_url(REDIS_URL) if REDIS_URL else None

    def get(self, key: str) -> Any:
        if self.redis is None:
            with self.lock:
                return self.memory.get(key)
        raw = self.redis.get(key)
        return None if raw is None else json.loads(raw)

    def set(self, key: str, value: Any) -> None:
        if self.redis is None:
            with self.lock:
                self.memory[key] = value
        else:
            self.redis.set(key, json.dumps(value), ex=CACHE_TTL)

    def delete(self, key: str) -> None:
        if self.redis is None:
            with self.lock:
                self.memory.pop(key, None)
        else:
            self.redis.delete(key)


cache = Cache()
app = Flask(__name__)


def _time(value: Any) -> str:
    created = datetime.fromisoformat(value) if isinstance(value, str) else value
    return created.replace(tzinfo=created.tzinfo or UTC).isoformat()


def _record(row: Any) -> dict[str, Any]:
    record = dict(row._mapping)
    record["created_at"] = _time(record["created_at"])
    record["is_active"] = bool(record["is_active"])
    return record


def user_record(user_id: int) -> dict[str, Any] | None:
    key = f"bare:user:{user_id}"
    record = cache.get(key)
    if record is None:
        with engine.connect() as connection:
            row = connection.execute(
                text(f"SELECT {USER_COLUMNS} FROM users WHERE id = :id"), {"id": user_id}
            ).first()
        if row is None:
            return None
        record = _record(row)
        cache.set(key, record)
    return record


def caller() -> dict[str, Any]:
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    try:
        claims = jwt.decode(
            token, SECRET_KEY, algorithms=["HS256"], options={"require": REQUIRED_CLAIMS}
        )
    except jwt.PyJWTError:
        abort(401)
    record = user_record(int(claims["sub"]))
    if scheme.lower() != "bearer" or record is None or not record["is_active"]:
        abort(401)
    if record["token_version"] != claims["ver"]:
        abort(401)
    return record


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record[key] for key in ("id", "email", "full_name", "role", "is_active")}


@app.get("/users/me")
def me() -> dict[str, Any]:
    return public(caller())


@app.get("/users/<int:user_id>")
def read_user(user_id: int) -> dict[str, Any]:
    caller()
    record = user_record(user_id)
    if record is None:
        abort(404)
    return public(record)


@app.get("/posts/<int:post_id>")
def read_post(post_id: int) -> dict[str, Any]:
    caller()
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT id, title, body, author_id, created_at FROM posts WHERE id = :id"),
            {"id": post_id},
        ).first()
    if row is None:
        abort(404)
    post = dict(row._mapping)
    post["created_at"] = _time(post["created_at"])
    return post


@app.get("/users")
def list_users() -> dict[str, Any]:
    caller()
    with engine.connect() as connection:
        rows = connection.execute(
            text(f"SELECT {USER_COLUMNS} FROM users ORDER BY id LIMIT 10 OFFSET 0")
        ).all()
        total = connection.execute(text("SELECT count(*) FROM users")).scalar_one()
    items = [public(_record(row)) | {"posts": None} for row in rows]
    return {"items": items, "total": total, "skip": 0, "limit": 10, "has_more": len(items) < total}


@app.get("/health")
def health() -> dict[str, Any]:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    key, token = f"bare:health:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, token)
    healthy = cache.get(key) == token
    cache.delete(key)
    return {"status": "ok", "checks": {"database": "ok", "cache": "ok" if healthy else "error"}}


def _lock_accounts(connection: Connection, ids: list[int]) -> dict[int, Any]:
    query = "SELECT id, owner_id, balance FROM accounts WHERE id IN (:a, :b) ORDER BY id"
    if SQLITE:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        query += " FOR UPDATE"
    rows = connection.execute(text(query), {"a": ids[0], "b": ids[1]}).all()
    return {row.id: row for row in rows}


@app.post("/transfers")
def transfer() -> tuple[dict[str, Any], int]:
    user = caller()
    body = json.loads(request.get_data())
    source_id, target_id = int(body["from_account_id"]), int(body["to_account_id"])
    amount = Decimal(str(body["amount"]))
    scale = 100 if SQLITE else 1  # integer cents on SQLite, NUMERIC on PostgreSQL
    delta: Decimal | int = int(amount * scale) if SQLITE else amount
    with engine.connect() as connection:
        if not SQLITE:
            connection.begin()
        accounts = _lock_accounts(connection, sorted({source_id, target_id}))
        source = accounts[source_id]
        if source.owner_id != user["id"] or Decimal(source.balance) / scale < amount:
            connection.rollback()
            abort(400)
        connection.execute(
            text("UPDATE accounts SET balance = balance - :d WHERE id = :id"),
            {"d": delta, "id": source_id},
        )
        connection.execute(
            text("UPDATE accounts SET balance = balance + :d WHERE id = :id"),
            {"d": delta, "id": target_id},
        )
        created = datetime.now(UTC)
        row = connection.execute(
            text(
                "INSERT INTO transfers (from_account_id, to_account_id, amount, created_at)"
                " VALUES (:f, :t, :a, :c) RETURNING id"
            ),
            {
                "f": source_id,
                "t": target_id,
                "a": delta,
                "c": created.isoformat(" ") if SQLITE else created,
            },
        ).first()
        connection.commit()
    record = {
        "id": row.id if row else None,
        "from_account_id": source_id,
        "to_account_id": target_id,
        "amount": f"{amount:.2f}",
        "created_at": created.isoformat(),
    }
    if cache.redis is not None:  # the service broadcasts `transfer.completed` to every worker
        cache.redis.publish("bare:events", json.dumps({"type": "transfer.completed"}))
    return record, 201


@app.errorhandler(401)
@app.errorhandler(400)
@app.errorhandler(404)
def empty_response(error: Any) -> Response:
    return Response(status=error.code)
