"""P15: authenticated clients join the WebSocket; what one sends, every client receives."""

import json

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.factories import PASSWORD, unique_email


def _token(base_url: str) -> str:
    email = unique_email("ws")
    with httpx.Client(base_url=base_url, timeout=10) as http:
        http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
        response = http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    token: str = response.json()["access_token"]
    return token


def _ws_url(base_url: str, token: str) -> str:
    return "ws" + base_url.removeprefix("http") + f"/ws?token={token}"


def test_p15_broadcast_reaches_every_client(live_server: str) -> None:
    first, second = _token(live_server), _token(live_server)
    with (
        connect(_ws_url(live_server, first), open_timeout=5) as one,
        connect(_ws_url(live_server, second), open_timeout=5) as two,
    ):
        welcome = json.loads(one.recv(timeout=5))
        assert welcome["type"] == "welcome"
        assert json.loads(two.recv(timeout=5))["type"] == "welcome"
        one.send("hello")
        for client in (one, two):
            message = json.loads(client.recv(timeout=5))
            assert message == {"type": "message", "user_id": welcome["user_id"], "text": "hello"}


def test_p15_bad_token_is_closed_with_1008(live_server: str) -> None:
    with connect(_ws_url(live_server, "not-a-token"), open_timeout=5) as ws:
        try:
            ws.recv(timeout=5)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None
            assert closed.rcvd.code == 1008
        else:
            raise AssertionError("the server did not close the connection")
