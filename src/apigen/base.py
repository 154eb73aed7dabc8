"""The merge base ``apigen update`` needs: the pristine render that produced a project's files.

It is kept with the project in ``.apigen/``: ``base/`` holds a copy of every rendered file except
the private ones (``.env`` and its secret key: only their hash is kept), and ``manifest.json``
records the apigen version, the answers (never the secret), the resources with everything needed
to render them again byte for byte (Alembic revision ids and dates, Django dependencies), and the
SHA-256 of every rendered file. ``new`` writes it, ``add resource`` grows it, ``update`` replaces
it with the new render (never with the merged result).

A render is deterministic: the same answers and resources give the same bytes. The only random
inputs (the secret key, a new migration's revision id and date) are kept out of the base or
recorded in the manifest.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apigen.errors import BaseNotRecognised, TemplateError
from apigen.frameworks import Framework

BASE_DIR = ".apigen"
MANIFEST = f"{BASE_DIR}/manifest.json"
BASE_FILES = f"{BASE_DIR}/base"
MANIFEST_FORMAT = 1
#: The placeholder secret an update renders with: the private files it reaches are never written.
PLACEHOLDER_SECRET = "apigen-update-placeholder-secret-never-written-" + "x" * 20


@dataclass(frozen=True)
class Manifest:
    apigen_version: str
    framework: str
    answers: dict[str, Any]
    resources: tuple[dict[str, Any], ...]
    files: dict[str, str]

    def to_json(self) -> str:
        data = {
            "format": MANIFEST_FORMAT,
            "apigen_version": self.apigen_version,
            "framework": self.framework,
            "answers": self.answers,
            "resources": list(self.resources),
            "files": dict(sorted(self.files.items())),
        }
        return json.dumps(data, indent=2, sort_keys=False) + "\n"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_base_path(relative: str) -> bool:
    return relative == BASE_DIR or relative.startswith(BASE_DIR + "/")


def rendered_files(root: Path) -> list[str]:
    """The files of a render (or a project's base tree), ``.apigen/`` left out."""
    from apigen.placement import files_under

    return [path for path in files_under(root) if not is_base_path(path)]


def store_base(
    rendered: Path,
    into: Path,
    *,
    framework: Framework,
    answers: Mapping[str, Any],
    resources: Iterable[dict[str, Any]],
    apigen_version: str,
    files: Iterable[str] | None = None,
    private_hashes: Mapping[str, str] | None = None,
) -> list[str]:
    """Write the base of the render in ``rendered`` into ``into`` (a project root's stand-in):
    ``into/.apigen/base/...`` and ``into/.apigen/manifest.json``. Returns the paths written,
    relative to ``into``."""
    listed = sorted(files) if files is not None else rendered_files(rendered)
    hashes: dict[str, str] = {}
    written = []
    for relative in listed:
        source = rendered / relative
        if relative in framework.private_files:
            if source.is_file():
                hashes[relative] = sha256(source.read_bytes())
            elif private_hashes and relative in private_hashes:
                hashes[relative] = private_hashes[relative]
            continue
        hashes[relative] = sha256(source.read_bytes())
        target = into / BASE_FILES / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        shutil.copymode(source, target)
        written.append(f"{BASE_FILES}/{relative}")
    manifest = Manifest(
        apigen_version=apigen_version,
        framework=framework.name,
        answers=public_answers(framework, answers),
        resources=tuple(resources),
        files=hashes,
    )
    (into / MANIFEST).parent.mkdir(parents=True, exist_ok=True)
    (into / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return sorted([*written, MANIFEST])


def public_answers(framework: Framework, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers without the secret ones (the template's ``secret: true`` questions)."""
    from apigen.rendering import read_template

    questions = read_template(framework.template_dir).questions
    return {
        key: value
        for key, value in answers.items()
        if not questions.get(key, {}).get("secret", False) and key != "secret_key"
    }


def read_manifest(root: Path) -> Manifest | None:
    """The project's manifest; None when the project has no base (made before bases existed)."""
    path = root / MANIFEST
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BaseNotRecognised(path, f"it cannot be read ({type(exc).__name__})") from exc
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise BaseNotRecognised(path, "unknown manifest format")
    answers, resources, files = data.get("answers"), data.get("resources"), data.get("files")
    if not (
        isinstance(data.get("apigen_version"), str)
        and isinstance(data.get("framework"), str)
        and isinstance(answers, dict)
        and isinstance(resources, list)
        and all(isinstance(r, dict) and isinstance(r.get("name"), str) for r in resources)
        and isinstance(files, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
    ):
        raise BaseNotRecognised(path, "it is not an apigen manifest")
    return Manifest(
        apigen_version=data["apigen_version"],
        framework=data["framework"],
        answers=answers,
        resources=tuple(resources),
        files=files,
    )


def read_base_files(
    root: Path, manifest: Manifest, private: Iterable[str] = (".env",)
) -> dict[str, bytes | None]:
    """Each base file's bytes (None for a private file, of which only the hash is kept)."""
    private = set(private)
    result: dict[str, bytes | None] = {}
    for relative, digest in manifest.files.items():
        path = root / BASE_FILES / relative
        if relative in private:
            result[relative] = None
            continue
        if not path.is_file():
            raise BaseNotRecognised(path, "the manifest lists it, but it is missing")
        data = path.read_bytes()
        if sha256(data) != digest:
            raise BaseNotRecognised(path, "it does not match its hash in the manifest")
        result[relative] = data
    return result


def version_tuple(version: str) -> tuple[int, ...]:
    """``0.1.0`` -> (0, 1, 0); pre-release tails are ignored (``0.2.0rc1`` -> (0, 2, 0))."""
    parts = []
    for part in version.split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        parts.append(int(digits or 0))
    return tuple(parts)


# -- the pristine render ----------------------------------------------------------------------


def render_pristine(
    framework: Framework,
    data: dict[str, Any],
    resources: Iterable[dict[str, Any]],
    destination: Path,
) -> None:
    """Render the project template with ``data`` into ``destination``, format it, then apply
    every recorded resource in order: what ``new`` followed by each ``add resource`` gives."""
    from apigen.formatting import format_python
    from apigen.rendering import render_project

    render_project(framework, destination, data)
    format_python(destination)
    done: list[dict[str, Any]] = []
    for entry in resources:
        apply_resource(framework, destination, data, done, entry)
        done.append(entry)


def apply_resource(
    framework: Framework,
    tree: Path,
    answers: Mapping[str, Any],
    before: list[dict[str, Any]],
    entry: dict[str, Any],
) -> list[str]:
    """Render the recorded resource ``entry`` into ``tree`` (a pristine render or a base copy)
    after the resources ``before``: its files, the registry edits, the resources file; formatted.
    Returns the paths it wrote."""
    from apigen import registry
    from apigen.formatting import format_python
    from apigen.naming import pluralize
    from apigen.project import RESOURCES_FILE
    from apigen.rendering import render_tree
    from apigen.resource import parse_resource

    support = framework.resources
    if support is None or not isinstance(entry.get("migration"), dict):
        raise TemplateError(f"cannot render the recorded resource {entry.get('name')!r} again")
    package = str(answers["package_name"])
    resource = parse_resource(entry["name"], entry["fields"])
    singulars = {"users": "user"} | {pluralize(e["name"]): e["name"] for e in before}
    context = {
        "package_name": package,
        "project_name": str(answers["project_name"]),
        "python_version": str(answers.get("python_version", "3.11")),
        "resource": resource.context(singulars),
        "migration": entry["migration"],
    }
    files = render_tree(support.template_dir, context)
    values = {"package": package, "name": resource.name, "plural": resource.plural}
    for feature_registry in support.registries:
        path = feature_registry.path.format(**values)
        import_line = feature_registry.import_line
        current = files.get(path)
        if current is None:
            current = (tree / path).read_text(encoding="utf-8")
        files[path] = registry.register(
            current,
            path=tree / path,
            list_name=feature_registry.list_name,
            entry=feature_registry.entry.format(**values),
            import_line=None if import_line is None else import_line.format(**values),
        )
    records = [{"name": e["name"], "fields": e["fields"]} for e in [*before, entry]]
    files[RESOURCES_FILE] = json.dumps({"resources": records}, indent=2) + "\n"
    for relative, text in files.items():
        target = tree / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    format_python(tree, sorted(path for path in files if path.endswith(".py")))
    return sorted(files)
