"""P02: validation rules, normalisation and the 422 details they produce."""

from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import Member, error_fields, json_of, unique_email

ADDRESS = {"street": "1 Main St", "city": "Springfield", "state": "IL", "zip_code": "62701"}


def years_ago(years: int, today: date) -> date:
    """The birthday of someone who turns `years` today (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def test_p02_names_are_title_cased(client: FlaskClient, member: Member) -> None:
    body = {"first_name": "gRACE", "last_name": "hopper", "address": ADDRESS}
    response = client.post("/api/v1/profiles", json=body, headers=member.headers)
    assert response.status_code == 201, response.text
    assert json_of(response)["full_name"] == "Grace Hopper"


def test_p02_valid_profile_is_title_cased(client: FlaskClient, member: Member) -> None:
    response = client.post(
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
    profile = json_of(response)
    assert profile == {
        "id": profile["id"],
        "user_id": member.id,
        "first_name": "Mary-Jane",
        "last_name": "O'Neil",
        "full_name": "Mary-Jane O'Neil",
        "birth_date": "1990-05-17",
        "address": ADDRESS,
    }


def test_p02_optional_fields_may_be_left_out(client: FlaskClient, member: Member) -> None:
    response = client.post(
        "/api/v1/profiles", json={"first_name": "Ann", "last_name": "Lee"}, headers=member.headers
    )
    assert response.status_code == 201, response.text
    assert json_of(response)["birth_date"] is None
    assert json_of(response)["address"] is None


def test_p02_exactly_eighteen_today_is_accepted(client: FlaskClient, member: Member) -> None:
    birthday = years_ago(18, date.today())
    response = client.post(
        "/api/v1/profiles",
        json={"first_name": "Ada", "last_name": "Byron", "birth_date": birthday.isoformat()},
        headers=member.headers,
    )
    assert response.status_code == 201, response.text
    assert json_of(response)["birth_date"] == birthday.isoformat()


def test_p02_one_day_short_of_eighteen_is_rejected(client: FlaskClient, member: Member) -> None:
    birthday = years_ago(18, date.today()) + timedelta(days=1)
    response = client.post(
        "/api/v1/profiles",
        json={"first_name": "Ada", "last_name": "Byron", "birth_date": birthday.isoformat()},
        headers=member.headers,
    )
    assert error_fields(response) == {"birth_date"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"first_name": "123"}, "first_name"),
        ({"last_name": "a" * 51}, "last_name"),
        ({"birth_date": "2020-01-01"}, "birth_date"),
        ({"address": {**ADDRESS, "zip_code": "1234"}}, "address.zip_code"),
        ({"address": {**ADDRESS, "country": "US"}}, "address.country"),
    ],
)
def test_p02_invalid_profiles(
    client: FlaskClient, member: Member, fields: dict[str, object], field: str
) -> None:
    body = {"first_name": "Ada", "last_name": "Lovelace", **fields}
    response = client.post("/api/v1/profiles", json=body, headers=member.headers)
    assert error_fields(response) == {field}


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
def test_p02_invalid_profile_names_the_field(
    client: FlaskClient, member: Member, change: dict[str, Any], field: str
) -> None:
    body = {"first_name": "Ada", "last_name": "Byron", "address": ADDRESS} | change
    response = client.post("/api/v1/profiles", json=body, headers=member.headers)
    assert error_fields(response) == {field}


def test_p02_fifty_characters_is_the_longest_name(client: FlaskClient, member: Member) -> None:
    response = client.post(
        "/api/v1/profiles", json={"first_name": "a" * 50, "last_name": "B"}, headers=member.headers
    )
    assert response.status_code == 201, response.text
    assert json_of(response)["first_name"] == "A" + "a" * 49


def test_p02_every_error_is_reported_at_once(client: FlaskClient, member: Member) -> None:
    response = client.post(
        "/api/v1/profiles",
        json={"first_name": "", "address": {**ADDRESS, "zip_code": "x"}},
        headers=member.headers,
    )
    assert error_fields(response) == {"first_name", "last_name", "address.zip_code"}


def test_p02_whole_body_error_has_empty_field(client: FlaskClient, member: Member) -> None:
    response = client.post("/api/v1/profiles", json=["a", "list"], headers=member.headers)
    assert error_fields(response) == {""}


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "@example.com", ""])
def test_p02_email_is_validated(client: FlaskClient, email: str) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": "long-enough-1"}
    )
    assert error_fields(response) == {"email"}


def test_p02_password_is_not_echoed(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": "not-an-email", "password": "Sup3r-Secret"}
    )
    assert error_fields(response) == {"email"}
    assert "Sup3r-Secret" not in response.text


def test_p02_rejected_password_is_not_echoed(client: FlaskClient) -> None:
    password = "Zq9!x"
    response = client.post(
        "/api/v1/auth/register", json={"email": unique_email(), "password": password}
    )
    assert error_fields(response) == {"password"}
    assert password not in response.text


def test_p02_query_and_path_parameters_are_validated(client: FlaskClient, member: Member) -> None:
    bad_query = client.get("/api/v1/users?limit=many", headers=member.headers)
    assert error_fields(bad_query) == {"limit"}
    bad_path = client.get("/api/v1/users/0", headers=member.headers)
    assert error_fields(bad_path) == {"user_id"}
