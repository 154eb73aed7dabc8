"""P07: X-Request-ID (echoed when well-formed, else a new UUID4) and X-Process-Time."""

from __future__ import annotations

import uuid

import httpx
import pytest


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
