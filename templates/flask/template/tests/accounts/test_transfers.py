"""P09: accounts and transfers — money as exact strings, all-or-nothing, safe under concurrency."""

import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import Member, assert_error, error_fields, json_of, scalar

MONEY = re.compile(r"^\d+\.\d{2}$")
UNKNOWN_ID = 987654321


def open_account(client: FlaskClient, owner: Member, balance: Any = "100.00") -> dict[str, Any]:
    response = client.post("/api/v1/accounts", json={"balance": balance}, headers=owner.headers)
    assert response.status_code == 201, response.text
    return json_of(response)


def transfer(
    client: FlaskClient, owner: Member, source: int, target: int, amount: Any
) -> TestResponse:
    body = {"from_account_id": source, "to_account_id": target, "amount": amount}
    return client.post("/api/v1/transfers", json=body, headers=owner.headers)


def balance_of(client: FlaskClient, owner: Member, account_id: int) -> str:
    response = client.get(f"/api/v1/accounts/{account_id}", headers=owner.headers)
    assert response.status_code == 200, response.text
    balance: str = json_of(response)["balance"]
    return balance


def transfers_from(app: Flask, account_id: int) -> int:
    count: int = scalar(
        app, "SELECT count(*) FROM transfers WHERE from_account_id = :id", id=account_id
    )
    return count


def test_p09_open_account_with_defaults(client: FlaskClient, member: Member) -> None:
    response = client.post("/api/v1/accounts", json={}, headers=member.headers)
    assert response.status_code == 201, response.text
    account = json_of(response)
    assert account["owner_id"] == member.id
    assert account["name"] == "main"
    assert account["balance"] == "0.00"
    assert "+00:00" in account["created_at"] or account["created_at"].endswith("Z")


@pytest.mark.parametrize(
    ("balance", "shown"), [("12.5", "12.50"), (100, "100.00"), ("0.10", "0.10"), (2.25, "2.25")]
)
def test_p09_money_is_a_two_decimal_string(
    client: FlaskClient, member: Member, balance: Any, shown: str
) -> None:
    account = open_account(client, member, balance)
    assert account["balance"] == shown
    assert balance_of(client, member, account["id"]) == shown


@pytest.mark.parametrize(
    "balance", ["-0.01", "1.005", "abc", "1e2", " 1", "1234567890123", 1e13, 0.001]
)
def test_p09_invalid_opening_balance_is_422(
    client: FlaskClient, member: Member, balance: Any
) -> None:
    response = client.post("/api/v1/accounts", json={"balance": balance}, headers=member.headers)
    assert error_fields(response) == {"balance"}


def test_p09_transfer_moves_money(
    client: FlaskClient, member: Member, other_member: Member
) -> None:
    source = open_account(client, member, "100.00")
    target = open_account(client, other_member, "5.00")
    response = transfer(client, member, source["id"], target["id"], "30.25")
    assert response.status_code == 201, response.text
    record = json_of(response)
    assert record == {
        "id": record["id"],
        "from_account_id": source["id"],
        "to_account_id": target["id"],
        "amount": "30.25",
        "created_at": record["created_at"],
    }
    assert balance_of(client, member, source["id"]) == "69.75"
    assert balance_of(client, other_member, target["id"]) == "35.25"


def test_p09_refusals(client: FlaskClient, member: Member, other_member: Member) -> None:
    """Each refusal, one after the other on the same accounts, leaves the balance as it was."""
    source = open_account(client, member, "5.00")["id"]
    target = open_account(client, other_member, "0")["id"]
    assert_error(transfer(client, member, source, target, "6"), 400, "INSUFFICIENT_FUNDS")
    assert_error(transfer(client, member, target, source, "1"), 403, "FORBIDDEN")
    missing = transfer(client, member, source, 2_000_000_000, "1")
    assert_error(missing, 404, "ACCOUNT_NOT_FOUND")
    assert_error(transfer(client, member, source, source, "1"), 422, "VALIDATION_ERROR")
    assert error_fields(transfer(client, member, source, target, "-1")) == {"amount"}
    assert balance_of(client, member, source) == "5.00"


def test_p09_insufficient_funds_changes_nothing(
    client: FlaskClient, app: Flask, member: Member, other_member: Member
) -> None:
    source = open_account(client, member, "10.00")
    target = open_account(client, other_member, "1.00")
    response = transfer(client, member, source["id"], target["id"], "10.01")
    assert_error(response, 400, "INSUFFICIENT_FUNDS")
    assert balance_of(client, member, source["id"]) == "10.00"
    assert balance_of(client, other_member, target["id"]) == "1.00"
    assert transfers_from(app, source["id"]) == 0


def test_p09_whole_balance_can_be_sent(
    client: FlaskClient, member: Member, other_member: Member
) -> None:
    source = open_account(client, member, "10.00")
    target = open_account(client, other_member, "0")
    response = transfer(client, member, source["id"], target["id"], 10)
    assert response.status_code == 201, response.text
    assert balance_of(client, member, source["id"]) == "0.00"


def test_p09_unknown_account_is_404(client: FlaskClient, member: Member) -> None:
    source = open_account(client, member)
    for from_id, to_id in ((source["id"], UNKNOWN_ID), (UNKNOWN_ID, source["id"])):
        response = transfer(client, member, from_id, to_id, "1.00")
        assert_error(response, 404, "ACCOUNT_NOT_FOUND")
    missing = client.get(f"/api/v1/accounts/{UNKNOWN_ID}", headers=member.headers)
    assert_error(missing, 404, "ACCOUNT_NOT_FOUND")


def test_p09_only_the_owner_sends_from_an_account(
    client: FlaskClient, app: Flask, member: Member, other_member: Member
) -> None:
    theirs = open_account(client, other_member, "50.00")
    mine = open_account(client, member, "0.00")
    response = transfer(client, member, theirs["id"], mine["id"], "1.00")
    assert_error(response, 403, "FORBIDDEN")
    assert balance_of(client, other_member, theirs["id"]) == "50.00"
    assert transfers_from(app, theirs["id"]) == 0


def test_p09_accounts_are_private_to_owner_and_admins(
    client: FlaskClient, member: Member, other_member: Member, admin: Member
) -> None:
    account = open_account(client, other_member)
    response = client.get(f"/api/v1/accounts/{account['id']}", headers=member.headers)
    assert_error(response, 403, "FORBIDDEN")
    as_admin = client.get(f"/api/v1/accounts/{account['id']}", headers=admin.headers)
    assert as_admin.status_code == 200


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00", "1.005", "lots", None])
def test_p09_invalid_amount_is_422(
    client: FlaskClient, member: Member, other_member: Member, amount: Any
) -> None:
    source = open_account(client, member)
    target = open_account(client, other_member)
    response = transfer(client, member, source["id"], target["id"], amount)
    assert error_fields(response) == {"amount"}
    assert balance_of(client, member, source["id"]) == "100.00"


def test_p09_same_account_is_422(client: FlaskClient, member: Member) -> None:
    account = open_account(client, member)
    response = transfer(client, member, account["id"], account["id"], "1")
    assert_error(response, 422, "VALIDATION_ERROR")


def test_p09_validation_comes_before_existence(client: FlaskClient, member: Member) -> None:
    response = transfer(client, member, UNKNOWN_ID, UNKNOWN_ID + 1, "-1")
    assert_error(response, 422, "VALIDATION_ERROR")


def test_p09_transfers_need_authentication(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/transfers", json={"from_account_id": 1, "to_account_id": 2, "amount": "1"}
    )
    assert_error(response, 401, "NOT_AUTHENTICATED")


def test_p09_concurrent_transfers_are_exact(
    app: Flask, member: Member, other_member: Member
) -> None:
    client = app.test_client()
    first = open_account(client, member, "100.00")["id"]
    second = open_account(client, other_member, "100.00")["id"]
    transfers = [
        (member, {"from_account_id": first, "to_account_id": second, "amount": "1.00"}),
        (other_member, {"from_account_id": second, "to_account_id": first, "amount": "1.00"}),
    ] * 10

    def send(item: tuple[Member, dict[str, object]]) -> int:
        owner, body = item
        return (
            app.test_client()
            .post("/api/v1/transfers", json=body, headers=owner.headers)
            .status_code
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(send, transfers))
    assert statuses == [201] * len(transfers)
    total = Decimal(balance_of(client, member, first)) + Decimal(
        balance_of(client, other_member, second)
    )
    assert total == Decimal("200.00")


def test_p09_concurrent_transfers_keep_total(
    client: FlaskClient, app: Flask, member: Member, other_member: Member
) -> None:
    """8 clients x 10 transfers, in both directions at once: no lost update, no deadlock."""
    alice = open_account(client, member, "1000.00")["id"]
    bob = open_account(client, other_member, "1000.00")["id"]

    def send(sender: tuple[Member, int, int, str]) -> list[int]:
        owner, source, target, amount = sender
        own_client = app.test_client()
        return [transfer(own_client, owner, source, target, amount).status_code for _ in range(10)]

    senders = [(member, alice, bob, "1.00")] * 4 + [(other_member, bob, alice, "2.50")] * 4
    with ThreadPoolExecutor(max_workers=len(senders)) as pool:
        results = list(pool.map(send, senders))
    assert [status for statuses in results for status in statuses] == [201] * 80
    alice_balance = Decimal(balance_of(client, member, alice))
    bob_balance = Decimal(balance_of(client, other_member, bob))
    assert alice_balance == Decimal("1000.00") - 40 + 100
    assert bob_balance == Decimal("1000.00") + 40 - 100
    assert alice_balance + bob_balance == Decimal("2000.00")
    assert transfers_from(app, alice) == 40
    assert transfers_from(app, bob) == 40


def test_p09_money_in_responses_is_never_a_float(client: FlaskClient, member: Member) -> None:
    account = open_account(client, member, 0.1)
    assert isinstance(account["balance"], str)
    assert MONEY.fullmatch(account["balance"])
