"""P16: the SSE stream carries domain events as they happen, with keep-alive comments."""

import json
import queue
import threading
from typing import Any

import httpx

from tests.factories import PASSWORD, register, unique_email

#: Lines `next_event` reads at most before it gives up (other tests publish too).
MAX_LINES = 1000


def read_stream(
    base_url: str, token: str, lines: "queue.Queue[str]", stop: threading.Event
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with (
        httpx.Client(base_url=base_url, timeout=10) as http,
        http.stream("GET", "/api/v1/events/stream", headers=headers) as response,
    ):
        lines.put(f"status {response.status_code} {response.headers['content-type']}")
        for line in response.iter_lines():
            lines.put(line)
            if stop.is_set():
                return


def next_event(lines: "queue.Queue[str]", event_type: str) -> dict[str, Any]:
    seen_type = None
    for _ in range(MAX_LINES):
        line = lines.get(timeout=10)
        if line.startswith("event: "):
            seen_type = line.removeprefix("event: ")
        elif line.startswith("data: ") and seen_type == event_type:
            event: dict[str, Any] = json.loads(line.removeprefix("data: "))
            return event
    raise AssertionError(f"no {event_type} event on the stream")


def test_p16_stream_delivers_events_and_keep_alives(live_server: str) -> None:
    _, _, token = register(live_server)
    lines: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    reader = threading.Thread(target=read_stream, args=(live_server, token, lines, stop))
    reader.start()
    try:
        status = lines.get(timeout=10)
        assert status.startswith("status 200 text/event-stream")
        assert lines.get(timeout=5) == ": subscribed"
        for _ in range(MAX_LINES):
            if lines.get(timeout=5).startswith(": ping"):
                break  # skipped: the blank line that ends a message
        else:
            raise AssertionError("no keep-alive comment on the stream")

        email = unique_email("stream")
        with httpx.Client(base_url=live_server, timeout=10) as http:
            created = http.post(
                "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
            )
        event = next_event(lines, "user.created")
        assert event["type"] == "user.created"
        assert event["data"] == {"id": created.json()["id"], "email": email}
    finally:
        stop.set()
        reader.join(timeout=10)
    assert not reader.is_alive()
    with httpx.Client(base_url=live_server, timeout=5) as http:
        assert http.get("/health").status_code == 200


def test_p16_stream_needs_a_token(live_server: str) -> None:
    with httpx.Client(base_url=live_server, timeout=5) as http:
        response = http.get("/api/v1/events/stream")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "NOT_AUTHENTICATED"
