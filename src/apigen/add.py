"""``apigen add resource``: grow a generated project by one complete feature, all or nothing.

The steps: read the project (``project.py``), check the resource against it, render the
framework's resource template in memory (``rendering.py``), add the feature to the project's
registry with a syntax-aware edit (``registry.py``), place its migration on the current head
(``alembic_chain.py``) or after the apps it refers to (``django_migrations.py``), record the
resource, format everything with ruff under the project's own configuration in a scratch folder
inside the project, and move the result into place (``placement.py``). Every check runs before
the first byte is written; a failure while moving puts every file back.
"""

from __future__ import annotations

import difflib
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from apigen.errors import (
    InvalidFieldSpec,
    RegistryNotRecognised,
    ResourcesNotSupported,
    UserError,
)
from apigen.frameworks import (
    AlembicMigrations,
    Framework,
    ResourceSupport,
    get_framework,
)
from apigen.project import RESOURCES_FILE, Project, read_project
from apigen.resource import ResourceSpec, parse_resource


@dataclass(frozen=True)
class AddResult:
    """What ``add_resource`` did (or, with ``dry_run``, would do)."""

    project: Project
    resource: ResourceSpec
    created: list[str]
    changed: list[str]
    diff: str = field(repr=False)
    dry_run: bool


def add_resource(
    root: Path, name: str, field_specs: Sequence[str], *, dry_run: bool = False
) -> AddResult:
    """Add the resource ``name`` with ``field_specs`` to the project in ``root``."""
    project = read_project(root)
    framework = get_framework(project.framework)
    support = _resource_support(framework)
    resource = parse_resource(name, field_specs)
    resource.check_against(taken=taken_names(project), resources=project.resource_singulars())
    _check_framework_names(resource, support)

    from apigen import registry
    from apigen.formatting import format_python
    from apigen.placement import make_scratch_dir, move_into_place
    from apigen.rendering import render_tree

    values = {"package": project.package, "name": resource.name, "plural": resource.plural}
    context = {
        "package_name": project.package,
        "project_name": project.name,
        "python_version": str(project.answers.get("python_version", "3.11")),
        "resource": resource.context(project.resource_singulars()),
        "migration": _migration_context(project, resource, support),
    }
    files = render_tree(support.template_dir, context)
    for relative in files:
        if os.path.lexists(project.root / relative):
            raise UserError(f"{relative} exists already; the resource would overwrite it")

    original: dict[str, str] = {}
    for feature_registry in support.registries:
        registry_path = feature_registry.path.format(**values)
        if registry_path not in original:
            original[registry_path] = _read_registry(project.root / registry_path)
        import_line = feature_registry.import_line
        files[registry_path] = registry.register(
            files.get(registry_path, original[registry_path]),
            path=project.root / registry_path,
            list_name=feature_registry.list_name,
            entry=feature_registry.entry.format(**values),
            import_line=None if import_line is None else import_line.format(**values),
        )
    if (project.root / RESOURCES_FILE).exists():
        original[RESOURCES_FILE] = _read(project.root / RESOURCES_FILE)
    files[RESOURCES_FILE] = project.resources_record(resource.record())

    scratch = make_scratch_dir(project.root)
    try:
        rendered = scratch / "rendered"
        _write(rendered, files)
        py_files = [path for path in files if path.endswith(".py")]
        # Run in the project, on the scratch copies (inside it): ruff applies the project's own
        # configuration, and sorts the project's package and tests as first-party imports.
        format_python(
            project.root,
            sorted((rendered / path).relative_to(project.root).as_posix() for path in py_files),
            staged=rendered.relative_to(project.root).as_posix(),
        )
        formatted = {relative: _read(rendered / relative) for relative in files}
        created = sorted(relative for relative in files if relative not in original)
        changed = sorted(original)
        diff = "".join(
            line
            for relative in changed
            for line in difflib.unified_diff(
                original[relative].splitlines(keepends=True),
                formatted[relative].splitlines(keepends=True),
                fromfile=f"a/{relative}",
                tofile=f"b/{relative}",
            )
        )
        base_paths = [] if dry_run else _grow_base(project, framework, resource, context, scratch)
        if not dry_run:
            move_into_place(
                rendered,
                project.root,
                sorted({*created, *changed, *base_paths}),
                backup=scratch / "displaced",
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return AddResult(project, resource, created, changed, diff, dry_run)


def _grow_base(
    project: Project,
    framework: Framework,
    resource: ResourceSpec,
    context: Mapping[str, object],
    scratch: Path,
) -> list[str]:
    """Add the resource to the project's merge base (``.apigen/``), if it has one: the base's
    copy of the project grows by the resource as the pristine render would, and the manifest
    records the resource with its migration's identity, so that ``apigen update`` renders it
    again byte for byte. Returns the base's paths, written into ``scratch / "rendered"``."""
    from apigen.base import BASE_FILES, apply_resource, read_base_files, read_manifest, store_base

    manifest = read_manifest(project.root)
    if manifest is None:
        return []
    # A damaged base is refused before anything is written.
    read_base_files(project.root, manifest, framework.private_files)
    entry = resource.record() | {"migration": context["migration"]}
    tree = scratch / "base"
    source = project.root / BASE_FILES
    if source.is_dir():
        shutil.copytree(source, tree, symlinks=True)
    else:
        tree.mkdir()
    written = apply_resource(framework, tree, manifest.answers, list(manifest.resources), entry)
    return store_base(
        tree,
        scratch / "rendered",
        framework=framework,
        answers=manifest.answers,
        resources=[*manifest.resources, entry],
        apigen_version=manifest.apigen_version,
        files={*manifest.files, *written},
        private_hashes=manifest.files,
    )


def _check_framework_names(resource: ResourceSpec, support: ResourceSupport) -> None:
    """Refuse a field whose name the framework's generated code already uses: in the bodies
    (its serializers), or on the model, where a ``ref`` named ``<x>_id`` also gives ``<x>``."""
    for spec in resource.fields:
        on_model = {spec.name}
        if spec.ref is not None and spec.name.endswith("_id"):
            on_model.add(spec.name.removesuffix("_id"))
        clash = sorted(
            on_model & support.reserved_model_attributes
            | {spec.name} & support.reserved_body_fields
        )
        if clash:
            raise InvalidFieldSpec(
                spec.to_spec(),
                f"field name {clash[0]!r} is reserved: the generated models or serializers use it",
            )


def _migration_context(
    project: Project, resource: ResourceSpec, support: ResourceSupport
) -> dict[str, object]:
    """What the resource template needs to place its migration: an Alembic revision on the
    head, or the latest migration of every added Django app the resource refers to."""
    values = {"package": project.package, "name": resource.name, "plural": resource.plural}
    if isinstance(support.migrations, AlembicMigrations):
        from apigen import alembic_chain

        versions = project.root / support.migrations.versions.format(**values)
        return dict(alembic_chain.new_revision(versions, f"add_{resource.plural}").context())

    from apigen import django_migrations

    added = set(project.resource_singulars()) - {"users"}
    dependencies = []
    for plural in sorted(resource.refs & added):
        folder = project.root / support.migrations.folder.format(
            package=project.package, name=resource.name, plural=plural
        )
        dependencies.append([plural, django_migrations.latest_migration(folder)])
    return {"dependencies": dependencies}


def taken_names(project: Project) -> set[str]:
    """Every name a new feature must not take: the entries of the project's package and tests
    folders (features, modules, migrations) and the resources added so far."""
    taken = {entry["name"] for entry in project.resources}
    for folder in (project.package_dir, project.root / "tests"):
        if folder.is_dir():
            taken.update(path.name.removesuffix(".py") for path in folder.iterdir())
    return taken


def _resource_support(framework: Framework) -> ResourceSupport:
    if framework.resources is None:
        raise ResourcesNotSupported(framework.name)
    return framework.resources


def _read_registry(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryNotRecognised(path, "it is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryNotRecognised(path, f"it cannot be read ({type(exc).__name__})") from exc


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from exc


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
