"""Reliability gate: schemathesis fuzzes every operation of the live service (issue 3).

The schemathesis CLI runs against the booted target's ``/openapi.json`` with a fixed seed, a bounded
number of examples per operation, every default check plus ``no_internals_leak``
(``schemathesis_hooks.py``), authenticated as a regular user (an admin token would let it delete
the admin). The gate is 0 failures and 0 errors over every operation of the document.

Only business rules that JSON Schema cannot express widen a check, for one operation each
(``OPERATION_CONFIG``); nothing is disabled wholesale.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract.client import new_user
from tests.support import harness
from tests.support.harness import Service

#: Fixed, so a failure reproduces (``st run ... --seed``).
SEED = 20261121
#: Examples per operation (fuzzing phase). Measured on 2 shared cores, 18 operations, per target:
#: 50 -> ~1,600 cases in ~35 s, 150 -> ~3,050 cases in ~70 s; 100 keeps the suite well in budget.
MAX_EXAMPLES = int(os.environ.get("APIGEN_GATE_EXAMPLES", "100"))
#: The whole run must end well inside the CI budget.
RUN_TIMEOUT_SECONDS = 600

#: schemathesis' defaults for ``positive_data_acceptance`` (config/_checks.py).
_POSITIVE_DEFAULTS = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]

# Each entry: (operation, TOML lines of its [[operations]] table, why).
OPERATION_CONFIG: tuple[tuple[str, str, str], ...] = (
    (
        "POST /api/v1/transfers",
        "checks.positive_data_acceptance.expected-statuses = {statuses}".format(
            statuses=json.dumps([*_POSITIVE_DEFAULTS, "400", "422"])
        ),
        "a schema-valid transfer can still be refused by state: 400 INSUFFICIENT_FUNDS or "
        "BALANCE_LIMIT_EXCEEDED (balances), 422 when from_account_id == to_account_id (a "
        "cross-field rule JSON Schema cannot state)",
    ),
    (
        "POST /api/v1/profiles",
        "checks.positive_data_acceptance.expected-statuses = {statuses}".format(
            statuses=json.dumps([*_POSITIVE_DEFAULTS, "422"])
        ),
        "P02 rules JSON Schema cannot state: a birth_date must make the person 18 on the day of "
        "the request, and names must not be all digits",
    ),
    (
        "GET /api/v1/events/stream",
        "request-timeout = 2\nmax-stream-events = 1",
        "an event stream never ends: read its head and first event or ping for 2s, not for the "
        "full request timeout of every case",
    ),
)


#: Operations of optional features (P16): configured only when the service documents them.
OPTIONAL_OPERATIONS = frozenset({"GET /api/v1/events/stream"})


def _resource_config(operations: set[str]) -> list[tuple[str, str, str]]:
    """The writes of every added resource that declares a `ref`: an id of the right type and
    range may still name no row (422, a rule of the data, not of the schema)."""
    entries = []
    for name, fields in harness.GROWN_RESOURCES:
        if not any(":ref:" in field for field in fields):
            continue
        collection = f"/api/v1/{harness.pluralize(name)}"
        writes = [f"POST {collection}"] + [
            operation
            for operation in sorted(operations)
            if operation.startswith(f"PATCH {collection}/{{")
        ]
        for operation in writes:
            assert operation in operations, f"{operation} is not in /openapi.json"
            entries.append(
                (
                    operation,
                    "checks.positive_data_acceptance.expected-statuses = {statuses}".format(
                        statuses=json.dumps([*_POSITIVE_DEFAULTS, "422"])
                    ),
                    "a ref field's id can be well-formed and in range and still name no row: a "
                    "422 naming the field (a rule of the data, which JSON Schema cannot state)",
                )
            )
    return entries


def _config_toml(operations: set[str]) -> str:
    lines = [
        "# Written by tests/gates/test_schemathesis.py: per-operation settings, and per-operation",
        "# widening of single checks for business rules JSON Schema cannot express.",
    ]
    for name, settings, why in [*OPERATION_CONFIG, *_resource_config(operations)]:
        if name not in operations:
            continue
        lines += ["", f"# {why}", "[[operations]]", f"include-name = {json.dumps(name)}", settings]
    return "\n".join(lines) + "\n"


def _schemathesis() -> str:
    executable = Path(sys.executable).with_name("schemathesis")
    if not executable.is_file():
        pytest.skip("schemathesis is not installed (it is in apigen's dev extra)")
    return str(executable)


@pytest.fixture(scope="session")
def fuzz_token(service: Service) -> str:
    """A regular user's token: the fuzzer acts with the rights of any registered user."""
    with httpx.Client(base_url=service.base_url, timeout=30) as http:
        return new_user(http, "fuzzer").token


def _summary(report: dict[str, Any]) -> str:
    failures = "; ".join(
        f"{failure['code']} {failure['title']} x{failure['count']}: "
        + ", ".join(failure["operations"])
        for failure in report.get("failures", [])
    )
    return (
        f"operations {report['operations']}, test cases {report['test_cases']}, "
        f"failures: {failures or 'none'}, errors: {report.get('errors') or 'none'}"
    )


def _failures_section(output: str, limit: int = 12_000) -> str:
    start = output.find("=== FAILURES ===")
    start = output.find("=== ERRORS ===") if start < 0 else start
    return output[max(start, 0) :][:limit]


def test_gate_schemathesis_every_operation(
    service: Service,
    fuzz_token: str,
    tmp_path: Path,
    record_property: pytest.RecordProperty,
) -> None:
    """Every operation, fixed seed, every default check + no_internals_leak: 0 failures."""
    document = httpx.get(f"{service.base_url}/openapi.json", timeout=30).json()
    operations = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
    }
    for name, _, _ in OPERATION_CONFIG:  # an override for a vanished operation is stale
        if name not in OPTIONAL_OPERATIONS:
            assert name in operations, f"{name} is configured here but not in /openapi.json"

    config = tmp_path / "schemathesis.toml"
    config.write_text(_config_toml(operations), encoding="utf-8")
    report_dir = tmp_path / "report"
    command = [
        _schemathesis(),
        "--config-file",
        str(config),
        "run",
        f"{service.base_url}/openapi.json",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--header",
        f"Authorization: Bearer {fuzz_token}",
        "--report",
        "json,junit",
        "--report-dir",
        str(report_dir),
        "--request-timeout",
        "30",
        "--no-color",
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.gates.schemathesis_hooks",
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")]
        ),
    }
    started = time.monotonic()
    completed = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    elapsed = time.monotonic() - started
    output = completed.stdout + completed.stderr
    reports = sorted(report_dir.glob("json-*.json"))
    assert reports, f"schemathesis wrote no report (exit {completed.returncode}):\n{output[-8000:]}"
    report = json.loads(reports[-1].read_text(encoding="utf-8"))

    cases = report["test_cases"]["generated"]
    record_property("schemathesis_cases", cases)
    record_property("schemathesis_seconds", round(elapsed, 1))
    print(  # shown with -s / -rA: the CI budget is tuned from these numbers
        f"\nschemathesis on {service.base_url}: {report['operations']['tested']} operations, "
        f"{cases} cases, {MAX_EXAMPLES} examples/operation, seed {SEED}, {elapsed:.1f}s"
    )

    assert report["operations"]["tested"] == len(operations), _summary(report)
    assert report["operations"]["errored"] == 0, _summary(report)
    assert completed.returncode == 0, f"{_summary(report)}\n\n{_failures_section(output)}"
    assert not report["failures"], _summary(report)
    assert not report["errors"], _summary(report)


#: Not rate limited (CONTRACT.md), so no 429 to document; nor 413 (CONTRACT.md P18).
RATE_LIMIT_EXEMPT = frozenset({"/health"})


def test_gate_openapi_documents_the_error_statuses(service: Service) -> None:
    """The statuses every client can meet are in the document, operation by operation: 429 and
    413 (a body over MAX_REQUEST_BYTES) everywhere but /health, 401 wherever a token is read,
    400 (malformed) and 422 wherever there is a body, 422 wherever there are parameters.
    schemathesis' status_code_conformance checks the rest (403, 404, 409) against what the
    service actually answers."""
    document = httpx.get(f"{service.base_url}/openapi.json", timeout=30).json()
    missing: list[str] = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            documented = set(operation.get("responses", {}))
            needed = set()
            if path not in RATE_LIMIT_EXEMPT:
                needed |= {"413", "429"}
            if operation.get("security", document.get("security")):
                needed.add("401")
            if "requestBody" in operation:
                needed |= {"400", "422"}
            if operation.get("parameters"):
                needed.add("422")
            if needed - documented:
                missing.append(f"{method.upper()} {path}: {sorted(needed - documented)}")
    assert not missing, "undocumented statuses:\n" + "\n".join(missing)
