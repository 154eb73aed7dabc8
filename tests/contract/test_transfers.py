"""P09: accounts and transfers: money as two-decimal strings, atomic, safe under concurrency."""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.contract.client import User, admin_user, assert_error, new_user, validation_fields
from tests.support.harness import Service

MONEY_KEYS = {"id", "owner_id", "name", "balance", "created_at"}


def open_account(client: httpx.Client, owner: User, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/accounts", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    return response.json()


def balance(client: httpx.Client, owner: User, account_id: int) -> Decimal:
    response = client.get(f"/api/v1/accounts/{account_id}", headers=owner.headers)
    assert response.status_code == 200, response.text
    return Decimal(response.json()["balance"])


def transfer(
    client: httpx.Client, owner: User, source: int, target: int, amount: Any
) -> httpx.Response:
    body = {"from_account_id": source, "to_account_id": target, "amount": amount}
    return client.post("/api/v1/transfers", json=body, headers=owner.headers)


def test_p09_open_account(client: httpx.Client) -> None:
    owner = new_user(client, "bank")
    account = open_account(client, owner, name="savings", balance="100.5")
    assert set(account) >= MONEY_KEYS
    assert account["owner_id"] == owner.id
    assert account["name"] == "savings"
    assert account["balance"] == "100.50"


def test_p09_account_defaults(client: httpx.Client) -> None:
    account = open_account(client, new_user(client, "bank"))
    assert account["name"] == "main"
    assert account["balance"] == "0.00"


def test_p09_balance_accepts_a_number(client: httpx.Client) -> None:
    assert open_account(client, new_user(client, "bank"), balance=42)["balance"] == "42.00"


@pytest.mark.parametrize("amount", ["-1.00", -5, "1.234", "lots"])
def test_p09_bad_initial_balance(client: httpx.Client, amount: Any) -> None:
    owner = new_user(client, "bank")
    response = client.post("/api/v1/accounts", json={"balance": amount}, headers=owner.headers)
    assert validation_fields(response) == ["balance"]


def test_p09_owner_is_the_caller(client: httpx.Client) -> None:
    owner, other = new_user(client, "bank"), new_user(client, "bank")
    response = client.post(
        "/api/v1/accounts", json={"owner_id": other.id, "balance": "1.00"}, headers=owner.headers
    )
    # An owner_id in the body is an unknown field (P06): refused and named, never ignored.
    assert validation_fields(response) == ["owner_id"]
    account = open_account(client, owner)
    assert account["owner_id"] == owner.id


def test_p09_read_accounts(client: httpx.Client, service: Service) -> None:
    owner, other = new_user(client, "bank"), new_user(client, "bank")
    account = open_account(client, owner, balance="10.00")
    path = f"/api/v1/accounts/{account['id']}"
    assert client.get(path, headers=owner.headers).json() == account
    assert_error(client.get(path, headers=other.headers), 403, "FORBIDDEN")
    assert_error(client.get(path), 401, "NOT_AUTHENTICATED")
    assert_error(
        client.get("/api/v1/accounts/2147483000", headers=owner.headers), 404, "ACCOUNT_NOT_FOUND"
    )
    admin = admin_user(client, service.admin_email, service.admin_password)
    assert client.get(path, headers=admin.headers).status_code == 200


def test_p09_transfer_moves_money(client: httpx.Client) -> None:
    alice, bob = new_user(client, "alice"), new_user(client, "bob")
    source = open_account(client, alice, balance="100.00")
    target = open_account(client, bob, balance="5.00")
    response = transfer(client, alice, source["id"], target["id"], "30.25")
    assert response.status_code == 201, response.text
    record = response.json()
    assert {"id", "from_account_id", "to_account_id", "amount", "created_at"} <= set(record)
    assert record["from_account_id"] == source["id"]
    assert record["to_account_id"] == target["id"]
    assert record["amount"] == "30.25"
    assert (
        client.get(f"/api/v1/accounts/{source['id']}", headers=alice.headers).json()["balance"]
        == "69.75"
    )
    assert (
        client.get(f"/api/v1/accounts/{target['id']}", headers=bob.headers).json()["balance"]
        == "35.25"
    )


def test_p09_transfer_amount_as_number(client: httpx.Client) -> None:
    owner = new_user(client, "bank")
    source, target = open_account(client, owner, balance="10"), open_account(client, owner)
    response = transfer(client, owner, source["id"], target["id"], 2.5)
    assert response.status_code == 201, response.text
    assert response.json()["amount"] == "2.50"


def test_p09_transfer_whole_balance(client: httpx.Client) -> None:
    owner = new_user(client, "bank")
    source, target = open_account(client, owner, balance="7.77"), open_account(client, owner)
    assert transfer(client, owner, source["id"], target["id"], "7.77").status_code == 201
    assert balance(client, owner, source["id"]) == Decimal("0")


def test_p09_insufficient_funds_changes_nothing(client: httpx.Client) -> None:
    owner = new_user(client, "bank")
    source = open_account(client, owner, balance="10.00")
    target = open_account(client, owner, balance="1.00")
    response = transfer(client, owner, source["id"], target["id"], "10.01")
    assert_error(response, 400, "INSUFFICIENT_FUNDS")
    assert balance(client, owner, source["id"]) == Decimal("10.00")
    assert balance(client, owner, target["id"]) == Decimal("1.00")


def test_p09_unknown_account(client: httpx.Client) -> None:
    owner = new_user(client, "bank")
    account = open_account(client, owner, balance="10.00")
    missing = 2147483000
    for source, target in ((account["id"], missing), (missing, account["id"])):
        response = transfer(client, owner, source, target, "1.00")
        assert_error(response, 404, "ACCOUNT_NOT_FOUND")
    assert balance(client, owner, account["id"]) == Decimal("10.00")


@pytest.mark.parametrize(
    "amount",
    ["0", "0.00", "-1.00", -3, "0.001", "1.005", "abc"],
)
def test_p09_bad_amount(client: httpx.Client, amount: Any) -> None:
    owner = new_user(client, "bank")
    source = open_account(client, owner, balance="10.00")
    target = open_account(client, owner)
    response = transfer(client, owner, source["id"], target["id"], amount)
    assert validation_fields(response) == ["amount"]
    assert balance(client, owner, source["id"]) == Decimal("10.00")


def test_p09_same_account(client: httpx.Client) -> None:
    owner = new_user(client, "bank")
    account = open_account(client, owner, balance="10.00")
    response = transfer(client, owner, account["id"], account["id"], "1.00")
    assert validation_fields(response)
    assert balance(client, owner, account["id"]) == Decimal("10.00")


def test_p09_from_someone_elses_account(client: httpx.Client) -> None:
    thief, victim = new_user(client, "thief"), new_user(client, "victim")
    loot = open_account(client, victim, balance="50.00")
    pocket = open_account(client, thief)
    assert_error(transfer(client, thief, loot["id"], pocket["id"], "5.00"), 403, "FORBIDDEN")
    assert balance(client, victim, loot["id"]) == Decimal("50.00")


def test_p09_validation_order_body_before_existence(client: httpx.Client) -> None:
    owner = new_user(client, "bank")
    response = transfer(client, owner, 2147483000, 2147483001, "-1")
    assert validation_fields(response) == ["amount"]


def test_p09_validation_order_existence_before_ownership(client: httpx.Client) -> None:
    thief, victim = new_user(client, "thief"), new_user(client, "victim")
    loot = open_account(client, victim, balance="50.00")
    assert_error(transfer(client, thief, loot["id"], 2147483000, "1.00"), 404, "ACCOUNT_NOT_FOUND")


def test_p09_transfers_require_authentication(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/transfers", json={"from_account_id": 1, "to_account_id": 2, "amount": "1.00"}
    )
    assert_error(response, 401, "NOT_AUTHENTICATED")


CLIENTS = 8
TRANSFERS_PER_CLIENT = 25
START_BALANCE = Decimal("100.00")


def test_p09_concurrent_transfers_keep_the_books(client: httpx.Client, service: Service) -> None:
    owners = [new_user(client, "conc"), new_user(client, "conc")]
    accounts: dict[int, User] = {}
    for owner in owners:
        for _ in range(2):
            accounts[open_account(client, owner, balance=str(START_BALANCE))["id"]] = owner
    ids = sorted(accounts)

    def run(worker: int) -> list[tuple[int, int, Decimal, httpx.Response]]:
        rng = random.Random(9000 + worker)
        results = []
        with httpx.Client(base_url=service.base_url, timeout=60) as http:
            for _ in range(TRANSFERS_PER_CLIENT):
                source, target = rng.sample(ids, 2)
                amount = Decimal(rng.randint(1, 6000)) / 100
                response = transfer(http, accounts[source], source, target, str(amount))
                results.append((source, target, amount, response))
        return results

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        outcomes = [item for batch in pool.map(run, range(CLIENTS)) for item in batch]

    statuses = Counter(response.status_code for *_, response in outcomes)
    assert set(statuses) <= {201, 400}, {
        status: [r.text for *_, r in outcomes if r.status_code == status][:3] for status in statuses
    }
    assert statuses[201] > 0
    expected = dict.fromkeys(ids, START_BALANCE)
    for source, target, amount, response in outcomes:
        if response.status_code == 400:
            assert_error(response, 400, "INSUFFICIENT_FUNDS")
            continue
        assert response.json()["amount"] == f"{amount:.2f}"
        expected[source] -= amount
        expected[target] += amount

    final = {account_id: balance(client, accounts[account_id], account_id) for account_id in ids}
    assert sum(final.values()) == START_BALANCE * len(ids)
    assert all(value >= 0 for value in final.values()), final
    assert final == expected
