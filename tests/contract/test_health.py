"""P20: health check."""

from __future__ import annotations

import httpx


def test_p20_health_reports_every_check_ok(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
