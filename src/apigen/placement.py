"""Putting rendered files into place: all of them or none.

Everything is rendered into a scratch folder first (on the destination's file system, so that the
final moves are renames); a failure while moving puts back every file it displaced and removes
every folder it created, leaving the file system as it was. (Copier writes into a non-empty
folder before it fails, so it never renders into the destination itself.)
"""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from pathlib import Path

from apigen.errors import DestinationNotWritable

TEMP_PREFIX = ".apigen-tmp-"


def make_dirs(directory: Path) -> list[Path]:
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


def make_scratch_dir(output_dir: Path) -> Path:
    """A private folder on the destination's file system, so the final move is a rename."""
    try:
        return Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=output_dir))
    except OSError as exc:
        raise DestinationNotWritable(output_dir, exc.strerror or str(exc)) from exc


def files_under(root: Path) -> list[str]:
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() or path.is_symlink()
    )


def move_into_place(rendered: Path, destination: Path, files: list[str], *, backup: Path) -> None:
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
