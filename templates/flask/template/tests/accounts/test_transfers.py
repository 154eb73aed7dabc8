"""P09: transfers commit both balances and the record together, exactly, under concurrency."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Member, assert_error, error_fields, json_of


def _account(client: FlaskClient, owner: Member, balance: str) -> int:
    response = client.post("/api/v1/accounts", json={"balance": balance}, headers=owner.headers)
    assert response.status_code == 201, response.text
    account_id: int = json_of(response)["id"]
    return account_id


def _balance(client: FlaskClient, owner: Member, account_id: int) -> Decimal:
    response = client.get(f"/api/v1/accounts/{account_id}", headers=owner.headers)
    return Decimal(json_of(response)["balance"])


def test_p09_transfer_moves_money(client: FlaskClient, member: Member, other_member: Member) -> None:
    source, target = _account(client, member, "100.00"), _account(client, other_member, "0")
    body = {"from_account_id": source, "to_account_id": target, "amount": "12.34"}
    response = client.post("/api/v1/transfers", json=body, headers=member.headers)
    assert response.status_code == 201, response.text
    assert json_of(response)["amount"] == "12.34"
    assert _balance(client, member, source) == Decimal("87.66")
    assert _balance(client, other_member, target) == Decimal("12.34")


def test_p09_refusals(client: FlaskClient, member: Member, other_member: Member) -> None:
    source, target = _account(client, member, "5.00"), _account(client, other_member, "0")
    transfer = {"from_account_id": source, "to_account_id": target}
    too_much = client.post("/api/v1/transfers", json={**transfer, "amount": "6"}, headers=member.headers)
    assert_error(too_much, 400, "INSUFFICIENT_FUNDS")
    theirs = {"from_account_id": target, "to_account_id": source, "amount": "1"}
    assert_error(client.post("/api/v1/transfers", json=theirs, headers=member.headers), 403, "FORBIDDEN")
    missing = {**transfer, "to_account_id": 2_000_000_000, "amount": "1"}
    assert_error(client.post("/api/v1/transfers", json=missing, headers=member.headers), 404, "ACCOUNT_NOT_FOUND")
    same = {**transfer, "to_account_id": source, "amount": "1"}
    assert_error(client.post("/api/v1/transfers", json=same, headers=member.headers), 422, "VALIDATION_ERROR")
    negative = client.post("/api/v1/transfers", json={**transfer, "amount": "-1"}, headers=member.headers)
    assert error_fields(negative) == {"amount"}
    assert _balance(client, member, source) == Decimal("5.00")


def test_p09_concurrent_transfers_are_exact(app: Flask, member: Member, other_member: Member) -> None:
    client = app.test_client()
    first, second = _account(client, member, "100.00"), _account(client, other_member, "100.00")
    transfers = [
        (member, {"from_account_id": first, "to_account_id": second, "amount": "1.00"}),
        (other_member, {"from_account_id": second, "to_account_id": first, "amount": "1.00"}),
    ] * 10

    def send(item: tuple[Member, dict[str, object]]) -> int:
        owner, body = item
        return app.test_client().post("/api/v1/transfers", json=body, headers=owner.headers).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(send, transfers))
    assert statuses == [201] * len(transfers)
    total = _balance(client, member, first) + _balance(client, other_member, second)
    assert total == Decimal("200.00")
