"""Render a framework template into a new project folder.

Copier is imported inside ``generate`` (it costs ~0.6 s), renders into a fresh temporary folder
next to the destination, and the result is moved into place only when rendering succeeded. Every
check that can fail runs before the first byte is written, and a failure leaves the file system as
it was (see FIELD-NOTES.md: Copier writes into a non-empty folder before failing).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import warnings
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apigen import __version__
from apigen.errors import DestinationNotEmpty, DestinationNotWritable, TemplateError
from apigen.frameworks import Framework, get_framework
from apigen.spec import ProjectSpec

TEMP_PREFIX = ".apigen-tmp-"


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
    interactive: bool = False,
) -> GenerationResult:
    """Render ``spec`` into ``output_dir / spec.name``.

    ``force`` merges into a non-empty destination, overwriting the files the template produces
    (except the framework's ``keep_existing`` ones, such as ``.env`` and its secret key) and
    leaving every other file alone; a merge that fails puts back every file it displaced.
    ``secret_key`` defaults to a fresh random key; it reaches
    the template as the ``secret_key`` answer and is never recorded in the answers file.
    ``interactive`` lets Copier prompt for questions that have no answer yet.
    """
    framework = get_framework(spec.framework)
    output_dir = Path(output_dir).absolute()
    destination = output_dir / spec.name
    check_destination(destination, force=force)
    data = template_answers(framework, spec, secret_key=secret_key)

    created_dirs = _make_dirs(output_dir)
    try:
        scratch = _make_scratch_dir(output_dir)
        try:
            rendered = scratch / spec.name
            _render(framework, rendered, data, interactive=interactive)
            _format_python(rendered)
            _finish(rendered, destination, framework)
            files = _files_under(rendered)
            _move_into_place(rendered, destination, files, backup=scratch / "displaced")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    except BaseException:
        for directory in reversed(created_dirs):
            with suppress(OSError):
                directory.rmdir()
        raise
    return GenerationResult(destination=destination, files=files, spec=spec)


def template_answers(
    framework: Framework, spec: ProjectSpec, *, secret_key: str | None = None
) -> dict[str, Any]:
    """Every answer the template asks for; raises ``TemplateError`` if the two sets differ."""
    data: dict[str, Any] = spec.answers() | {
        "apigen_version": __version__,
        "secret_key": secret_key or secrets.token_urlsafe(48),
    }
    questions = _template_questions(framework)
    missing, unknown = sorted(questions - data.keys()), sorted(data.keys() - questions)
    if missing or unknown:
        raise TemplateError(
            f"{framework.name} template questions do not match apigen's answers "
            f"(unanswered: {', '.join(missing) or '-'}; not asked: {', '.join(unknown) or '-'})"
        )
    return data


def _template_questions(framework: Framework) -> set[str]:
    import yaml  # a Copier dependency

    candidates = [framework.template_dir / name for name in ("copier.yml", "copier.yaml")]
    config_file = next((path for path in candidates if path.is_file()), None)
    if config_file is None:
        raise TemplateError(f"no Copier template at {framework.template_dir}")
    try:
        config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"cannot read {config_file}: {exc}") from exc
    if not isinstance(config, dict):
        raise TemplateError(f"{config_file} is not a mapping of questions")
    return {key for key in config if not key.startswith("_")}


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


def _make_dirs(directory: Path) -> list[Path]:
    """Create ``directory`` and missing parents; return the ones created, outermost first."""
    missing = [p for p in (directory, *directory.parents) if not p.exists()][::-1]
    created = []
    try:
        for path in missing:
            path.mkdir()
            created.append(path)
    except OSError as exc:
        for path in reversed(created):
            with suppress(OSError):
                path.rmdir()
        raise DestinationNotWritable(directory, exc.strerror or str(exc)) from exc
    return created


def _make_scratch_dir(output_dir: Path) -> Path:
    """A private folder on the destination's file system, so the final move is a rename."""
    try:
        return Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=output_dir))
    except OSError as exc:
        raise DestinationNotWritable(output_dir, exc.strerror or str(exc)) from exc


def _render(
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


def _format_python(project: Path) -> None:
    """Sort imports and format with ruff under the project's own config.

    Line breaks depend on the length of the names the user chose, so the template cannot be
    formatted for every project in advance; this makes every project pass its own
    `ruff format --check`.
    """
    from ruff.__main__ import find_ruff_bin

    ruff = find_ruff_bin()
    steps = (
        [ruff, "check", "--no-cache", "--fix-only", "--select", "I", "--quiet", "."],
        [ruff, "format", "--no-cache", "--quiet", "."],
    )
    for step in steps:
        completed = subprocess.run(step, cwd=project, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            message = (completed.stderr or completed.stdout).strip().splitlines()
            raise TemplateError(f"ruff could not format the rendered project: {message[:1]}")


def _files_under(root: Path) -> list[str]:
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() or path.is_symlink()
    )


def _finish(rendered: Path, destination: Path, framework: Framework) -> None:
    """Owner-only permissions on secret files; keep the ones a project already has."""
    for relative in framework.private_files:
        with suppress(FileNotFoundError):
            (rendered / relative).chmod(0o600)
    for relative in framework.keep_existing:
        if os.path.lexists(destination / relative):
            with suppress(FileNotFoundError):
                (rendered / relative).unlink()


def _move_into_place(rendered: Path, destination: Path, files: list[str], *, backup: Path) -> None:
    """Rename ``rendered`` to ``destination``, or merge it into an existing folder."""
    try:
        if destination.exists():
            _check_merge(destination, files)
            _merge(rendered, destination, files, backup=backup)
        else:
            rendered.replace(destination)
    except OSError as exc:
        raise DestinationNotWritable(destination, exc.strerror or str(exc)) from exc


def _check_merge(destination: Path, files: list[str]) -> None:
    """Refuse a merge that would replace a folder, write under a file, or follow a link."""
    for relative in files:
        path = destination
        for part in Path(relative).parts:
            path = path / part
            if path.is_symlink():
                raise DestinationNotWritable(
                    path, "a symbolic link stands where the template writes; remove it first"
                )
            if not path.exists():
                break
            if path.is_file() and path != destination / relative:
                raise DestinationNotWritable(path, "a file stands where the template puts a folder")
        target = destination / relative
        if target.is_dir():
            raise DestinationNotWritable(target, "a folder stands where the template puts a file")


def _merge(rendered: Path, destination: Path, files: list[str], *, backup: Path) -> None:
    """Move the rendered files into ``destination``; on failure, undo every move.

    Files the template replaces are first moved aside into ``backup`` (in the scratch folder, on
    the same file system), so that a failure part-way can put them back.
    """
    placed: list[tuple[Path, Path | None]] = []
    created: list[Path] = []
    try:
        for relative in files:
            target = destination / relative
            for parent in reversed(Path(relative).parents[:-1]):
                folder = destination / parent
                if not folder.exists():
                    folder.mkdir()
                    created.append(folder)
            saved = None
            if os.path.lexists(target):
                saved = backup / relative
                saved.parent.mkdir(parents=True, exist_ok=True)
                target.replace(saved)
            placed.append((target, saved))
            (rendered / relative).replace(target)
    except OSError:
        for target, saved in reversed(placed):
            with suppress(OSError):
                if os.path.lexists(target):
                    target.unlink()
                if saved is not None:
                    saved.replace(target)
        for folder in reversed(created):
            with suppress(OSError):
                folder.rmdir()
        raise
