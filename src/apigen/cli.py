"""The ``apigen`` command line: parse options, call the engine, print, map errors to exit codes.

Only cheap modules are imported at the top so that ``apigen --help`` starts fast (plain Click help,
no rich: rich's help formatting alone costs ~0.1 s); rich, pydantic and Jinja load when a command
needs them.
"""

from __future__ import annotations

import functools
import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from apigen.errors import ApigenError, InputEnded, UserError
from apigen.frameworks import available_frameworks

if TYPE_CHECKING:
    from apigen.add import AddResult
    from apigen.engine import GenerationResult

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="apigen",
    help="Generate API services from Copier templates.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _fail(message: str, exit_code: int) -> typer.Exit:
    from apigen.console import err_console

    err_console.print(f"error: {' '.join(message.split())}", markup=False, highlight=False)
    return typer.Exit(exit_code)


def _report_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn apigen's errors into one ``error: ...`` line on stderr and the error's exit code.

    This is the only place where exceptions become exit codes.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ApigenError as exc:
            raise _fail(str(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            raise _fail("interrupted", 130) from None
        except Exception as exc:
            pydantic = sys.modules.get("pydantic")
            if pydantic is not None and isinstance(exc, pydantic.ValidationError):
                first = exc.errors()[0]
                where = ".".join(str(part) for part in first["loc"]) or "input"
                raise _fail(f"invalid {where}: {first['msg']}", UserError.exit_code) from None
            raise

    return wrapper


def _show_version(value: bool) -> None:
    if value:
        from apigen import __version__
        from apigen.console import console

        console.print(f"apigen {__version__}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_show_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Generate API services from Copier templates."""


def _framework_names() -> str:
    return ", ".join(framework.name for framework in available_frameworks())


def _complete_framework(incomplete: str) -> list[str]:
    return [f.name for f in available_frameworks() if f.name.startswith(incomplete)]


def _complete_python_version(incomplete: str) -> list[str]:
    from apigen.spec import PYTHON_VERSIONS

    return [version for version in PYTHON_VERSIONS if version.startswith(incomplete)]


@app.command()
@_report_errors
def new(
    name: Annotated[str, typer.Argument(help="Project name; also the folder created.")],
    framework: Annotated[
        str,
        typer.Option(
            "--framework",
            "-f",
            help=f"Framework to generate ({_framework_names()}).",
            autocompletion=_complete_framework,
        ),
    ] = "fastapi",
    output_dir: Annotated[
        Path, typer.Option("--output-dir", "-o", help="Folder in which the project is created.")
    ] = Path("."),
    package_name: Annotated[
        str | None,
        typer.Option(
            help="Importable package name (default: NAME in lower case, '-' becomes '_')."
        ),
    ] = None,
    description: Annotated[str | None, typer.Option(help="One-line description.")] = None,
    author_name: Annotated[str | None, typer.Option(help="Author name.")] = None,
    author_email: Annotated[str | None, typer.Option(help="Author e-mail.")] = None,
    python_version: Annotated[
        str | None,
        typer.Option(
            help="Minimum Python version (3.11, 3.12 or 3.13).",
            autocompletion=_complete_python_version,
        ),
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt; use defaults for missing values.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Write into a non-empty folder, overwriting the template's files."
        ),
    ] = False,
) -> None:
    """Create a new API service project NAME."""
    from apigen import naming
    from apigen.console import console
    from apigen.engine import check_destination, generate
    from apigen.frameworks import get_framework
    from apigen.spec import ProjectSpec

    # Check everything the user typed, and the destination, before asking anything else.
    naming.validate_project_name(name)
    get_framework(framework)
    if package_name is not None:
        naming.validate_package_name(package_name)
    check_destination(Path(output_dir).absolute() / name, force=force)

    def make_spec(answers: dict[str, str | None]) -> ProjectSpec:
        values = {key: value for key, value in answers.items() if value is not None}
        return ProjectSpec(name=name, framework=framework, package_name=package_name, **values)

    given: dict[str, str | None] = {
        "description": description,
        "author_name": author_name,
        "author_email": author_email,
        "python_version": python_version,
    }
    spec = make_spec(given)
    if _can_prompt(no_input):
        spec = make_spec(_ask_missing(given, make_spec))
    _warn_if_python_is_older(spec.python_version)
    with console.status(f"Generating {name}..."):
        result = generate(spec, output_dir=output_dir, force=force)
    _print_summary(result)


def _can_prompt(no_input: bool) -> bool:
    """Prompt only when asked to and a person can answer: never block a script or CI job."""
    return not no_input and sys.stdin.isatty()


def _ask_missing(
    given: dict[str, str | None], check: Callable[[dict[str, str | None]], object]
) -> dict[str, str | None]:
    """Prompt on the terminal for every value not given as an option.

    ``check(answers)`` validates the answers so far (it raises ``UserError``): an answer it
    rejects is explained in one line and asked again, so no answer given before it is lost.
    """
    from rich.prompt import Prompt

    from apigen.console import console, err_console
    from apigen.spec import PYTHON_VERSIONS, ProjectSpec

    defaults = {key: ProjectSpec.model_fields[key].default for key in given}
    questions = {
        "description": "Description",
        "author_name": "Author name",
        "author_email": "Author e-mail",
        "python_version": "Minimum Python version",
    }
    answers = dict(given)
    for key, question in questions.items():
        choices = list(PYTHON_VERSIONS) if key == "python_version" else None
        while answers[key] is None:
            try:
                answer = Prompt.ask(
                    question, console=console, default=defaults[key], choices=choices
                )
            except EOFError:  # Ctrl-D
                raise InputEnded(question) from None
            try:
                check(answers | {key: answer})
            except UserError as exc:
                err_console.print(str(exc), markup=False, highlight=False)
            else:
                answers[key] = answer
    return answers


def _interpreter_version() -> tuple[int, int]:
    """The Python running apigen: the best guess at the one that will run the project."""
    return sys.version_info.major, sys.version_info.minor


def _warn_if_python_is_older(python_version: str) -> None:
    """One stderr line when the project needs a newer Python than the one running apigen.

    Installing such a project with this interpreter fails, after pip has back-tracked through
    every release of its dependencies looking for one that still supports it.
    """
    from apigen.console import err_console

    required = tuple(int(part) for part in python_version.split("."))
    running = _interpreter_version()
    if required > running:
        err_console.print(
            f"warning: the project requires Python >= {python_version}, newer than this "
            f"Python ({running[0]}.{running[1]}); create its virtual environment with "
            f"python{python_version}",
            markup=False,
            highlight=False,
        )


#: How a generated project is tested, from its folder, once ``service_setup_command`` has run.
SERVICE_TEST_COMMAND = ".venv/bin/python -m pytest"


def service_setup_command(package: str) -> str:
    """The one-liner, run in a generated project's folder, that gives the project a venv of its own
    inside that folder, installs it there with its dev extra and starts it (README's first command
    ends with it)."""
    return (
        "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' "
        f"&& .venv/bin/python -m {package} serve"
    )


def _print_summary(result: GenerationResult) -> None:
    from rich.tree import Tree

    from apigen.console import console

    destination = result.destination
    try:
        shown = destination.relative_to(Path.cwd())
    except ValueError:
        shown = destination
    top_level = sorted(
        {file.split("/", 1)[0] + ("/" if "/" in file else "") for file in result.files}
    )
    tree = Tree(f"[bold]{destination.name}/[/]")
    for entry in top_level:
        tree.add(entry, highlight=False)
    console.print(
        f"[green]Created[/] {len(result.files)} files in [bold]{destination}[/]", highlight=False
    )
    console.print(tree)
    console.print(
        "\nInstall it in its own virtual environment (with its dev extra) and start it:",
        highlight=False,
    )
    console.print(
        f"  cd {shlex.quote(os.fspath(shown))} && {service_setup_command(result.spec.package)}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    console.print("Run its tests (in the project folder):", highlight=False)
    console.print(
        f"  {SERVICE_TEST_COMMAND}   (or: . .venv/bin/activate && python -m pytest)",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


add_app = typer.Typer(
    name="add",
    help="Add a feature to a project apigen generated.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(add_app)

_FIELD_HELP = (
    "A field as NAME:TYPE[:ARGUMENT][:MODIFIER...]; repeat for each field. Types: str (str:N sets "
    "the maximum length, 255 by default), text, int, float, decimal, bool, date, datetime, uuid, "
    "email, url, enum:a,b,c, ref:RESOURCE (users or an added resource, plural). Modifiers: "
    "optional, unique, index. Example: --field title:str:120:index --field author_id:ref:users"
)


@add_app.command("resource")
@_report_errors
def add_resource(
    name: Annotated[
        str, typer.Argument(help="The resource, singular and snake_case: book, line_item.")
    ],
    fields: Annotated[list[str] | None, typer.Option("--field", "-F", help=_FIELD_HELP)] = None,
    project: Annotated[
        Path, typer.Option("--project", "-p", help="The project's folder (default: here).")
    ] = Path("."),
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print the files it would create and the diff; write nothing."
        ),
    ] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt for fields; --field is required.")
    ] = False,
) -> None:
    """Add a resource NAME with full CRUD (model, migration, schemas, service, routes, tests)."""
    from apigen.add import add_resource as add
    from apigen.add import taken_names
    from apigen.project import read_project
    from apigen.resource import ResourceSpec, validate_resource_name

    # What the user typed and the project are checked before any field is asked for.
    found = read_project(project)
    validate_resource_name(name)
    ResourceSpec(name=name).check_against(
        taken=taken_names(found), resources=found.resource_singulars()
    )
    field_specs = list(fields or [])
    if not field_specs and _can_prompt(no_input):
        field_specs = _ask_fields()
    result = add(found.root, name, field_specs, dry_run=dry_run)
    _print_added(result)


def _ask_fields() -> list[str]:
    """Prompt for fields, one per line, until an empty line; a bad one is explained, asked again."""
    from rich.prompt import Prompt

    from apigen.console import console, err_console
    from apigen.resource import parse_field

    console.print(f"Fields, one per line, empty line to finish. {_FIELD_HELP}", highlight=False)
    specs: list[str] = []
    while True:
        try:
            answer = Prompt.ask(f"Field {len(specs) + 1}", console=console, default="")
        except EOFError:
            raise InputEnded("Field") from None
        answer = answer.strip()
        if not answer:
            if specs:
                return specs
            err_console.print("a resource needs at least one field", highlight=False)
            continue
        try:
            parse_field(answer)
        except UserError as exc:
            err_console.print(str(exc), markup=False, highlight=False)
        else:
            specs.append(answer)


def _print_added(result: AddResult) -> None:
    from apigen.console import console

    resource, package = result.resource, result.project.package
    verb = ("Would create", "Would change") if result.dry_run else ("Created", "Changed")
    console.print(
        f"[green]{'Dry run: ' if result.dry_run else ''}resource[/] [bold]{resource.name}[/] "
        f"(/api/v1/{resource.plural})",
        highlight=False,
    )
    for label, paths in zip(verb, (result.created, result.changed), strict=True):
        console.print(f"{label} {len(paths)} files:", highlight=False)
        for path in paths:
            console.print(f"  {path}", markup=False, highlight=False)
    if result.dry_run:
        console.print(result.diff, markup=False, highlight=False, end="")
        return
    console.print(
        "\nApply its migration and run the tests (in the project folder):", highlight=False
    )
    console.print(
        f"  .venv/bin/python -m {package} migrate && {SERVICE_TEST_COMMAND}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@app.command()
@_report_errors
def update(
    project: Annotated[
        Path, typer.Option("--project", "-p", help="The project's folder (default: here).")
    ] = Path("."),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan and the diff; write nothing.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Update a git work tree that has uncommitted changes."),
    ] = False,
    adopt: Annotated[
        bool,
        typer.Option(
            "--adopt",
            help="Record this apigen's render as the merge base of a project that has none "
            "(made before bases existed); no other file changes.",
        ),
    ] = False,
) -> None:
    """Bring the project up to this apigen's templates, merging your edits (three-way)."""
    from apigen.console import console
    from apigen.update import update_project

    result = update_project(project, dry_run=dry_run, force=force, adopt=adopt)
    prefix = "Dry run: " if dry_run else ""
    if result.adopted:
        console.print(
            f"{prefix}adopted the render of apigen {result.to_version} as the merge base "
            "(.apigen/); later updates merge from it",
            markup=False,
            highlight=False,
        )
        return
    console.print(
        f"{prefix}update from apigen {result.from_version} to {result.to_version}: "
        f"{len(result.changes)} file(s)",
        markup=False,
        highlight=False,
    )
    for change in result.changes:
        detail = f" ({change.detail})" if change.detail else ""
        console.print(f"  {change.action:<15} {change.path}{detail}", markup=False, highlight=False)
    if dry_run:
        console.print(result.diff, markup=False, highlight=False, end="")
    if result.conflicts:
        from apigen.console import err_console

        err_console.print(
            f"{len(result.conflicts)} conflict(s){' would be' if dry_run else ''} written with "
            "<<<<<<< yours / ======= / >>>>>>> template markers: " + ", ".join(result.conflicts),
            markup=False,
            highlight=False,
        )
        raise typer.Exit(1)


@app.command()
@_report_errors
def frameworks() -> None:
    """List the frameworks apigen can generate."""
    from apigen.console import console

    for framework in available_frameworks():
        console.print(f"{framework.name:<10} {framework.label}", markup=False, highlight=False)
