"""The response cache (P10) on Django's cache framework: locmem by default, Redis with
`REDIS_URL` (the `default` cache, under `REDIS_KEY_PREFIX`).

Values are stored as JSON text, so what a shared Redis holds is plain data. Writers drop an
entry inside their transaction and again once it commits (`forget`); a read racing the write
cannot cache the older row after the drop (see `users.services.get_user_record`).
"""

import json
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import transaction


def get_cache() -> BaseCache:
    """The `default` cache (tests swap it with `override_settings(CACHES=...)`)."""
    return caches["default"]


def get_json(key: str) -> Any:
    """The value stored under `key`, or None on a miss."""
    text = get_cache().get(key)
    return None if not isinstance(text, str) else json.loads(text)


def set_json(key: str, value: Any, ttl_seconds: int | None = None) -> None:
    """Store `value` for `ttl_seconds` (`CACHE_TTL_SECONDS` by default)."""
    ttl = settings.SERVICE.cache_ttl_seconds if ttl_seconds is None else ttl_seconds
    get_cache().set(key, json.dumps(value), timeout=ttl)


def delete(key: str) -> None:
    get_cache().delete(key)


def forget(key: str) -> None:
    """Drop `key` now and again once the current transaction commits.

    The writer holds the row's lock until it commits and a fill reads under that lock, so no
    fill can put the older row back in between; the second drop covers a cache entry written
    by anything that does not take the lock."""
    delete(key)
    transaction.on_commit(partial(delete, key))
