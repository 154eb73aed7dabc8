"""Syntax-aware edits of a project's feature registry: a module-level list literal in Python.

Every framework keeps the list of its features in one such list (FastAPI: the routers in
``api.py``; Django: ``LOCAL_APPS``; Flask: the blueprints). Registering a feature adds one import
and one list element; the module is parsed, the list located by name in the syntax tree, and the
two insertions made at the positions the tree gives, so that comments, blank lines and the user's
own entries stay exactly as they are (ruff formats the result afterwards). A module that does not
parse, or where the list is not one literal assigned once, is refused rather than guessed at.
"""

from __future__ import annotations

import ast
from pathlib import Path

from apigen.errors import AlreadyRegistered, RegistryNotRecognised


def register(
    text: str, *, path: Path, list_name: str, entry: str, import_line: str | None = None
) -> str:
    """``text`` (the registry module's source) with ``import_line`` and ``entry`` added.

    ``entry`` is a Python expression (``books_router``, ``"svc.books"``); ``import_line`` a
    single import statement, placed after the module's last top-level import, or None when the
    entry needs none. Raises ``RegistryNotRecognised``
    for a module it cannot edit safely and ``AlreadyRegistered`` when ``entry`` is listed already.
    """
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise RegistryNotRecognised(path, f"it does not parse (line {exc.lineno})") from exc
    registry = _the_list(tree, path, list_name)
    wanted = ast.dump(ast.parse(entry, mode="eval").body)
    if any(ast.dump(element) == wanted for element in registry.elts):
        raise AlreadyRegistered(path, entry)
    already_imported = import_line is None or any(
        ast.dump(node) == ast.dump(ast.parse(import_line).body[0]) for node in tree.body
    )

    source = text.encode("utf-8")  # the tree's column offsets count UTF-8 bytes
    offsets = _line_offsets(source)
    closing = _end(registry, offsets) - 1  # the closing bracket
    needs_comma = bool(registry.elts)
    after_last = _end(registry.elts[-1], offsets) if registry.elts else closing
    if registry.elts and _has_comma(source[after_last:closing]):
        needs_comma = False
    line_start = source.rfind(b"\n", 0, closing) + 1
    if source[line_start:closing].strip():  # `[a, b]`: the entry goes before the bracket
        edited = source[:closing] + f"{', ' if needs_comma else ''}{entry},".encode()
        edited += source[closing:]
    else:  # the bracket on a line of its own: the entry on a line of its own above it
        indent = " " * 4
        edited = source[:line_start] + f"{indent}{entry},\n".encode() + source[line_start:]
        if needs_comma:
            edited = edited[:after_last] + b"," + edited[after_last:]
    if import_line is not None and not already_imported:
        position = _import_position(tree, offsets)
        line = f"{import_line}\n".encode()
        if position and source[position - 1 : position] != b"\n":  # a last line without newline
            line = b"\n" + line
        edited = edited[:position] + line + edited[position:]
    return edited.decode("utf-8")


def _the_list(tree: ast.Module, path: Path, list_name: str) -> ast.List:
    assignments = [
        node
        for node in tree.body
        if (isinstance(node, ast.Assign) and _names(node.targets) == [list_name])
        or (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == list_name
        )
    ]
    if not assignments:
        raise RegistryNotRecognised(path, f"no module-level {list_name} = [...] in it")
    if len(assignments) > 1:
        raise RegistryNotRecognised(path, f"{list_name} is assigned {len(assignments)} times")
    value = assignments[0].value
    if not isinstance(value, ast.List):
        raise RegistryNotRecognised(path, f"{list_name} is no longer a list literal")
    return value


def _names(targets: list[ast.expr]) -> list[str]:
    return [target.id for target in targets if isinstance(target, ast.Name)]


def _line_offsets(source: bytes) -> list[int]:
    """Byte offset of the start of every line (index 0 is line 1)."""
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _end(node: ast.expr | ast.stmt, offsets: list[int]) -> int:
    """Byte offset just past ``node``."""
    if node.end_lineno is None or node.end_col_offset is None:  # ast.parse always sets both
        raise ValueError(f"no position for {ast.dump(node)}")
    return offsets[node.end_lineno - 1] + node.end_col_offset


def _has_comma(between: bytes) -> bool:
    """Whether the source between a list's last element and its bracket holds a comma.

    Only whitespace, comments and that comma can stand there; comments are cut off first.
    """
    return any(b"," in line.split(b"#", 1)[0] for line in between.splitlines())


def _import_position(tree: ast.Module, offsets: list[int]) -> int:
    """Where a new import goes: the start of the line after the last top-level import (or after
    the docstring), else the top of the module."""
    imports = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    anchor: ast.stmt | None = imports[-1] if imports else None
    if anchor is None and tree.body and isinstance(tree.body[0], ast.Expr):
        anchor = tree.body[0]
    if anchor is None or anchor.end_lineno is None:
        return 0
    return offsets[anchor.end_lineno]
