"""P08, P15, P16 across worker processes: what Redis (``REDIS_URL``) must make hold.

Only meaningful where the service runs two or more workers sharing Redis: marked ``scale_out``,
they are generated for the harness's multi-worker targets only (an external service given with
``--base-url`` must say ``--workers 2`` or more, else they skip). A request
reaches a worker chosen by the kernel, so the tests use fresh connections and keep opening them
until two workers answered.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection

from tests.contract.client import (
    EventStream,
    User,
    assert_error,
    new_user,
    register,
    unique_email,
    ws_chat_message,
    ws_join,
    ws_receive_until,
)
from tests.support.harness import Service

#: Fresh WebSocket connections opened, at most, to find two different worker processes.
MAX_CONNECTIONS = 16
#: Streams opened for the event fan-out check (each on a connection of its own).
STREAMS = 4

pytestmark = pytest.mark.scale_out


@pytest.fixture
def scaled(service: Service) -> Service:
    if service.workers < 2:
        pytest.skip(f"needs 2 workers + Redis (this target runs {service.workers})")
    return service


def test_p15_broadcast_reaches_a_client_on_another_worker(
    client: httpx.Client, scaled: Service
) -> None:
    alice, bob = new_user(client, "alice"), new_user(client, "bob")
    with contextlib.ExitStack() as stack:
        held: dict[Any, tuple[User, ClientConnection]] = {}
        seen = []
        for attempt in range(MAX_CONNECTIONS):
            user = (alice, bob)[attempt % 2]
            ws, welcome = ws_join(scaled.base_url, user)
            stack.callback(ws.close)
            seen.append(welcome["instance"])
            if welcome["instance"] not in held:
                held[welcome["instance"]] = (user, ws)
            else:
                ws.close()
            if len(held) == 2:
                break
        assert len(held) == 2, (
            f"{MAX_CONNECTIONS} fresh connections all reached one instance: {seen}"
        )
        (sender, ws_sender), (_, ws_other) = held.values()
        text = f"across workers {uuid.uuid4().hex}"
        ws_sender.send(text)
        expected = ws_chat_message(sender, text)
        assert ws_receive_until(ws_other, lambda m: m.get("text") == text) == expected
        assert ws_receive_until(ws_sender, lambda m: m.get("text") == text) == expected


def test_p16_every_stream_sees_the_events_of_every_worker(
    client: httpx.Client, scaled: Service
) -> None:
    reader = new_user(client, "sse")
    with contextlib.ExitStack() as stack:
        streams = []
        for _ in range(STREAMS):
            stream = EventStream(
                scaled.base_url, reader.token, read_timeout=scaled.sse_ping_seconds + 4
            )
            stack.enter_context(stream)
            assert stream.response.status_code == 200, stream.response.status_code
            streams.append(stream)
        # Each registration on a fresh connection, so they too are spread over the workers.
        created = []
        for _ in range(2):
            with httpx.Client(base_url=scaled.base_url, timeout=30) as fresh:
                email = unique_email("fanout")
                created.append({"id": register(fresh, email)["id"], "email": email})
        for index, stream in enumerate(streams):
            for data in created:
                payload = stream.wait_for_domain_event(
                    "user.created", lambda d, wanted=data["id"]: d.get("id") == wanted
                )
                assert payload["data"] == data, f"stream {index}: {payload}"


def test_p08_limit_holds_across_workers(
    client: httpx.Client, scaled: Service, limited_service: Service
) -> None:
    """3N requests of one user, each on a new connection: exactly N pass whichever worker."""
    assert limited_service.workers >= 2, limited_service
    limit = limited_service.limit_amount
    user = new_user(client, "spread")  # a fresh user bucket, untouched by the other P08 tests
    statuses = []
    for _ in range(3 * limit):
        with httpx.Client(base_url=limited_service.base_url, timeout=30) as fresh:
            response = fresh.get(
                "/api/v1/users/me", headers={**user.headers, "Connection": "close"}
            )
        if response.status_code == 429:
            assert_error(response, 429, "RATE_LIMITED")
        else:
            assert response.status_code == 200, response.text
        statuses.append(response.status_code)
    assert statuses.count(200) == limit, statuses
    assert statuses.count(429) == 2 * limit, statuses
