from __future__ import annotations

import pydantic
import pytest

from apigen.errors import FrameworkNotReady, InvalidName, InvalidOption, UnknownFramework
from apigen.spec import ProjectSpec


def test_defaults_and_derived_package_name() -> None:
    spec = ProjectSpec(name="my-service")
    assert spec.framework == "fastapi"
    assert spec.package_name == spec.package == "my_service"
    assert spec.python_version == "3.11"


def test_package_name_override() -> None:
    assert ProjectSpec(name="my-service", package_name="core_api").package == "core_api"


def test_answers_use_copier_question_names() -> None:
    spec = ProjectSpec(name="Shop", description="Sells things", python_version="3.12")
    assert spec.answers() == {
        "project_name": "Shop",
        "package_name": "shop",
        "description": "Sells things",
        "author_name": "Your Name",
        "author_email": "you@example.com",
        "python_version": "3.12",
        "framework": "fastapi",
    }


def test_unknown_keys_are_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="extra"):
        ProjectSpec(name="shop", descripton="typo")  # type: ignore[call-arg]


def test_invalid_name_raises_apigen_error_not_validation_error() -> None:
    with pytest.raises(InvalidName):
        ProjectSpec(name="1bad")


def test_invalid_package_name_override() -> None:
    with pytest.raises(InvalidName) as caught:
        ProjectSpec(name="shop", package_name="json")
    assert caught.value.kind == "package name"


@pytest.mark.parametrize("framework", ["rails", ""])
def test_unknown_framework(framework: str) -> None:
    with pytest.raises(UnknownFramework) as caught:
        ProjectSpec(name="shop", framework=framework)
    assert caught.value.available == ("fastapi", "django", "flask")
    assert not isinstance(caught.value, FrameworkNotReady)


def test_a_framework_in_development_is_refused(planned: str) -> None:
    with pytest.raises(FrameworkNotReady) as caught:
        ProjectSpec(name="shop", framework=planned)
    assert caught.value.available == ("fastapi", "django", "flask")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "two\nlines"),
        ("author_name", "tab\there"),
        ("author_email", "not-an-email"),
        ("author_email", "a b@example.com"),
        ("python_version", "3.10"),
    ],
)
def test_invalid_options(field: str, value: str) -> None:
    with pytest.raises(InvalidOption) as caught:
        ProjectSpec(name="shop", **{field: value})
    assert caught.value.value == value
    assert caught.value.exit_code == 2
