from __future__ import annotations

import pytest

from apigen import naming
from apigen.errors import InvalidName, UserError


@pytest.mark.parametrize(
    ("text", "snake", "pascal"),
    [
        ("my-service", "my_service", "MyService"),
        ("MyService", "my_service", "MyService"),
        ("blog_post", "blog_post", "BlogPost"),
        ("HTTPServer", "http_server", "HttpServer"),
        ("user2fa", "user2fa", "User2fa"),
        ("a", "a", "A"),
    ],
)
def test_case_conversion(text: str, snake: str, pascal: str) -> None:
    assert naming.to_snake(text) == snake
    assert naming.to_pascal(text) == pascal


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("post", "posts"),
        ("user", "users"),
        ("category", "categories"),
        ("key", "keys"),
        ("box", "boxes"),
        ("address", "addresses"),
        ("match", "matches"),
        ("wish", "wishes"),
        ("leaf", "leaves"),
        ("knife", "knives"),
        ("person", "people"),
        ("news", "news"),
        ("blog_entry", "blog_entries"),
    ],
)
def test_pluralize(singular: str, plural: str) -> None:
    assert naming.pluralize(singular) == plural


@pytest.mark.parametrize(
    ("name", "package"),
    [("my-service", "my_service"), ("Shop_API", "shop_api"), ("a1-b2", "a1_b2"), ("app", "app")],
)
def test_valid_project_names(name: str, package: str) -> None:
    assert naming.validate_project_name(name) == name
    assert naming.package_name_for(name) == package


def test_name_of_the_maximum_length_is_accepted() -> None:
    name = "a" * naming.MAX_NAME_LENGTH
    assert naming.validate_project_name(name) == name


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty"),
        ("   ", "whitespace"),
        ("my proj", "whitespace"),
        ("1bad", "start with a letter"),
        ("-bad", "start with a letter"),
        ("_private", "start with a letter"),
        ("../x", "path"),
        ("/abs/path", "path"),
        (".hidden", "path"),
        ("a.b", "'.' is not allowed"),
        ("m\u0443-service", "non-ASCII"),  # Cyrillic u
        ("\u0430pi", "non-ASCII"),  # Cyrillic a
        ("a" * 65, "limit is 64"),
        ("class", "keyword"),
        ("Class", "keyword"),
        ("match", "keyword"),
        ("json", "standard library"),
        ("typing", "standard library"),
        ("test", "standard library"),
        ("fastapi", "dependency"),
        ("SQLAlchemy", "dependency"),
        ("rest-framework", "dependency"),
        ("tests", "folder"),
    ],
)
def test_invalid_project_names(name: str, reason: str) -> None:
    with pytest.raises(InvalidName) as caught:
        naming.validate_project_name(name)
    error = caught.value
    assert isinstance(error, UserError)
    assert error.exit_code == 2
    assert error.name == name
    assert reason in error.reason
    assert "\n" not in str(error)
    assert error.hint


@pytest.mark.parametrize("package", ["my_service", "api2", "app"])
def test_valid_package_names(package: str) -> None:
    assert naming.validate_package_name(package) == package


@pytest.mark.parametrize(
    ("package", "reason"),
    [
        ("", "empty"),
        ("My_Service", "lower-case identifier"),
        ("my-service", "lower-case identifier"),
        ("2fa", "lower-case identifier"),
        ("_x", "lower-case identifier"),
        ("caf\u00e9", "non-ASCII"),
        ("import", "keyword"),
        ("sys", "standard library"),
        ("pydantic", "dependency"),
        ("x" * 65, "limit is 64"),
    ],
)
def test_invalid_package_names(package: str, reason: str) -> None:
    with pytest.raises(InvalidName) as caught:
        naming.validate_package_name(package)
    assert caught.value.kind == "package name"
    assert reason in caught.value.reason
