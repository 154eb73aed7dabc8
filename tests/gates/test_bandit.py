"""Reliability gate: ``bandit -ll`` finds nothing in the code of a freshly generated project.

A render-level gate (nothing is booted). ``-ll`` (medium severity and up) rather than ``-lll``:
the latter misses hard-coded secrets and SQL built with f-strings. ``# nosec`` is not a way out
either: a suppressed finding fails the gate too.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import harness


@pytest.mark.parametrize("framework", harness.ready_frameworks())
def test_gate_bandit_finds_nothing_in_the_generated_code(framework: str, tmp_path: Path) -> None:
    if importlib.util.find_spec("bandit") is None:  # not imported here: it logs plugin noise
        pytest.skip("bandit is not installed (it is in apigen's dev extra)")
    project = harness.generate_project(tmp_path, framework)
    package = project / harness.package_name(project)
    completed = subprocess.run(
        [sys.executable, "-m", "bandit", "-ll", "-r", str(package), "-f", "json", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.stdout, completed.stderr
    report = json.loads(completed.stdout)
    findings = [
        f"{Path(result['filename']).relative_to(project)}:{result['line_number']} "
        f"{result['test_id']} {result['issue_severity']}: {result['issue_text']}"
        for result in report["results"]
    ]
    assert not findings, "\n".join(findings)
    assert not report["errors"], report["errors"]
    totals = report["metrics"]["_totals"]
    assert totals["nosec"] == 0, "a `# nosec` comment hides a finding from the gate"
    assert totals["loc"] > 500, totals  # it did scan the package
    assert completed.returncode == 0, completed.stderr
