"""Migrations are append-only: a migration a project template ships may already be applied in
every project made from it, so it never changes; a change to a model ships as a new migration.

``migrations.lock.json`` holds the SHA-256 of every migration the ready frameworks' project
templates ship. A changed or removed one fails here; a new one fails until it is added to the lock
(run this file with ``APIGEN_LOCK_MIGRATIONS=1`` to add it — never to change an existing entry).
``apigen update`` enforces the same rule in projects: it never rewrites a migration they have.
(A resource template's migration is rendered once per resource, with the identity recorded at
``add resource`` time; ``update`` keeps every existing one as it is.)
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from apigen.frameworks import available_frameworks, templates_root
from apigen.rendering import TEMPLATE_SUFFIX
from apigen.update import is_migration

LOCK = Path(__file__).with_name("migrations.lock.json")


def shipped_migrations() -> dict[str, str]:
    root = templates_root()
    found = {}
    for framework in available_frameworks():
        source = framework.template_dir / "template"
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source).as_posix().removesuffix(TEMPLATE_SUFFIX)
            if path.is_file() and "__pycache__" not in path.parts and is_migration(relative):
                key = path.relative_to(root).as_posix()
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def test_shipped_migrations_are_append_only() -> None:
    locked: dict[str, str] = json.loads(LOCK.read_text(encoding="utf-8"))
    shipped = shipped_migrations()
    ready = {framework.name for framework in available_frameworks()}
    locked = {path: digest for path, digest in locked.items() if path.split("/")[0] in ready}
    changed = sorted(path for path in locked if shipped.get(path) != locked[path])
    assert not changed, f"migrations changed or removed (ship a new migration instead): {changed}"
    new = sorted(set(shipped) - set(locked))
    if new and os.environ.get("APIGEN_LOCK_MIGRATIONS") == "1":
        everything = json.loads(LOCK.read_text(encoding="utf-8")) | {p: shipped[p] for p in new}
        LOCK.write_text(json.dumps(dict(sorted(everything.items())), indent=2) + "\n")
        new = []
    assert not new, f"new migrations: add them to {LOCK.name} (APIGEN_LOCK_MIGRATIONS=1): {new}"


def test_the_lock_covers_every_ready_framework() -> None:
    shipped = shipped_migrations()
    for framework in available_frameworks():
        assert any(path.startswith(f"{framework.name}/") for path in shipped), framework.name
