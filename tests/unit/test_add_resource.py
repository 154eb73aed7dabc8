"""`apigen add resource` on a generated FastAPI project: what it writes, and that a refusal or a
failure leaves the project byte for byte as it was."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from apigen import ProjectSpec, generate
from apigen.add import add_resource
from apigen.cli import app

from .helpers import Snapshot, cli_runner, fail_nth_replace

SnapshotFn = Callable[[Path], Snapshot]
BOOK_FIELDS = ["title:str:120:index", "isbn:str:13:unique", "price:decimal:optional"]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("pristine")
    return generate(ProjectSpec(name="shop"), output_dir=output).destination


@pytest.fixture
def project(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "shop"
    shutil.copytree(pristine, copy, symlinks=True)
    return copy


def run(*args: str) -> tuple[int, str]:
    result = cli_runner().invoke(app, list(args))
    return result.exit_code, result.stderr if result.exit_code else result.stdout


def test_adding_a_resource_writes_its_feature_registers_it_and_records_it(project: Path) -> None:
    code, output = run(
        "add",
        "resource",
        "book",
        "--project",
        str(project),
        "--no-input",
        *(f"--field={spec}" for spec in BOOK_FIELDS),
    )
    assert code == 0, output
    assert (project / "shop" / "books" / "routes.py").is_file()
    assert (project / "tests" / "books").is_dir()
    migrations = list((project / "shop" / "migrations" / "versions").glob("*_add_books.py"))
    assert len(migrations) == 1
    assert 'down_revision: str | None = "0001"' in migrations[0].read_text() or (
        "0001" in migrations[0].read_text()
    )
    api = (project / "shop" / "api.py").read_text()
    assert "from shop.books.routes import router as books_router" in api
    assert "    books_router,\n]" in api
    record = json.loads((project / ".apigen-resources.json").read_text())
    assert record == {"resources": [{"name": "book", "fields": BOOK_FIELDS}]}


def test_the_same_command_twice_refuses_and_changes_nothing(
    project: Path, snapshot: SnapshotFn
) -> None:
    add_resource(project, "book", BOOK_FIELDS)
    before = snapshot(project)
    code, output = run("add", "resource", "book", "-p", str(project), "-F", "title:str")
    assert code == 2
    assert output.startswith("error: invalid resource name 'book': the project already has")
    assert len(output.strip().splitlines()) == 1
    assert snapshot(project) == before


def test_a_second_resource_may_refer_to_the_first(project: Path) -> None:
    add_resource(project, "book", BOOK_FIELDS)
    result = add_resource(project, "review", ["book_id:ref:books", "stars:int"])
    migrations = (project / "shop" / "migrations" / "versions").glob("*_add_reviews.py")
    first = next((project / "shop" / "migrations" / "versions").glob("*_add_books.py"))
    first_revision = first.name.split("_")[1]
    assert first_revision in next(migrations).read_text()
    assert "shop/api.py" in result.changed


def test_dry_run_prints_files_and_diff_and_writes_nothing(
    project: Path, snapshot: SnapshotFn
) -> None:
    before = snapshot(project)
    code, output = run(
        "add", "resource", "book", "-p", str(project), "--dry-run", "-F", "title:str"
    )
    assert code == 0, output
    assert "shop/books/routes.py" in output
    assert "+from shop.books.routes import router as books_router" in output
    assert "+    books_router," in output
    assert snapshot(project) == before


BAD = {
    "keyword field": (["book", "-F", "class:str"], "Python keyword"),
    "duplicate field": (["book", "-F", "a:str", "-F", "a:int"], "declared twice"),
    "unknown type": (["book", "-F", "a:string"], "unknown type"),
    "bad modifier": (["book", "-F", "a:int:uniq"], "unknown modifier"),
    "bad length": (["book", "-F", "a:str:uniq"], "neither a length nor a modifier"),
    "unknown ref": (["book", "-F", "a_id:ref:authors"], "unknown resource 'authors'"),
    "reserved name": (["users", "-F", "a:str"], "reserved"),
    "existing feature": (["profile", "-F", "a:str"], "reserved"),
    "no fields": (["book", "--no-input"], "at least one --field"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_is_one_line_exit_2_and_nothing_changes(
    project: Path, snapshot: SnapshotFn, case: str
) -> None:
    arguments, reason = BAD[case]
    before = snapshot(project)
    code, output = run("add", "resource", *arguments, "-p", str(project))
    assert code == 2
    assert reason in output
    assert len(output.strip().splitlines()) == 1
    assert snapshot(project) == before


def test_outside_a_project_is_refused(tmp_path: Path) -> None:
    code, output = run("add", "resource", "book", "-p", str(tmp_path), "-F", "a:str")
    assert code == 2
    assert "is not an apigen project" in output


@pytest.mark.parametrize(
    "registry",
    ["FEATURES = list()\n", "ROUTERS = []\n", "FEATURES = [\n"],
    ids=["not-a-literal", "renamed", "broken"],
)
def test_a_registry_it_cannot_read_is_refused(
    project: Path, snapshot: SnapshotFn, registry: str
) -> None:
    (project / "shop" / "api.py").write_text(registry)
    before = snapshot(project)
    code, output = run("add", "resource", "book", "-p", str(project), "-F", "title:str")
    assert code == 2
    assert "cannot register the feature" in output
    assert snapshot(project) == before


def test_a_failure_while_moving_puts_everything_back(
    project: Path, snapshot: SnapshotFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(project)
    calls = fail_nth_replace(monkeypatch, 4)
    with pytest.raises(Exception, match="No space left"):
        add_resource(project, "book", BOOK_FIELDS)
    monkeypatch.undo()
    assert calls["n"] >= 4
    assert snapshot(project) == before


def test_on_a_terminal_fields_are_asked_for_and_a_bad_one_asked_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("apigen.cli._can_prompt", lambda no_input: not no_input)
    result = cli_runner().invoke(
        app,
        ["add", "resource", "book", "-p", str(project)],
        input="title:string\n\ntitle:str:80\nprice:decimal:optional\n\n",
    )
    assert result.exit_code == 0, result.output
    assert "unknown type 'string'" in result.stderr
    assert "at least one field" in result.stderr
    record = json.loads((project / ".apigen-resources.json").read_text())
    assert record["resources"][0]["fields"] == ["title:str:80", "price:decimal:optional"]


def test_input_ending_while_asking_for_fields_changes_nothing(
    project: Path, snapshot: SnapshotFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("apigen.cli._can_prompt", lambda no_input: not no_input)
    before = snapshot(project)
    result = cli_runner().invoke(app, ["add", "resource", "book", "-p", str(project)], input="")
    assert result.exit_code == 2
    assert snapshot(project) == before


@pytest.fixture(scope="module")
def django_pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("django")
    return generate(ProjectSpec(name="shop", framework="django"), output_dir=output).destination


@pytest.fixture
def django_project(django_pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "shop"
    shutil.copytree(django_pristine, copy, symlinks=True)
    return copy


def test_a_django_resource_is_an_app_in_both_halves_of_the_registry(django_project: Path) -> None:
    add_resource(django_project, "book", BOOK_FIELDS)
    add_resource(django_project, "review", ["book_id:ref:books", "stars:int"])
    assert (django_project / "shop" / "books" / "apps.py").is_file()
    api = (django_project / "shop" / "api.py").read_text()
    assert "from shop.books import urls as books_urls" in api
    settings = (django_project / "shop" / "settings" / "base.py").read_text()
    assert '    "shop.books",\n    "shop.reviews",\n' in settings
    migration = (django_project / "shop" / "reviews" / "migrations" / "0001_initial.py").read_text()
    assert '("books", "0001_initial")' in migration
    assert "swappable_dependency(settings.AUTH_USER_MODEL)" in migration


@pytest.mark.parametrize(
    "spec", ["data:str", "fields:int", "check_id:ref:users", "objects:ref:users", "pk:int"]
)
def test_a_django_project_refuses_names_its_models_and_serializers_use(
    django_project: Path, snapshot: SnapshotFn, spec: str
) -> None:
    before = snapshot(django_project)
    code, output = run("add", "resource", "book", "-p", str(django_project), "-F", spec)
    assert code == 2, output
    assert "is reserved" in output
    assert len(output.strip().splitlines()) == 1
    assert snapshot(django_project) == before


def test_a_django_ref_may_be_named_after_a_serializer_attribute(django_project: Path) -> None:
    """`parent_id` gives the model `parent`, which no Django model defines; the serializers only
    know the field as `parent_id`."""
    add_resource(django_project, "category", ["name:str", "parent_id:ref:categories:optional"])
    models = (django_project / "shop" / "categories" / "models.py").read_text()
    assert "parent = models.ForeignKey(" in models
