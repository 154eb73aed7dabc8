"""P20: health check."""

from __future__ import annotations

import asyncio

import httpx

from tests.support.harness import Service

#: Simultaneous probes, as a load balancer and an orchestrator polling together might send.
PROBES = 50


def test_p20_health_reports_every_check_ok(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_p20_simultaneous_probes_are_all_healthy(service: Service) -> None:
    """Each probe checks the cache with a key of its own: parallel probes never see each
    other's values (a shared key made some of them 503)."""

    async def probe_all() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=PROBES)
        async with httpx.AsyncClient(base_url=service.base_url, timeout=30, limits=limits) as http:
            return await asyncio.gather(*(http.get("/health") for _ in range(PROBES)))

    responses = asyncio.run(probe_all())
    failed = [(r.status_code, r.text) for r in responses if r.status_code != 200]
    assert not failed, f"{len(failed)} of {PROBES} probes failed: {failed[:3]}"
    assert all(r.json()["status"] == "ok" for r in responses)
