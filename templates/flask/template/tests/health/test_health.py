"""P20: health reports the database and the cache."""

from flask.testing import FlaskClient

from tests.factories import json_of
from tests.conftest import AppBuilder


def test_p20_health_ok(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert json_of(response) == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_p20_database_down_is_503(build_app: AppBuilder) -> None:
    broken = build_app(database_url="sqlite:////nonexistent-folder/nowhere.db").test_client()
    response = broken.get("/health")
    assert response.status_code == 503
    assert json_of(response)["checks"] == {"database": "error", "cache": "ok"}
