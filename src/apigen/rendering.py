"""Rendering templates: a framework's project template, and a resource template in memory.

Every project template is a valid Copier template, and `render_project_with_copier` renders it
with Copier. `apigen new` renders it with `render_project` instead: Jinja directly, following the
Copier rules the templates use (`_subdirectory`, `_exclude`, `_templates_suffix`, `_answers_file`,
templated path parts, a templated file winning over a plain sibling, an empty part dropping the
path, question validators, the answers file's `_copier_answers`), without Copier's costs for this
use: importing it (~0.17 s: its prompt toolkit), compiling every path part as a template, and one
`git` process per file. tests/render proves both give byte-identical projects, file modes included.
"""

from __future__ import annotations

import fnmatch
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apigen.errors import TemplateError
from apigen.frameworks import Framework


@dataclass(frozen=True)
class CopierTemplate:
    """What a Copier template's `copier.yml` says: its settings and questions."""

    root: Path
    subdirectory: str
    exclude: tuple[str, ...]
    answers_file: str
    suffix: str
    questions: dict[str, dict[str, Any]]


def read_template(template_dir: Path) -> CopierTemplate:
    """The template in ``template_dir``; raises ``TemplateError`` when it has no usable config."""
    import yaml  # a Copier dependency

    candidates = [template_dir / name for name in ("copier.yml", "copier.yaml")]
    config_file = next((path for path in candidates if path.is_file()), None)
    if config_file is None:
        raise TemplateError(f"no Copier template at {template_dir}")
    try:
        config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"cannot read {config_file}: {exc}") from exc
    if not isinstance(config, dict):
        raise TemplateError(f"{config_file} is not a mapping of questions")
    questions = {
        key: value if isinstance(value, dict) else {"default": value}
        for key, value in config.items()
        if not key.startswith("_")
    }
    return CopierTemplate(
        root=template_dir,
        subdirectory=str(config.get("_subdirectory", "")),
        exclude=tuple(config.get("_exclude", ())),
        answers_file=str(config.get("_answers_file", ".copier-answers.yml")),
        suffix=str(config.get("_templates_suffix", ".jinja")),
        questions=questions,
    )


def render_default(default: Any, answers: dict[str, Any]) -> Any:
    """A question's default: a string is a Jinja expression over the answers before it (Copier's
    rule); anything else is the value itself."""
    if not isinstance(default, str) or ("{{" not in default and "{%" not in default):
        return default
    import jinja2

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    try:
        return environment.from_string(default).render(answers)
    except jinja2.TemplateError as exc:
        raise TemplateError(f"default {default!r}: {exc}") from exc


def render_project(framework: Framework, destination: Path, data: dict[str, Any]) -> None:
    """Render the framework's project template into ``destination`` (which must not exist)
    with every question answered by ``data``; raises ``TemplateError``."""
    import jinja2
    from jinja2_ansible_filters import AnsibleCoreFiltersExtension  # Copier's default filters

    template = read_template(framework.template_dir)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template.root),
        extensions=[AnsibleCoreFiltersExtension],
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    context = {
        **data,
        "_copier_answers": _answers_to_remember(template, data),
        "_copier_conf": {"answers_file": template.answers_file, "src_path": str(template.root)},
    }
    excluded = _exclusion(template)
    source_root = template.root / template.subdirectory
    try:
        _run_validators(environment, template, context)
        destination.mkdir()
        for source in sorted(source_root.rglob("*")):
            relative = source.relative_to(source_root)
            is_template = relative.name.endswith(template.suffix)
            if not is_template and source.with_name(source.name + template.suffix).exists():
                continue  # the templated sibling is rendered instead
            parts = list(relative.parts)
            if is_template:
                parts[-1] = parts[-1][: -len(template.suffix)]
            rendered = [_render_part(environment, part, context) for part in parts]
            if not all(rendered):
                continue  # a part rendered empty drops the path, as Copier does
            target_relative = Path(*rendered)
            if excluded(target_relative):
                continue
            target = destination / target_relative
            if source.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if is_template:
                name = source.relative_to(template.root).as_posix()
                target.write_bytes(environment.get_template(name).render(context).encode())
            else:
                target.write_bytes(source.read_bytes())
            os.chmod(target, source.stat().st_mode & 0o7777)
    except (jinja2.TemplateError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{type(exc).__name__}: {exc}") from exc


def _exclusion(template: CopierTemplate) -> Callable[[Path], bool]:
    """Whether a rendered path is excluded by `_exclude`. The templates use patterns without a
    slash, which (as in .gitignore, Copier's syntax) match a file or folder of that name at any
    depth, and everything below it; a pattern with a slash is refused rather than half-matched."""
    for pattern in template.exclude:
        if "/" in pattern:
            raise TemplateError(f"_exclude pattern {pattern!r}: only names and globs are supported")

    def excluded(path: Path) -> bool:
        return any(fnmatch.fnmatchcase(part, p) for part in path.parts for p in template.exclude)

    return excluded


def _render_part(environment: Any, part: str, context: dict[str, Any]) -> str:
    if "{{" not in part and "{%" not in part:
        return part
    return str(environment.from_string(part).render(context))


def _answers_to_remember(template: CopierTemplate, data: dict[str, Any]) -> dict[str, Any]:
    """What Copier records in the answers file: the source, then every non-secret answer."""
    return {"_src_path": str(template.root)} | {
        key: value
        for key, value in data.items()
        if key in template.questions and not template.questions[key].get("secret", False)
    }


def _run_validators(environment: Any, template: CopierTemplate, context: dict[str, Any]) -> None:
    """An answer must be one of its question's `choices`, and a question's `validator` renders
    to an error message, or to nothing when the answer is good (Copier's rules)."""
    for question, settings in template.questions.items():
        choices = settings.get("choices")
        if choices is not None:
            allowed = list(choices.values()) if isinstance(choices, dict) else list(choices)
            if context.get(question) not in allowed:
                raise TemplateError(f"{question}: {context.get(question)!r} is not a choice")
        validator = settings.get("validator")
        if validator:
            message = environment.from_string(str(validator)).render(context).strip()
            if message:
                raise TemplateError(f"{question}: {message}")


#: Files a template folder may hold that are never rendered (a wheel byte-compiles templates).
_SKIPPED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})
TEMPLATE_SUFFIX = ".jinja"


def render_project_with_copier(
    framework: Framework, destination: Path, data: dict[str, Any]
) -> None:
    """Render the project template with Copier itself (the reference `render_project` is held
    to)."""
    import copier
    from copier.errors import CopierError, CopierWarning
    from jinja2 import TemplateError as JinjaError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CopierWarning)
            copier.run_copy(
                str(framework.template_dir),
                destination,
                data=data,
                settings=copier.Settings(),  # ignore the user's Copier settings file
                defaults=True,
                unsafe=False,
                quiet=True,
                overwrite=True,
            )
    # Copier raises plain ValueError when an answer fails a question's validator.
    except (CopierError, ValueError, JinjaError) as exc:
        raise TemplateError(str(exc) or type(exc).__name__) from exc


def render_tree(template_dir: Path, context: dict[str, Any]) -> dict[str, str]:
    """Every file of ``template_dir`` rendered with ``context``: relative path -> text.

    Path parts may hold Jinja expressions too; files ending in ``.jinja`` are rendered and lose
    the suffix, the others are copied as they are. Undefined variables are errors.
    """
    import jinja2

    environment = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    rendered: dict[str, str] = {}
    try:
        for source in sorted(template_dir.rglob("*")):
            relative = source.relative_to(template_dir)
            if source.is_dir() or _SKIPPED_PARTS & set(relative.parts) or source.suffix == ".pyc":
                continue
            path = environment.from_string(relative.as_posix()).render(context)
            text = source.read_text(encoding="utf-8")
            if path.endswith(TEMPLATE_SUFFIX):
                path = path.removesuffix(TEMPLATE_SUFFIX)
                text = environment.from_string(text).render(context)
            rendered[path] = text
    except (OSError, jinja2.TemplateError) as exc:
        raise TemplateError(f"{template_dir.name}: {exc}") from exc
    return rendered
