"""The service and its tests pass `mypy --strict` (the `[tool.mypy]` configuration in
pyproject.toml), so a change that breaks the types fails the suite like any other."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_code_passes_mypy_strict() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Success: no issues found" in completed.stdout
