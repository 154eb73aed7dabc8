"""What a new Django app's first migration depends on: the latest migration of each app it
refers to, read from the file names."""

from __future__ import annotations

from pathlib import Path

import pytest

from apigen.django_migrations import latest_migration
from apigen.errors import MigrationsNotRecognised

from .helpers import build_file_tree


def test_the_latest_migration_is_the_highest_number(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {
            "__init__.py": "",
            "0001_initial.py": "",
            "0010_add_isbn.py": "",
            "0002_more.py": "",
            "0011_notes.txt": "",
        },
    )
    assert latest_migration(tmp_path) == "0010_add_isbn"


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"__init__.py": ""}, "no migration found"),
        ({"0001_initial.py": "", "0002_a.py": "", "0002_b.py": ""}, "makemigrations --merge"),
    ],
)
def test_a_folder_without_one_latest_migration_is_refused(
    tmp_path: Path, files: dict[str, str], reason: str
) -> None:
    build_file_tree(tmp_path, files)
    with pytest.raises(MigrationsNotRecognised, match=reason):
        latest_migration(tmp_path)
    with pytest.raises(MigrationsNotRecognised, match="missing"):
        latest_migration(tmp_path / "absent")
