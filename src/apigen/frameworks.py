"""The framework registry: the only module that knows where templates live.

Templates are the repository's top-level ``templates/<framework>/`` folders. A wheel ships them
inside the package as ``apigen/templates`` (hatch ``force-include``); a source checkout or an
editable install finds them at ``<repo>/templates``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from apigen.errors import FrameworkNotReady, UnknownFramework

_PACKAGE_DIR = Path(__file__).resolve().parent


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
    """The one place a framework's projects list their features: a list literal in a module.

    ``path``, ``import_line`` and ``entry`` are format strings over ``package`` (the project's
    package), ``name`` and ``plural`` (the resource's).
    """

    path: str
    list_name: str
    import_line: str
    entry: str


@dataclass(frozen=True)
class ResourceSupport:
    """What ``apigen add resource`` needs of a framework: the template a resource is rendered
    from, where the feature is registered and where its migration goes."""

    template_dir: Path
    registry: FeatureRegistry
    #: Alembic's versions folder (a format string over ``package``).
    alembic_versions: str


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


def _registry() -> dict[str, Framework]:
    root = templates_root()
    frameworks = (
        Framework(
            "fastapi",
            "FastAPI + SQLAlchemy 2 + Alembic",
            root / "fastapi",
            resources=ResourceSupport(
                template_dir=root / "fastapi" / "resource",
                registry=FeatureRegistry(
                    path="{package}/api.py",
                    list_name="FEATURES",
                    import_line="from {package}.{plural}.routes import router as {plural}_router",
                    entry="{plural}_router",
                ),
                alembic_versions="{package}/migrations/versions",
            ),
        ),
        Framework("django", "Django + Django REST framework", root / "django", ready=False),
        Framework("flask", "Flask + SQLAlchemy 2 + Alembic", root / "flask", ready=False),
    )
    return {framework.name: framework for framework in frameworks}


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
