"""Reliability gate: money under concurrency, over HTTP (P09, issue 3).

8 clients, each on its own connection, make 50 transfers each among 10 accounts of 5 users, all
at once. Afterwards the total is unchanged, no balance is negative, every answer was 201 or 400
``INSUFFICIENT_FUNDS`` (never a 500, never a deadlock surfacing as an error), and each account's
balance equals its opening balance plus what the 201s say came in minus what went out — so no
update was lost either.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from decimal import Decimal

import httpx
import pytest

from tests.contract.client import User, assert_error, new_user
from tests.gates.leaks import assert_no_internals
from tests.support.harness import Service

SEED = 20261121
USERS = 5
ACCOUNTS_PER_USER = 2  # 10 accounts
CLIENTS = 8
TRANSFERS_PER_CLIENT = 50
OPENING_BALANCE = Decimal("1000.00")
#: The whole storm must be over by then (a deadlock would hang it).
OVERALL_TIMEOUT_SECONDS = 300


def _open_accounts(http: httpx.Client, user: User) -> list[int]:
    ids = []
    for index in range(ACCOUNTS_PER_USER):
        response = http.post(
            "/api/v1/accounts",
            json={"name": f"gate-{index}", "balance": str(OPENING_BALANCE)},
            headers=user.headers,
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def test_gate_money_concurrent_transfers_keep_the_total(
    service: Service, record_property: pytest.RecordProperty
) -> None:
    with httpx.Client(base_url=service.base_url, timeout=60) as http:
        users = [new_user(http, f"money-{index}") for index in range(USERS)]
        owned = {user.id: _open_accounts(http, user) for user in users}
    accounts = [account for ids in owned.values() for account in ids]
    assert len(accounts) == USERS * ACCOUNTS_PER_USER

    outcomes: list[tuple[int, int, int, Decimal, int, str]] = []  # client, from, to, amount, ...
    problems: list[str] = []
    lock = threading.Lock()

    def run_client(index: int) -> None:
        user = users[index % USERS]  # each client moves money only out of its user's accounts
        rng = random.Random(SEED + index)
        with httpx.Client(base_url=service.base_url, timeout=60, headers=user.headers) as own:
            for _ in range(TRANSFERS_PER_CLIENT):
                source = rng.choice(owned[user.id])
                target = rng.choice([account for account in accounts if account != source])
                amount = Decimal(rng.randint(1, 40_000)) / 100
                try:
                    response = own.post(
                        "/api/v1/transfers",
                        json={
                            "from_account_id": source,
                            "to_account_id": target,
                            "amount": str(amount),
                        },
                    )
                    assert_no_internals(response)
                    if response.status_code != 201:
                        assert_error(response, 400, "INSUFFICIENT_FUNDS")
                except (AssertionError, httpx.HTTPError) as exc:
                    with lock:
                        problems.append(f"client {index}: {type(exc).__name__}: {exc}"[:1000])
                    continue
                with lock:
                    outcomes.append(
                        (index, source, target, amount, response.status_code, response.text)
                    )

    threads = [
        threading.Thread(target=run_client, args=(index,), daemon=True) for index in range(CLIENTS)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    deadline = started + OVERALL_TIMEOUT_SECONDS
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in threads), (
        f"transfers still running after {OVERALL_TIMEOUT_SECONDS}s: deadlock or stall"
    )
    assert not problems, "\n".join(problems[:20])
    assert len(outcomes) == CLIENTS * TRANSFERS_PER_CLIENT

    statuses = Counter(status for *_, status, _ in outcomes)
    rate = len(outcomes) / elapsed
    record_property("transfers_per_second", round(rate, 1))
    print(  # shown with -s / -rA
        f"\n{len(outcomes)} transfers by {CLIENTS} clients in {elapsed:.1f}s "
        f"({rate:.0f}/s) on {service.base_url}: {dict(statuses)}"
    )
    assert statuses[201] > 0, statuses

    expected = dict.fromkeys(accounts, OPENING_BALANCE)
    for _, source, target, amount, status, body in outcomes:
        if status == 201:
            assert Decimal(json.loads(body)["amount"]) == amount, body
            expected[source] -= amount
            expected[target] += amount

    balances: dict[int, Decimal] = {}
    with httpx.Client(base_url=service.base_url, timeout=60) as http:
        for user in users:
            for account in owned[user.id]:
                response = http.get(f"/api/v1/accounts/{account}", headers=user.headers)
                assert response.status_code == 200, response.text
                balances[account] = Decimal(response.json()["balance"])

    assert sum(balances.values()) == OPENING_BALANCE * len(accounts), balances
    assert all(balance >= 0 for balance in balances.values()), balances
    assert balances == expected, {"read": balances, "from the 201s": expected}
