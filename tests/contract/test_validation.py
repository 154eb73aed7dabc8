"""P02: request validation, normalisation and the 422 detail list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from tests.contract.client import (
    User,
    assert_error,
    new_user,
    path_parameter,
    unique_email,
    validation_fields,
)


def _years_ago(years: int) -> str:
    today = dt.date.today()
    try:
        return today.replace(year=today.year - years).isoformat()
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28).isoformat()


def _profile(client: httpx.Client, user: User, **fields: Any) -> httpx.Response:
    body = {"first_name": "ada", "last_name": "lovelace", **fields}
    return client.post("/api/v1/profiles", json=body, headers=user.headers)


@pytest.fixture
def user(client: httpx.Client) -> User:
    return new_user(client, "profile")


def test_p02_profile_names_are_title_cased(client: httpx.Client, user: User) -> None:
    response = _profile(client, user, first_name="gRACE", last_name="hopper")
    assert response.status_code == 201, response.text
    profile = response.json()
    assert profile["first_name"] == "Grace"
    assert profile["last_name"] == "Hopper"
    assert profile["full_name"] == "Grace Hopper"
    assert profile["user_id"] == user.id
    assert profile["birth_date"] is None
    assert profile["address"] is None


def test_p02_profile_with_birth_date_and_address(client: httpx.Client, user: User) -> None:
    address = {"street": "1 Main St", "city": "Springfield", "state": "IL", "zip_code": "62701"}
    response = _profile(client, user, birth_date=_years_ago(30), address=address)
    assert response.status_code == 201, response.text
    assert response.json()["birth_date"] == _years_ago(30)
    assert response.json()["address"] == address


def test_p02_name_of_fifty_characters_is_accepted(client: httpx.Client, user: User) -> None:
    assert _profile(client, user, first_name="a" * 50).status_code == 201


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"first_name": "12345"}, "first_name"),
        ({"last_name": "007"}, "last_name"),
        ({"first_name": ""}, "first_name"),
        ({"last_name": "a" * 51}, "last_name"),
        ({"birth_date": _years_ago(17)}, "birth_date"),
        ({"birth_date": "not-a-date"}, "birth_date"),
    ],
    ids=["digits-first", "digits-last", "empty", "too-long", "under-18", "bad-date"],
)
def test_p02_invalid_profile_is_rejected(
    client: httpx.Client, user: User, fields: dict[str, str], field: str
) -> None:
    assert field in validation_fields(_profile(client, user, **fields))


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ({"zip_code": "1234"}, "address.zip_code"),
        ({"zip_code": "12a45"}, "address.zip_code"),
        ({"state": "ca"}, "address.state"),
        ({"state": "CAL"}, "address.state"),
    ],
    ids=["zip-short", "zip-letter", "state-lower", "state-long"],
)
def test_p02_invalid_address_has_dotted_field(
    client: httpx.Client, user: User, address: dict[str, str], field: str
) -> None:
    full = {"street": "1 Main St", "city": "Springfield", "state": "IL", "zip_code": "62701"}
    fields = validation_fields(_profile(client, user, address={**full, **address}))
    assert fields == [field]


def test_p02_missing_required_field(client: httpx.Client, user: User) -> None:
    response = client.post("/api/v1/profiles", json={"first_name": "Ada"}, headers=user.headers)
    assert "last_name" in validation_fields(response)


def test_p02_body_of_wrong_type_has_empty_field(client: httpx.Client, user: User) -> None:
    response = client.post("/api/v1/profiles", json=["not", "an", "object"], headers=user.headers)
    assert "" in validation_fields(response)


def test_p02_invalid_email_does_not_echo_password(client: httpx.Client) -> None:
    secret = "Sup3r-Secret-Passw0rd"
    response = client.post(
        "/api/v1/auth/register", json={"email": "not-an-email", "password": secret}
    )
    assert validation_fields(response) == ["email"]
    assert secret not in response.text


def test_p02_short_password_is_not_echoed(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": unique_email(), "password": "Xq7!z"}
    )
    assert validation_fields(response) == ["password"]
    assert "Xq7!z" not in response.text


ID_PATHS = ["/api/v1/users/{}", "/api/v2/users/{}", "/api/v1/posts/{}", "/api/v1/accounts/{}"]


@pytest.mark.parametrize("template", ID_PATHS)
@pytest.mark.parametrize("number", [0, 2**31], ids=["zero", "2**31"])
def test_p02_id_out_of_range_names_the_path_parameter(
    client: httpx.Client, template: str, number: int
) -> None:
    """Ids are 1..2**31-1: any other integer is a 422 naming the parameter as the document does."""
    user = new_user(client)
    response = client.get(template.format(number), headers=user.headers)
    assert validation_fields(response) == [path_parameter(client, template)]


@pytest.mark.parametrize("template", ID_PATHS)
def test_p02_non_integer_path_segment_is_not_found(client: httpx.Client, template: str) -> None:
    """A segment that is not a number names no route: 404 ``NOT_FOUND``, not a 422."""
    user = new_user(client)
    response = client.get(template.format("not-a-number"), headers=user.headers)
    assert_error(response, 404, "NOT_FOUND")
