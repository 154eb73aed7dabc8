"""P07: X-Request-ID (echoed when well-formed, else a new UUID4), X-Process-Time and the log."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract.client import (
    PASSWORD,
    bearer,
    login,
    new_user,
    register,
    unique_email,
    ws_connect_url,
    ws_join,
    ws_url,
)
from tests.support.harness import Service


def _assert_uuid4(value: str) -> None:
    assert len(value) == 36, value
    assert uuid.UUID(value).version == 4, value


@pytest.mark.parametrize("request_id", ["abc-123", "Trace_ID.v2-0001", "x" * 64])
def test_p07_well_formed_request_id_is_echoed(client: httpx.Client, request_id: str) -> None:
    response = client.get("/health", headers={"X-Request-ID": request_id})
    assert response.headers["X-Request-ID"] == request_id


@pytest.mark.parametrize(
    "request_id",
    ["bad id!", "x" * 65, "y" * 200, "semi;colon", "<script>"],
    ids=["space-and-bang", "65-chars", "200-chars", "semicolon", "markup"],
)
def test_p07_malformed_request_id_is_replaced(client: httpx.Client, request_id: str) -> None:
    response = client.get("/health", headers={"X-Request-ID": request_id})
    echoed = response.headers["X-Request-ID"]
    assert echoed != request_id
    _assert_uuid4(echoed)


def test_p07_absent_request_id_is_generated(client: httpx.Client) -> None:
    first, second = client.get("/health"), client.get("/health")
    _assert_uuid4(first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.mark.parametrize("path", ["/health", "/api/v1/users/me", "/api/v1/no-such-route"])
def test_p07_every_response_has_context_headers(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert "X-Request-ID" in response.headers
    process_time = float(response.headers["X-Process-Time"])
    assert process_time >= 0


# --------------------------------------------------------------------------- the log

#: Seconds allowed for a request's access line to reach the log file.
LOG_TIMEOUT = 5
#: A compact JWS whose header and payload are JSON objects (base64url of ``{"``): a token.
JWT_PATTERN = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")


def _log_path(service: Service) -> Path:
    if service.log_path is None:
        pytest.skip("the output of a --base-url service is not readable here (no log file)")
    return service.log_path


def _complete_lines(path: Path) -> list[bytes]:
    """Every finished line of the log (the last piece may be a line still being written)."""
    return path.read_bytes().split(b"\n")[:-1]


def _access_line(path: Path, request_id: str) -> dict[str, Any]:
    """The access-log record of the request ``request_id``, once the service has written it."""
    deadline = time.monotonic() + LOG_TIMEOUT
    while True:
        found = []
        for line in _complete_lines(path):
            if request_id.encode() not in line:
                continue
            try:
                record = json.loads(line)
            except ValueError:  # not JSON: test_p07_every_log_line_is_one_json_object says so
                continue
            is_dict = isinstance(record, dict)
            if is_dict and record.get("request_id") == request_id and "status" in record:
                found.append(record)
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(found) == 1, f"access lines of {request_id}: {found}"
    return found[0]


def _sentinel(client: httpx.Client, path: Path) -> None:
    """Wait until a request made now is in the log, and with it everything logged before."""
    request_id = f"sentinel-{uuid.uuid4().hex}"
    client.get("/health", headers={"X-Request-ID": request_id})
    _access_line(path, request_id)


def test_p07_every_log_line_is_one_json_object(client: httpx.Client, service: Service) -> None:
    """Everything the running service wrote (its own logs, access lines, the server's start-up
    and worker lines) is JSON, one object per line, with ``time`` (UTC), ``level`` and
    ``message``; each request has one access line."""
    path = _log_path(service)
    request_id = f"log-check-{uuid.uuid4().hex}"
    client.get("/api/v1/no-such-route", headers={"X-Request-ID": request_id})
    access = _access_line(path, request_id)
    assert access["method"] == "GET", access
    assert access["path"] == "/api/v1/no-such-route", access
    assert access["status"] == 404, access
    assert isinstance(access["duration_ms"], int | float), access

    lines = _complete_lines(path)
    bad = []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
            assert isinstance(record, dict)
            assert {"time", "level", "message"} <= set(record)
            assert dt.datetime.fromisoformat(record["time"]).utcoffset() == dt.timedelta(0)
        except (ValueError, AssertionError, TypeError):
            bad.append(f"line {number}: {line[:300]!r}")
    assert not bad, f"{len(bad)} of {len(lines)} lines of {path} are not JSON records:\n" + (
        "\n".join(bad[:20])
    )


def test_p07_passwords_and_keys_are_never_logged(client: httpx.Client, service: Service) -> None:
    """Passwords sent at registration, login and a change, the admin's password and the signing
    key never reach the log (nor do they in any earlier test's traffic)."""
    path = _log_path(service)
    first, second = f"first-{uuid.uuid4().hex}", f"second-{uuid.uuid4().hex}"
    email = unique_email("logged")
    user_id = register(client, email, password=first)["id"]
    token = login(client, email, first)
    changed = client.patch(
        f"/api/v1/users/{user_id}", json={"password": second}, headers=bearer(token)
    )
    assert changed.status_code == 200, changed.text
    login(client, email, second)
    _sentinel(client, path)
    text = path.read_text(encoding="utf-8", errors="replace")
    for name, secret in (
        ("a password given at registration", first),
        ("a password given in a change", second),
        ("the password of this suite's users", PASSWORD),
        ("the admin's password", service.admin_password),
        ("SECRET_KEY", service.secret_key),
    ):
        assert not secret or secret not in text, f"{name} is in the log"


def test_p07_tokens_are_never_logged(client: httpx.Client, service: Service) -> None:
    """A token sent in the Authorization header or in the WebSocket's ``?token=`` query, its
    name spelled plainly or percent-encoded (``tok%65n`` is ``token`` to the server)."""
    path = _log_path(service)
    user = new_user(client, "logged")
    assert client.get("/api/v1/users/me", headers=user.headers).status_code == 200
    ws, _ = ws_join(service.base_url, user)
    ws.close()
    disguised = ws_url(service.base_url, None) + f"?tok%65n={user.token}"
    with ws_connect_url(disguised) as other:
        other.recv(timeout=10)  # the welcome: the server read the token
    _sentinel(client, path)
    text = path.read_text(encoding="utf-8", errors="replace")
    assert user.token not in text, "an access token is in the log"
    leaked = JWT_PATTERN.findall(text)
    assert not leaked, f"{len(leaked)} tokens in the log, e.g. {leaked[0][:40]}..."
