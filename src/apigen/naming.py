"""Pure naming helpers: case conversion, plurals and the rules for project and package names.

Nothing here touches the file system or imports anything heavy; ``cli.py`` may import it freely.
"""

from __future__ import annotations

import keyword
import re
import sys

from apigen.errors import InvalidName

MAX_NAME_LENGTH = 64

_PROJECT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_PACKAGE_NAME = re.compile(r"[a-z][a-z0-9_]*")

#: Top-level packages a generated project imports (in any framework); a project package with one
#: of these names would shadow it.
SHADOWED_DEPENDENCIES = frozenset(
    {
        "alembic",
        "cashews",
        "django",
        "fastapi",
        "flask",
        "flask_smorest",
        "httpx",
        "jwt",
        "limits",
        "marshmallow",
        "pwdlib",
        "pydantic",
        "pydantic_settings",
        "pytest",
        "redis",
        "rest_framework",
        "sqlalchemy",
        "starlette",
        "uvicorn",
    }
)

#: ``sys.stdlib_module_names`` leaves out the standard library's test package.
STDLIB_MODULES = frozenset(sys.stdlib_module_names) | {"test"}

#: Folders every generated project has next to its package.
PROJECT_FOLDERS = frozenset({"migrations", "tests"})

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


def _words(text: str) -> list[str]:
    return [word for part in _SEPARATORS.split(text) for word in _WORD_BOUNDARY.split(part) if word]


def to_snake(text: str) -> str:
    """snake_case of ``text``: ``"MyService"``, ``"my-service"`` -> ``"my_service"``."""
    return "_".join(word.lower() for word in _words(text))


def to_pascal(text: str) -> str:
    """``"my-service"``, ``"blog_post"`` -> ``"MyService"``, ``"BlogPost"``."""
    return "".join(word[:1].upper() + word[1:].lower() for word in _words(text))


_IRREGULAR_PLURALS = {
    "child": "children",
    "man": "men",
    "mouse": "mice",
    "person": "people",
    "woman": "women",
}
_UNCHANGED_PLURALS = frozenset({"data", "equipment", "information", "news", "series", "species"})


def pluralize(word: str) -> str:
    """Plural of an English noun by the common rules: ``post`` -> ``posts``, ``city`` -> ``cities``.

    Only the last word of a snake_case name is changed: ``blog_entry`` -> ``blog_entries``.
    """
    head, sep, last = word.rpartition("_")
    lower = last.lower()
    if not lower or lower in _UNCHANGED_PLURALS:
        plural = last
    elif lower in _IRREGULAR_PLURALS:
        plural = _IRREGULAR_PLURALS[lower]
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        plural = last + "es"
    elif lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        plural = last[:-1] + "ies"
    elif lower.endswith("fe"):
        plural = last[:-2] + "ves"
    elif lower.endswith("f") and not lower.endswith("ff"):
        plural = last[:-1] + "ves"
    else:
        plural = last + "s"
    return f"{head}{sep}{plural}"


def package_name_for(name: str) -> str:
    """The importable package of a project: lower-cased, hyphens become underscores."""
    return name.lower().replace("-", "_")


def _name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a project name at all, before looking at its package name."""
    if not name:
        return "the name is empty"
    if not name.isascii():
        char = next(c for c in name if not c.isascii())
        return f"non-ASCII character {char!r} (U+{ord(char):04X}); use ASCII letters only"
    if any(c.isspace() for c in name):
        return "the name contains whitespace"
    if "/" in name or "\\" in name or name.startswith("."):
        return "the name must be a plain folder name, not a path"
    if not name[0].isalpha():
        return "the name must start with a letter"
    if not _PROJECT_NAME.fullmatch(name):
        bad = next(c for c in name if not (c.isalnum() or c in "-_"))
        return f"character {bad!r} is not allowed; use letters, digits, '-' and '_'"
    if len(name) > MAX_NAME_LENGTH:
        return f"the name is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}"
    return None


def _package_problem(package: str) -> str | None:
    """Why ``package`` (already a lower-case identifier) would not work as the project's package."""
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        return f"{package!r} is a Python keyword"
    if package in STDLIB_MODULES:
        return f"package {package!r} would shadow the standard library module of that name"
    if package in SHADOWED_DEPENDENCIES:
        return f"package {package!r} would shadow the dependency of that name"
    if package in PROJECT_FOLDERS:
        return f"package {package!r} would clash with the project's own {package}/ folder"
    return None


def validate_project_name(name: str) -> str:
    """Return ``name`` if apigen can generate a project of that name, else raise ``InvalidName``."""
    problem = _name_problem(name) or _package_problem(package_name_for(name))
    if problem:
        raise InvalidName(name, problem)
    return name


def validate_package_name(name: str) -> str:
    """Return ``name`` if it is a usable package name (lower-case identifier), else raise."""
    if not name:
        problem: str | None = "the name is empty"
    elif not name.isascii():
        problem = _name_problem(name)
    elif not _PACKAGE_NAME.fullmatch(name):
        problem = "use a lower-case identifier: a letter, then letters, digits and '_'"
    elif len(name) > MAX_NAME_LENGTH:
        problem = f"the name is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}"
    else:
        problem = _package_problem(name)
    if problem:
        raise InvalidName(name, problem, kind="package name")
    return name
