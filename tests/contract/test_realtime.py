"""P13-P16: domain events on the SSE stream, WebSocket broadcast, background notifications.

Every wait is bounded: WebSocket frames by ``WS_TIMEOUT``, stream reads by the service's
keep-alive interval (the harness boots services with ``SSE_PING_SECONDS=1``), events by
``EVENT_TIMEOUT``. Checks that need more than one worker process are in ``test_scale_out.py``.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.contract.client import (
    EVENTS_PATH,
    PASSWORD,
    WS_MAX_TEXT,
    EventStream,
    User,
    admin_user,
    assert_error,
    bearer,
    claims_for,
    make_jwt,
    new_user,
    register,
    unique_email,
    validation_fields,
    ws_chat_message,
    ws_close_code,
    ws_connect,
    ws_join,
    ws_receive,
    ws_receive_until,
    ws_refusal_code,
)
from tests.support.harness import Service

ALLOWED_ORIGIN = "http://localhost:3000"
FOREIGN_ORIGIN = "http://evil.example"
POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009


def _text() -> str:
    return f"hello {uuid.uuid4().hex}"


# --------------------------------------------------------------------------- P15 WebSocket


def test_p15_missing_token_is_refused_with_1008(service: Service) -> None:
    assert ws_refusal_code(service.base_url, None) == POLICY_VIOLATION


@pytest.mark.parametrize("kind", ["empty", "garbage", "alg-none", "foreign-key", "expired"])
def test_p15_bad_token_is_refused_with_1008(
    client: httpx.Client, service: Service, kind: str
) -> None:
    user = new_user(client, "ws")
    if kind == "empty":
        token = ""
    elif kind == "garbage":
        token = "not-a-jwt"
    elif kind == "alg-none":
        token = make_jwt(claims_for(user.id), None, alg="none")
    elif kind == "foreign-key":
        token = make_jwt(claims_for(user.id), secrets.token_urlsafe(48))
    else:
        if not service.secret_key:
            pytest.skip("SECRET_KEY of this service unknown (--secret-key)")
        token = make_jwt(claims_for(user.id, issued=time.time() - 3600), service.secret_key)
    assert ws_refusal_code(service.base_url, token) == POLICY_VIOLATION


def test_p15_foreign_origin_is_refused_with_1008(client: httpx.Client, service: Service) -> None:
    user = new_user(client, "ws")
    assert ws_refusal_code(service.base_url, user.token, FOREIGN_ORIGIN) == POLICY_VIOLATION


def test_p15_allowed_origin_joins(client: httpx.Client, service: Service) -> None:
    user = new_user(client, "ws")
    ws, welcome = ws_join(service.base_url, user, ALLOWED_ORIGIN)
    with ws:
        assert welcome["type"] == "welcome"


def test_p15_welcome_message(client: httpx.Client, service: Service) -> None:
    user = new_user(client, "ws")
    ws, welcome = ws_join(service.base_url, user)
    with ws:
        assert set(welcome) == {"type", "user_id", "instance"}, welcome
        assert welcome["user_id"] == user.id
        assert isinstance(welcome["instance"], str | int), welcome
        assert not isinstance(welcome["instance"], bool), welcome
        assert welcome["instance"] != "", welcome


def test_p15_instance_identifies_the_serving_process(
    client: httpx.Client, service: Service
) -> None:
    """Connections served by one process share its ``instance``; never more ids than workers."""
    user = new_user(client, "ws")
    instances = set()
    for _ in range(4):
        ws, welcome = ws_join(service.base_url, user)
        with ws:
            instances.add(welcome["instance"])
    assert 1 <= len(instances) <= service.workers, instances


def test_p15_message_is_broadcast_to_every_client(client: httpx.Client, service: Service) -> None:
    alice, bob = new_user(client, "alice"), new_user(client, "bob")
    ws_alice, _ = ws_join(service.base_url, alice)
    with ws_alice:
        ws_bob, _ = ws_join(service.base_url, bob)
        with ws_bob:
            for sender, ws in ((alice, ws_alice), (bob, ws_bob)):
                text = _text()
                ws.send(text)
                expected = ws_chat_message(sender, text)
                for receiver in (ws_alice, ws_bob):
                    got = ws_receive_until(receiver, lambda m, t=text: m.get("text") == t)
                    assert got == expected


def test_p15_broadcast_survives_a_client_that_left(client: httpx.Client, service: Service) -> None:
    alice, bob = new_user(client, "alice"), new_user(client, "bob")
    ws_alice, _ = ws_join(service.base_url, alice)
    with ws_alice:
        ws_bob, _ = ws_join(service.base_url, bob)
        ws_bob.close()
        for _ in range(2):
            text = _text()
            ws_alice.send(text)
            got = ws_receive_until(ws_alice, lambda m, t=text: m.get("text") == t)
            assert got == ws_chat_message(alice, text)


def test_p15_frame_of_the_maximum_length_is_broadcast(
    client: httpx.Client, service: Service
) -> None:
    user = new_user(client, "ws")
    ws, _ = ws_join(service.base_url, user)
    with ws:
        text = "x" * (WS_MAX_TEXT - 32) + uuid.uuid4().hex
        assert len(text) == WS_MAX_TEXT
        ws.send(text)
        got = ws_receive_until(ws, lambda m: m.get("text") == text)
        assert got == ws_chat_message(user, text)


def test_p15_over_long_frame_closes_with_1009(client: httpx.Client, service: Service) -> None:
    user = new_user(client, "ws")
    ws, _ = ws_join(service.base_url, user)
    with ws:
        ws.send("x" * (WS_MAX_TEXT + 1))
        assert ws_close_code(ws) == MESSAGE_TOO_BIG


def test_p15_refused_client_gets_no_welcome(service: Service) -> None:
    with ws_connect(service.base_url, "not-a-jwt") as ws:
        with pytest.raises(AssertionError, match="closed"):
            ws_receive(ws)
        assert ws.close_code == POLICY_VIOLATION


def _with_dead_token(client: httpx.Client) -> User:
    """A user whose token died with a password change (P04)."""
    user = new_user(client, "dead")
    response = client.patch(
        f"/api/v1/users/{user.id}",
        json={"password": f"n3w-{secrets.token_hex(8)}"},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    return user


def test_p15_dead_token_is_refused_with_1008(client: httpx.Client, service: Service) -> None:
    user = _with_dead_token(client)
    assert ws_refusal_code(service.base_url, user.token) == POLICY_VIOLATION


# --------------------------------------------------------------------------- P16 SSE + P13 events


@pytest.fixture
def stream_user(client: httpx.Client) -> User:
    return new_user(client, "sse")


@pytest.fixture
def events(service: Service, stream_user: User) -> Iterator[EventStream]:
    with open_stream(service, stream_user.token) as stream:
        yield stream


def open_stream(service: Service, token: str | None) -> EventStream:
    stream = EventStream(service.base_url, token, read_timeout=service.sse_ping_seconds + 4)
    if stream.response.status_code != 200:
        stream.response.read()
        stream.close()
        raise AssertionError(f"{EVENTS_PATH}: {stream.response.status_code} {stream.response.text}")
    return stream


def assert_domain_event(payload: dict[str, Any], name: str, data: dict[str, Any]) -> None:
    assert set(payload) == {"type", "data", "occurred_at"}, payload
    assert payload["type"] == name, payload
    assert payload["data"] == data, payload
    occurred_at = datetime.fromisoformat(payload["occurred_at"])
    assert occurred_at.utcoffset() is not None, payload


def _status_of_stream(client: httpx.Client, headers: dict[str, str]) -> httpx.Response:
    # Streamed, so that a service wrongly answering 200 cannot keep the test waiting.
    with client.stream("GET", EVENTS_PATH, headers=headers, timeout=10) as response:
        if response.status_code != 200:
            response.read()
        return response


def test_p16_stream_requires_a_token(client: httpx.Client) -> None:
    assert_error(_status_of_stream(client, {}), 401, "NOT_AUTHENTICATED")
    assert_error(_status_of_stream(client, bearer("not-a-jwt")), 401, "INVALID_TOKEN")


def test_p16_dead_token_gets_no_stream(client: httpx.Client) -> None:
    user = _with_dead_token(client)
    assert_error(_status_of_stream(client, user.headers), 401, "INVALID_TOKEN")


def test_p16_stream_is_an_event_stream(events: EventStream) -> None:
    assert events.response.status_code == 200
    content_type = events.response.headers["Content-Type"]
    assert content_type.split(";")[0].strip() == "text/event-stream", content_type


def test_p16_keep_alive_comment(events: EventStream, service: Service) -> None:
    """An idle stream carries a comment line (``: ping``) every ``SSE_PING_SECONDS``."""
    assert events.wait_for_comment(service.sse_ping_seconds + 2).startswith(":")


def test_p13_user_created_is_streamed(client: httpx.Client, events: EventStream) -> None:
    email = unique_email("created")
    user = register(client, email)
    payload = events.wait_for_domain_event("user.created", lambda d: d.get("id") == user["id"])
    assert_domain_event(payload, "user.created", {"id": user["id"], "email": email})


def test_p13_user_updated_and_deleted_are_streamed(
    client: httpx.Client, service: Service, events: EventStream
) -> None:
    user = new_user(client, "changing")
    response = client.patch(
        f"/api/v1/users/{user.id}", json={"full_name": "New Name"}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    payload = events.wait_for_domain_event("user.updated", lambda d: d.get("id") == user.id)
    assert_domain_event(payload, "user.updated", {"id": user.id, "fields": ["full_name"]})

    admin = admin_user(client, service.admin_email, service.admin_password)
    response = client.delete(f"/api/v1/users/{user.id}", headers=admin.headers)
    assert response.status_code == 204, response.text
    payload = events.wait_for_domain_event("user.deleted", lambda d: d.get("id") == user.id)
    assert_domain_event(payload, "user.deleted", {"id": user.id})


def _account(client: httpx.Client, owner: User, balance: str) -> int:
    response = client.post("/api/v1/accounts", json={"balance": balance}, headers=owner.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _transfer(
    client: httpx.Client, owner: User, source: int, target: int, amount: str
) -> httpx.Response:
    body = {"from_account_id": source, "to_account_id": target, "amount": amount}
    return client.post("/api/v1/transfers", json=body, headers=owner.headers)


def test_p13_transfer_completed_is_streamed(client: httpx.Client, events: EventStream) -> None:
    payer, payee = new_user(client, "payer"), new_user(client, "payee")
    source, target = _account(client, payer, "10.00"), _account(client, payee, "0.00")
    response = _transfer(client, payer, source, target, "2.50")
    assert response.status_code == 201, response.text
    transfer = response.json()
    payload = events.wait_for_domain_event(
        "transfer.completed", lambda d: d.get("id") == transfer["id"]
    )
    expected = {"from_account_id": source, "to_account_id": target, "amount": "2.50"}
    assert_domain_event(payload, "transfer.completed", {"id": transfer["id"], **expected})


def test_p13_rolled_back_transfer_publishes_nothing(
    client: httpx.Client, events: EventStream
) -> None:
    payer, payee = new_user(client, "payer"), new_user(client, "payee")
    source, target = _account(client, payer, "10.00"), _account(client, payee, "0.00")
    failed = _transfer(client, payer, source, target, "50.00")
    assert_error(failed, 400, "INSUFFICIENT_FUNDS")
    # The next transfer's event is the sentinel: the failed one would have been published first.
    done = _transfer(client, payer, source, target, "3.00")
    assert done.status_code == 201, done.text
    sentinel = done.json()["id"]
    events.wait_for_domain_event("transfer.completed", lambda d: d.get("id") == sentinel)
    from_source = [
        event.json()["data"]
        for event in events.events
        if event.event == "transfer.completed"
        and event.json()["data"].get("from_account_id") == source
    ]
    assert [data["amount"] for data in from_source] == ["3.00"], from_source


def test_p13_rejected_registration_publishes_nothing(
    client: httpx.Client, events: EventStream
) -> None:
    email = unique_email("taken")
    first = register(client, email)
    duplicate = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert_error(duplicate, 409, "EMAIL_REGISTERED")
    sentinel = register(client)["id"]
    events.wait_for_domain_event("user.created", lambda d: d.get("id") == sentinel)
    created = [event.json()["data"] for event in events.events if event.event == "user.created"]
    same_email = [data for data in created if data.get("email") == email]
    assert same_email == [{"id": first["id"], "email": email}], created


def test_p16_stream_ends_when_the_client_goes(
    client: httpx.Client, service: Service, stream_user: User
) -> None:
    for _ in range(5):
        stream = open_stream(service, stream_user.token)
        stream.close()
    started = time.monotonic()
    health = client.get("/health", timeout=5)
    assert health.status_code == 200, health.text
    assert time.monotonic() - started < 2
    # Publishing still works with the dead subscribers gone, and a new stream gets the events.
    with open_stream(service, stream_user.token) as stream:
        user = register(client)
        stream.wait_for_domain_event("user.created", lambda d: d.get("id") == user["id"])


# --------------------------------------------------------------------------- P14 notifications


def _notify(client: httpx.Client, caller: User, email: str, message: str) -> httpx.Response:
    body = {"email": email, "message": message}
    return client.post("/api/v1/notifications", json=body, headers=caller.headers)


def test_p14_notification_is_accepted(client: httpx.Client) -> None:
    user = new_user(client, "notify")
    response = _notify(client, user, user.email, "Your report is ready.")
    assert response.status_code == 202, response.text
    assert response.json() == {"status": "accepted"}


def test_p14_own_address_is_compared_in_normal_form(client: httpx.Client) -> None:
    user = new_user(client, "notify")
    response = _notify(client, user, user.email.upper(), "Spelt differently, still mine.")
    assert response.status_code == 202, response.text


def test_p14_message_of_2000_characters_is_accepted(client: httpx.Client) -> None:
    user = new_user(client, "notify")
    response = _notify(client, user, user.email, "m" * 2000)
    assert response.status_code == 202, response.text


def test_p14_user_may_notify_only_their_own_address(client: httpx.Client) -> None:
    """No open relay: another user's address, or a stranger's, is 403 for a plain user."""
    user, other = new_user(client, "notify"), new_user(client, "notified")
    for to in (other.email, unique_email("stranger")):
        assert_error(_notify(client, user, to, "spam"), 403, "FORBIDDEN")


def test_p14_admin_may_notify_anyone(client: httpx.Client, service: Service) -> None:
    admin = admin_user(client, service.admin_email, service.admin_password)
    for to in (new_user(client, "notified").email, unique_email("stranger")):
        response = _notify(client, admin, to, "Notice")
        assert response.status_code == 202, response.text


def test_p14_notification_requires_a_token(client: httpx.Client) -> None:
    body = {"email": unique_email("to"), "message": "hi"}
    assert_error(client.post("/api/v1/notifications", json=body), 401, "NOT_AUTHENTICATED")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "message": "hi"}, "email"),
        ({"email": "to@example.com", "message": ""}, "message"),
        ({"email": "to@example.com", "message": "m" * 2001}, "message"),
        ({"email": "to@example.com"}, "message"),
        ({"message": "hi"}, "email"),
    ],
    ids=["bad-email", "empty-message", "message-too-long", "no-message", "no-email"],
)
def test_p14_invalid_notification(client: httpx.Client, body: dict[str, str], field: str) -> None:
    """The body is validated before the address is checked: someone else's address in an invalid
    body is a 422, not a 403."""
    user = new_user(client, "notify")
    response = client.post("/api/v1/notifications", json=body, headers=user.headers)
    assert validation_fields(response) == [field]
