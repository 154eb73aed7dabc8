"""Fixtures for apigen's unit tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from apigen import frameworks
from apigen.frameworks import Framework

from .helpers import FIXTURE_TEMPLATE_FILES, Snapshot, build_file_tree, snapshot_tree


@pytest.fixture
def snapshot() -> Callable[[Path], Snapshot]:
    return snapshot_tree


@pytest.fixture
def fixture_template(tmp_path: Path) -> Path:
    """A tiny template with apigen's questions, outside ``tmp_path``'s work area."""
    return build_file_tree(tmp_path / "templates" / "tiny", FIXTURE_TEMPLATE_FILES)


@pytest.fixture
def use_template(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], str]]:
    """Register a template folder as the ready framework ``tiny``; returns its name."""

    def register(template_dir: Path) -> str:
        registry = frameworks._registry()
        registry["tiny"] = Framework("tiny", "Fixture template", template_dir)
        monkeypatch.setattr(frameworks, "_registry", lambda: registry)
        return "tiny"

    yield register


@pytest.fixture
def tiny(fixture_template: Path, use_template: Callable[[Path], str]) -> str:
    """The fixture template, registered; the value is the framework name to pass."""
    return use_template(fixture_template)


@pytest.fixture
def planned(fixture_template: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A registered framework whose template is still in development; the value is its name."""
    registry = frameworks._registry()
    registry["grails"] = Framework("grails", "In development", fixture_template, ready=False)
    monkeypatch.setattr(frameworks, "_registry", lambda: registry)
    return "grails"
