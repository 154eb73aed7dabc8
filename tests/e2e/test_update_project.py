"""`apigen update` end to end, per framework (the `apigen update` issue's proof).

A project is generated from a *previous* template (the current one with changes of the kind a
release makes: a renamed README section, a reworded docstring, a test the earlier template did not
ship, a module it shipped and the current one drops, an older resource template), edited as a user
edits one (a new endpoint with its test, a changed setting default and the test that checks it, a
model field with its migration, a line in the README) and grown with `apigen add resource`. It is
then updated to the current templates with the `apigen` command. The result must be exactly what
the same edits and resources give on a project generated from the current templates (every file
but the secrets, the merge base and the migrations, which keep their identities), and that project
must pass ruff, its own suite (mypy strict included), a migration from an empty database without
drift, and, booted, the contract suite (all but the scale-out tests, which need several workers).
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from apigen import ProjectSpec, frameworks, generate
from tests.support import harness

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FRAMEWORKS = harness.ready_frameworks()
PACKAGE = "shop"
#: RATE_LIMIT of the second service the contract's P08 tests use.
LIMITED = "5/minute"
ROOT = Path(__file__).resolve().parents[2]


# --- the previous template -------------------------------------------------------------------


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: expected one {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


#: A module the previous template shipped and the current one no longer does.
LEGACY_MODULE = "{{package_name}}/legacy.py"
LEGACY_TEXT = '"""Helpers an earlier apigen shipped; nothing imports them any more."""\n'
#: The wording of the settings docstring in the previous template.
OLD_SETTINGS_DOC = '"""Settings, read from the environment and `.env`.'
NEW_SETTINGS_DOC = '"""Settings: one typed object read from the environment and `.env`.'
OLD_DOCKER_COMMENT = "# Image layout of an earlier apigen.\n"
OLD_RESOURCE_COMMENT = "\n# Errors of this feature (an earlier apigen wrote this line).\n"


def previous_template(framework: str, destination: Path) -> frameworks.Framework:
    """The current template of `framework`, copied and turned into an earlier release."""
    current = frameworks.get_framework(framework)
    assert current.resources is not None
    shutil.copytree(current.template_dir, destination)
    template = destination / "template"
    _replace_once(template / "README.md.jinja", "## Docker", "## Container image")
    tests = template / "tests" / "health"
    removed = [path for path in tests.glob("test_health.py*")]
    assert len(removed) == 1, removed
    removed[0].unlink()
    (template / LEGACY_MODULE).write_text(LEGACY_TEXT, encoding="utf-8")
    _replace_once(
        template / "{{package_name}}" / "core" / "config.py.jinja",
        NEW_SETTINGS_DOC,
        OLD_SETTINGS_DOC,
    )
    with (template / "Dockerfile.jinja").open("a", encoding="utf-8") as dockerfile:
        dockerfile.write(OLD_DOCKER_COMMENT)
    errors = (
        destination / "resource" / "{{package_name}}" / "{{resource.plural}}" / "errors.py.jinja"
    )
    with errors.open("a", encoding="utf-8") as module:
        module.write(OLD_RESOURCE_COMMENT)
    resources = dataclasses.replace(current.resources, template_dir=destination / "resource")
    return dataclasses.replace(current, template_dir=destination, resources=resources)


@dataclass
class PreviousApigen:
    """While active, apigen's registry serves the previous template under the framework's name."""

    monkeypatch: pytest.MonkeyPatch

    def activate(self, framework: frameworks.Framework) -> None:
        registry = frameworks._registry()
        registry[framework.name] = framework
        self.monkeypatch.setattr(frameworks, "_registry", lambda: registry)

    def deactivate(self) -> None:
        self.monkeypatch.undo()


# --- the user's edits -------------------------------------------------------------------------

ALEMBIC_MIGRATION = '''"""Posts get an optional subtitle.

Revision ID: 5d1f0c2a9b7e
Revises: 0001
Create Date: 2026-12-01 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d1f0c2a9b7e"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("posts", sa.Column("subtitle", sa.String(length=120), nullable=True))


def downgrade() -> None:
    op.drop_column("posts", "subtitle")
'''

DJANGO_MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("posts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="subtitle",
            field=models.CharField(blank=True, default="", max_length=120),
        ),
    ]
"""

FASTAPI_ENDPOINT = '''

class Liveness(BaseModel):
    status: str


@router.get("/health/live", response_model=Liveness)
async def live() -> Liveness:
    """The process answers; no dependency is checked."""
    return Liveness(status="alive")
'''

FLASK_ENDPOINT = '''

class Liveness(BaseModel):
    status: str


@blueprint.get("/health/live")
@blueprint.output(Liveness)
def live() -> Liveness:
    """The process answers; no dependency is checked."""
    return Liveness(status="alive")
'''

DJANGO_ENDPOINT = '''

class LiveView(ApiView):
    """The process answers; no dependency is checked."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        operation_id="live",
        summary="Liveness",
        tags=["health"],
        auth=[],
        responses={
            200: inline_serializer(name="Liveness", fields={"status": serializers.CharField()})
        },
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "alive"})
'''

LIVE_TESTS = {
    "fastapi": '''"""Our liveness probe."""

import httpx


async def test_live(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
''',
    "flask": '''"""Our liveness probe."""

from flask.testing import FlaskClient

from tests.factories import json_of


def test_live(client: FlaskClient) -> None:
    response = client.get("/health/live")
    assert response.status_code == 200
    assert json_of(response) == {"status": "alive"}
''',
    "django": '''"""Our liveness probe."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_live(api_client: APIClient) -> None:
    response = api_client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
''',
}

README_NOTE = "Maintained by the shop team: ask in #shop before changing the API.\n"
#: Files the user edits or writes (relative to the project).
USER_MIGRATIONS = {
    "fastapi": f"{PACKAGE}/migrations/versions/20261201_5d1f0c2a9b7e_posts_subtitle.py",
    "flask": f"{PACKAGE}/migrations/versions/20261201_5d1f0c2a9b7e_posts_subtitle.py",
    "django": f"{PACKAGE}/posts/migrations/0002_post_subtitle.py",
}


def _edit(project: Path, relative: str, old: str, new: str) -> None:
    _replace_once(project / relative, old, new)


def edit_like_a_user(project: Path, framework: str) -> None:
    readme = project / "README.md"
    title, rest = readme.read_text(encoding="utf-8").split("\n", 1)
    readme.write_text(f"{title}\n\n{README_NOTE}{rest}", encoding="utf-8")

    config = f"{PACKAGE}/core/config.py"
    _edit(
        project,
        config,
        "cache_ttl_seconds: int = Field(default=60,",
        "cache_ttl_seconds: int = Field(default=300,",
    )
    settings_test = project / "tests" / "core" / "test_settings.py"
    checked = settings_test.read_text(encoding="utf-8")
    for default in ("settings.cache_ttl_seconds == 60", "service.cache_ttl_seconds == 60"):
        checked = checked.replace(default, default.replace("60", "300"))
    settings_test.write_text(checked, encoding="utf-8")

    if framework == "django":
        _edit(
            project,
            f"{PACKAGE}/posts/models.py",
            "    body = models.TextField()\n",
            "    body = models.TextField()\n"
            '    subtitle = models.CharField(max_length=120, blank=True, default="")\n',
        )
        (project / USER_MIGRATIONS[framework]).write_text(DJANGO_MIGRATION, encoding="utf-8")
        with (project / PACKAGE / "health" / "views.py").open("a", encoding="utf-8") as views:
            views.write(DJANGO_ENDPOINT)
        _edit(
            project,
            f"{PACKAGE}/urls.py",
            f"from {PACKAGE}.health.views import HealthView\n",
            f"from {PACKAGE}.health.views import HealthView, LiveView\n",
        )
        _edit(
            project,
            f"{PACKAGE}/urls.py",
            '    path("health", HealthView.as_view(), name="health"),\n',
            '    path("health", HealthView.as_view(), name="health"),\n'
            '    path("health/live", LiveView.as_view(), name="live"),\n',
        )
    else:
        _edit(
            project,
            f"{PACKAGE}/posts/models.py",
            "    body: Mapped[str] = mapped_column(Text)\n",
            "    body: Mapped[str] = mapped_column(Text)\n"
            "    subtitle: Mapped[str | None] = mapped_column(String(120))\n",
        )
        (project / USER_MIGRATIONS[framework]).write_text(ALEMBIC_MIGRATION, encoding="utf-8")
        endpoint = FASTAPI_ENDPOINT if framework == "fastapi" else FLASK_ENDPOINT
        with (project / PACKAGE / "health" / "routes.py").open("a", encoding="utf-8") as routes:
            routes.write(endpoint)
    (project / "tests" / "health" / "test_live.py").write_text(LIVE_TESTS[framework], "utf-8")
    described = project / "tests" / "core" / "test_openapi.py"
    listed = '    "/health": {"get"},\n'
    if described.exists() and listed in described.read_text(encoding="utf-8"):
        _edit(
            project,
            "tests/core/test_openapi.py",
            listed,
            f'{listed}    "/health/live": {{"get"}},\n',
        )


# --- comparing projects -----------------------------------------------------------------------

#: Not compared: the secrets, the answers (they name the template's folder), the merge base.
UNCOMPARED = (".env", ".apigen-answers.yml")


def tree(project: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project).as_posix()
        if path.is_file() and relative not in UNCOMPARED and not relative.startswith(".apigen/"):
            files[relative] = path.read_bytes()
    return files


def migrations_of(files: dict[str, bytes]) -> set[str]:
    from apigen.update import is_migration

    return {relative for relative in files if is_migration(relative)}


def run_apigen(*args: str | Path) -> subprocess.CompletedProcess[str]:
    apigen = Path(sys.executable).with_name("apigen")
    return subprocess.run(
        [str(apigen), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@dataclass(frozen=True)
class Updated:
    framework: str
    project: Path
    before: dict[str, bytes]
    reference: Path
    output: str


@pytest.fixture(scope="module", params=FRAMEWORKS)
def updated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Updated]:
    framework: str = request.param
    work = tmp_path_factory.mktemp(f"update-{framework}")
    with pytest.MonkeyPatch.context() as monkeypatch:
        previous = PreviousApigen(monkeypatch)
        previous.activate(previous_template(framework, work / "previous-template"))
        project = generate(
            ProjectSpec(name=PACKAGE, framework=framework), output_dir=work / "updated"
        ).destination
        edit_like_a_user(project, framework)
        harness.grow_project(project)
        previous.deactivate()
    assert (project / PACKAGE / "legacy.py").exists()
    before = tree(project)
    result = run_apigen("update", "--project", project)
    assert result.returncode == 0, result.stdout + result.stderr

    reference = generate(
        ProjectSpec(name=PACKAGE, framework=framework), output_dir=work / "reference"
    ).destination
    edit_like_a_user(reference, framework)
    harness.grow_project(reference)
    yield Updated(framework, project, before, reference, result.stdout + result.stderr)


def test_update_gives_what_the_current_templates_give_with_the_same_edits(
    updated: Updated,
) -> None:
    after, expected = tree(updated.project), tree(updated.reference)
    # Added resources' migrations are named after revision ids drawn when they were added.
    assert len(migrations_of(after)) == len(migrations_of(expected))
    assert sorted(set(after) - migrations_of(after)) == sorted(
        set(expected) - migrations_of(expected)
    )
    differing = [
        relative
        for relative in set(expected) - migrations_of(expected)
        if after[relative] != expected[relative]
    ]
    assert differing == [], updated.output


def test_the_users_edits_survive(updated: Updated) -> None:
    project = updated.project
    assert README_NOTE in (project / "README.md").read_text(encoding="utf-8")
    config = (project / PACKAGE / "core" / "config.py").read_text(encoding="utf-8")
    assert "cache_ttl_seconds: int = Field(default=300," in config
    assert (project / "tests" / "health" / "test_live.py").read_text("utf-8") == LIVE_TESTS[
        updated.framework
    ]
    # Migrations keep their bytes: the user's and the added resources' (they may be applied).
    after = tree(project)
    for relative in migrations_of(updated.before):
        assert after[relative] == updated.before[relative], relative
    assert USER_MIGRATIONS[updated.framework] in after


def test_the_templates_changes_arrive(updated: Updated) -> None:
    project = updated.project
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "## Docker" in readme and "## Container image" not in readme
    assert list((project / "tests" / "health").glob("test_health.py"))
    assert not (project / PACKAGE / "legacy.py").exists()
    config = (project / PACKAGE / "core" / "config.py").read_text(encoding="utf-8")
    assert config.startswith(NEW_SETTINGS_DOC)
    assert OLD_DOCKER_COMMENT not in (project / "Dockerfile").read_text(encoding="utf-8")
    for name, _ in harness.GROWN_RESOURCES:
        errors = project / PACKAGE / harness.pluralize(name) / "errors.py"
        assert OLD_RESOURCE_COMMENT not in errors.read_text(encoding="utf-8")


def test_a_second_update_changes_nothing(updated: Updated) -> None:
    before = tree(updated.project)
    result = run_apigen("update", "--project", updated.project, "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    result = run_apigen("update", "--project", updated.project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree(updated.project) == before


def test_the_updated_project_is_ruff_clean_and_passes_its_own_suite(updated: Updated) -> None:
    project = updated.project
    venv = harness.ensure_venv(project)
    for check in (["check", "."], ["format", "--check", "."]):
        linted = harness.run_in_project(project, venv, ["-m", "ruff", *check])
        assert linted.returncode == 0, linted.stdout
    suite = harness.run_in_project(project, venv, ["-m", "pytest", "-q", "-p", "no:cacheprovider"])
    assert suite.returncode == 0, suite.stdout[-20_000:]
    assert "test_the_code_passes_mypy_strict" not in suite.stdout  # its suite runs mypy --strict


def test_the_updated_project_migrates_without_drift_and_serves_the_contract(
    updated: Updated, tmp_path: Path
) -> None:
    project = updated.project
    venv = harness.ensure_venv(project)
    url = harness.sqlite_url(tmp_path / "updated.db")
    env = {"DATABASE_URL": url}
    migrated = harness.run_in_project(project, venv, ["-m", PACKAGE, "migrate"], env)
    assert migrated.returncode == 0, migrated.stdout
    if updated.framework == "django":
        drift = ["manage.py", "makemigrations", "--check", "--dry-run"]
    else:
        drift = ["-m", "alembic", "check"]
    checked = harness.run_in_project(project, venv, drift, env)
    assert checked.returncode == 0, checked.stdout

    # The contract suite as CI runs it on a SQLite target: the service, and a second process on
    # the same database with a low rate limit for P08. Only the scale-out tests are left out:
    # they need several workers sharing Redis.
    served = {**env, "SSE_PING_SECONDS": "1"}
    with (
        harness.boot(project, venv, served, log_dir=tmp_path) as service,
        harness.boot(project, venv, served, rate_limit=LIMITED, log_dir=tmp_path) as limited,
    ):
        import httpx

        assert httpx.get(f"{service.base_url}/health/live").json() == {"status": "alive"}
        assert service.secret_key is not None
        contract = subprocess.run(
            [
                *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/contract"),
                *("--deselect", "tests/contract/test_scale_out.py"),
                *("--base-url", service.base_url, "--limited-base-url", limited.base_url),
                *("--limited-rate-limit", LIMITED, "--sse-ping-seconds", "1"),
                *("--admin-email", harness.ADMIN_EMAIL, "--admin-password", harness.ADMIN_PASSWORD),
                *("--secret-key", service.secret_key, "--service-log", str(service.log_path)),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
    assert contract.returncode == 0, contract.stdout[-20_000:]
    assert " passed" in contract.stdout and " skipped" not in contract.stdout, contract.stdout


def test_the_report_names_each_change(updated: Updated) -> None:
    """`apigen update` lists every file it changed with what it did: the template's changes
    taken, the user's edits merged, the new test added, the dropped module deleted."""
    actions = {
        line.split()[1]: line.split()[0]
        for line in updated.output.splitlines()
        if line.startswith("  ") and len(line.split()) >= 2
    }
    assert actions.get("README.md") == "merged", updated.output
    assert actions.get(f"{PACKAGE}/core/config.py") == "merged", updated.output
    assert actions.get("Dockerfile") == "updated", updated.output
    assert actions.get("tests/health/test_health.py") == "added", updated.output
    assert actions.get(f"{PACKAGE}/legacy.py") == "deleted", updated.output
    assert "conflict" not in actions.values(), updated.output
