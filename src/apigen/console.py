"""The consoles every line the user sees goes through: ``console`` (stdout) and ``err_console``."""

from __future__ import annotations

from rich.console import Console

console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)
