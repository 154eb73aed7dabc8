"""P02: validation rules, normalisation and the 422 details they produce."""

from datetime import date, timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import Member, assert_error, unique_email

pytestmark = pytest.mark.django_db

ADDRESS = {"street": "1 Main St", "city": "Springfield", "state": "IL", "zip_code": "62701"}


def error_fields(response: Any) -> set[str]:
    error = assert_error(response, 422, "VALIDATION_ERROR")
    for detail in error["details"]:
        assert set(detail) == {"field", "message", "type"}
    return {detail["field"] for detail in error["details"]}


def years_ago(years: int, today: date) -> date:
    """The birthday of someone who turns `years` today (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def test_p02_valid_profile_is_title_cased(api_client: APIClient, member: Member) -> None:
    response = api_client.post(
        "/api/v1/profiles",
        {
            "first_name": "mary-jane",
            "last_name": "o'NEIL",
            "birth_date": "1990-05-17",
            "address": ADDRESS,
        },
        format="json",
        headers=member.headers,
    )
    assert response.status_code == 201, response.content
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


def test_p02_optional_fields_may_be_left_out(api_client: APIClient, member: Member) -> None:
    response = api_client.post(
        "/api/v1/profiles",
        {"first_name": "Ann", "last_name": "Lee"},
        format="json",
        headers=member.headers,
    )
    assert response.status_code == 201
    assert response.json()["birth_date"] is None
    assert response.json()["address"] is None


def test_p02_exactly_eighteen_today_is_accepted(api_client: APIClient, member: Member) -> None:
    birthday = years_ago(18, date.today())
    response = api_client.post(
        "/api/v1/profiles",
        {"first_name": "Ada", "last_name": "Byron", "birth_date": birthday.isoformat()},
        format="json",
        headers=member.headers,
    )
    assert response.status_code == 201, response.content
    assert response.json()["birth_date"] == birthday.isoformat()


def test_p02_one_day_short_of_eighteen_is_rejected(api_client: APIClient, member: Member) -> None:
    birthday = years_ago(18, date.today()) + timedelta(days=1)
    response = api_client.post(
        "/api/v1/profiles",
        {"first_name": "Ada", "last_name": "Byron", "birth_date": birthday.isoformat()},
        format="json",
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
        ({"address": {**ADDRESS, "country": "US"}}, "address.country"),
        ({"address": "1 Main St"}, "address"),
    ],
)
def test_p02_invalid_profile_names_the_field(
    api_client: APIClient, member: Member, change: dict[str, Any], field: str
) -> None:
    body = {"first_name": "Ada", "last_name": "Byron", "address": ADDRESS} | change
    response = api_client.post("/api/v1/profiles", body, format="json", headers=member.headers)
    assert error_fields(response) == {field}


def test_p02_fifty_characters_is_the_longest_name(api_client: APIClient, member: Member) -> None:
    response = api_client.post(
        "/api/v1/profiles",
        {"first_name": "a" * 50, "last_name": "B"},
        format="json",
        headers=member.headers,
    )
    assert response.status_code == 201
    assert response.json()["first_name"] == "A" + "a" * 49


def test_p02_every_error_is_reported_at_once(api_client: APIClient, member: Member) -> None:
    response = api_client.post(
        "/api/v1/profiles",
        {"first_name": "", "address": {**ADDRESS, "zip_code": "x"}},
        format="json",
        headers=member.headers,
    )
    assert error_fields(response) == {"first_name", "last_name", "address.zip_code"}


def test_p02_detail_types_are_pydantic_like(api_client: APIClient, member: Member) -> None:
    response = api_client.post(
        "/api/v1/profiles",
        {"first_name": "", "address": {**ADDRESS, "zip_code": "x", "extra": 1}},
        format="json",
        headers=member.headers,
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    types = {detail["field"]: detail["type"] for detail in error["details"]}
    assert types == {
        "first_name": "string_too_short",
        "last_name": "missing",
        "address.zip_code": "string_pattern_mismatch",
        "address.extra": "extra_forbidden",
    }


def test_p02_whole_body_error_has_empty_field(api_client: APIClient, member: Member) -> None:
    response = api_client.post(
        "/api/v1/profiles", ["a", "list"], format="json", headers=member.headers
    )
    assert error_fields(response) == {""}


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "@example.com", ""])
def test_p02_email_is_validated(api_client: APIClient, email: str) -> None:
    response = api_client.post(
        "/api/v1/auth/register", {"email": email, "password": "long-enough-1"}, format="json"
    )
    assert error_fields(response) == {"email"}


def test_p02_rejected_password_is_not_echoed(api_client: APIClient) -> None:
    password = "Zq9!x"
    response = api_client.post(
        "/api/v1/auth/register", {"email": unique_email(), "password": password}, format="json"
    )
    assert error_fields(response) == {"password"}
    assert password.encode() not in response.content


def test_p02_query_and_path_parameters_are_validated(api_client: APIClient, member: Member) -> None:
    bad_query = api_client.get("/api/v1/users?limit=many", headers=member.headers)
    assert error_fields(bad_query) == {"limit"}
    bad_path = api_client.get("/api/v1/users/0", headers=member.headers)
    assert error_fields(bad_path) == {"user_id"}
