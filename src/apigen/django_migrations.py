"""A Django project's app migrations, read from their file names: what a new app depends on.

An added resource is a Django app with its own ``0001_initial`` migration. Django orders
migrations by their ``dependencies``; the new app's first migration depends on the latest
migration of every added app it refers to (and on the user model through
``swappable_dependency``, which the template writes). The latest migration of an app is the one
with the highest number in its ``migrations`` folder (``0003_add_isbn.py``), as Django numbers
them; two files sharing the highest number are a branch Django itself asks to merge first.
"""

from __future__ import annotations

import re
from pathlib import Path

from apigen.errors import MigrationsNotRecognised

_MIGRATION = re.compile(r"^(\d{4})_\w+\.py$")


def latest_migration(folder: Path) -> str:
    """The name (file stem) of the highest-numbered migration in an app's ``folder``."""
    if not folder.is_dir():
        raise MigrationsNotRecognised(folder, "the folder is missing")
    numbered: dict[int, list[str]] = {}
    for path in folder.iterdir():
        match = _MIGRATION.match(path.name)
        if match and path.is_file():
            numbered.setdefault(int(match.group(1)), []).append(path.stem)
    if not numbered:
        raise MigrationsNotRecognised(folder, "no migration found")
    latest = numbered[max(numbered)]
    if len(latest) > 1:
        raise MigrationsNotRecognised(
            folder,
            f"{len(latest)} latest migrations ({', '.join(sorted(latest))}); "
            "merge them first (manage.py makemigrations --merge)",
        )
    return latest[0]
