"""Formatting what apigen writes with ruff, under the project's own configuration."""

from __future__ import annotations

import subprocess
from pathlib import Path

from apigen.errors import TemplateError


def format_python(
    project: Path, paths: list[str] | None = None, *, staged: str | None = None
) -> None:
    """Sort imports and format with ruff under the project's own config.

    Line breaks depend on the length of the names the user chose, so the template cannot be
    formatted for every project in advance; this makes every project pass its own
    `ruff format --check`. ``paths`` (relative to ``project``) limits the run to those files.
    ``staged`` names a folder inside ``project`` holding files on their way into it: the import
    sorter is told to look for the project's own modules there too, so that a new module of the
    project's package (``shop.books``) sorts as first-party, as it will once in place.
    """
    from ruff.__main__ import find_ruff_bin

    ruff = find_ruff_bin()
    targets = paths if paths is not None else ["."]
    options: list[str] = []
    if staged is not None:
        roots = [*_source_roots(project), staged]
        options = ["--config", f"src = {roots!r}".replace("'", '"')]
    steps = (
        [ruff, "check", *options, "--no-cache", "--fix-only", "--select", "I", "--quiet", *targets],
        [ruff, "format", *options, "--no-cache", "--quiet", *targets],
    )
    for step in steps:
        completed = subprocess.run(step, cwd=project, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            message = (completed.stderr or completed.stdout).strip().splitlines()
            raise TemplateError(f"ruff could not format the rendered project: {message[:1]}")


def _source_roots(project: Path) -> list[str]:
    """The project's ruff ``src`` setting, or ruff's default."""
    import tomllib

    try:
        config = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return [".", "src"]
    roots = config.get("tool", {}).get("ruff", {}).get("src")
    if isinstance(roots, list) and all(isinstance(root, str) for root in roots):
        return roots
    return [".", "src"]
