"""P15: authenticated WebSocket clients join; one client's message reaches every client."""

import json
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from tests.factories import create_member, serve_in_thread
from tests.settings import ALLOWED_ORIGIN

POLICY_VIOLATION = 1008
UNSUPPORTED_DATA = 1003
MESSAGE_TOO_BIG = 1009

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_server_url() -> Iterator[str]:
    with serve_in_thread() as base_url:
        yield base_url


def ws_url(base_url: str, token: str | None) -> str:
    url = base_url.replace("http://", "ws://") + "/ws"
    return f"{url}?token={token}" if token is not None else url


def token_of() -> tuple[int, str]:
    member = create_member()
    return member.id, member.headers["Authorization"].removeprefix("Bearer ")


def receive(client: ClientConnection) -> dict[str, object]:
    message: dict[str, object] = json.loads(client.recv(timeout=5))
    return message


def close_code(client: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            client.recv(timeout=5)
    return closed.value.rcvd.code if closed.value.rcvd is not None else None


def test_p15_message_is_broadcast_to_every_client(live_server_url: str) -> None:
    sender_id, sender_token = token_of()
    other_id, other_token = token_of()
    with (
        connect(ws_url(live_server_url, sender_token), origin=Origin(ALLOWED_ORIGIN)) as sender,
        connect(ws_url(live_server_url, other_token)) as other,
    ):
        welcome = receive(sender)
        assert set(welcome) == {"type", "user_id", "instance"}
        assert welcome["type"] == "welcome"
        assert welcome["user_id"] == sender_id
        assert receive(other)["user_id"] == other_id
        sender.send("hello, everyone")
        expected = {"type": "message", "user_id": sender_id, "text": "hello, everyone"}
        assert receive(other) == expected
        assert receive(sender) == expected


def test_p15_a_client_that_leaves_does_not_disturb_the_others(live_server_url: str) -> None:
    _, first_token = token_of()
    second_id, second_token = token_of()
    with connect(ws_url(live_server_url, second_token)) as second:
        receive(second)
        with connect(ws_url(live_server_url, first_token)) as first:
            receive(first)
        second.send("still here")
        assert receive(second) == {"type": "message", "user_id": second_id, "text": "still here"}


@pytest.mark.parametrize(
    ("token", "origin"),
    [(None, None), ("not-a-token", None), ("VALID", Origin("http://evil.example"))],
    ids=["missing-token", "bad-token", "foreign-origin"],
)
def test_p15_refused_clients_are_closed_with_1008(
    live_server_url: str, token: str | None, origin: Origin | None
) -> None:
    if token == "VALID":
        _, token = token_of()
    with connect(ws_url(live_server_url, token), origin=origin) as client:
        assert close_code(client) == POLICY_VIOLATION


def test_p15_frame_limits(live_server_url: str) -> None:
    """4096 characters pass; a longer frame closes with 1009, a binary one with 1003."""
    _, token = token_of()
    with connect(ws_url(live_server_url, token)) as client:
        receive(client)
        client.send("x" * 4096)
        assert receive(client)["text"] == "x" * 4096
        client.send("x" * 4097)
        assert close_code(client) == MESSAGE_TOO_BIG
    with connect(ws_url(live_server_url, token)) as client:
        receive(client)
        client.send(b"\x00\x01")
        assert close_code(client) == UNSUPPORTED_DATA
