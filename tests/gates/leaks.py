"""What "no internals leak" means for the gates: no traceback, SQL or driver name in a body."""

from __future__ import annotations

import httpx

#: Text that would betray a stack trace, SQL or the database driver in a response body.
LEAK_MARKERS = (
    "Traceback",
    'File "',
    "sqlalchemy",
    "psycopg",
    "asyncpg",
    "sqlite3",
    "aiosqlite",
    "SELECT ",
    "INSERT ",
    "UPDATE ",
)


def leaked_markers(text: str) -> list[str]:
    """The markers of ``LEAK_MARKERS`` that occur in ``text``."""
    return [marker for marker in LEAK_MARKERS if marker in text]


def assert_no_internals(response: httpx.Response) -> None:
    found = leaked_markers(response.text)
    assert not found, (
        f"{response.request.method} {response.request.url.path} -> {response.status_code} "
        f"leaks {found}: {response.text[:2000]}"
    )
