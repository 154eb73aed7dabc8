"""Field values for the resources `apigen add resource` adds (docs/CONTRACT.md §6), by field type.

Everything here is derived from a resource *spec* (``apigen.resource.parse_resource``) and the
contract's JSON formats, never from how a framework builds the resource: which values are valid,
what the service must answer for them, which values it must refuse, how they sort and how they
are written as query parameters.

Valid values are made from a ``token`` (random hex, one per row or per batch of rows) and a
``rank`` (0, 1 or 2): rows sharing a token differ by rank, and a value's rank decides where it
sorts among them whatever the database's collation (the rank is the leading character of a
string); rows with different tokens never clash on a ``unique`` field.

Invalid values are raw JSON texts (see `json_body`), so that values Python's ``json`` would not
write as wanted (a number too large for a double, a lone surrogate) can be sent as well.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from apigen.resource import FieldSpec, ResourceSpec, parse_resource

#: An id in range (1..2**31-1) that no row has: the services under test never get this far.
MISSING_ID = 2_147_480_000
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
#: The largest magnitude NUMERIC(14, 2) holds.
DECIMAL_MAX = 999_999_999_999.99
EMAIL_MAX_LENGTH = 320
URL_MAX_LENGTH = 2048
#: Ranks a batch of rows uses; `value` makes them distinct for every type but ``bool``.
RANKS = 3
#: Columns every row carries besides its declared fields.
BUILT_IN_KEYS = ("id", "owner_id", "created_at", "updated_at")
#: Types whose values a test can make its own (random), so that an exact-match filter on one
#: picks only the rows that test created: best first.
_MARKER_TYPES = ("str", "email", "url", "uuid", "ref", "int", "decimal", "float", "datetime")
_DECIMAL_OUT = re.compile(r"-?\d{1,12}\.\d{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: The offset `other_spelling` writes an instant at (`round_trip_values` sends several more).
_OFFSET = dt.timezone(dt.timedelta(hours=2))


# --------------------------------------------------------------------------- specs


def parse_resource_option(text: str) -> tuple[str, tuple[str, ...]]:
    """``"book title:str:120 isbn:str:13:unique"`` -> ``("book", ("title:str:120", ...))``."""
    name, *fields = text.split()
    return name, tuple(fields)


def parse_resources(specs: Iterable[tuple[str, Sequence[str]]]) -> tuple[ResourceSpec, ...]:
    return tuple(parse_resource(name, list(fields)) for name, fields in specs)


def collection(resource: ResourceSpec) -> str:
    return f"/api/v1/{resource.plural}"


def item(resource: ResourceSpec, row_id: int | str) -> str:
    return f"/api/v1/{resource.plural}/{row_id}"


def not_found_code(resource: ResourceSpec) -> str:
    return f"{resource.name.upper()}_NOT_FOUND"


def conflict_code(resource: ResourceSpec) -> str:
    return f"{resource.name.upper()}_CONFLICT"


def row_keys(resource: ResourceSpec) -> set[str]:
    """The keys of a Read: the built-in columns and every declared field."""
    return {*BUILT_IN_KEYS, *(spec.name for spec in resource.fields)}


def scalar_fields(resource: ResourceSpec) -> list[FieldSpec]:
    return [spec for spec in resource.fields if spec.scalar]


def sort_keys(resource: ResourceSpec) -> list[str]:
    """What ``sort_by`` accepts: ``id``, ``created_at`` and every scalar field."""
    return ["id", "created_at", *(spec.name for spec in scalar_fields(resource))]


def marker_fields(resource: ResourceSpec) -> list[FieldSpec]:
    """Fields a test can give a value of its own to find its rows again with a filter (scalar,
    not unique, of a type with room for a random value), best first."""
    candidates = [
        spec
        for spec in resource.fields
        if spec.type in _MARKER_TYPES
        and not spec.unique
        and not (spec.type == "str" and (spec.max_length or 0) < 9)
    ]
    return sorted(candidates, key=lambda spec: _MARKER_TYPES.index(spec.type))


def new_token() -> str:
    return uuid.uuid4().hex


# --------------------------------------------------------------------------- valid values


def _seed(token: str) -> int:
    return int(token[:7], 16)


def _letter(rank: int) -> str:
    return "abcdefghij"[rank]


def sortable_choices(choices: Sequence[str]) -> list[str]:
    """The largest run of ``choices`` (in declaration order) that also sorts alphabetically, with
    and without its punctuation: however a database orders an enum's values (as declared, as
    strings, by a linguistic collation), it orders these the same."""

    def before(a: str, b: str) -> bool:
        return a < b and re.sub(r"[-_]", "", a) < re.sub(r"[-_]", "", b)

    best: list[list[str]] = []
    for index, choice in enumerate(choices):
        chains = [chain for chain in best[:index] if before(chain[-1], choice)]
        best.append([*max(chains, key=len, default=[]), choice])
    return max(best, key=len, default=[])


def value(spec: FieldSpec, token: str, rank: int = 0, refs: Sequence[int] = ()) -> Any:
    """A valid JSON value for ``spec``; values of one token sort by ``rank``. A ``ref`` takes
    ``refs[rank]``: ids of existing rows, ascending ranks needing ascending ids."""
    seed = _seed(token)
    letter = _letter(rank)
    if spec.type == "str":
        assert spec.max_length is not None
        return (letter + token)[: spec.max_length]
    if spec.type == "text":
        return f"{letter}{token}\nsecond line"
    if spec.type == "int":
        return seed % 1_000_000_000 * 2 - 1_000_000_000 + rank
    if spec.type == "float":
        return seed % 1_000_000 + rank + 0.5
    if spec.type == "decimal":
        return f"{seed % 1_000_000_000 + rank}.25"
    if spec.type == "bool":
        return rank % 2 == 1
    if spec.type == "date":
        return (dt.date(1990, 1, 1) + dt.timedelta(days=seed % 10_000 + rank)).isoformat()
    if spec.type == "datetime":
        base = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        moment = base + dt.timedelta(seconds=seed % 100_000_000, hours=rank)
        return moment.replace(microsecond=seed % 1_000_000).isoformat()
    if spec.type == "uuid":
        return str(uuid.UUID(f"{rank:x}{token[1:]}"))
    if spec.type == "email":
        return f"{letter}{token}@example.com"
    if spec.type == "url":
        return f"https://example.com/{letter}{token}"
    if spec.type == "enum":
        choices = sortable_choices(spec.choices)
        return choices[rank % len(choices)]
    if spec.type == "ref":
        return refs[rank]
    raise AssertionError(f"unknown field type {spec.type!r}")


def round_trip_values(spec: FieldSpec, token: str, refs: Sequence[int]) -> list[Any]:
    """Several valid JSON inputs for ``spec``, edge cases included (a field declared ``unique``
    gets only values no other row can have). `same_value` says what must come back."""
    unique = spec.unique
    if spec.type == "str":
        assert spec.max_length is not None
        longest = ("é😀" + token * 400)[: spec.max_length]  # characters, not bytes
        values = [longest, (token + "-π")[: spec.max_length]]
        return values if unique else [*values, "", 'quote " and \\ backslash'[: spec.max_length]]
    if spec.type == "text":
        return ["line one\nline two ✓\ttab " * 500, f"{token} 😀", "", "<b>&amp;</b>"]
    if spec.type == "int":
        if unique:
            return [value(spec, token), value(spec, token, 1)]
        return [INT32_MIN, INT32_MAX, 0, -1]
    if spec.type == "float":
        return [2.5, -0.1, 1e300, 0] if not unique else [value(spec, token)]
    if spec.type == "decimal":
        if unique:
            return [value(spec, token), float(_seed(token) % 1000) + 0.5]
        return ["999999999999.99", "-999999999999.99", 12.5, "-0.5", "7", 0, "+3.10"]
    if spec.type == "bool":
        return [True, False]
    if spec.type == "date":
        return ["2024-02-29", "0001-01-01", "9999-12-31"] if not unique else [value(spec, token)]
    if spec.type == "datetime":
        if unique:
            return [value(spec, token)]
        return [
            "2025-01-31T14:30:00.123456+02:00",
            "2025-06-30T23:59:59Z",
            "2024-12-31T20:00:00-08:00",
            "2025-01-01T00:00:00+00:00",
        ]
    if spec.type == "uuid":
        return [str(uuid.UUID(token)).upper(), str(uuid.uuid4())]
    if spec.type == "email":
        return [
            f"Ada.{token}@Example.COM",
            f"grace-{token}@xn--bcher-kva.example",
            f"{token}+tag@sub.example.test",
        ]
    if spec.type == "url":
        return [
            f"https://example.com/books/{token}?page=2&q=a+b",
            f"http://localhost:8000/{token}",
            f"https://example.org/{token}/{'a' * 1500}",
        ]
    if spec.type == "enum":
        return list(spec.choices)
    if spec.type == "ref":
        return list(refs)
    raise AssertionError(f"unknown field type {spec.type!r}")


# --------------------------------------------------------------------------- what comes back


def normal_email(address: str) -> str:
    """CONTRACT.md §3: Unicode NFC, the domain in Unicode (``xn--`` labels decoded), lower-case."""
    local, _, domain = address.rpartition("@")
    labels = [
        label[4:].encode("ascii").decode("punycode") if label.lower().startswith("xn--") else label
        for label in domain.split(".")
    ]
    return unicodedata.normalize("NFC", f"{local}@{'.'.join(labels)}").lower()


def parse_timestamp(text: str) -> dt.datetime:
    """An ISO 8601 timestamp that must carry a UTC offset."""
    assert isinstance(text, str), text
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.utcoffset() is not None, f"timestamp without a UTC offset: {text!r}"
    return moment


def check_format(spec: FieldSpec, got: Any) -> None:
    """``got``, the JSON value the service returned for ``spec``, has the contract's format."""
    where = f"{spec.name}={got!r}"
    if got is None:
        assert spec.optional, f"{where}: a required field is never null"
        return
    if spec.type in ("str", "text", "url"):
        assert isinstance(got, str), where
    elif spec.type in ("int", "ref"):
        assert isinstance(got, int), where
        assert not isinstance(got, bool), where
    elif spec.type == "float":
        assert isinstance(got, int | float), where
        assert not isinstance(got, bool), where
    elif spec.type == "decimal":
        assert isinstance(got, str), f"{where}: a decimal is a string"
        assert _DECIMAL_OUT.fullmatch(got), f"{where}: not a decimal with two places"
    elif spec.type == "bool":
        assert isinstance(got, bool), where
    elif spec.type == "date":
        assert isinstance(got, str), where
        assert _DATE.fullmatch(got), f"{where}: not YYYY-MM-DD"
        dt.date.fromisoformat(got)
    elif spec.type == "datetime":
        assert parse_timestamp(got).utcoffset() == dt.timedelta(0), f"{where}: not in UTC"
    elif spec.type == "uuid":
        assert isinstance(got, str), where
        assert str(uuid.UUID(got)) == got, f"{where}: not the canonical form"
    elif spec.type == "email":
        assert isinstance(got, str), where
        assert normal_email(got) == got, f"{where}: not in normal form"
    elif spec.type == "enum":
        assert got in spec.choices, where


def canonical(spec: FieldSpec, raw: Any) -> Any:
    """A JSON value of ``spec`` (sent or returned) as the thing it stands for, so that two
    spellings of one value compare equal (``12.5`` and ``"12.50"``, two offsets of one
    instant, two spellings of one address)."""
    if raw is None:
        return None
    if spec.type == "decimal":
        return Decimal(str(raw))
    if spec.type == "datetime":
        return parse_timestamp(raw)
    if spec.type == "uuid":
        return uuid.UUID(raw)
    if spec.type == "email":
        return normal_email(raw)
    if spec.type == "float":
        return float(raw)
    return raw


def assert_same_value(spec: FieldSpec, got: Any, sent: Any) -> None:
    """The service returned ``got`` for ``sent``: in the contract's format, and the same value."""
    check_format(spec, got)
    assert canonical(spec, got) == canonical(spec, sent), f"{spec.name}: sent {sent!r}, got {got!r}"


def sort_key(spec: FieldSpec, got: Any) -> Any:
    """What the service orders a returned value by."""
    return canonical(spec, got)


def query_value(spec: FieldSpec, got: Any) -> str:
    """A returned value as an exact-match filter (a query parameter) on ``spec``."""
    if spec.type == "bool":
        return "true" if got else "false"
    if spec.type == "float":
        return repr(float(got))
    return str(got)


# --------------------------------------------------------------------------- invalid values


def json_body(values: Mapping[str, Any], raw: Mapping[str, str] | None = None) -> str:
    """A JSON object: ``values`` encoded by ``json``, then each ``raw`` member as given."""
    members = [f"{json.dumps(key)}: {json.dumps(item)}" for key, item in values.items()]
    members += [f"{json.dumps(key)}: {text}" for key, text in (raw or {}).items()]
    return "{" + ", ".join(members) + "}"


def _text(value: str) -> str:
    return json.dumps(value)


def invalid_values(spec: FieldSpec) -> list[str]:
    """Raw JSON values that ``spec`` must refuse with a 422 naming it (never ``null``: whether
    that is valid depends on ``optional``)."""
    wrong_shape = ["[]", "{}"]
    if spec.type == "str":
        assert spec.max_length is not None
        return [
            _text("x" * (spec.max_length + 1)),
            _text("é" * (spec.max_length + 1)),
            _text("a\x00b"),
            '"\\ud800"',
            *wrong_shape,
        ]
    if spec.type == "text":
        return [_text("a\x00b"), '"lone \\udfff surrogate"', *wrong_shape]
    if spec.type == "int":
        return [
            str(INT32_MAX + 1),
            str(INT32_MIN - 1),
            "1.5",
            '"abc"',
            '"5"',  # a string is not a JSON number, whatever it spells
            "true",
            "1e400",
            *wrong_shape,
        ]
    if spec.type == "float":
        return ["1e309", "-1e309", '"abc"', '"1.5"', "true", '"inf"', '"NaN"', *wrong_shape]
    if spec.type == "decimal":
        return [
            '"1.234"',
            "1.234",
            '"1234567890123"',
            '"1234567890123.00"',
            "1234567890123",
            '"abc"',
            '"1.2.3"',
            '"NaN"',
            '"Infinity"',
            "true",
            *wrong_shape,
        ]
    if spec.type == "bool":
        return ['"maybe"', '"true"', "1", "0", "2", "-1", *wrong_shape]
    if spec.type == "date":
        return [
            '"2025-02-30"',
            '"2025-13-01"',
            '"31/01/2025"',
            '"not-a-date"',
            "20000",  # days since 1970 are not a date in JSON
            *wrong_shape,
        ]
    if spec.type == "datetime":
        return [
            '"2025-01-31T12:00:00"',
            '"2025-02-30T12:00:00+00:00"',
            '"2025-01-31T25:00:00+00:00"',
            '"not-a-datetime"',
            "1738324800",  # seconds since 1970 are not a timestamp in JSON
            *wrong_shape,
        ]
    if spec.type == "uuid":
        return ['"not-a-uuid"', '"1234"', _text("g" * 32), *wrong_shape]
    if spec.type == "email":
        return [
            '"not-an-email"',
            '"ada@"',
            '"@example.com"',
            '"ada@@example.com"',
            _text("a" * 60 + "@" + ".".join(["b" * 60] * 5) + ".com"),  # over 320 characters
            *wrong_shape,
        ]
    if spec.type == "url":
        return [
            '"ftp://example.com/file"',
            '"/relative/path"',
            '"example.com/path"',
            '"javascript:alert(1)"',
            '"https://"',
            _text("https://example.com/" + "a" * URL_MAX_LENGTH),
            *wrong_shape,
        ]
    if spec.type == "enum":
        wrong = [f"{spec.choices[0]}-not-a-choice", ""]
        upper = spec.choices[0].upper()
        if upper not in spec.choices:
            wrong.append(upper)
        return [*(_text(choice) for choice in wrong), *wrong_shape]
    if spec.type == "ref":
        return ["0", "-1", str(INT32_MAX + 1), '"abc"', '"1"', "true", "1.5", *wrong_shape]
    raise AssertionError(f"unknown field type {spec.type!r}")


def invalid_query_values(spec: FieldSpec) -> list[str]:
    """Query-parameter values that an exact-match filter on ``spec`` must refuse with a 422
    ("validated like it")."""
    if spec.type == "str":
        assert spec.max_length is not None
        return ["x" * (spec.max_length + 1)]
    if spec.type == "int":
        return ["abc", str(INT32_MAX + 1), "1.5"]
    if spec.type == "float":
        return ["abc", "1e309"]
    if spec.type == "decimal":
        return ["1.234", "abc", "1234567890123.00"]
    if spec.type == "bool":
        return ["maybe"]
    if spec.type == "date":
        return ["2025-02-30", "not-a-date"]
    if spec.type == "datetime":
        return ["2025-01-31T12:00:00", "not-a-datetime"]
    if spec.type == "uuid":
        return ["not-a-uuid"]
    if spec.type == "email":
        return ["not-an-email"]
    if spec.type == "url":
        return ["ftp://example.com/file", "/relative"]
    if spec.type == "enum":
        return [f"{spec.choices[0]}-not-a-choice"]
    if spec.type == "ref":
        return ["0", "abc", str(INT32_MAX + 1)]
    raise AssertionError(f"no filter on a {spec.type!r} field")


def other_spelling(spec: FieldSpec, got: Any) -> str | None:
    """Another spelling of a returned value that, as a filter, must match the same rows (an
    address in upper case, an instant at another offset, a decimal without its trailing zero),
    or None where the type has none worth checking."""
    if spec.type == "email":
        return str(got).upper()
    if spec.type == "datetime":
        return parse_timestamp(got).astimezone(_OFFSET).isoformat()
    if spec.type == "uuid":
        return str(got).upper()
    return None
