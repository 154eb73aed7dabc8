"""Rendering templates: a framework's project template with Copier, a resource template with
Jinja (the same syntax, rendered in memory: no Copier questions, no files written)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from apigen.errors import TemplateError
from apigen.frameworks import Framework

#: Files a template folder may hold that are never rendered (a wheel byte-compiles templates).
_SKIPPED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})
TEMPLATE_SUFFIX = ".jinja"


def render_project(
    framework: Framework, destination: Path, data: dict[str, Any], *, interactive: bool
) -> None:
    import copier
    from copier.errors import CopierError, CopierWarning
    from jinja2 import TemplateError as JinjaError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CopierWarning)
            copier.run_copy(
                str(framework.template_dir),
                destination,
                data=data,
                settings=copier.Settings(),  # ignore the user's Copier settings file
                defaults=not interactive,
                unsafe=False,
                quiet=True,
                overwrite=True,
            )
    # Copier raises plain ValueError when an answer fails a question's validator.
    except (CopierError, ValueError, JinjaError) as exc:
        raise TemplateError(str(exc) or type(exc).__name__) from exc


def render_tree(template_dir: Path, context: dict[str, Any]) -> dict[str, str]:
    """Every file of ``template_dir`` rendered with ``context``: relative path -> text.

    Path parts may hold Jinja expressions too; files ending in ``.jinja`` are rendered and lose
    the suffix, the others are copied as they are. Undefined variables are errors.
    """
    import jinja2

    environment = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    rendered: dict[str, str] = {}
    try:
        for source in sorted(template_dir.rglob("*")):
            relative = source.relative_to(template_dir)
            if source.is_dir() or _SKIPPED_PARTS & set(relative.parts) or source.suffix == ".pyc":
                continue
            path = environment.from_string(relative.as_posix()).render(context)
            text = source.read_text(encoding="utf-8")
            if path.endswith(TEMPLATE_SUFFIX):
                path = path.removesuffix(TEMPLATE_SUFFIX)
                text = environment.from_string(text).render(context)
            rendered[path] = text
    except (OSError, jinja2.TemplateError) as exc:
        raise TemplateError(f"{template_dir.name}: {exc}") from exc
    return rendered
