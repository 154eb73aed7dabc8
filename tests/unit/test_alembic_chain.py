"""Where a new Alembic revision goes: on the one head, read from the files' syntax."""

from __future__ import annotations

from pathlib import Path

import pytest

from apigen.alembic_chain import current_head, new_revision
from apigen.errors import MigrationsNotRecognised

from .helpers import build_file_tree


def revision(rev: str, down: str | None) -> str:
    return f'revision: str = "{rev}"\ndown_revision: str | None = {down!r}\n'


def test_the_head_is_the_revision_nothing_follows(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {"0001_a.py": revision("0001", None), "b.py": revision("b2", "0001"), "n.txt": "x"},
    )
    assert current_head(tmp_path) == "b2"
    new = new_revision(tmp_path, "add_books")
    assert new.down_revision == "b2"
    assert new.filename.endswith(f"_{new.revision}_add_books")


def test_a_merge_revision_closes_two_branches(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {
            "a.py": revision("a", None),
            "b.py": revision("b", "a"),
            "c.py": revision("c", "a"),
            "m.py": 'revision = "m"\ndown_revision = ("b", "c")\n',
        },
    )
    assert current_head(tmp_path) == "m"


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        (
            {"a.py": revision("a", None), "b.py": revision("b", "a"), "c.py": revision("c", "a")},
            "2 heads",
        ),
        ({}, "no revision"),
        ({"a.py": "revision = ("}, "cannot be read"),
        ({"a.py": "down_revision = None\n"}, "no revision"),
        ({"a.py": "revision = make()\n"}, "not a literal"),
    ],
)
def test_chains_it_cannot_extend_are_refused(
    tmp_path: Path, files: dict[str, str], reason: str
) -> None:
    build_file_tree(tmp_path / "versions", files)
    (tmp_path / "versions").mkdir(exist_ok=True)
    with pytest.raises(MigrationsNotRecognised, match=reason):
        current_head(tmp_path / "versions")
