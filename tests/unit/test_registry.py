"""Registering a feature: an import and one list element, placed by the syntax tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from apigen.errors import AlreadyRegistered, RegistryNotRecognised
from apigen.registry import register

PATH = Path("api.py")
ENTRY = "books_router"
IMPORT = "from svc.books.routes import router as books_router"

REGISTRY = '''"""The features."""

from fastapi import APIRouter

from svc.posts.routes import router as posts_router  # déjà vu: not ASCII

#: Served under /api/v1.
FEATURES: list[APIRouter] = [
    posts_router,  # a comment, with a comma
    # the user's own note
]
'''


def add(text: str, *, list_name: str = "FEATURES") -> str:
    return register(text, path=PATH, list_name=list_name, entry=ENTRY, import_line=IMPORT)


def test_the_entry_and_the_import_are_added_and_nothing_else_changes() -> None:
    edited = add(REGISTRY)
    assert edited == REGISTRY.replace(
        "# déjà vu: not ASCII\n", f"# déjà vu: not ASCII\n{IMPORT}\n"
    ).replace("    # the user's own note\n", f"    # the user's own note\n    {ENTRY},\n")


def test_a_missing_trailing_comma_is_added() -> None:
    edited = add(REGISTRY.replace("posts_router,  # a comment", "posts_router  # a comment"))
    module = ast.parse(edited)
    features = next(node for node in module.body if isinstance(node, ast.AnnAssign))
    assert isinstance(features.value, ast.List)
    assert [ast.unparse(element) for element in features.value.elts] == ["posts_router", ENTRY]


@pytest.mark.parametrize(
    "text", ["X = []", "X = [a]", "X = [a,]", "X = [\n    a\n]", "import q\nX = [\n]\n"]
)
def test_every_list_layout_takes_the_entry(text: str) -> None:
    edited = add(text, list_name="X")
    module = ast.parse(edited)
    assign = next(node for node in module.body if isinstance(node, ast.Assign))
    assert isinstance(assign.value, ast.List)
    assert ast.unparse(assign.value.elts[-1]) == ENTRY
    assert IMPORT in edited


def test_registering_twice_is_refused() -> None:
    with pytest.raises(AlreadyRegistered):
        add(add(REGISTRY))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FEATURES = [", "does not parse"),
        ("ROUTERS = []", "no module-level FEATURES"),
        ("FEATURES = []\nFEATURES = []", "assigned 2 times"),
        ("FEATURES = list(ROUTERS)", "no longer a list literal"),
        ("FEATURES = [r for r in ROUTERS]", "no longer a list literal"),
    ],
)
def test_a_registry_rewritten_beyond_recognition_is_refused(text: str, reason: str) -> None:
    with pytest.raises(RegistryNotRecognised, match=reason):
        add(text)


SETTINGS = '''"""Settings."""

THIRD_PARTY_APPS = ["rest_framework"]

LOCAL_APPS = [
    "svc.users",
    "svc.posts",
]
'''


def test_an_entry_without_an_import_adds_the_entry_alone() -> None:
    edited = register(SETTINGS, path=PATH, list_name="LOCAL_APPS", entry='"svc.books"')
    assert edited == SETTINGS.replace('    "svc.posts",\n', '    "svc.posts",\n    "svc.books",\n')
    with pytest.raises(AlreadyRegistered):
        register(edited, path=PATH, list_name="LOCAL_APPS", entry='"svc.books"')
