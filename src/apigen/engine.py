"""``apigen new``: render a framework's project template into a new project folder.

The template is rendered (``rendering.py``: Jinja with Copier's rules) into a scratch folder next
to the destination, ruff formats the result, and it is moved into place only when all of that
succeeded (``placement.py``). Every check that can fail runs before the first byte is written, and a
failure leaves the file system as it was.
"""

from __future__ import annotations

import os
import secrets
import shutil
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apigen import __version__
from apigen.base import is_base_path, store_base
from apigen.errors import DestinationNotEmpty, DestinationNotWritable, TemplateError
from apigen.formatting import format_python
from apigen.frameworks import Framework, get_framework
from apigen.placement import files_under, make_dirs, make_scratch_dir, move_into_place
from apigen.rendering import read_template, render_default, render_project
from apigen.spec import ProjectSpec


@dataclass(frozen=True)
class GenerationResult:
    """What ``generate`` created: the project folder and its files (sorted, relative, POSIX)."""

    destination: Path
    files: list[str] = field(repr=False)
    spec: ProjectSpec


def generate(
    spec: ProjectSpec,
    *,
    output_dir: Path,
    force: bool = False,
    secret_key: str | None = None,
) -> GenerationResult:
    """Render ``spec`` into ``output_dir / spec.name``.

    ``force`` merges into a non-empty destination, overwriting the files the template produces
    (except the framework's ``keep_existing`` ones, such as ``.env`` and its secret key) and
    leaving every other file alone; a merge that fails puts back every file it displaced.
    ``secret_key`` defaults to a fresh random key; it reaches
    the template as the ``secret_key`` answer and is never recorded in the answers file.
    """
    framework = get_framework(spec.framework)
    output_dir = Path(output_dir).absolute()
    destination = output_dir / spec.name
    check_destination(destination, force=force)
    data = template_answers(framework, spec, secret_key=secret_key)

    created_dirs = make_dirs(output_dir)
    try:
        scratch = make_scratch_dir(output_dir)
        try:
            rendered = scratch / spec.name
            render_project(framework, rendered, data)
            format_python(rendered)
            store_base(
                rendered,
                rendered,
                framework=framework,
                answers=data,
                resources=(),
                apigen_version=__version__,
            )
            _finish(rendered, destination, framework)
            files = files_under(rendered)
            move_into_place(rendered, destination, files, backup=scratch / "displaced")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    except BaseException:
        for directory in reversed(created_dirs):
            with suppress(OSError):
                directory.rmdir()
        raise
    # The merge base (.apigen/) is apigen's bookkeeping, not one of the project's files.
    project_files = [path for path in files if not is_base_path(path)]
    return GenerationResult(destination=destination, files=project_files, spec=spec)


#: Answers every framework template must ask for: apigen reads them back (``project.py``).
CORE_QUESTIONS = frozenset(
    {"project_name", "package_name", "framework", "apigen_version", "secret_key"}
)


def template_answers(
    framework: Framework, spec: ProjectSpec, *, secret_key: str | None = None
) -> dict[str, Any]:
    """The answer to every question the framework's template asks.

    Templates may ask different questions: apigen's answers go to the questions of the same name
    (those a template does not ask are left out, except the core ones every template must ask), and
    a question apigen has no answer for takes its default, a Jinja expression over the answers
    before it as in Copier. A question with neither is a ``TemplateError``.
    """
    given: dict[str, Any] = spec.answers() | {
        "apigen_version": __version__,
        "secret_key": secret_key or secrets.token_urlsafe(48),
    }
    questions = read_template(framework.template_dir).questions
    not_asked = sorted(CORE_QUESTIONS - questions.keys())
    unanswered = sorted(
        name
        for name, question in questions.items()
        if name not in given and "default" not in question
    )
    if not_asked or unanswered:
        raise TemplateError(
            f"{framework.name} template questions do not match apigen's answers "
            f"(unanswered: {', '.join(unanswered) or '-'}; "
            f"core answers not asked: {', '.join(not_asked) or '-'})"
        )
    data: dict[str, Any] = {}
    for name, question in questions.items():
        data[name] = given[name] if name in given else render_default(question["default"], data)
    return data


def check_destination(destination: Path, *, force: bool) -> None:
    """Refuse destinations apigen cannot or must not write, before anything is written.

    ``generate`` calls it first; the CLI calls it too, before asking any question.
    """
    output_dir = destination.parent
    existing = next(p for p in (output_dir, *output_dir.parents) if p.exists() or p.is_symlink())
    if not existing.is_dir():
        raise DestinationNotWritable(output_dir, f"{existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise DestinationNotWritable(output_dir, "permission denied")
    if destination.is_symlink() or (destination.exists() and not destination.is_dir()):
        raise DestinationNotWritable(destination, "a file of that name exists")
    if destination.is_dir() and any(destination.iterdir()) and not force:
        raise DestinationNotEmpty(destination)


def _finish(rendered: Path, destination: Path, framework: Framework) -> None:
    """Owner-only permissions on secret files; keep the ones a project already has."""
    for relative in framework.private_files:
        with suppress(FileNotFoundError):
            (rendered / relative).chmod(0o600)
    for relative in framework.keep_existing:
        if os.path.lexists(destination / relative):
            with suppress(FileNotFoundError):
                (rendered / relative).unlink()
