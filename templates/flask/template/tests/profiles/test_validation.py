"""P02: validation, normalisation and the 422 detail list."""

import pytest
from flask.testing import FlaskClient

from tests.factories import Member, error_fields, json_of

ADDRESS = {"street": "1 Main St", "city": "Springfield", "state": "IL", "zip_code": "62701"}


def test_p02_names_are_title_cased(client: FlaskClient, member: Member) -> None:
    body = {"first_name": "gRACE", "last_name": "hopper", "address": ADDRESS}
    response = client.post("/api/v1/profiles", json=body, headers=member.headers)
    assert response.status_code == 201, response.text
    assert json_of(response)["full_name"] == "Grace Hopper"


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


def test_p02_password_is_not_echoed(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": "not-an-email", "password": "Sup3r-Secret"}
    )
    assert error_fields(response) == {"email"}
    assert "Sup3r-Secret" not in response.text
