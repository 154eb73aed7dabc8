"""A project apigen generated, as apigen reads it back: its answers, framework, package and the
resources added to it.

The answers file (``.apigen-answers.yml``) is written by the template at generation time; the
resources file (``.apigen-resources.json``) by ``apigen add resource``, one entry per resource in
the order they were added, so that ``apigen update`` can render each one again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apigen.errors import NotAProject

ANSWERS_FILE = ".apigen-answers.yml"
RESOURCES_FILE = ".apigen-resources.json"


@dataclass(frozen=True)
class Project:
    """A generated project: where it is and what it was generated with."""

    root: Path
    answers: dict[str, Any]
    resources: tuple[dict[str, Any], ...]

    @property
    def framework(self) -> str:
        return str(self.answers["framework"])

    @property
    def package(self) -> str:
        return str(self.answers["package_name"])

    @property
    def name(self) -> str:
        return str(self.answers["project_name"])

    @property
    def apigen_version(self) -> str:
        return str(self.answers.get("apigen_version", "0.0.0"))

    @property
    def package_dir(self) -> Path:
        return self.root / self.package

    def resource_singulars(self) -> dict[str, str]:
        """Plural -> singular of every resource a ``ref`` may name: ``users`` and the added ones."""
        from apigen.naming import pluralize

        added = {pluralize(entry["name"]): entry["name"] for entry in self.resources}
        return {"users": "user"} | added

    def resources_record(self, added: dict[str, Any]) -> str:
        """The resources file's text once ``added`` is recorded too."""
        entries = [*self.resources, added]
        return json.dumps({"resources": entries}, indent=2) + "\n"


def read_project(root: Path) -> Project:
    """Read the project in ``root``; raises ``NotAProject`` when it is not one apigen can use."""
    import yaml  # a Copier dependency

    root = Path(root).absolute()
    answers_path = root / ANSWERS_FILE
    if not root.is_dir():
        raise NotAProject(root, "no such folder")
    if not answers_path.is_file():
        raise NotAProject(root, f"no {ANSWERS_FILE} in it")
    try:
        answers = yaml.safe_load(answers_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise NotAProject(root, f"{ANSWERS_FILE} cannot be read ({type(exc).__name__})") from exc
    if not isinstance(answers, dict):
        raise NotAProject(root, f"{ANSWERS_FILE} is not a mapping")
    for key in ("framework", "package_name", "project_name"):
        if not isinstance(answers.get(key), str) or not answers[key]:
            raise NotAProject(root, f"{ANSWERS_FILE} has no {key}")
    if not (root / answers["package_name"]).is_dir():
        raise NotAProject(root, f"its package folder {answers['package_name']}/ is missing")
    return Project(root=root, answers=answers, resources=_read_resources(root))


def _read_resources(root: Path) -> tuple[dict[str, Any], ...]:
    path = root / RESOURCES_FILE
    if not path.exists():
        return ()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise NotAProject(root, f"{RESOURCES_FILE} cannot be read ({type(exc).__name__})") from exc
    entries = data.get("resources") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and isinstance(entry.get("fields"), list)
        for entry in entries
    ):
        raise NotAProject(root, f"{RESOURCES_FILE} is not a list of resources")
    return tuple(entries)
