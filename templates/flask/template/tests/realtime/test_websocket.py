"""P15: authenticated WebSocket clients join; one client's message reaches every client."""

import json

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.sync.connection import Connection
from websockets.typing import Origin

from tests.factories import ALLOWED_ORIGIN, register

POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009
#: Messages `closed_with` reads at most before it gives up waiting for the close.
MAX_MESSAGES = 100


def ws_url(base_url: str, token: str | None) -> str:
    url = base_url.replace("http://", "ws://") + "/ws"
    return f"{url}?token={token}" if token is not None else url


def receive(client: Connection) -> dict[str, object]:
    message: dict[str, object] = json.loads(client.recv(timeout=5))
    return message


def closed_with(client: Connection) -> int:
    """The code of the closing frame the server sends (what it sent before is skipped)."""
    with pytest.raises(ConnectionClosed) as closed:
        for _ in range(MAX_MESSAGES):
            client.recv(timeout=5)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def test_p15_broadcast_reaches_every_client(live_server: str) -> None:
    _, _, first = register(live_server)
    _, _, second = register(live_server)
    with (
        connect(ws_url(live_server, first), open_timeout=5) as one,
        connect(ws_url(live_server, second), open_timeout=5) as two,
    ):
        welcome = receive(one)
        assert welcome["type"] == "welcome"
        assert receive(two)["type"] == "welcome"
        one.send("hello")
        for client in (one, two):
            message = receive(client)
            assert message == {"type": "message", "user_id": welcome["user_id"], "text": "hello"}


def test_p15_message_is_broadcast_to_every_client(live_server: str) -> None:
    sender_id, _, sender_token = register(live_server)
    _, _, other_token = register(live_server)
    with (
        connect(ws_url(live_server, sender_token), origin=Origin(ALLOWED_ORIGIN)) as sender,
        connect(ws_url(live_server, other_token)) as other,
    ):
        welcome = receive(sender)
        assert welcome["type"] == "welcome"
        assert welcome["user_id"] == sender_id
        receive(other)
        sender.send("hello, everyone")
        expected = {"type": "message", "user_id": sender_id, "text": "hello, everyone"}
        assert receive(other) == expected
        assert receive(sender) == expected


@pytest.mark.parametrize(
    ("token", "origin"),
    [(None, None), ("not-a-token", None), ("VALID", Origin("http://evil.example"))],
    ids=["missing-token", "bad-token", "foreign-origin"],
)
def test_p15_refused_clients_are_closed_with_1008(
    live_server: str, token: str | None, origin: Origin | None
) -> None:
    if token == "VALID":
        _, _, token = register(live_server)
    with connect(ws_url(live_server, token), origin=origin, open_timeout=5) as client:
        assert closed_with(client) == POLICY_VIOLATION


def test_p15_bad_token_is_closed_with_1008(live_server: str) -> None:
    with connect(ws_url(live_server, "not-a-token"), open_timeout=5) as ws:
        assert closed_with(ws) == POLICY_VIOLATION


def test_p15_oversized_message_closes_with_1009(live_server: str) -> None:
    _, _, token = register(live_server)
    with connect(ws_url(live_server, token), open_timeout=5) as client:
        receive(client)
        client.send("x" * 4097)
        assert closed_with(client) == MESSAGE_TOO_BIG
