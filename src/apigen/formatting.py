"""Formatting what apigen writes with ruff, under the project's own configuration."""

from __future__ import annotations

import subprocess
from pathlib import Path

from apigen.errors import TemplateError


def format_python(project: Path, paths: list[str] | None = None) -> None:
    """Sort imports and format with ruff under the project's own config.

    Line breaks depend on the length of the names the user chose, so the template cannot be
    formatted for every project in advance; this makes every project pass its own
    `ruff format --check`.
    """
    from ruff.__main__ import find_ruff_bin

    ruff = find_ruff_bin()
    targets = paths if paths is not None else ["."]
    steps = (
        [ruff, "check", "--no-cache", "--fix-only", "--select", "I", "--quiet", *targets],
        [ruff, "format", "--no-cache", "--quiet", *targets],
    )
    for step in steps:
        completed = subprocess.run(step, cwd=project, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            message = (completed.stderr or completed.stdout).strip().splitlines()
            raise TemplateError(f"ruff could not format the rendered project: {message[:1]}")
