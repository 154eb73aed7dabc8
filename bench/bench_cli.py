"""Wall-time medians of the apigen console script (targets: --help <= 0.2 s, new <= 1.0 s,
add resource <= 0.5 s).

Run with the interpreter of the environment apigen is installed in:

    .venv/bin/python bench/bench_cli.py [--runs N] [--cookiecutter-django PATH]

With ``--cookiecutter-django`` (a checkout: ``git clone
https://github.com/cookiecutter/cookiecutter-django``) it also renders that template's DRF variant
side by side, with ``cookiecutter`` from PyPI in a cached venv (uv), and prints the ratio. Its
post-generation hook runs ``uv add`` against the network; the benchmark renders a copy whose
``setup_dependencies`` returns at once, so both tools are timed rendering and nothing else.

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

COOKIECUTTER_DJANGO = "cookiecutter-django (DRF)"
FRAMEWORKS = ("fastapi", "django")
TARGETS = {
    "apigen --help": 0.2,
    **{f"apigen new ({framework})": 1.0 for framework in FRAMEWORKS},
    **{f"apigen add resource ({framework})": 0.5 for framework in FRAMEWORKS},
}
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


def _cookiecutter(scratch: Path) -> Path:
    """The ``cookiecutter`` executable of a venv made for the benchmark (cached by uv)."""
    from uv import find_uv_bin  # in apigen's dev extra

    uv = find_uv_bin()
    venv = scratch / "cookiecutter-venv"
    subprocess.run([uv, "venv", "-q", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(python), "cookiecutter>=2.6"], check=True
    )
    return venv / "bin" / "cookiecutter"


def _offline_copy(checkout: Path, scratch: Path) -> Path:
    """cookiecutter-django with its network step (`uv add` in the post-generation hook) off."""
    copy = scratch / "cookiecutter-django"
    shutil.copytree(checkout, copy, ignore=shutil.ignore_patterns(".git"))
    hook = copy / "hooks" / "post_gen_project.py"
    text = hook.read_text(encoding="utf-8")
    marker = "def setup_dependencies():\n"
    if marker not in text:
        sys.exit(f"{hook} has no setup_dependencies() to stub out; update the benchmark")
    hook.write_text(text.replace(marker, marker + "    return\n", 1), encoding="utf-8")
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (default 7)")
    parser.add_argument(
        "--cookiecutter-django", type=Path, default=None, help="a cookiecutter-django checkout"
    )
    options = parser.parse_args()
    runs = options.runs
    apigen = _apigen()

    with tempfile.TemporaryDirectory(prefix="apigen-bench-") as scratch:
        cwd = Path(scratch)
        _time([apigen, "--help"], cwd)  # warm the file-system cache
        timings = {"apigen --help": [_time([apigen, "--help"], cwd) for _ in range(runs)]}
        add = [apigen, "add", "resource", "book", "--no-input"]
        add += [f"--field={field}" for field in FIELDS]
        for framework in FRAMEWORKS:
            new = [apigen, "new", "--no-input", "--framework", framework, "-o", framework]
            timings[f"apigen new ({framework})"] = [
                _time([*new[:2], f"bench-{i}", *new[2:]], cwd) for i in range(runs)
            ]
            grown = timings[f"apigen add resource ({framework})"] = []
            for i in range(runs):
                project = cwd / f"grow-{framework}-{i}"
                shutil.copytree(cwd / framework / f"bench-{i}", project)
                grown.append(_time(add, project))
        if options.cookiecutter_django is not None:
            template = _offline_copy(options.cookiecutter_django.resolve(), cwd)
            cookiecutter = str(_cookiecutter(cwd))
            render = [cookiecutter, "--no-input", str(template), "rest_api=DRF"]
            timings[COOKIECUTTER_DJANGO] = [
                _time([*render, "-o", f"cc-{i}"], cwd) for i in range(runs)
            ]

    print(f"{'command':<30} {'median':>8} {'min':>8} {'max':>8} {'target':>8}  ({runs} runs)")
    for name, values in timings.items():
        target = f"{TARGETS[name]:>7.1f}s" if name in TARGETS else f"{'-':>8}"
        print(
            f"{name:<30} {statistics.median(values):>7.3f}s {min(values):>7.3f}s "
            f"{max(values):>7.3f}s {target}"
        )
    if COOKIECUTTER_DJANGO in timings:
        for framework in FRAMEWORKS:
            ratio = statistics.median(timings[f"apigen new ({framework})"]) / statistics.median(
                timings[COOKIECUTTER_DJANGO]
            )
            print(
                f"apigen new ({framework}) / cookiecutter-django (DRF): {ratio:.2f}x "
                "(below 1: apigen is faster)"
            )


if __name__ == "__main__":
    main()
