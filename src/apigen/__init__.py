"""apigen: generate API services from Copier templates.

The public API is ``generate(spec, output_dir=...)``, ``ProjectSpec`` and ``GenerationResult``.
They, and ``__version__`` (importlib.metadata costs ~25 ms), are loaded on first use so that
``apigen --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apigen.engine import GenerationResult, generate
    from apigen.spec import ProjectSpec

__all__ = ["GenerationResult", "ProjectSpec", "__version__", "generate"]

_LAZY = {
    "generate": "apigen.engine",
    "GenerationResult": "apigen.engine",
    "ProjectSpec": "apigen.spec",
}


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("apigen")
    except metadata.PackageNotFoundError:  # a source tree that is not installed
        return "0.0.0"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        version = globals()["__version__"] = _version()
        return version
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'apigen' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module_name), name)
    globals()[name] = value
    return value
