"""Schemathesis hooks for the API-fuzzing gate, loaded through ``SCHEMATHESIS_HOOKS``.

Registers ``no_internals_leak``: a response body must never carry a traceback, SQL or the name of
the database driver, whatever the status.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from tests.gates.leaks import leaked_markers


@schemathesis.check
def no_internals_leak(ctx: Any, response: Any, case: Any) -> bool | None:
    """No response body contains a traceback, SQL or a database driver's name."""
    found = leaked_markers(response.text or "")
    if found:
        raise AssertionError(f"The response body leaks internals: {', '.join(map(repr, found))}")
    return None
