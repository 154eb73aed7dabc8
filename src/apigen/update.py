"""``apigen update``: bring an edited project up to the installed apigen's templates.

The merge base is the pristine render that produced the project's files, kept in ``.apigen/``
(``base.py``). The project is rendered again, from the recorded answers and resources, with the
installed apigen; then, file by file, with B the base, C the project's file and N the new render:

- C == B (untouched by the user): N is taken;
- N == B (untouched by the template): C is kept;
- both changed: a three-way merge (``git merge-file``); conflicts are written with the standard
  markers and listed;
- a file the template adds is added; one it drops is deleted, unless the user changed it (then
  kept and reported); a file the template renamed moves, with the user's edits merged in;
- a file the user deleted stays deleted (reported);
- a migration the project has (it may be applied) is never rewritten: a template change to a model
  ships as a new migration;
- private files (``.env``) are never written.

The new render becomes the next base (not the merged result). Everything is written into a scratch
folder first and moved into place all or nothing (``placement.py``).
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from apigen import __version__
from apigen.base import (
    BASE_DIR,
    BASE_FILES,
    PLACEHOLDER_SECRET,
    Manifest,
    read_base_files,
    read_manifest,
    render_pristine,
    rendered_files,
    sha256,
    store_base,
    version_tuple,
)
from apigen.errors import (
    DestinationNotWritable,
    NoBase,
    ProjectTooNew,
    TemplateError,
    UncommittedChanges,
    UserError,
)
from apigen.frameworks import Framework, get_framework
from apigen.project import Project, read_project

#: What happened to a file, as the plan lists it.
UPDATED = "updated"  # the template's change taken (the user had not touched the file)
MERGED = "merged"  # both changed; merged cleanly
CONFLICT = "conflict"  # both changed; conflict markers written
ADDED = "added"  # a new template file
DELETED = "deleted"  # dropped by the template, untouched by the user
RENAMED = "renamed"  # moved by the template (detail: the old path)
USER_DELETED = "user-deleted"  # deleted by the user: stays deleted
KEPT_DELETED = "kept"  # dropped by the template but changed by the user: kept
MIGRATION_KEPT = "migration-kept"  # an existing migration the template changed: never rewritten

_NUMBERED_MIGRATION = re.compile(r"^\d{4}_\w+\.py$")


@dataclass(frozen=True)
class Change:
    path: str
    action: str
    detail: str = ""


@dataclass(frozen=True)
class UpdateResult:
    root: Path
    from_version: str
    to_version: str
    changes: list[Change]
    diff: str = field(repr=False)
    dry_run: bool
    adopted: bool = False

    @property
    def conflicts(self) -> list[str]:
        return [change.path for change in self.changes if change.action == CONFLICT]


def is_migration(relative: str) -> bool:
    """An Alembic revision (``.../migrations/versions/*.py``) or a numbered Django migration."""
    path = PurePosixPath(relative)
    if path.suffix != ".py" or path.name == "__init__.py":
        return False
    parts = path.parts[:-1]
    if len(parts) >= 2 and parts[-2:] == ("migrations", "versions"):
        return True
    return bool(parts) and parts[-1] == "migrations" and bool(_NUMBERED_MIGRATION.match(path.name))


def update_project(
    root: Path, *, dry_run: bool = False, force: bool = False, adopt: bool = False
) -> UpdateResult:
    """Update the project in ``root`` (see the module's docstring). ``adopt`` records the
    installed apigen's render as the base of a project that has none, changing no other file."""
    project = read_project(root)
    framework = get_framework(project.framework)
    manifest = read_manifest(project.root)
    recorded = manifest.apigen_version if manifest is not None else project.apigen_version
    if version_tuple(recorded) > version_tuple(__version__):
        raise ProjectTooNew(project.root, recorded, __version__)
    if manifest is None and not adopt:
        raise NoBase(project.root)
    if not force:
        check_clean_work_tree(project.root)
    if adopt:
        return _adopt(project, framework, manifest, dry_run=dry_run)
    assert manifest is not None

    from apigen.placement import make_scratch_dir

    base = read_base_files(project.root, manifest, framework.private_files)
    data = update_answers(framework, manifest.answers)
    scratch = make_scratch_dir(project.root)
    try:
        new_dir = scratch / "new"
        render_pristine(framework, data, manifest.resources, new_dir)
        new = {relative: (new_dir / relative) for relative in rendered_files(new_dir)}
        planner = _Planner(project.root, framework, base, new, scratch)
        planner.plan()
        stage = scratch / "stage"
        for relative, (content, mode) in planner.writes.items():
            target = stage / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            target.chmod(mode)
        for private in framework.private_files:
            with suppress(FileNotFoundError):
                (new_dir / private).unlink()
        private_hashes = {
            path: digest
            for path, digest in manifest.files.items()
            if path in framework.private_files
        }
        base_paths = store_base(
            new_dir,
            stage,
            framework=framework,
            answers=data,
            resources=manifest.resources,
            apigen_version=__version__,
            files=new,
            private_hashes=private_hashes,
        )
        stale = [
            f"{BASE_FILES}/{relative}"
            for relative in base
            if relative not in new and base[relative] is not None
        ]
        if not dry_run:
            _place(
                project.root,
                stage,
                [*planner.writes, *base_paths],
                [*planner.deletes, *stale],
                scratch,
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return UpdateResult(
        root=project.root,
        from_version=manifest.apigen_version,
        to_version=__version__,
        changes=planner.changes,
        diff=planner.diff(),
        dry_run=dry_run,
    )


def update_answers(framework: Framework, recorded: dict[str, Any]) -> dict[str, Any]:
    """The answers to render again with: the recorded ones the template still asks, the installed
    apigen's version, a placeholder secret (the private files are never written) and the defaults
    of questions the template added since."""
    from apigen.rendering import read_template, render_default

    questions = read_template(framework.template_dir).questions
    given = {key: value for key, value in recorded.items() if key in questions} | {
        "apigen_version": __version__,
        "secret_key": PLACEHOLDER_SECRET,
    }
    data: dict[str, Any] = {}
    for name, question in questions.items():
        if name in given:
            data[name] = given[name]
        elif "default" in question:
            data[name] = render_default(question["default"], data)
        else:
            raise TemplateError(f"the template asks {name!r}, which the project never answered")
    return data


def check_clean_work_tree(root: Path) -> None:
    """Refuse a git work tree with uncommitted changes (outside git, or without git: nothing)."""
    try:
        inside = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return
    status = subprocess.run(
        ["git", "--no-optional-locks", "-C", str(root), "status", "--porcelain", "--", "."],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in status.stdout.splitlines() if line.strip()]
    if status.returncode != 0 or lines:
        raise UncommittedChanges(root, len(lines) or 1)


# -- planning ---------------------------------------------------------------------------------


class _Planner:
    """Decides, file by file, what the update does; collects the writes, deletions and report."""

    def __init__(
        self,
        root: Path,
        framework: Framework,
        base: dict[str, bytes | None],
        new: dict[str, Path],
        scratch: Path,
    ) -> None:
        self.root = root
        self.private = set(framework.private_files)
        self.base = base
        self.new = new
        self.scratch = scratch
        self.writes: dict[str, tuple[bytes, int]] = {}
        self.deletes: list[str] = []
        self.changes: list[Change] = []
        self._before: dict[str, bytes | None] = {}

    def current(self, relative: str) -> bytes | None:
        path = self.root / relative
        if path.is_symlink() or not path.is_file():
            if os.path.lexists(path):
                raise DestinationNotWritable(
                    path, "not a regular file; the update will not replace it"
                )
            return None
        return path.read_bytes()

    def plan(self) -> None:
        base, new = self.base, self.new
        added = sorted(set(new) - set(base) - self.private)
        dropped = sorted(set(base) - set(new) - self.private)
        renames = self._renames(dropped, added)
        for old, moved in renames.items():
            self._rename(old, moved)
        for relative in sorted((set(base) | set(new)) - self.private):
            if relative in renames or relative in renames.values():
                continue
            if relative in base and relative in new:
                self._both(relative)
            elif relative in new:
                self._added(relative)
            else:
                self._dropped(relative)
        self.changes.sort(key=lambda change: change.path)

    def _new_file(self, relative: str) -> tuple[bytes, int]:
        path = self.new[relative]
        return path.read_bytes(), path.stat().st_mode & 0o7777

    def _write(
        self, relative: str, content: bytes, mode: int, action: str, detail: str = ""
    ) -> None:
        self._before.setdefault(relative, self.current(relative))
        self.writes[relative] = (content, mode)
        self.changes.append(Change(relative, action, detail))

    def _mode_of(self, relative: str, default: int) -> int:
        path = self.root / relative
        return path.stat().st_mode & 0o7777 if path.is_file() else default

    def _both(self, relative: str) -> None:
        b = self.base[relative]
        c = self.current(relative)
        n, mode = self._new_file(relative)
        if b is None:
            return
        if c is None:
            if n != b:
                self.changes.append(Change(relative, USER_DELETED, "the template changed it"))
            else:
                self.changes.append(Change(relative, USER_DELETED))
            return
        if n == b or c == n:
            return  # untouched by the template (the user's file kept), or the same change
        if is_migration(relative):
            self.changes.append(
                Change(relative, MIGRATION_KEPT, "a migration is never rewritten; ship a new one")
            )
            return
        if c == b:
            self._write(relative, n, mode, UPDATED)
            return
        self._merge(relative, c, b, n, self._mode_of(relative, mode))

    def _added(self, relative: str) -> None:
        c = self.current(relative)
        n, mode = self._new_file(relative)
        if c is None:
            self._write(relative, n, mode, ADDED)
        elif c != n:
            self._merge(relative, c, b"", n, self._mode_of(relative, mode), "you have a file there")

    def _dropped(self, relative: str) -> None:
        b = self.base[relative]
        c = self.current(relative)
        if c is None or b is None:
            return
        if c == b:
            self._before.setdefault(relative, c)
            self.deletes.append(relative)
            self.changes.append(Change(relative, DELETED))
        else:
            self.changes.append(
                Change(relative, KEPT_DELETED, "the template dropped it; you changed it")
            )

    def _renames(self, dropped: list[str], added: list[str]) -> dict[str, str]:
        """Template renames: a dropped file and an added one with the same content, or with the
        same name and similar content. Only when the project has no file at the new path."""
        result: dict[str, str] = {}
        free = [path for path in added if self.current(path) is None]
        for old in dropped:
            b = self.base[old]
            if b is None:
                continue
            best, best_score = None, 0.0
            for candidate in free:
                if candidate in result.values():
                    continue
                n = self.new[candidate].read_bytes()
                if n == b:
                    best, best_score = candidate, 1.0
                    break
                if PurePosixPath(candidate).name != PurePosixPath(old).name:
                    continue
                if _is_binary(n) or _is_binary(b):
                    continue
                score = difflib.SequenceMatcher(
                    None, b.decode().splitlines(), n.decode().splitlines()
                ).ratio()
                if score > best_score:
                    best, best_score = candidate, score
            if best is not None and best_score >= 0.6:
                result[old] = best
        return result

    def _rename(self, old: str, moved: str) -> None:
        b = self.base[old]
        assert b is not None
        c = self.current(old)
        n, mode = self._new_file(moved)
        if c is None:
            self.changes.append(Change(old, USER_DELETED, f"the template moved it to {moved}"))
            return
        self._before.setdefault(old, c)
        self.deletes.append(old)
        if c == b:
            self._write(moved, n, mode, RENAMED, f"from {old}")
        elif n == b:
            self._write(moved, c, self._mode_of(old, mode), RENAMED, f"from {old}, your edits kept")
        else:
            self._merge(moved, c, b, n, self._mode_of(old, mode), f"moved from {old}")

    def _merge(
        self, relative: str, current: bytes, base: bytes, new: bytes, mode: int, detail: str = ""
    ) -> None:
        if any(_is_binary(data) for data in (current, base, new)):
            side = relative + ".apigen-new"
            self._before.setdefault(side, self.current(side))
            self.writes[side] = (new, mode)
            self.changes.append(
                Change(relative, CONFLICT, f"binary: yours kept, the template's is in {side}")
            )
            return
        merged, conflicted = merge_text(current, base, new, self.scratch)
        action = CONFLICT if conflicted else MERGED
        self._write(relative, merged, mode, action, detail)

    def diff(self) -> str:
        chunks: list[str] = []
        for relative in sorted(set(self.writes) | set(self.deletes)):
            before = self._before.get(relative)
            after = self.writes[relative][0] if relative in self.writes else None
            if (before is not None and _is_binary(before)) or (
                after is not None and _is_binary(after)
            ):
                chunks.append(f"Binary files a/{relative} and b/{relative} differ\n")
                continue
            chunks.extend(
                difflib.unified_diff(
                    (before or b"").decode().splitlines(keepends=True),
                    (after or b"").decode().splitlines(keepends=True),
                    fromfile=f"a/{relative}" if before is not None else "/dev/null",
                    tofile=f"b/{relative}" if after is not None else "/dev/null",
                )
            )
        return "".join(
            chunk if chunk.endswith("\n") else chunk + "\n\\ No newline at end of file\n"
            for chunk in chunks
        )


def _is_binary(data: bytes) -> bool:
    if b"\0" in data:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def merge_text(current: bytes, base: bytes, new: bytes, scratch: Path) -> tuple[bytes, bool]:
    """Three-way merge with ``git merge-file``: the result, and whether it has conflicts (marked
    ``<<<<<<< yours`` / ``=======`` / ``>>>>>>> template``)."""
    folder = scratch / "merge"
    folder.mkdir(exist_ok=True)
    paths = []
    for name, data in (("yours", current), ("base", base), ("template", new)):
        path = folder / name
        path.write_bytes(data)
        paths.append(str(path))
    try:
        completed = subprocess.run(
            ["git", "merge-file", "-p", "-L", "yours", "-L", "base", "-L", "template", *paths],
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise UserError(
            "apigen update needs git for three-way merges (git merge-file); install git"
        ) from exc
    if not 0 <= completed.returncode <= 127:
        raise TemplateError(f"git merge-file failed: {completed.stderr.decode(errors='replace')}")
    return completed.stdout, completed.returncode > 0


# -- placing ----------------------------------------------------------------------------------


def _place(root: Path, stage: Path, writes: list[str], deletes: list[str], scratch: Path) -> None:
    """Delete ``deletes`` and move ``writes`` from ``stage`` into ``root``, all or nothing."""
    from apigen.placement import move_into_place

    removed: list[tuple[Path, Path]] = []
    try:
        for relative in deletes:
            target = root / relative
            saved = scratch / "deleted" / relative
            saved.parent.mkdir(parents=True, exist_ok=True)
            target.replace(saved)
            removed.append((target, saved))
        move_into_place(stage, root, sorted(writes), backup=scratch / "displaced")
    except BaseException:
        for target, saved in reversed(removed):
            with suppress(OSError):
                saved.replace(target)
        raise
    for target, _ in removed:
        for parent in target.parents:
            if parent == root or not parent.is_relative_to(root):
                break
            try:
                parent.rmdir()
            except OSError:
                break


# -- adopting a base --------------------------------------------------------------------------


def _adopt(
    project: Project, framework: Framework, manifest: Manifest | None, *, dry_run: bool
) -> UpdateResult:
    """Record the installed apigen's render of the project's answers and resources as its base;
    no other file changes. The project's own edits then count as the user's from this base."""
    from apigen.placement import make_scratch_dir

    resources = [_adopted_resource(project, framework, entry) for entry in project.resources]
    data = update_answers(framework, project.answers)
    scratch = make_scratch_dir(project.root)
    try:
        new_dir = scratch / "new"
        render_pristine(framework, data, resources, new_dir)
        stage = scratch / "stage"
        files = rendered_files(new_dir)
        private_hashes = {}
        for private in framework.private_files:
            with suppress(FileNotFoundError):
                (new_dir / private).unlink()
                current = project.root / private
                if current.is_file():
                    private_hashes[private] = sha256(current.read_bytes())
        base_paths = store_base(
            new_dir,
            stage,
            framework=framework,
            answers=data,
            resources=resources,
            apigen_version=__version__,
            files=files,
            private_hashes=private_hashes,
        )
        old = project.root / BASE_DIR
        stale = (
            [
                path.relative_to(project.root).as_posix()
                for path in old.rglob("*")
                if path.is_file() and path.relative_to(project.root).as_posix() not in base_paths
            ]
            if manifest is not None and old.is_dir()
            else []
        )
        if not dry_run:
            _place(project.root, stage, base_paths, stale, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return UpdateResult(
        root=project.root,
        from_version=project.apigen_version,
        to_version=__version__,
        changes=[Change(BASE_DIR, "adopted", f"the render of apigen {__version__}")],
        diff="",
        dry_run=dry_run,
        adopted=True,
    )


def _adopted_resource(
    project: Project, framework: Framework, entry: dict[str, Any]
) -> dict[str, Any]:
    """A recorded resource with the migration identity its files in the project have."""
    from apigen import alembic_chain
    from apigen.frameworks import AlembicMigrations
    from apigen.naming import pluralize

    support = framework.resources
    if support is None:
        raise UserError(f"{framework.name} projects cannot have resources; remove the record")
    plural = pluralize(entry["name"])
    values = {"package": project.package, "name": entry["name"], "plural": plural}
    if isinstance(support.migrations, AlembicMigrations):
        versions = project.root / support.migrations.versions.format(**values)
        found = sorted(versions.glob(f"*_add_{plural}.py")) if versions.is_dir() else []
        if len(found) != 1:
            raise UserError(
                f"cannot adopt a base: no single migration *_add_{plural}.py in {versions}"
            )
        revision, down = alembic_chain._identity(found[0])
        text = found[0].read_text(encoding="utf-8")
        date = re.search(r"^Create Date: (.+)$", text, re.MULTILINE)
        migration = {
            "revision": revision,
            "down_revision": down[0] if down else "",
            "filename": found[0].stem,
            "create_date": date.group(1).strip() if date else "",
        }
        return {"name": entry["name"], "fields": entry["fields"], "migration": migration}
    from apigen import django_migrations

    dependencies = []
    added = {pluralize(e["name"]) for e in project.resources}
    from apigen.resource import parse_resource

    resource = parse_resource(entry["name"], entry["fields"])
    for ref in sorted(resource.refs & added):
        folder = project.root / support.migrations.folder.format(
            package=project.package, name=entry["name"], plural=ref
        )
        dependencies.append([ref, django_migrations.latest_migration(folder)])
    return {
        "name": entry["name"],
        "fields": entry["fields"],
        "migration": {"dependencies": dependencies},
    }
