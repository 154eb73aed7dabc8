"""The ``no_internals_leak`` check itself: registered with schemathesis, and it bites."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.gates.leaks import LEAK_MARKERS, leaked_markers


def test_no_internals_leak_is_a_registered_schemathesis_check() -> None:
    pytest.importorskip("schemathesis")
    from schemathesis.checks import CHECKS

    from tests.gates import schemathesis_hooks

    assert "no_internals_leak" in CHECKS.get_all_names()
    clean = SimpleNamespace(text='{"error": {"code": "INTERNAL_ERROR"}}')
    assert schemathesis_hooks.no_internals_leak(None, clean, None) is None
    for marker in LEAK_MARKERS:
        leaking = SimpleNamespace(text=f"oops {marker} here")
        with pytest.raises(AssertionError, match="leaks internals"):
            schemathesis_hooks.no_internals_leak(None, leaking, None)


def test_leak_markers_find_what_the_issue_names() -> None:
    body = 'Traceback (most recent call last):\n  File "app.py" ... psycopg.errors ... SELECT 1'
    assert {"Traceback", 'File "', "psycopg", "SELECT "} <= set(leaked_markers(body))
    assert leaked_markers('{"id": 1, "email": "a@example.com"}') == []
