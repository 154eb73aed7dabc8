"""The framework registry: the only module that knows where templates live.

Templates are the repository's top-level ``templates/<framework>/`` folders. A wheel ships them
inside the package as ``apigen/templates`` (hatch ``force-include``); a source checkout or an
editable install finds them at ``<repo>/templates``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from apigen.errors import FrameworkNotReady, UnknownFramework

_PACKAGE_DIR = Path(__file__).resolve().parent

#: Comma-separated names of frameworks still in development to offer as if they were ready: for
#: apigen's own development and tests (``APIGEN_PREVIEW_FRAMEWORKS=django pytest ...``).
PREVIEW_VARIABLE = "APIGEN_PREVIEW_FRAMEWORKS"


@cache
def templates_root() -> Path:
    """The folder holding one sub-folder per framework template."""
    candidates = (_PACKAGE_DIR / "templates", _PACKAGE_DIR.parents[1] / "templates")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


@dataclass(frozen=True)
class FeatureRegistry:
    """A list literal in a module where a framework's projects list their features.

    ``path``, ``import_line`` and ``entry`` are format strings over ``package`` (the project's
    package), ``name`` and ``plural`` (the resource's); ``import_line`` is None for an entry that
    needs no import (a string such as a Django app's dotted path).
    """

    path: str
    list_name: str
    entry: str
    import_line: str | None = None


@dataclass(frozen=True)
class AlembicMigrations:
    """A resource's migration is a revision on the head of one Alembic chain."""

    #: The versions folder (a format string over ``package``).
    versions: str


@dataclass(frozen=True)
class DjangoMigrations:
    """A resource is a Django app whose own first migration the template renders; it depends on
    the latest migration of every added app it refers to."""

    #: An app's migrations folder (a format string over ``package`` and ``plural``).
    folder: str = "{package}/{plural}/migrations"


@dataclass(frozen=True)
class ResourceSupport:
    """What ``apigen add resource`` needs of a framework: the template a resource is rendered
    from, where the feature is registered (the one feature registry; for Django its two halves,
    the URL list and the installed apps) and how its migration is placed."""

    template_dir: Path
    registries: tuple[FeatureRegistry, ...]
    migrations: AlembicMigrations | DjangoMigrations
    #: Names the framework's models already use (methods, managers): refused as a field name and,
    #: for a ``ref`` named ``<x>_id``, as the related object ``<x>`` the model gets beside it.
    reserved_model_attributes: frozenset[str] = frozenset()
    #: Names the framework's serializers (or schemas) already use: refused as a field name (the
    #: name a field has in the request and response bodies).
    reserved_body_fields: frozenset[str] = frozenset()


#: What ``django.db.models.Model`` defines: a model field of that name would shadow it.
DJANGO_MODEL_ATTRIBUTES = frozenset(
    {
        "adelete",
        "arefresh_from_db",
        "asave",
        "check",
        "clean",
        "clean_fields",
        "delete",
        "full_clean",
        "objects",
        "pk",
        "refresh_from_db",
        "save",
        "save_base",
        "serializable_value",
        "validate_constraints",
        "validate_unique",
    }
)

#: What DRF's serializers (and fields: a serializer is one) define: a declared field of that name
#: would contradict the attribute's type in djangorestframework-stubs (``data``, ``parent``).
DRF_SERIALIZER_ATTRIBUTES = frozenset(
    {
        "allow_null",
        "bind",
        "context",
        "create",
        "data",
        "default",
        "error_messages",
        "errors",
        "fail",
        "field_name",
        "fields",
        "help_text",
        "initial",
        "initial_data",
        "instance",
        "is_valid",
        "label",
        "parent",
        "partial",
        "read_only",
        "required",
        "root",
        "run_validation",
        "source",
        "source_attrs",
        "style",
        "update",
        "validated_data",
        "validators",
        "write_only",
    }
)


@dataclass(frozen=True)
class Framework:
    """A framework apigen can generate for; ``ready`` ones are offered to users."""

    name: str
    label: str
    template_dir: Path
    ready: bool = True
    #: Files a ``--force`` run leaves alone when the project has them (its secrets, its settings).
    keep_existing: tuple[str, ...] = (".env",)
    #: Files only the owner may read.
    private_files: tuple[str, ...] = (".env",)
    #: How resources are added to its projects (None: ``add resource`` is not available yet).
    resources: ResourceSupport | None = None


def _routes_module_resources(template: Path, routes_object: str) -> ResourceSupport:
    """Resources of a framework whose features are Alembic-migrated packages with a
    `routes.py` exporting one `routes_object` (FastAPI's router, Flask's blueprint), listed in
    `FEATURES` of `{package}/api.py`."""
    return ResourceSupport(
        template_dir=template / "resource",
        registries=(
            FeatureRegistry(
                path="{package}/api.py",
                list_name="FEATURES",
                entry=f"{{plural}}_{routes_object}",
                import_line=(
                    f"from {{package}}.{{plural}}.routes import {routes_object}"
                    f" as {{plural}}_{routes_object}"
                ),
            ),
        ),
        migrations=AlembicMigrations(versions="{package}/migrations/versions"),
    )


def _registry() -> dict[str, Framework]:
    root = templates_root()
    frameworks = (
        Framework(
            "fastapi",
            "FastAPI + SQLAlchemy 2 + Alembic",
            root / "fastapi",
            resources=_routes_module_resources(root / "fastapi", "router"),
        ),
        Framework(
            "django",
            "Django + Django REST framework",
            root / "django",
            resources=ResourceSupport(
                template_dir=root / "django" / "resource",
                registries=(
                    FeatureRegistry(
                        path="{package}/api.py",
                        list_name="FEATURES",
                        entry="{plural}_urls",
                        import_line="from {package}.{plural} import urls as {plural}_urls",
                    ),
                    FeatureRegistry(
                        path="{package}/settings/base.py",
                        list_name="LOCAL_APPS",
                        entry='"{package}.{plural}"',
                    ),
                ),
                migrations=DjangoMigrations(),
                reserved_model_attributes=DJANGO_MODEL_ATTRIBUTES,
                reserved_body_fields=DRF_SERIALIZER_ATTRIBUTES,
            ),
        ),
        Framework(
            "flask",
            "Flask + SQLAlchemy 2 + Alembic",
            root / "flask",
            resources=_routes_module_resources(root / "flask", "blueprint"),
        ),
    )
    preview = {name.strip() for name in os.environ.get(PREVIEW_VARIABLE, "").split(",")}
    return {
        framework.name: replace(framework, ready=True) if framework.name in preview else framework
        for framework in frameworks
    }


def available_frameworks() -> list[Framework]:
    """The frameworks users can choose today, in display order."""
    return [framework for framework in _registry().values() if framework.ready]


def get_framework(name: str) -> Framework:
    """The ready framework called ``name``; raises ``UnknownFramework`` otherwise.

    A registered framework whose template is not ready raises ``FrameworkNotReady`` (a subclass).
    """
    framework = _registry().get(name)
    if framework is None or not framework.ready:
        error = UnknownFramework if framework is None else FrameworkNotReady
        raise error(name, [f.name for f in available_frameworks()])
    return framework
