"""Small helpers for talking to a service the way any API client would."""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as _ws_connect

PASSWORD = "correct-horse-battery"  # meets the 8-128 character rule
#: ``MAX_REQUEST_BYTES`` of the service: the default (the harness boots services with it).
MAX_REQUEST_BYTES = 1_048_576

#: Words that would betray a stack trace, SQL or the database driver in an error body.
LEAK_MARKERS_CASE_SENSITIVE = ("Traceback", "SELECT ", 'File "')
LEAK_MARKERS_ANY_CASE = ("sqlalchemy", "psycopg", "asyncpg", "sqlite", "integrityerror")


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}@example.com"


@dataclass(frozen=True)
class User:
    """A registered user with a bearer token."""

    id: int
    email: str
    password: str
    token: str
    role: str = "user"

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register(
    client: httpx.Client, email: str | None = None, password: str = PASSWORD, **fields: Any
) -> dict[str, Any]:
    """Register a new user (201 expected); returns the UserV1 body."""
    body = {"email": email or unique_email(), "password": password, **fields}
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def token_response(client: httpx.Client, email: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/token", data={"username": email, "password": password})


def login(client: httpx.Client, email: str, password: str) -> str:
    response = token_response(client, email, password)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def new_user(client: httpx.Client, prefix: str = "user", **fields: Any) -> User:
    """Register a fresh user and log in."""
    email = unique_email(prefix)
    body = register(client, email, **fields)
    return User(body["id"], body["email"], PASSWORD, login(client, email, PASSWORD), body["role"])


def admin_user(client: httpx.Client, email: str | None, password: str | None) -> User:
    """Log in as the service's first admin (``FIRST_ADMIN_EMAIL``/``FIRST_ADMIN_PASSWORD``)."""
    import pytest

    if not email or not password:
        pytest.skip("no admin credentials for this service (--admin-email/--admin-password)")
    token = login(client, email, password)
    me = client.get("/api/v1/users/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    assert me.json()["role"] == "admin", me.text
    return User(me.json()["id"], me.json()["email"], password, token, "admin")


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Check the P06 envelope and return its ``error`` object."""
    assert response.status_code == status, response.text
    assert_no_leak(response)
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code, body
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["path"] == response.request.url.path, body
    assert error["request_id"] == response.headers["X-Request-ID"], body
    assert set(error) <= {"code", "message", "path", "request_id", "details"}, body
    if status == 401:
        assert response.headers.get("WWW-Authenticate", "").startswith("Bearer"), response.headers
    return error


def assert_no_leak(response: httpx.Response) -> None:
    text = response.text
    for marker in LEAK_MARKERS_CASE_SENSITIVE:
        assert marker not in text, f"{marker!r} in error body: {text[:2000]}"
    for marker in LEAK_MARKERS_ANY_CASE:
        assert marker not in text.lower(), f"{marker!r} in error body: {text[:2000]}"


def validation_fields(response: httpx.Response) -> list[str]:
    """The ``field`` of every 422 detail, after checking each detail's shape."""
    error = assert_error(response, 422, "VALIDATION_ERROR")
    details = error["details"]
    assert isinstance(details, list), error
    assert details, error
    for detail in details:
        assert {"field", "message", "type"} <= set(detail), detail
        assert all(isinstance(detail[key], str) for key in ("field", "message", "type")), detail
    return [detail["field"] for detail in details]


def allowed_methods(response: httpx.Response) -> set[str]:
    """The methods a 405's ``Allow`` header names (the header must be there)."""
    assert "Allow" in response.headers, response.headers
    return {method.strip().upper() for method in response.headers["Allow"].split(",") if method}


def path_parameter(client: httpx.Client, template: str) -> str:
    """The name ``/openapi.json`` gives the one parameter of ``template`` (``/api/v1/users/{}``):
    what a 422 about that path segment names in ``details[].field``."""
    response = client.get("/openapi.json")
    assert response.status_code == 200, response.text
    for path in response.json()["paths"]:
        if re.sub(r"\{[^}]*\}", "{}", path) == template:
            (name,) = re.findall(r"\{([^}:]+)[^}]*\}", path)
            return name
    raise AssertionError(f"{template} is not in /openapi.json")


# --------------------------------------------------------------------------- hand-made JWTs


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_HMAC_ALGORITHMS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def make_jwt(payload: dict[str, Any], key: str | None, alg: str = "HS256") -> str:
    """A compact JWS; ``alg="none"`` gives an unsigned token with an empty signature."""
    header = {"alg": alg, "typ": "JWT"}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload)
    )
    if alg == "none":
        return f"{signing_input}."
    assert key is not None
    digest = hmac.new(key.encode(), signing_input.encode(), _HMAC_ALGORITHMS[alg]).digest()
    return f"{signing_input}.{_b64url(digest)}"


def jwt_payload(token: str) -> dict[str, Any]:
    return json.loads(_b64url_decode(token.split(".")[1]))


def replace_payload(token: str, payload: dict[str, Any]) -> str:
    """The token with its payload swapped and its original signature kept (a tampered token)."""
    header, _, signature = token.split(".")
    body = _b64url(json.dumps(payload, separators=(",", ":")).encode())
    return f"{header}.{body}.{signature}"


def claims_for(user_id: int, lifetime: int = 600, issued: float | None = None) -> dict[str, Any]:
    """Claims of a valid token for a user whose credentials never changed.

    ``ver`` is the FastAPI service's credentials version (CONTRACT.md P04 lets a template require
    claims of its own), 0 for a fresh user: with it a hand-signed token fails only for the reason
    a test means (expired, another algorithm, a missing ``exp``...).
    """
    now = int(issued if issued is not None else time.time())
    return {"sub": str(user_id), "ver": 0, "iat": now, "exp": now + lifetime}


# --------------------------------------------------------------------------- WebSocket (P15)

#: Seconds allowed for a WebSocket handshake, one received frame, or a closing handshake.
WS_TIMEOUT = 5
#: Longest text frame the service accepts (CONTRACT.md "WebSocket"); longer ones close with 1009.
WS_MAX_TEXT = 4096
#: websockets >= 15 would honour HTTP(S)_PROXY (the suite talks to the service directly), and
#: websockets >= 17 wants ``legacy=True`` for a connection used outside a ``with`` block.
_WS_OPTIONS: dict[str, Any] = {
    key: value
    for key, value in (("proxy", None), ("legacy", True))
    if key in inspect.signature(_ws_connect).parameters
}


def ws_url(base_url: str, token: str | None, path: str = "/ws") -> str:
    """``ws://host:port/ws?token=...`` for a service at ``http://host:port``."""
    url = "ws" + base_url.removeprefix("http") + path
    return url if token is None else f"{url}?{urlencode({'token': token})}"


def ws_connect(base_url: str, token: str | None, origin: str | None = None) -> ClientConnection:
    """Open ``/ws`` (the handshake itself must succeed: refusals are close frames, not HTTP)."""
    return ws_connect_url(ws_url(base_url, token), origin)


def ws_connect_url(url: str, origin: str | None = None) -> ClientConnection:
    """Open the WebSocket at ``url`` as `ws_connect` does."""
    try:
        return _ws_connect(
            url,
            origin=origin,  # type: ignore[arg-type]  # websockets' Origin is a NewType of str
            open_timeout=WS_TIMEOUT,
            close_timeout=WS_TIMEOUT,
            ping_interval=None,
            **_WS_OPTIONS,
        )
    except InvalidStatus as exc:
        raise AssertionError(
            f"WebSocket handshake at {url} answered HTTP {exc.response.status_code}; "
            "the contract accepts the handshake and refuses with a close frame (code 1008)"
        ) from exc


def ws_receive(ws: ClientConnection, timeout: float = WS_TIMEOUT) -> dict[str, Any]:
    """The next frame as JSON; fails if none arrives within ``timeout`` or the server closes."""
    try:
        frame = ws.recv(timeout=timeout)
    except TimeoutError:
        raise AssertionError(f"no WebSocket frame within {timeout}s") from None
    except ConnectionClosed as exc:
        raise AssertionError(f"WebSocket closed while a frame was expected: {exc}") from exc
    assert isinstance(frame, str), f"expected a text frame, got {frame!r}"
    message = json.loads(frame)
    assert isinstance(message, dict), message
    return message


def ws_receive_until(
    ws: ClientConnection,
    predicate: Callable[[dict[str, Any]], bool],
    timeout: float = WS_TIMEOUT,
) -> dict[str, Any]:
    """The first JSON frame matching ``predicate`` (others are skipped) within ``timeout``."""
    deadline = time.monotonic() + timeout
    seen: list[dict[str, Any]] = []
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            message = ws_receive(ws, remaining)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; frames seen before: {seen}") from None
        if predicate(message):
            return message
        seen.append(message)
    raise AssertionError(f"no matching WebSocket frame within {timeout}s; frames seen: {seen}")


def ws_close_code(ws: ClientConnection, timeout: float = WS_TIMEOUT) -> int | None:
    """Read until the server closes; the code of its close frame (None: no close frame)."""
    deadline = time.monotonic() + timeout
    frames: list[str | bytes] = []
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            frames.append(ws.recv(timeout=remaining))
        except TimeoutError:
            break
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd is not None else None
    raise AssertionError(f"the server did not close the WebSocket within {timeout}s: {frames}")


def ws_refusal_code(base_url: str, token: str | None, origin: str | None = None) -> int | None:
    """Connect and return the close code the server refuses the client with."""
    with ws_connect(base_url, token, origin) as ws:
        return ws_close_code(ws)


def ws_join(
    base_url: str, user: User, origin: str | None = None
) -> tuple[ClientConnection, dict[str, Any]]:
    """Connect as ``user``; returns the connection and its welcome message (checked)."""
    ws = ws_connect(base_url, user.token, origin)
    try:
        welcome = ws_receive(ws)
        assert welcome.get("type") == "welcome", welcome
        assert welcome.get("user_id") == user.id, welcome
    except BaseException:
        ws.close()
        raise
    return ws, welcome


def ws_chat_message(user: User, text: str) -> dict[str, Any]:
    """The broadcast frame every joined client receives when ``user`` sends ``text``."""
    return {"type": "message", "user_id": user.id, "text": text}


# --------------------------------------------------------------------------- SSE (P16)

EVENTS_PATH = "/api/v1/events/stream"
#: Seconds to wait for a domain event to reach a stream after the request causing it returned.
EVENT_TIMEOUT = 10


@dataclass(frozen=True)
class ServerSentEvent:
    event: str
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


class EventStream:
    """An open ``GET /api/v1/events/stream``, parsed as the SSE spec says.

    Every read is bounded by ``read_timeout`` (the service pings every ``SSE_PING_SECONDS``, so
    an idle but healthy stream always has something to read) and every wait by its deadline.
    Each stream has an HTTP connection of its own.
    """

    def __init__(self, base_url: str, token: str | None, read_timeout: float) -> None:
        self.read_timeout = read_timeout
        self._http = httpx.Client(base_url=base_url, timeout=httpx.Timeout(5, read=read_timeout))
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if token is not None:
            headers.update(bearer(token))
        self._context = self._http.stream("GET", EVENTS_PATH, headers=headers)
        try:
            self.response = self._context.__enter__()
        except BaseException:
            self._http.close()
            raise
        self._lines = self.response.iter_lines()
        self._event = ""
        self._data: list[str] = []
        self.comments: list[str] = []
        self.events: list[ServerSentEvent] = []

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect (the service must notice and end the stream)."""
        try:
            self._context.__exit__(None, None, None)
        finally:
            self._http.close()

    def _next_line(self) -> str:
        try:
            return next(self._lines)
        except StopIteration:
            raise AssertionError("the event stream ended while it was being read") from None
        except httpx.ReadTimeout:
            raise AssertionError(
                f"nothing (not even a keep-alive comment) on the event stream for "
                f"{self.read_timeout}s"
            ) from None

    def _read(self, deadline: float) -> Iterator[ServerSentEvent | str]:
        """Yield events and comments (``str``) until ``deadline``."""
        while time.monotonic() < deadline:
            line = self._next_line()
            if line == "":
                # Reset before yielding: the caller may stop iterating at the yield.
                name, data = self._event or "message", self._data
                self._event, self._data = "", []
                if data:
                    event = ServerSentEvent(name, "\n".join(data))
                    self.events.append(event)
                    yield event
                continue
            if line.startswith(":"):
                self.comments.append(line)
                yield line
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                self._event = value
            elif field == "data":
                self._data.append(value)

    def wait_for(
        self, predicate: Callable[[ServerSentEvent], bool], timeout: float = EVENT_TIMEOUT
    ) -> ServerSentEvent:
        """The first event matching ``predicate`` within ``timeout`` seconds."""
        start = len(self.events)
        for item in self._read(time.monotonic() + timeout):
            if isinstance(item, ServerSentEvent) and predicate(item):
                return item
        raise AssertionError(
            f"no matching event within {timeout}s; events seen: {self.events[start:]}"
        )

    def wait_for_domain_event(
        self, name: str, match: Callable[[dict[str, Any]], bool], timeout: float = EVENT_TIMEOUT
    ) -> dict[str, Any]:
        """The payload (``{"type", "data", "occurred_at"}``) of the first ``name`` event whose
        ``data`` satisfies ``match``."""

        def wanted(event: ServerSentEvent) -> bool:
            if event.event != name:
                return False
            payload = event.json()
            return isinstance(payload, dict) and match(payload.get("data") or {})

        return self.wait_for(wanted, timeout).json()

    def wait_for_comment(self, timeout: float) -> str:
        """The first comment line (``: ping``) within ``timeout`` seconds."""
        for item in self._read(time.monotonic() + timeout):
            if isinstance(item, str):
                return item
        raise AssertionError(f"no comment line on the event stream within {timeout}s")
