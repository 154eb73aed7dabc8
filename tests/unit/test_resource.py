"""The resource spec: what `apigen add resource` accepts and the one-line reason it refuses."""

from __future__ import annotations

import pytest

from apigen.errors import InvalidFieldSpec, InvalidResourceName
from apigen.resource import FieldSpec, parse_field, parse_resource

VALID = {
    "title:str": FieldSpec("title", "str", max_length=255),
    "title:str:120:index": FieldSpec("title", "str", index=True, max_length=120),
    "isbn:str:13:unique:optional": FieldSpec(
        "isbn", "str", optional=True, unique=True, max_length=13
    ),
    "body:text:optional": FieldSpec("body", "text", optional=True),
    "count:int": FieldSpec("count", "int"),
    "score:float:index": FieldSpec("score", "float", index=True),
    "price:decimal": FieldSpec("price", "decimal"),
    "done:bool": FieldSpec("done", "bool"),
    "due:date:optional": FieldSpec("due", "date", optional=True),
    "at:datetime": FieldSpec("at", "datetime"),
    "key:uuid:unique": FieldSpec("key", "uuid", unique=True),
    "contact:email": FieldSpec("contact", "email"),
    "home:url:optional": FieldSpec("home", "url", optional=True),
    "genre:enum:novel,essay,in-print": FieldSpec(
        "genre", "enum", choices=("novel", "essay", "in-print")
    ),
    "author_id:ref:users:index": FieldSpec("author_id", "ref", index=True, ref="users"),
}


@pytest.mark.parametrize("text", VALID)
def test_valid_fields_parse_and_print_back(text: str) -> None:
    parsed = parse_field(text)
    assert parsed == VALID[text]
    assert parse_field(parsed.to_spec()) == parsed


INVALID = {
    "no type": ("title", "expected NAME:TYPE"),
    "empty part": ("title::index", "no empty part"),
    "unknown type": ("title:string", "unknown type 'string'"),
    "keyword name": ("class:str", "Python keyword"),
    "soft keyword name": ("match:str", "Python keyword"),
    "built-in column": ("owner_id:int", "already has 'owner_id'"),
    "list parameter": ("limit:int", "query parameter"),
    "pydantic namespace": ("model_name:str", "reserved"),
    "camel case": ("firstName:str", "snake_case"),
    "double underscore": ("a__b:str", "snake_case"),
    "non-ascii": ("tïtle:str", "snake_case"),
    "bad modifier": ("title:str:required", "'required'"),
    "modifier twice": ("title:str:unique:unique", "given twice"),
    "zero length": ("title:str:0", "neither a length nor a modifier"),
    "length too long": ("title:str:20000", "use text"),
    "enum without values": ("genre:enum", "needs its values"),
    "enum modifier as values": ("genre:enum:optional", "needs its values"),
    "enum empty value": ("genre:enum:a,,b", "enum value ''"),
    "enum duplicate": ("genre:enum:a,a", "distinct"),
    "enum upper case": ("genre:enum:Novel", "lower-case"),
    "ref without target": ("author_id:ref", "needs the resource"),
    "ref bad target": ("author_id:ref:Users", "not a resource name"),
    "unique text": ("body:text:unique", "cannot be unique"),
    "unique bool": ("done:bool:unique", "only a few rows"),
    "unique enum": ("kind:enum:a,b:unique", "only a few rows"),
    "unique str:1": ("code:str:1:unique", "only a few rows"),
    "a type's name": ("date:date", "reserved"),
    "a builtin type's name": ("str:str", "reserved"),
}


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
def test_invalid_fields_are_refused_with_the_reason(case: str) -> None:
    text, reason = INVALID[case]
    with pytest.raises(InvalidFieldSpec) as raised:
        parse_field(text)
    assert reason in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "snake_case"),
        ("Book", "snake_case"),
        ("line-item", "snake_case"),
        ("book_", "single underscores"),
        ("news", "plural is the same"),
        ("user", "reserved"),
        ("users", "reserved"),
        ("auth", "reserved"),
        ("core", "reserved"),
        ("health", "reserved"),
        ("page", "reserved"),
        ("event", "reserved"),
        ("class", "keyword"),
        ("test", "reserved"),
        ("migration", "reserved"),
    ],
)
def test_invalid_resource_names_are_refused(name: str, reason: str) -> None:
    with pytest.raises(InvalidResourceName) as raised:
        parse_resource(name, ["title:str"])
    assert reason in str(raised.value)


def test_a_field_may_not_be_declared_twice() -> None:
    with pytest.raises(InvalidFieldSpec, match="declared twice"):
        parse_resource("book", ["title:str", "title:text"])


def test_a_resource_needs_a_field() -> None:
    with pytest.raises(InvalidFieldSpec, match="at least one"):
        parse_resource("book", [])


def test_names_derive_from_the_singular() -> None:
    resource = parse_resource("line_item", ["title:str"])
    assert (resource.plural, resource.class_name) == ("line_items", "LineItem")
    assert parse_resource("category", ["title:str"]).plural == "categories"
    assert parse_resource("box", ["title:str"]).plural == "boxes"
    context = resource.context({"users": "user"})
    assert context["upper"] == "LINE_ITEM"


def test_refs_must_name_a_known_resource() -> None:
    resource = parse_resource("review", ["book_id:ref:books", "by:ref:users"])
    with pytest.raises(InvalidFieldSpec, match="unknown resource 'books'"):
        resource.check_against(taken=set(), resources={"users"})
    resource.check_against(taken=set(), resources={"users", "books"})
    context = resource.context({"users": "user", "books": "book"})
    assert context["fields"][0]["ref"]["class_name"] == "Book"


def test_a_resource_may_refer_to_itself_optionally() -> None:
    resource = parse_resource("category", ["parent_id:ref:categories:optional"])
    resource.check_against(taken=set(), resources={"users"})
    required = parse_resource("category", ["parent_id:ref:categories"])
    with pytest.raises(InvalidFieldSpec, match="must be optional"):
        required.check_against(taken=set(), resources={"users"})


def test_names_the_project_uses_are_taken() -> None:
    resource = parse_resource("book", ["title:str"])
    with pytest.raises(InvalidResourceName, match="already has 'books'"):
        resource.check_against(taken={"books"}, resources={"users"})
