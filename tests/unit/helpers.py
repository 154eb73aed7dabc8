"""Helpers for apigen's unit tests: inline fixture templates and file-tree snapshots."""

from __future__ import annotations

import os
import stat
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

Snapshot = dict[str, tuple[int, bytes]]

#: The questions every apigen template asks (the engine refuses a template that differs).
FIXTURE_COPIER_YML = """\
_subdirectory: template
_answers_file: .apigen-answers.yml
_templates_suffix: .jinja
project_name: {type: str}
package_name: {type: str}
description: {type: str, default: "", validator: "{% if 'forbidden' in description %}no{% endif %}"}
author_name: {type: str}
author_email: {type: str}
python_version: {type: str}
framework: {type: str}
apigen_version: {type: str}
secret_key: {type: str, secret: true, default: ""}
"""

FIXTURE_TEMPLATE_FILES = {
    "copier.yml": FIXTURE_COPIER_YML,
    "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "template/.env.jinja": "SECRET_KEY={{ secret_key }}\n",
    "template/README.md.jinja": "# {{ project_name }}\n\n{{ description }}\n",
    "template/{{package_name}}/__init__.py.jinja": 'NAME = "{{ project_name }}"\n',
    "template/{{package_name}}/core/config.py": "DEBUG = False\n",
}


def build_file_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``files`` (relative path -> text) under ``root``; return ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def snapshot_tree(root: Path) -> Snapshot:
    """Every path under ``root`` with its mode and content (file bytes or link target)."""
    result: Snapshot = {".": (os.lstat(root).st_mode, b"")} if root.exists() else {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                content = os.readlink(path).encode()
            elif stat.S_ISREG(mode):
                content = path.read_bytes()
            else:
                content = b""
            result[path.relative_to(root).as_posix()] = (mode, content)
    return result


def cli_runner() -> CliRunner:
    """A Click test runner whose result keeps stderr apart (Click < 8.2 mixes it in by default)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def fail_nth_replace(monkeypatch: Any, n: int) -> dict[str, int]:
    """Make the ``n``-th ``Path.replace`` fail as a full disk does; returns the call counter."""
    real_replace = Path.replace
    calls = {"n": 0}

    def flaky_replace(self: Path, target: Path) -> Path:
        calls["n"] += 1
        if calls["n"] == n:
            raise OSError(28, "No space left on device")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", flaky_replace)
    return calls
