"""P02: validation rules, normalisation and the 422 details they produce."""

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.factories import Member, error_fields, unique_email

ADDRESS = {"street": "1 Main St", "city": "Springfield", "state": "IL", "zip_code": "62701"}


def years_ago(years: int, today: date) -> date:
    """The birthday of someone who turns `years` today (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


async def test_p02_valid_profile_is_title_cased(client: httpx.AsyncClient, member: Member) -> None:
    response = await client.post(
        "/api/v1/profiles",
        json={
            "first_name": "mary-jane",
            "last_name": "o'NEIL",
            "birth_date": "1990-05-17",
            "address": ADDRESS,
        },
        headers=member.headers,
    )
    assert response.status_code == 201, response.text
    profile = response.json()
    assert profile == {
        "id": profile["id"],
        "user_id": member.id,
        "first_name": "Mary-Jane",
        "last_name": "O'Neil",
        "full_name": "Mary-Jane O'Neil",
        "birth_date": "1990-05-17",
        "address": ADDRESS,
    }


async def test_p02_optional_fields_may_be_left_out(
    client: httpx.AsyncClient, member: Member
) -> None:
    response = await client.post(
        "/api/v1/profiles", json={"first_name": "Ann", "last_name": "Lee"}, headers=member.headers
    )
    assert response.status_code == 201
    assert response.json()["birth_date"] is None
    assert response.json()["address"] is None


async def test_p02_exactly_eighteen_today_is_accepted(
    client: httpx.AsyncClient, member: Member
) -> None:
    birthday = years_ago(18, date.today())
    response = await client.post(
        "/api/v1/profiles",
        json={"first_name": "Ada", "last_name": "Byron", "birth_date": birthday.isoformat()},
        headers=member.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["birth_date"] == birthday.isoformat()


async def test_p02_one_day_short_of_eighteen_is_rejected(
    client: httpx.AsyncClient, member: Member
) -> None:
    birthday = years_ago(18, date.today()) + timedelta(days=1)
    response = await client.post(
        "/api/v1/profiles",
        json={"first_name": "Ada", "last_name": "Byron", "birth_date": birthday.isoformat()},
        headers=member.headers,
    )
    assert error_fields(response) == {"birth_date"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"first_name": "x" * 51}, "first_name"),
        ({"last_name": "12345"}, "last_name"),
        ({"last_name": None}, "last_name"),
        ({"birth_date": "17/05/1990"}, "birth_date"),
        ({"birth_date": 0}, "birth_date"),  # not a Unix time either
        ({"birth_date": "660000000"}, "birth_date"),
        ({"address": {**ADDRESS, "zip_code": "1234"}}, "address.zip_code"),
        ({"address": {**ADDRESS, "zip_code": "12345-6789"}}, "address.zip_code"),
        ({"address": {**ADDRESS, "state": "il"}}, "address.state"),
        ({"address": {**ADDRESS, "state": "ILL"}}, "address.state"),
        ({"address": {"street": "1 Main St", "state": "IL", "zip_code": "62701"}}, "address.city"),
    ],
)
async def test_p02_invalid_profile_names_the_field(
    client: httpx.AsyncClient, member: Member, change: dict[str, Any], field: str
) -> None:
    body = {"first_name": "Ada", "last_name": "Byron", "address": ADDRESS} | change
    response = await client.post("/api/v1/profiles", json=body, headers=member.headers)
    assert error_fields(response) == {field}


async def test_p02_fifty_characters_is_the_longest_name(
    client: httpx.AsyncClient, member: Member
) -> None:
    response = await client.post(
        "/api/v1/profiles", json={"first_name": "a" * 50, "last_name": "B"}, headers=member.headers
    )
    assert response.status_code == 201
    assert response.json()["first_name"] == "A" + "a" * 49


async def test_p02_every_error_is_reported_at_once(
    client: httpx.AsyncClient, member: Member
) -> None:
    response = await client.post(
        "/api/v1/profiles",
        json={"first_name": "", "address": {**ADDRESS, "zip_code": "x"}},
        headers=member.headers,
    )
    assert error_fields(response) == {"first_name", "last_name", "address.zip_code"}


async def test_p02_whole_body_error_has_empty_field(
    client: httpx.AsyncClient, member: Member
) -> None:
    response = await client.post("/api/v1/profiles", json=["a", "list"], headers=member.headers)
    assert error_fields(response) == {""}


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "@example.com", ""])
async def test_p02_email_is_validated(client: httpx.AsyncClient, email: str) -> None:
    response = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": "long-enough-1"}
    )
    assert error_fields(response) == {"email"}


async def test_p02_rejected_password_is_not_echoed(client: httpx.AsyncClient) -> None:
    password = "Zq9!x"
    response = await client.post(
        "/api/v1/auth/register", json={"email": unique_email(), "password": password}
    )
    assert error_fields(response) == {"password"}
    assert password not in response.text


async def test_p02_query_and_path_parameters_are_validated(
    client: httpx.AsyncClient, member: Member
) -> None:
    bad_query = await client.get("/api/v1/users?limit=many", headers=member.headers)
    assert error_fields(bad_query) == {"limit"}
    bad_path = await client.get("/api/v1/users/0", headers=member.headers)
    assert error_fields(bad_path) == {"user_id"}
