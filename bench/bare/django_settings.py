"""Django settings of the bare Django app (`DJANGO_SETTINGS_MODULE=django_settings`): the
service's database options (SQLite in WAL mode with `BEGIN IMMEDIATE`; PostgreSQL through
psycopg 3's pool, the connection returned at each request's end) and its cache (local memory, or
Redis with `REDIS_URL`). No apps, no middleware."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

_DATABASE_URL = os.environ["DATABASE_URL"]
_REDIS_URL = os.environ.get("REDIS_URL") or None


def _database() -> dict[str, Any]:
    if _DATABASE_URL.startswith("sqlite"):
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _DATABASE_URL.removeprefix("sqlite:///"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
            },
        }
    url = urlsplit(_DATABASE_URL)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": url.path.lstrip("/"),
        "USER": url.username or "",
        "PASSWORD": url.password or "",
        "HOST": url.hostname or "",
        "PORT": str(url.port or ""),
        # As the service (DB_POOL_SIZE 5 + DB_MAX_OVERFLOW 10). Under ASGI every sync view runs
        # in a thread of its request's own: persistent per-thread connections would pile up.
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"pool": {"min_size": 5, "max_size": 15, "timeout": 30}},
    }


DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "django_app"
MIDDLEWARE: list[str] = []
INSTALLED_APPS: list[str] = []
USE_TZ = True
DATABASES = {"default": _database()}
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_URL}
        if _REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
