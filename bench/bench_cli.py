"""Wall-time medians of the apigen console script (targets: --help <= 0.2 s, new <= 1.0 s,
add resource <= 0.5 s).

Run with the interpreter of the environment apigen is installed in:

    .venv/bin/python bench/bench_cli.py [--runs N]

Prints figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"apigen --help": 0.2, "apigen new (fastapi)": 1.0, "apigen add resource": 0.5}
#: A resource with a field of every type (what `add resource` renders grows with the fields).
FIELDS = (
    "title:str:120:index",
    "isbn:str:13:unique",
    "summary:text:optional",
    "pages:int",
    "rating:float",
    "price:decimal",
    "in_print:bool",
    "published:date",
    "available_at:datetime",
    "serial:uuid",
    "contact:email",
    "homepage:url",
    "genre:enum:novel,essay",
    "editor_id:ref:users",
)


def _apigen() -> str:
    script = Path(sys.executable).with_name("apigen")
    if not script.exists():
        sys.exit(f"no apigen console script next to {sys.executable}; install apigen first")
    return str(script)


def _time(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (default 7)")
    runs = parser.parse_args().runs
    apigen = _apigen()

    with tempfile.TemporaryDirectory(prefix="apigen-bench-") as scratch:
        cwd = Path(scratch)
        _time([apigen, "--help"], cwd)  # warm the file-system cache
        timings = {
            "apigen --help": [_time([apigen, "--help"], cwd) for _ in range(runs)],
            "apigen new (fastapi)": [
                _time([apigen, "new", f"bench-{i}", "--no-input", "-o", "out"], cwd)
                for i in range(runs)
            ],
        }
        add = [apigen, "add", "resource", "book", "--no-input"]
        add += [f"--field={field}" for field in FIELDS]
        timings["apigen add resource"] = []
        for i in range(runs):
            project = cwd / f"grow-{i}"
            shutil.copytree(cwd / "out" / f"bench-{i}", project)
            timings["apigen add resource"].append(_time(add, project))

    print(f"{'command':<22} {'median':>8} {'min':>8} {'max':>8} {'target':>8}  ({runs} runs)")
    for name, values in timings.items():
        print(
            f"{name:<22} {statistics.median(values):>7.3f}s {min(values):>7.3f}s "
            f"{max(values):>7.3f}s {TARGETS[name]:>7.1f}s"
        )


if __name__ == "__main__":
    main()
