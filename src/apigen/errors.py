"""Every error apigen raises on purpose.

Errors carry the values that caused them as attributes (so tests check fields, not wording) and a
``hint`` saying how to fix the problem. ``cli.py`` turns them into one stderr line and an exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class ApigenError(Exception):
    """Base class of apigen's errors; ``exit_code`` is what the CLI exits with."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} (hint: {self.hint})"
        return self.message


class UserError(ApigenError):
    """The input was wrong; the user can fix it and run the command again."""

    exit_code = 2


class InvalidName(UserError):
    """A project or package name that apigen will not generate."""

    def __init__(self, name: str, reason: str, *, kind: str = "project name") -> None:
        self.name = name
        self.reason = reason
        self.kind = kind
        example = "my_service" if kind == "package name" else "my-service"
        super().__init__(f"invalid {kind} {name!r}: {reason}", hint=f"try a name like {example!r}")


class InvalidOption(UserError):
    """An option value apigen cannot use (a multi-line description, a malformed e-mail...)."""

    def __init__(self, option: str, value: object, reason: str, *, hint: str | None = None) -> None:
        self.option = option
        self.value = value
        self.reason = reason
        super().__init__(f"invalid {option} {value!r}: {reason}", hint=hint)


class InputEnded(UserError):
    """The terminal's input ended (Ctrl-D) while apigen was asking a question."""

    def __init__(self, question: str) -> None:
        self.question = question
        super().__init__(
            f"input ended before {question!r} was answered",
            hint="give the value as an option, or use --no-input for the defaults",
        )


class UnknownFramework(UserError):
    """``--framework`` names a framework that has no ready template."""

    def __init__(self, name: str, available: Sequence[str]) -> None:
        self.name = name
        self.available = tuple(available)
        super().__init__(
            self._describe(name), hint=f"available: {', '.join(self.available) or 'none'}"
        )

    @staticmethod
    def _describe(name: str) -> str:
        return f"unknown framework {name!r}"


class FrameworkNotReady(UnknownFramework):
    """``--framework`` names a framework apigen registers but whose template is not ready yet."""

    @staticmethod
    def _describe(name: str) -> str:
        return f"framework {name!r} is planned but not available yet"


class DestinationNotEmpty(UserError):
    """The destination folder already holds files and ``--force`` was not given."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"destination {str(path)!r} is not empty", hint="use --force")


class DestinationNotWritable(UserError):
    """The output folder cannot be created or written to."""

    def __init__(self, path: Path, reason: str = "not writable") -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"cannot write to {str(path)!r}: {reason}",
            hint="choose another --output-dir",
        )


class InvalidResourceName(UserError):
    """``apigen add resource NAME`` with a name it will not add."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"invalid resource name {name!r}: {reason}", hint="try a name like 'book'")


class InvalidFieldSpec(UserError):
    """A ``--field`` argument apigen cannot turn into a field."""

    def __init__(self, spec: str, reason: str, *, hint: str | None = None) -> None:
        self.spec = spec
        self.reason = reason
        super().__init__(
            f"invalid field {spec!r}: {reason}" if spec else reason,
            hint=hint or "fields look like title:str:120:index (see apigen add resource --help)",
        )


class NotAProject(UserError):
    """The folder is not a project apigen generated (or its answers file is unreadable)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"{str(path)!r} is not an apigen project: {reason}",
            hint="run it in the folder holding .apigen-answers.yml, or pass --project",
        )


class RegistryNotRecognised(UserError):
    """The project's feature registry has been changed so that apigen cannot edit it safely."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"cannot register the feature in {str(path)!r}: {reason}",
            hint="restore its list (see the comment at its top) or register the feature by hand",
        )


class ResourcesNotSupported(UserError):
    """``apigen add resource`` in a project whose framework cannot add resources yet."""

    def __init__(self, framework: str) -> None:
        self.framework = framework
        super().__init__(f"apigen cannot add resources to {framework} projects yet")


class MigrationsNotRecognised(UserError):
    """The project's migrations cannot take a new revision as they are."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot add a migration to {str(path)!r}: {reason}")


class AlreadyRegistered(UserError):
    """The feature is in the project's registry already (the command ran before)."""

    def __init__(self, path: Path, entry: str) -> None:
        self.path = path
        self.entry = entry
        super().__init__(
            f"{entry} is already registered in {str(path)!r}", hint="nothing to do; nothing changed"
        )


class TemplateError(ApigenError):
    """Rendering the template failed: a bug in a template or in apigen, not in the input."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(
            f"template rendering failed: {message}",
            hint="this is a bug in the template; please report it",
        )


class BaseNotRecognised(UserError):
    """The project's merge base (``.apigen/``) is damaged: apigen cannot update from it."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"cannot use the merge base {str(path)!r}: {reason}",
            hint="restore .apigen/ from version control, or adopt a base: apigen update --adopt",
        )


class NoBase(UserError):
    """``apigen update`` in a project made before apigen kept a merge base."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{str(path)!r} has no merge base (.apigen/manifest.json): it was made before "
            "apigen kept one",
            hint="run apigen update --adopt once to take this apigen's render as the base "
            "(your files are not changed); later updates merge from it",
        )


class ProjectTooNew(UserError):
    """The project was made (or last updated) by a newer apigen than the installed one."""

    def __init__(self, path: Path, project_version: str, installed: str) -> None:
        self.path = path
        self.project_version = project_version
        self.installed = installed
        super().__init__(
            f"{str(path)!r} was made by apigen {project_version}, newer than this "
            f"apigen {installed}",
            hint=f"install apigen >= {project_version}",
        )


class UncommittedChanges(UserError):
    """``apigen update`` in a git work tree with uncommitted changes."""

    def __init__(self, path: Path, count: int) -> None:
        self.path = path
        self.count = count
        super().__init__(
            f"{str(path)!r} has {count} uncommitted change(s); an update should start from a "
            "clean work tree",
            hint="commit or stash them first, or pass --force",
        )
