"""What `apigen add resource` was asked for: a resource's name and fields, parsed and checked.

The syntax (docs/CONTRACT.md, "Added resources"): ``NAME`` is a singular snake_case noun; each
``--field`` is ``FIELD:TYPE[:ARGUMENT][:MODIFIER]...`` where ``str`` may take a maximum length
(``str:120``), ``enum`` takes its values (``enum:draft,published``) and ``ref`` the resource it
points to, named as in its URL (``ref:users``, ``ref:books``); the modifiers ``optional``,
``unique`` and ``index`` follow in any order.

Everything here is framework-neutral: the templates of each framework turn a `ResourceSpec` into
code. Nothing is imported that ``apigen --help`` would pay for.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apigen import naming
from apigen.errors import InvalidFieldSpec, InvalidResourceName

TYPES = (
    "str",
    "text",
    "int",
    "float",
    "decimal",
    "bool",
    "date",
    "datetime",
    "uuid",
    "email",
    "url",
    "enum",
    "ref",
)
MODIFIERS = ("optional", "unique", "index")
DEFAULT_STR_LENGTH = 255
#: A string column longer than this is a `text` field (and PostgreSQL's varchar limit is 10 MiB).
MAX_STR_LENGTH = 10_000
#: PostgreSQL truncates identifiers at 63 bytes; `ix_<table>_<column>` must stay distinct.
MAX_NAME_LENGTH = 40

#: Columns every resource has.
BUILT_IN_FIELDS = frozenset({"id", "owner_id", "created_at", "updated_at"})
#: Query parameters of every list endpoint: a field of that name would shadow one.
LIST_PARAMETERS = frozenset({"skip", "limit", "sort_by", "sort_order"})
#: Names the ORM or the schema library give a meaning on every model, or that the generated code
#: uses next to the fields. (Pydantic also reserves every name starting with ``model_``.)
RESERVED_FIELDS = frozenset(
    {
        # the type names the model and schema classes use in their bodies
        "bool",
        "bytes",
        "date",
        "datetime",
        "decimal",
        "float",
        "int",
        "mapped_column",
        "relationship",
        "str",
        "time",
        "uuid",
        # names the libraries give every model
        "copy",
        "dict",
        "json",
        "metadata",
        "owner",
        "query",
        "registry",
        "schema",
        "validate",
    }
)
#: Names taken by every generated project, in any framework: its features, its folders and the
#: names its code already gives a meaning (a resource `page` would shadow the pagination `Page`).
RESERVED_RESOURCES = frozenset(
    {
        "account",
        "admin",
        "api",
        "app",
        "auth",
        "base",
        "config",
        "core",
        "event",
        "factory",
        "field",
        "health",
        "main",
        "member",
        "migration",
        "model",
        "notification",
        "page",
        "post",
        "profile",
        "realtime",
        "request",
        "response",
        "router",
        "session",
        "setting",
        "static",
        "test",
        "transfer",
        "user",
        "ws",
    }
)

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
_ENUM_VALUE = re.compile(r"[a-z][a-z0-9_-]*")


@dataclass(frozen=True)
class FieldSpec:
    """One declared field. ``max_length`` is set for ``str``, ``choices`` for ``enum`` and
    ``ref`` (the referenced resource's plural) for ``ref`` fields."""

    name: str
    type: str
    optional: bool = False
    unique: bool = False
    index: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    ref: str | None = None

    @property
    def scalar(self) -> bool:
        """Sortable and filterable: every type but unbounded text."""
        return self.type != "text"

    def to_spec(self) -> str:
        """The ``--field`` argument that parses back to this field."""
        parts = [self.name, self.type]
        if self.type == "str" and self.max_length != DEFAULT_STR_LENGTH:
            parts.append(str(self.max_length))
        if self.type == "enum":
            parts.append(",".join(self.choices))
        if self.ref is not None:
            parts.append(self.ref)
        parts.extend(modifier for modifier in MODIFIERS if getattr(self, modifier))
        return ":".join(parts)

    def context(self, resource: str, singulars: Mapping[str, str]) -> dict[str, Any]:
        """What the templates see of the field; ``resource`` is the singular of the resource it
        belongs to, ``singulars`` maps each plural a ``ref`` may name to its singular."""
        return {
            "name": self.name,
            "type": self.type,
            "optional": self.optional,
            "unique": self.unique,
            "index": self.index,
            "scalar": self.scalar,
            "max_length": self.max_length,
            "choices": [
                {"value": value, "member": value.upper().replace("-", "_")}
                for value in self.choices
            ],
            "enum_class": (
                naming.to_pascal(f"{resource}_{self.name}") if self.type == "enum" else None
            ),
            "ref": _ref_context(self.ref, singulars) if self.ref is not None else None,
        }


def _ref_context(plural: str, singulars: Mapping[str, str]) -> dict[str, str]:
    singular = singulars[plural]
    return {
        "plural": plural,
        "table": plural,
        "name": singular,
        "class_name": naming.to_pascal(singular),
    }


@dataclass(frozen=True)
class ResourceSpec:
    """A resource to add: its singular ``name`` and its fields, checked against each other (the
    project-dependent checks, such as whether a ``ref`` target exists, are `check_against`)."""

    name: str
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)

    @property
    def plural(self) -> str:
        return naming.pluralize(self.name)

    @property
    def class_name(self) -> str:
        return naming.to_pascal(self.name)

    @property
    def refs(self) -> set[str]:
        return {spec.ref for spec in self.fields if spec.ref is not None}

    def check_against(self, *, taken: Iterable[str], resources: Iterable[str]) -> None:
        """Refuse a name the project already uses and a ``ref`` to a resource it does not have.

        ``taken``: every name the project's package and tests already hold; ``resources``: the
        plurals a ``ref`` may name (``users`` and the resources added so far).
        """
        taken = set(taken)
        for candidate in (self.name, self.plural):
            if candidate in taken:
                raise InvalidResourceName(self.name, f"the project already has {candidate!r}")
        known = set(resources)
        for spec in self.fields:
            if spec.ref is not None and spec.ref not in known | {self.plural}:
                raise InvalidFieldSpec(
                    spec.to_spec(),
                    f"ref to unknown resource {spec.ref!r}",
                    hint=f"known: {', '.join(sorted(known))}",
                )
            if spec.ref == self.plural and not spec.optional:
                raise InvalidFieldSpec(
                    spec.to_spec(),
                    "a ref to the resource itself must be optional (the first row has none)",
                    hint=f"{spec.name}:ref:{self.plural}:optional",
                )

    def context(self, singulars: Mapping[str, str]) -> dict[str, Any]:
        """What the templates see of the resource; ``singulars`` maps the plural of every
        resource a ``ref`` may name (``users`` and the added ones) to its singular."""
        singulars = {**singulars, self.plural: self.name}
        fields = [spec.context(self.name, singulars) for spec in self.fields]
        return {
            "name": self.name,
            "plural": self.plural,
            "class_name": self.class_name,
            "upper": self.name.upper(),
            "label": self.name.replace("_", " "),
            "plural_label": self.plural.replace("_", " "),
            "fields": fields,
            "scalar_fields": [spec for spec in fields if spec["scalar"]],
            "types": sorted({spec.type for spec in self.fields}),
            "refs": sorted(self.refs),
        }

    def record(self) -> dict[str, Any]:
        """How the project remembers the resource (for `apigen update` to render it again)."""
        return {"name": self.name, "fields": [spec.to_spec() for spec in self.fields]}


def parse_resource(name: str, field_specs: Sequence[str]) -> ResourceSpec:
    """A checked `ResourceSpec`; raises `InvalidResourceName` or `InvalidFieldSpec`."""
    validate_resource_name(name)
    if not field_specs:
        raise InvalidFieldSpec("", "a resource needs at least one --field", hint="name:str")
    fields = tuple(parse_field(spec) for spec in field_specs)
    seen: set[str] = set()
    for spec in fields:
        if spec.name in seen:
            raise InvalidFieldSpec(spec.to_spec(), f"field {spec.name!r} is declared twice")
        seen.add(spec.name)
    return ResourceSpec(name=name, fields=fields)


def validate_resource_name(name: str) -> str:
    if not name or not name.isascii() or not _IDENTIFIER.fullmatch(name):
        raise InvalidResourceName(
            name, "use a singular snake_case name: a lower-case letter, then letters, digits, '_'"
        )
    if "__" in name or name.endswith("_"):
        raise InvalidResourceName(name, "use single underscores between words")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidResourceName(name, f"longer than {MAX_NAME_LENGTH} characters")
    plural = naming.pluralize(name)
    if plural == name:
        raise InvalidResourceName(
            name, "its plural is the same word; use a noun whose plural differs"
        )
    for word in (name, plural):
        if keyword.iskeyword(word) or keyword.issoftkeyword(word):
            raise InvalidResourceName(name, f"{word!r} is a Python keyword")
        if word in RESERVED_RESOURCES or word.rstrip("s") in RESERVED_RESOURCES:
            raise InvalidResourceName(name, f"{word!r} is reserved in every generated project")
        if word in naming.PROJECT_FOLDERS:
            raise InvalidResourceName(name, f"{word!r} is one of the project's own folders")
    return name


def parse_field(text: str) -> FieldSpec:
    """One ``--field`` argument; raises `InvalidFieldSpec` with the reason."""
    parts = text.split(":")
    if len(parts) < 2 or not all(parts):
        raise InvalidFieldSpec(
            text, "expected NAME:TYPE[:ARGUMENT][:MODIFIER...] with no empty part"
        )
    name, type_, rest = parts[0], parts[1], parts[2:]
    _check_field_name(text, name)
    if type_ not in TYPES:
        raise InvalidFieldSpec(text, f"unknown type {type_!r}", hint=f"types: {', '.join(TYPES)}")
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    ref: str | None = None
    if type_ == "str":
        max_length = DEFAULT_STR_LENGTH
        if rest and rest[0] not in MODIFIERS:
            max_length = _str_length(text, rest.pop(0))
    elif type_ == "enum":
        if not rest or rest[0] in MODIFIERS:
            raise InvalidFieldSpec(text, "enum needs its values", hint="status:enum:draft,done")
        choices = _enum_values(text, rest.pop(0))
    elif type_ == "ref":
        if not rest or rest[0] in MODIFIERS:
            raise InvalidFieldSpec(text, "ref needs the resource it points to", hint="ref:users")
        ref = rest.pop(0)
        if not _IDENTIFIER.fullmatch(ref):
            raise InvalidFieldSpec(text, f"{ref!r} is not a resource name like 'users'")
    modifiers: set[str] = set()
    for modifier in rest:
        if modifier not in MODIFIERS:
            raise InvalidFieldSpec(
                text, f"unknown modifier {modifier!r}", hint=f"modifiers: {', '.join(MODIFIERS)}"
            )
        if modifier in modifiers:
            raise InvalidFieldSpec(text, f"modifier {modifier!r} is given twice")
        modifiers.add(modifier)
    if type_ == "text" and ("unique" in modifiers or "index" in modifiers):
        raise InvalidFieldSpec(text, "text fields cannot be unique or indexed; use str:N")
    if "unique" in modifiers and (type_ in ("bool", "enum") or max_length == 1):
        raise InvalidFieldSpec(
            text, f"a unique {type_ if max_length != 1 else 'str:1'} would allow only a few rows"
        )
    return FieldSpec(
        name=name,
        type=type_,
        optional="optional" in modifiers,
        unique="unique" in modifiers,
        index="index" in modifiers,
        max_length=max_length,
        choices=choices,
        ref=ref,
    )


def _check_field_name(text: str, name: str) -> None:
    if not name.isascii() or not _IDENTIFIER.fullmatch(name) or "__" in name:
        raise InvalidFieldSpec(text, f"field name {name!r} is not a snake_case identifier")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidFieldSpec(text, f"field name longer than {MAX_NAME_LENGTH} characters")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise InvalidFieldSpec(text, f"field name {name!r} is a Python keyword")
    if name in BUILT_IN_FIELDS:
        raise InvalidFieldSpec(text, f"every resource already has {name!r}")
    if name in LIST_PARAMETERS:
        raise InvalidFieldSpec(text, f"{name!r} is a query parameter of every list endpoint")
    if name in RESERVED_FIELDS or name.startswith("model_"):
        raise InvalidFieldSpec(
            text, f"field name {name!r} is reserved: the generated models use it themselves"
        )


def _str_length(text: str, value: str) -> int:
    if not value.isascii() or not value.isdigit() or value.startswith("0"):
        raise InvalidFieldSpec(text, f"{value!r} is neither a length nor a modifier")
    length = int(value)
    if length > MAX_STR_LENGTH:
        raise InvalidFieldSpec(text, f"str longer than {MAX_STR_LENGTH}; use text")
    return length


def _enum_values(text: str, value: str) -> tuple[str, ...]:
    values = tuple(value.split(","))
    for choice in values:
        if not _ENUM_VALUE.fullmatch(choice):
            raise InvalidFieldSpec(
                text,
                f"enum value {choice!r}: use lower-case words (letters, digits, '_', '-')",
            )
    members = [choice.upper().replace("-", "_") for choice in values]
    if len(set(members)) != len(members):
        raise InvalidFieldSpec(text, "enum values must be distinct")
    return values
