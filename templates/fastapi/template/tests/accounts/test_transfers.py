"""P09: accounts and transfers — money as exact strings, all-or-nothing, safe under concurrency."""

import asyncio
import re
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from tests.factories import Member, assert_error, error_fields

MONEY = re.compile(r"^\d+\.\d{2}$")


async def open_account(
    client: httpx.AsyncClient, owner: Member, balance: Any = "100.00"
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/accounts", json={"balance": balance}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    account: dict[str, Any] = response.json()
    return account


async def transfer(
    client: httpx.AsyncClient, owner: Member, source: int, target: int, amount: Any
) -> httpx.Response:
    body = {"from_account_id": source, "to_account_id": target, "amount": amount}
    return await client.post("/api/v1/transfers", json=body, headers=owner.headers)


async def balance_of(client: httpx.AsyncClient, owner: Member, account_id: int) -> str:
    response = await client.get(f"/api/v1/accounts/{account_id}", headers=owner.headers)
    assert response.status_code == 200, response.text
    balance: str = response.json()["balance"]
    return balance


async def transfers_from(app: FastAPI, account_id: int) -> int:
    async with app.state.sessionmaker() as session:
        count: int = await session.scalar(
            text("SELECT count(*) FROM transfers WHERE from_account_id = :id"), {"id": account_id}
        )
        return count


async def test_p09_open_account_with_defaults(client: httpx.AsyncClient, member: Member) -> None:
    response = await client.post("/api/v1/accounts", json={}, headers=member.headers)
    assert response.status_code == 201
    account = response.json()
    assert account["owner_id"] == member.id
    assert account["name"] == "main"
    assert account["balance"] == "0.00"
    assert "+00:00" in account["created_at"] or account["created_at"].endswith("Z")


@pytest.mark.parametrize(
    ("balance", "shown"), [("12.5", "12.50"), (100, "100.00"), ("0.10", "0.10"), (2.25, "2.25")]
)
async def test_p09_money_is_a_two_decimal_string(
    client: httpx.AsyncClient, member: Member, balance: Any, shown: str
) -> None:
    account = await open_account(client, member, balance)
    assert account["balance"] == shown
    assert await balance_of(client, member, account["id"]) == shown


@pytest.mark.parametrize(
    "balance", ["-0.01", "1.005", "abc", "1e2", " 1", "1234567890123", 1e13, 0.001]
)
async def test_p09_invalid_opening_balance_is_422(
    client: httpx.AsyncClient, member: Member, balance: str
) -> None:
    response = await client.post(
        "/api/v1/accounts", json={"balance": balance}, headers=member.headers
    )
    assert error_fields(response) == {"balance"}


async def test_p09_transfer_moves_money(
    client: httpx.AsyncClient, member: Member, other_member: Member
) -> None:
    source = await open_account(client, member, "100.00")
    target = await open_account(client, other_member, "5.00")
    response = await transfer(client, member, source["id"], target["id"], "30.25")
    assert response.status_code == 201, response.text
    record = response.json()
    assert record == {
        "id": record["id"],
        "from_account_id": source["id"],
        "to_account_id": target["id"],
        "amount": "30.25",
        "created_at": record["created_at"],
    }
    assert await balance_of(client, member, source["id"]) == "69.75"
    assert await balance_of(client, other_member, target["id"]) == "35.25"


async def test_p09_insufficient_funds_changes_nothing(
    client: httpx.AsyncClient, app: FastAPI, member: Member, other_member: Member
) -> None:
    source = await open_account(client, member, "10.00")
    target = await open_account(client, other_member, "1.00")
    response = await transfer(client, member, source["id"], target["id"], "10.01")
    assert_error(response, 400, "INSUFFICIENT_FUNDS")
    assert await balance_of(client, member, source["id"]) == "10.00"
    assert await balance_of(client, other_member, target["id"]) == "1.00"
    assert await transfers_from(app, source["id"]) == 0


async def test_p09_whole_balance_can_be_sent(
    client: httpx.AsyncClient, member: Member, other_member: Member
) -> None:
    source = await open_account(client, member, "10.00")
    target = await open_account(client, other_member, "0")
    response = await transfer(client, member, source["id"], target["id"], 10)
    assert response.status_code == 201
    assert await balance_of(client, member, source["id"]) == "0.00"


async def test_p09_unknown_account_is_404(client: httpx.AsyncClient, member: Member) -> None:
    source = await open_account(client, member)
    for from_id, to_id in ((source["id"], 987654321), (987654321, source["id"])):
        response = await transfer(client, member, from_id, to_id, "1.00")
        assert_error(response, 404, "ACCOUNT_NOT_FOUND")
    missing = await client.get("/api/v1/accounts/987654321", headers=member.headers)
    assert_error(missing, 404, "ACCOUNT_NOT_FOUND")


async def test_p09_only_the_owner_sends_from_an_account(
    client: httpx.AsyncClient, app: FastAPI, member: Member, other_member: Member
) -> None:
    theirs = await open_account(client, other_member, "50.00")
    mine = await open_account(client, member, "0.00")
    response = await transfer(client, member, theirs["id"], mine["id"], "1.00")
    assert_error(response, 403, "FORBIDDEN")
    assert await balance_of(client, other_member, theirs["id"]) == "50.00"
    assert await transfers_from(app, theirs["id"]) == 0


async def test_p09_accounts_are_private_to_owner_and_admins(
    client: httpx.AsyncClient, member: Member, other_member: Member, admin: Member
) -> None:
    account = await open_account(client, other_member)
    response = await client.get(f"/api/v1/accounts/{account['id']}", headers=member.headers)
    assert_error(response, 403, "FORBIDDEN")
    as_admin = await client.get(f"/api/v1/accounts/{account['id']}", headers=admin.headers)
    assert as_admin.status_code == 200


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00", "1.005", "lots", None])
async def test_p09_invalid_amount_is_422(
    client: httpx.AsyncClient, member: Member, other_member: Member, amount: Any
) -> None:
    source = await open_account(client, member)
    target = await open_account(client, other_member)
    response = await transfer(client, member, source["id"], target["id"], amount)
    assert error_fields(response) == {"amount"}
    assert await balance_of(client, member, source["id"]) == "100.00"


async def test_p09_same_account_is_422(client: httpx.AsyncClient, member: Member) -> None:
    account = await open_account(client, member)
    response = await transfer(client, member, account["id"], account["id"], "1")
    assert_error(response, 422, "VALIDATION_ERROR")


async def test_p09_validation_comes_before_existence(
    client: httpx.AsyncClient, member: Member
) -> None:
    response = await transfer(client, member, 987654321, 987654322, "-1")
    assert_error(response, 422, "VALIDATION_ERROR")


async def test_p09_transfers_need_authentication(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/transfers", json={"from_account_id": 1, "to_account_id": 2, "amount": "1"}
    )
    assert_error(response, 401, "NOT_AUTHENTICATED")


async def test_p09_concurrent_transfers_keep_total(
    client: httpx.AsyncClient, app: FastAPI, member: Member, other_member: Member
) -> None:
    """8 clients x 10 transfers, in both directions at once: no lost update, no deadlock."""
    alice = await open_account(client, member, "1000.00")
    bob = await open_account(client, other_member, "1000.00")

    async def send(owner: Member, source: int, target: int, amount: str) -> list[int]:
        statuses = []
        for _ in range(10):
            response = await transfer(client, owner, source, target, amount)
            statuses.append(response.status_code)
        return statuses

    results = await asyncio.gather(
        *(send(member, alice["id"], bob["id"], "1.00") for _ in range(4)),
        *(send(other_member, bob["id"], alice["id"], "2.50") for _ in range(4)),
    )
    assert [status for statuses in results for status in statuses] == [201] * 80
    alice_balance = Decimal(await balance_of(client, member, alice["id"]))
    bob_balance = Decimal(await balance_of(client, other_member, bob["id"]))
    assert alice_balance == Decimal("1000.00") - 40 + 100
    assert bob_balance == Decimal("1000.00") + 40 - 100
    assert alice_balance + bob_balance == Decimal("2000.00")
    assert await transfers_from(app, alice["id"]) == 40
    assert await transfers_from(app, bob["id"]) == 40


async def test_p09_money_in_responses_is_never_a_float(
    client: httpx.AsyncClient, member: Member
) -> None:
    account = await open_account(client, member, 0.1)
    assert isinstance(account["balance"], str)
    assert MONEY.fullmatch(account["balance"])
