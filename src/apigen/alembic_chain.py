"""A project's Alembic revisions, read without importing them: where a new revision goes.

Each revision file assigns ``revision`` and ``down_revision`` as literals at module level (the
files Alembic and apigen write do); those two assignments are read from the syntax tree. A new
revision goes on the one head: with several heads (branches not yet merged) or none, apigen
refuses rather than add a second branch.
"""

from __future__ import annotations

import ast
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from apigen.errors import MigrationsNotRecognised


@dataclass(frozen=True)
class NewRevision:
    """The identity of a revision to write on top of ``down_revision``."""

    revision: str
    down_revision: str
    filename: str
    create_date: str

    def context(self) -> dict[str, str]:
        return {
            "revision": self.revision,
            "down_revision": self.down_revision,
            "filename": self.filename,
            "create_date": self.create_date,
        }


def current_head(versions: Path) -> str:
    """The single head revision of the chain in the ``versions`` folder."""
    if not versions.is_dir():
        raise MigrationsNotRecognised(versions, "the folder is missing")
    revisions: dict[str, Path] = {}
    parents: set[str] = set()
    for path in sorted(versions.glob("*.py")):
        revision, down = _identity(path)
        if revision in revisions:
            raise MigrationsNotRecognised(path, f"revision {revision!r} is defined twice")
        revisions[revision] = path
        parents.update(down)
    heads = sorted(set(revisions) - parents)
    if not heads:
        raise MigrationsNotRecognised(versions, "no revision found")
    if len(heads) > 1:
        raise MigrationsNotRecognised(
            versions,
            f"{len(heads)} heads ({', '.join(heads)}); merge them first (alembic merge heads)",
        )
    return heads[0]


def new_revision(versions: Path, slug: str, *, now: datetime | None = None) -> NewRevision:
    """A fresh revision id on the current head, and its file name (as alembic.ini names them)."""
    now = now or datetime.now(UTC)
    revision = secrets.token_hex(6)
    return NewRevision(
        revision=revision,
        down_revision=current_head(versions),
        filename=f"{now:%Y%m%d}_{revision}_{slug}",
        create_date=now.isoformat(" ", "seconds"),
    )


def _identity(path: Path) -> tuple[str, tuple[str, ...]]:
    """``revision`` and the parents (``down_revision``) a revision file declares."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError) as exc:
        raise MigrationsNotRecognised(path, f"it cannot be read ({type(exc).__name__})") from exc
    values: dict[str, object] = {}
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        value = getattr(node, "value", None)
        for target in targets:
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                try:
                    values[target.id] = ast.literal_eval(value) if value is not None else None
                except ValueError as exc:
                    raise MigrationsNotRecognised(path, f"{target.id} is not a literal") from exc
    revision, down = values.get("revision"), values.get("down_revision")
    if not isinstance(revision, str):
        raise MigrationsNotRecognised(path, "no revision = '...' in it")
    if down is None:
        return revision, ()
    if isinstance(down, str):
        return revision, (down,)
    if isinstance(down, tuple | list) and all(isinstance(item, str) for item in down):
        return revision, tuple(down)
    raise MigrationsNotRecognised(path, "down_revision is neither a revision nor a list of them")
