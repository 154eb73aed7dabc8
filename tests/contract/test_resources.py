"""§6 added resources (`apigen add resource`): CRUD, P02 validation, P05 ownership, P06 errors,
P11 listing, P13/P16 events and P18 OpenAPI of every resource the service was grown by.

The suite knows the resources only by their specs (``--resource``, default the harness's
``GROWN_RESOURCES``), parsed by apigen's own parser; values come from
``tests/contract/resource_values.py``. Every test runs once per resource. Tests find their own
rows again with an exact-match filter on a value they made up (a "marker" field), so rows left by
other tests never interfere.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from apigen.resource import FieldSpec, ResourceSpec
from tests.contract import resource_values as rv
from tests.contract.client import (
    EventStream,
    User,
    admin_user,
    assert_error,
    bearer,
    new_user,
    path_parameter,
    validation_fields,
)
from tests.support import harness
from tests.support.harness import Service

PAGE_KEYS = {"items", "total", "skip", "limit", "has_more"}
JSON_HEADERS = {"Content-Type": "application/json"}
#: Simultaneous identical creates of a row with a unique field.
RACERS = 4


def configured_resources(config: pytest.Config) -> tuple[ResourceSpec, ...]:
    """``--resource`` (repeatable) or, by default, what the harness grows every target by."""
    options: list[str] | None = config.getoption("resource", None)
    specs = (
        [rv.parse_resource_option(text) for text in options]
        if options
        else list(harness.GROWN_RESOURCES)
    )
    return rv.parse_resources(specs)


#: What a test marked ``@pytest.mark.resources_with(kind)`` needs a resource to declare.
_KINDS = {
    "unique": lambda spec: any(field.unique for field in spec.fields),
    "ref": lambda spec: any(field.ref is not None for field in spec.fields),
    "unique_or_ref": lambda spec: any(field.unique or field.ref for field in spec.fields),
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each test runs for every resource under test, or, when marked ``resources_with``, for the
    ones that declare what it checks (a test has nothing to check, rather than skipping, on a
    resource without unique fields)."""
    if "resource" in metafunc.fixturenames:
        resources = configured_resources(metafunc.config)
        marker = metafunc.definition.get_closest_marker("resources_with")
        if marker is not None:
            resources = tuple(spec for spec in resources if _KINDS[marker.args[0]](spec))
        metafunc.parametrize("resource", resources, ids=[spec.name for spec in resources])


@pytest.fixture(scope="session")
def resources(pytestconfig: pytest.Config) -> dict[str, ResourceSpec]:
    """Every resource under test, by plural (what a ``ref`` names)."""
    return {spec.plural: spec for spec in configured_resources(pytestconfig)}


@pytest.fixture
def owner(client: httpx.Client) -> User:
    return new_user(client, "owner")


@pytest.fixture
def rows(client: httpx.Client, resources: dict[str, ResourceSpec], owner: User) -> Rows:
    return Rows(client, resources, owner)


@pytest.fixture
def admin(client: httpx.Client, service: Service) -> User:
    return admin_user(client, service.admin_email, service.admin_password)


# --------------------------------------------------------------------------- helpers


class Rows:
    """Makes rows of the resources under test over HTTP, every field filled with a valid value
    (``optional`` ones included); rows are ``owner``'s unless said otherwise."""

    def __init__(
        self, client: httpx.Client, resources: Mapping[str, ResourceSpec], owner: User
    ) -> None:
        self.client = client
        self.resources = resources
        self.owner = owner
        self._fillers: dict[str, int] = {"users": owner.id}
        self._making: set[str] = set()

    def resource(self, plural: str) -> ResourceSpec:
        if plural not in self.resources:
            pytest.skip(f"a ref to {plural!r}, which is not among the resources under test")
        return self.resources[plural]

    def ids(self, plural: str, count: int) -> list[int]:
        """Ids of ``count`` new rows of ``plural`` (``users`` included), ascending."""
        if plural == "users":
            made = [new_user(self.client, "ref").id for _ in range(count)]
        else:
            made = [self.create(self.resource(plural))["id"] for _ in range(count)]
        assert made == sorted(made), made
        return made

    def filler(self, plural: str) -> int:
        """The id of one row of ``plural`` to point ``ref`` fields at (made once)."""
        if plural not in self._fillers:
            (self._fillers[plural],) = self.ids(plural, 1)
        return self._fillers[plural]

    def body(
        self,
        resource: ResourceSpec,
        token: str | None = None,
        ranks: Mapping[str, int] | None = None,
        refs: Mapping[str, Sequence[int]] | None = None,
    ) -> dict[str, Any]:
        """A valid create body with every field; ``ranks`` per field (default 0), ``refs`` the
        ids a ``ref`` field picks from by rank (default: the filler row)."""
        token = token or rv.new_token()
        body: dict[str, Any] = {}
        for spec in resource.fields:
            pool: Sequence[int] = ()
            if spec.ref is not None:
                if refs is not None and spec.name in refs:
                    pool = refs[spec.name]
                elif spec.ref in self._making:
                    if not spec.optional:
                        pytest.skip(f"{resource.name}.{spec.name}: a required ref to itself")
                    body[spec.name] = None
                    continue
                elif spec.unique:
                    pool = self.ids(spec.ref, rv.RANKS)
                else:
                    pool = [self.filler(spec.ref)] * rv.RANKS
            rank = (ranks or {}).get(spec.name, 0)
            body[spec.name] = rv.value(spec, token, rank, pool)
        return body

    def post(
        self, resource: ResourceSpec, body: Mapping[str, Any], user: User | None = None
    ) -> httpx.Response:
        return self.client.post(
            rv.collection(resource), json=dict(body), headers=(user or self.owner).headers
        )

    def create(
        self, resource: ResourceSpec, user: User | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """A new row (201 expected), with a fresh token and ``overrides``; its Read."""
        self._making.add(resource.plural)
        try:
            body = {**self.body(resource), **overrides}
        finally:
            self._making.discard(resource.plural)
        response = self.post(resource, body, user)
        assert response.status_code == 201, (
            f"POST {rv.collection(resource)} {body}: {response.text}"
        )
        created: dict[str, Any] = response.json()
        return created

    def batch(self, resource: ResourceSpec, marker: FieldSpec) -> list[dict[str, Any]]:
        """``RANKS`` new rows sharing one value of ``marker`` (no other row has it) and differing
        in every other field, each field in an order of its own that is neither the rows' order
        nor its reverse (ranks 1,2,0 or 2,0,1)."""
        token = rv.new_token()
        refs = {
            spec.name: self.ids(spec.ref, rv.RANKS)
            for spec in resource.fields
            if spec.ref is not None
        }
        made = []
        for row in range(rv.RANKS):
            ranks = {
                spec.name: 0 if spec == marker else (row + 1 + index % 2) % rv.RANKS
                for index, spec in enumerate(resource.fields)
            }
            response = self.post(resource, self.body(resource, token, ranks, refs))
            assert response.status_code == 201, response.text
            made.append(response.json())
        return made


def _json(
    client: httpx.Client, method: str, url: str, user: User | None, content: str
) -> httpx.Response:
    headers = {**JSON_HEADERS, **(user.headers if user else {})}
    return client.request(
        method, url, content=content.encode("utf-8", "surrogatepass"), headers=headers
    )


def _field(resource: ResourceSpec, name: str) -> FieldSpec:
    (spec,) = (spec for spec in resource.fields if spec.name == name)
    return spec


def _markers(resource: ResourceSpec, count: int = 1) -> list[FieldSpec]:
    markers = rv.marker_fields(resource)
    if len(markers) < count:
        pytest.skip(
            f"{resource.name} has fewer than {count} field(s) a test can give a value no other "
            "row has (non-unique str of 9+ characters, email, url, uuid, ref or number)"
        )
    return markers


def _filter(marker: FieldSpec, row: Mapping[str, Any]) -> dict[str, str]:
    return {marker.name: rv.query_value(marker, row[marker.name])}


def _page(
    client: httpx.Client, resource: ResourceSpec, user: User, **params: Any
) -> dict[str, Any]:
    response = client.get(rv.collection(resource), params=params, headers=user.headers)
    assert response.status_code == 200, f"{params}: {response.text}"
    page: dict[str, Any] = response.json()
    assert set(page) == PAGE_KEYS, page
    return page


def assert_row(resource: ResourceSpec, row: Mapping[str, Any], owner: User) -> None:
    """A Read: exactly the built-in keys and the fields, each in its format."""
    assert set(row) == rv.row_keys(resource), row
    assert isinstance(row["id"], int), row
    assert 1 <= row["id"] < 2**31, row
    assert row["owner_id"] == owner.id, row
    created = rv.parse_timestamp(row["created_at"])
    if row["updated_at"] is not None:
        assert rv.parse_timestamp(row["updated_at"]) >= created, row
    for spec in resource.fields:
        rv.check_format(spec, row[spec.name])


def assert_fields(resource: ResourceSpec, row: Mapping[str, Any], sent: Mapping[str, Any]) -> None:
    for spec in resource.fields:
        if spec.name in sent:
            rv.assert_same_value(spec, row[spec.name], sent[spec.name])


def _unchanged(before: Mapping[str, Any], after: Mapping[str, Any], *, but: set[str]) -> None:
    for key in set(before) - but - {"updated_at"}:
        assert after[key] == before[key], f"{key} changed: {before[key]!r} -> {after[key]!r}"


def _missing_ref_ids(rows: Rows, spec: FieldSpec) -> list[int]:
    """Ids in range that name no row of ``spec.ref``: one never used and, for an added
    resource, one whose row was deleted."""
    assert spec.ref is not None
    missing = [rv.MISSING_ID]
    if spec.ref != "users":
        target = rows.resource(spec.ref)
        gone = rows.create(target)["id"]
        response = rows.client.delete(rv.item(target, gone), headers=rows.owner.headers)
        assert response.status_code == 204, response.text
        missing.append(gone)
    return missing


# --------------------------------------------------------------------------- P18 OpenAPI


def _schema(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _paths(document: dict[str, Any]) -> dict[str, Any]:
    """The document's paths with every path parameter written `{}` and no trailing slash."""
    return {
        re.sub(r"\{[^}]*\}", "{}", path.rstrip("/")): item
        for path, item in document["paths"].items()
    }


def test_p18_resource_operations_are_documented(
    client: httpx.Client, resource: ResourceSpec
) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200, response.text
    document = response.json()
    paths = _paths(document)
    base = rv.collection(resource)
    assert base in paths, sorted(paths)
    assert f"{base}/{{}}" in paths, sorted(paths)
    assert {"get", "post"} <= set(paths[base]), paths[base].keys()
    assert {"get", "patch", "delete"} <= set(paths[f"{base}/{{}}"]), paths[f"{base}/{{}}"].keys()

    fields = {spec.name for spec in resource.fields}
    required = {spec.name for spec in resource.fields if not spec.optional}
    create = paths[base]["post"]
    (create_body,) = create["requestBody"]["content"].values()
    schema = _schema(document, create_body["schema"])
    assert set(schema["properties"]) == fields, schema
    assert set(schema.get("required", [])) == required, schema
    (update_body,) = paths[f"{base}/{{}}"]["patch"]["requestBody"]["content"].values()
    schema = _schema(document, update_body["schema"])
    assert set(schema["properties"]) == fields, schema
    assert not schema.get("required"), schema
    read = create["responses"]["201"]["content"]["application/json"]["schema"]
    assert set(_schema(document, read)["properties"]) == rv.row_keys(resource), read


#: The types whose values the service bounds (a 32-bit column, NUMERIC(14, 2)).
_BOUNDED_TYPES = {
    "int": (rv.INT32_MIN, rv.INT32_MAX),
    "decimal": (-rv.DECIMAL_MAX, rv.DECIMAL_MAX),
}


def _number_branches(document: dict[str, Any], schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    schema = _schema(document, schema)
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            yield from _number_branches(document, branch)
    if schema.get("type") in ("number", "integer"):
        yield schema


def test_p18_resource_number_ranges_are_documented(
    client: httpx.Client, resource: ResourceSpec
) -> None:
    """A bounded number states its range wherever a client may send it (the bodies and the
    filter): a schema-valid value the service then refuses is a wrong document (schemathesis
    sent a decimal filter of 7.3e30, valid by a schema without a maximum, and got a 422)."""
    document = client.get("/openapi.json").json()
    paths = _paths(document)
    base = rv.collection(resource)
    (create_body,) = paths[base]["post"]["requestBody"]["content"].values()
    (update_body,) = paths[f"{base}/{{}}"]["patch"]["requestBody"]["content"].values()
    parameters = {
        parameter["name"]: parameter.get("schema", {})
        for parameter in paths[base]["get"].get("parameters", [])
        if parameter.get("in") == "query"
    }
    failures = []
    for spec in resource.fields:
        if spec.type not in _BOUNDED_TYPES:
            continue
        lowest, highest = _BOUNDED_TYPES[spec.type]
        places = {
            "create body": _schema(document, create_body["schema"])["properties"][spec.name],
            "update body": _schema(document, update_body["schema"])["properties"][spec.name],
        }
        if spec.name in parameters:
            places["filter"] = parameters[spec.name]
        for where, schema in places.items():
            branches = list(_number_branches(document, schema))
            if spec.type == "int" and not branches:
                failures.append(f"{spec.name} ({where}): not documented as a number: {schema}")
            for branch in branches:
                low = branch.get("minimum", branch.get("exclusiveMinimum"))
                high = branch.get("maximum", branch.get("exclusiveMaximum"))
                if low is None or high is None or low < lowest or high > highest:
                    failures.append(f"{spec.name} ({where}): range not stated: {branch}")
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------- CRUD and P05


def test_resource_create_and_read(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User
) -> None:
    body = rows.body(resource)
    response = rows.post(resource, body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert_row(resource, created, owner)
    assert_fields(resource, created, body)

    for reader in (owner, new_user(client, "reader")):  # any user reads any row
        read = client.get(rv.item(resource, created["id"]), headers=reader.headers)
        assert read.status_code == 200, read.text
        assert read.json() == created


def test_resource_ids_are_not_reused(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User
) -> None:
    first = rows.create(resource)["id"]
    response = client.delete(rv.item(resource, first), headers=owner.headers)
    assert response.status_code == 204, response.text
    assert rows.create(resource)["id"] > first


def test_resource_missing_row_is_404(
    client: httpx.Client, resource: ResourceSpec, owner: User
) -> None:
    code = rv.not_found_code(resource)
    url = rv.item(resource, rv.MISSING_ID)
    assert_error(client.get(url, headers=owner.headers), 404, code)
    assert_error(client.patch(url, json={}, headers=owner.headers), 404, code)
    assert_error(client.delete(url, headers=owner.headers), 404, code)


def test_resource_id_out_of_range_and_not_an_id(
    client: httpx.Client, resource: ResourceSpec, owner: User
) -> None:
    parameter = path_parameter(client, f"{rv.collection(resource)}/{{}}")
    for bad in ("0", str(2**31)):
        url = rv.item(resource, bad)
        for response in (
            client.get(url, headers=owner.headers),
            client.patch(url, json={}, headers=owner.headers),
            client.delete(url, headers=owner.headers),
        ):
            assert parameter in validation_fields(response), response.text
    for bad in ("abc", "-1"):
        assert_error(client.get(rv.item(resource, bad), headers=owner.headers), 404, "NOT_FOUND")


def test_resource_requires_authentication(
    client: httpx.Client, resource: ResourceSpec, rows: Rows
) -> None:
    row = rows.create(resource)
    url = rv.item(resource, row["id"])
    body = rows.body(resource)
    for response in (
        client.post(rv.collection(resource), json=body),
        client.get(rv.collection(resource)),
        client.get(url),
        client.patch(url, json={}),
        client.delete(url),
    ):
        assert_error(response, 401, "NOT_AUTHENTICATED")
    for response in (
        client.post(rv.collection(resource), json=body, headers=bearer("not-a-jwt")),
        client.get(rv.collection(resource), headers=bearer("not-a-jwt")),
        client.delete(url, headers=bearer("not-a-jwt")),
    ):
        assert_error(response, 401, "INVALID_TOKEN")
    # Nothing was created or deleted on the way.
    assert client.get(url, headers=rows.owner.headers).status_code == 200


def test_resource_partial_update_by_owner(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User
) -> None:
    """Each field in turn: only the given field changes; ``updated_at`` is set and moves on."""
    row = rows.create(resource)
    created_at = rv.parse_timestamp(row["created_at"])
    last_update = created_at
    for spec in resource.fields:
        refs = [row[spec.name], *rows.ids(spec.ref, 1)] if spec.ref is not None else ()
        new_value = rv.value(spec, rv.new_token(), 1, refs)
        response = client.patch(
            rv.item(resource, row["id"]), json={spec.name: new_value}, headers=owner.headers
        )
        assert response.status_code == 200, f"{spec.name}={new_value!r}: {response.text}"
        updated = response.json()
        assert_row(resource, updated, owner)
        rv.assert_same_value(spec, updated[spec.name], new_value)
        _unchanged(row, updated, but={spec.name})
        assert updated["updated_at"] is not None, updated
        moment = rv.parse_timestamp(updated["updated_at"])
        assert moment >= last_update >= created_at, (row, updated)
        read = client.get(rv.item(resource, row["id"]), headers=owner.headers)
        assert read.json() == updated
        row, last_update = updated, moment


def test_resource_update_by_another_user_is_forbidden(
    client: httpx.Client, resource: ResourceSpec, rows: Rows
) -> None:
    row = rows.create(resource)
    intruder = new_user(client, "intruder")
    spec = resource.fields[0]
    refs = [row[spec.name]] * rv.RANKS if spec.ref is not None else ()
    change = {spec.name: rv.value(spec, rv.new_token(), 1, refs)}
    url = rv.item(resource, row["id"])
    assert_error(client.patch(url, json=change, headers=intruder.headers), 403, "FORBIDDEN")
    assert_error(client.delete(url, headers=intruder.headers), 403, "FORBIDDEN")
    # Existence is checked first: a missing row is 404 whoever asks.
    missing = rv.item(resource, rv.MISSING_ID)
    code = rv.not_found_code(resource)
    assert_error(client.patch(missing, json=change, headers=intruder.headers), 404, code)
    assert_error(client.delete(missing, headers=intruder.headers), 404, code)
    assert client.get(url, headers=intruder.headers).json() == row


def test_resource_update_by_admin(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User, admin: User
) -> None:
    row = rows.create(resource)
    spec = resource.fields[-1]
    refs = [row[spec.name]] * rv.RANKS if spec.ref is not None else ()
    new_value = rv.value(spec, rv.new_token(), 1, refs)
    response = client.patch(
        rv.item(resource, row["id"]), json={spec.name: new_value}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["owner_id"] == owner.id, updated  # the owner stays the owner
    rv.assert_same_value(spec, updated[spec.name], new_value)
    _unchanged(row, updated, but={spec.name})


def test_resource_delete_by_owner(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User
) -> None:
    row = rows.create(resource)
    url = rv.item(resource, row["id"])
    response = client.delete(url, headers=owner.headers)
    assert response.status_code == 204, response.text
    assert response.content == b""
    code = rv.not_found_code(resource)
    assert_error(client.get(url, headers=owner.headers), 404, code)
    assert_error(client.patch(url, json={}, headers=owner.headers), 404, code)
    assert_error(client.delete(url, headers=owner.headers), 404, code)


def test_resource_delete_by_admin(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, admin: User
) -> None:
    row = rows.create(resource)
    url = rv.item(resource, row["id"])
    response = client.delete(url, headers=admin.headers)
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert_error(client.get(url, headers=admin.headers), 404, rv.not_found_code(resource))


# --------------------------------------------------------------------------- values (§6 types)


def test_resource_values_round_trip(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User
) -> None:
    """Every type's edge cases, sent in every accepted spelling, come back as the same value in
    the contract's format: in the create's response, on read, in the update's response and on
    read again (every mismatch is listed)."""
    token = rv.new_token()
    variants: dict[str, list[Any]] = {}
    for spec in resource.fields:
        refs = rows.ids(spec.ref, 2) if spec.ref is not None else ()
        variants[spec.name] = rv.round_trip_values(spec, token, refs)
    failures: list[str] = []

    def check(where: str, row: Mapping[str, Any], sent: Mapping[str, Any]) -> None:
        for name, value in sent.items():
            try:
                rv.assert_same_value(_field(resource, name), row[name], value)
            except AssertionError as exc:
                failures.append(f"{where}: {exc}".splitlines()[0])

    def read(row_id: int) -> dict[str, Any]:
        response = client.get(rv.item(resource, row_id), headers=owner.headers)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    made = []
    for index in range(max(len(values) for values in variants.values())):
        body = rows.body(resource)
        sent = {name: values[index] for name, values in variants.items() if index < len(values)}
        body.update(sent)
        response = rows.post(resource, body)
        assert response.status_code == 201, f"{body}: {response.text}"
        created = response.json()
        assert set(created) == rv.row_keys(resource), created
        check("POST response", created, sent)
        stored = read(created["id"])
        check("GET after POST", stored, sent)
        failures += [
            f"POST response {key}={created[key]!r} but GET {stored[key]!r}"
            for key in created
            if created[key] != stored[key]
        ]
        made.append(created)
    # The same values through PATCH, each onto the row made with the next variants.
    for index in range(len(made)):
        target = made[(index + 1) % len(made)]["id"]
        for name, values in variants.items():
            if index >= len(values) or _field(resource, name).unique:
                continue
            change = {name: values[index]}
            response = client.patch(rv.item(resource, target), json=change, headers=owner.headers)
            assert response.status_code == 200, f"{change}: {response.text}"
            check("PATCH response", response.json(), change)
            check("GET after PATCH", read(target), change)
    assert not failures, "\n".join(failures)


def test_resource_invalid_values_are_refused(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User
) -> None:
    """Every field, every type's invalid values: 422 naming the field, on create and update;
    a refused update changes nothing."""
    row = rows.create(resource)
    url = rv.item(resource, row["id"])
    valid = rows.body(resource)
    failures = []
    for spec in resource.fields:
        for raw in rv.invalid_values(spec):
            others = {name: item for name, item in valid.items() if name != spec.name}
            for method, target, content in (
                ("POST", rv.collection(resource), rv.json_body(others, {spec.name: raw})),
                ("PATCH", url, rv.json_body({}, {spec.name: raw})),
            ):
                response = _json(client, method, target, owner, content)
                if response.status_code != 422:
                    failures.append(
                        f"{method} {spec.name}={raw[:60]}: {response.status_code} "
                        f"{response.text[:300]}"
                    )
                    continue
                fields = validation_fields(response)
                if spec.name not in fields:
                    failures.append(f"{method} {spec.name}={raw[:60]}: details name {fields}")
    assert not failures, "\n".join(failures)
    assert client.get(url, headers=owner.headers).json() == row


def test_resource_required_and_optional_fields(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User
) -> None:
    required = [spec for spec in resource.fields if not spec.optional]
    optional = [spec for spec in resource.fields if spec.optional]
    body = rows.body(resource)
    collection = rv.collection(resource)

    response = client.post(collection, json={}, headers=owner.headers)
    if required:
        assert {spec.name for spec in required} <= set(validation_fields(response))
    for spec in required:
        without = {name: item for name, item in body.items() if name != spec.name}
        response = client.post(collection, json=without, headers=owner.headers)
        assert spec.name in validation_fields(response), f"{spec.name} missing: {response.text}"
        response = client.post(collection, json={**body, spec.name: None}, headers=owner.headers)
        assert spec.name in validation_fields(response), f"{spec.name}=null: {response.text}"

    # Optional fields left out or sent as null are null.
    minimal = {spec.name: body[spec.name] for spec in required}
    response = rows.post(resource, minimal)
    assert response.status_code == 201, response.text
    assert_row(resource, response.json(), owner)
    assert all(response.json()[spec.name] is None for spec in optional), response.json()
    nulls = {**rows.body(resource), **{spec.name: None for spec in optional}}
    response = rows.post(resource, nulls)
    assert response.status_code == 201, response.text
    assert all(response.json()[spec.name] is None for spec in optional), response.json()

    # PATCH: only optional fields take null.
    row = rows.create(resource)
    url = rv.item(resource, row["id"])
    for spec in required:
        response = client.patch(url, json={spec.name: None}, headers=owner.headers)
        assert spec.name in validation_fields(response), f"{spec.name}=null: {response.text}"
    assert client.get(url, headers=owner.headers).json() == row
    for spec in optional:
        response = client.patch(url, json={spec.name: None}, headers=owner.headers)
        assert response.status_code == 200, f"{spec.name}=null: {response.text}"
        assert response.json()[spec.name] is None
        _unchanged(row, response.json(), but={spec.name})
        row = response.json()


def test_resource_unknown_fields_are_refused(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User
) -> None:
    """P06: a field the operation does not define is a 422 naming it, the built-in columns
    included (no one picks a row's owner or id)."""
    row = rows.create(resource)
    url = rv.item(resource, row["id"])
    body = rows.body(resource)
    intruder = new_user(client, "intruder")
    for name, extra in (
        ("no_such_field", 1),
        ("id", rv.MISSING_ID),
        ("owner_id", intruder.id),
        ("created_at", "2020-01-01T00:00:00+00:00"),
        ("updated_at", "2020-01-01T00:00:00+00:00"),
    ):
        for response in (
            client.post(rv.collection(resource), json={**body, name: extra}, headers=owner.headers),
            client.patch(url, json={name: extra}, headers=owner.headers),
        ):
            assert name in validation_fields(response), f"{name}: {response.text}"
    for response in (
        client.post(rv.collection(resource), json=[body], headers=owner.headers),
        client.patch(url, json=[], headers=owner.headers),
    ):
        assert "" in validation_fields(response), response.text
    assert client.get(url, headers=owner.headers).json() == row


@pytest.mark.resources_with("ref")
def test_resource_ref_to_a_missing_row_is_refused(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User
) -> None:
    refs = [spec for spec in resource.fields if spec.ref is not None]
    row = rows.create(resource)
    url = rv.item(resource, row["id"])
    for spec in refs:
        for missing in _missing_ref_ids(rows, spec):
            body = {**rows.body(resource), spec.name: missing}
            response = rows.post(resource, body)
            assert validation_fields(response) == [spec.name], f"{spec.name}={missing}"
            response = client.patch(url, json={spec.name: missing}, headers=owner.headers)
            assert validation_fields(response) == [spec.name], f"{spec.name}={missing}"
    assert client.get(url, headers=owner.headers).json() == row


# --------------------------------------------------------------------------- unique (409)


def _unique_fields(resource: ResourceSpec) -> list[FieldSpec]:
    return [spec for spec in resource.fields if spec.unique]


@pytest.mark.resources_with("unique")
def test_resource_unique_clash_is_409(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User
) -> None:
    code = rv.conflict_code(resource)
    for spec in _unique_fields(resource):
        taken = rows.create(resource)
        other = rows.create(resource)
        clash = {**rows.body(resource), spec.name: taken[spec.name]}
        assert_error(rows.post(resource, clash), 409, code)
        # Whoever asks: another user's create clashes just the same.
        assert_error(rows.post(resource, clash, new_user(client, "clash")), 409, code)
        url = rv.item(resource, other["id"])
        response = client.patch(url, json={spec.name: taken[spec.name]}, headers=owner.headers)
        assert_error(response, 409, code)
        assert client.get(url, headers=owner.headers).json() == other
        # A row keeps its own value without clashing with itself.
        own = rv.item(resource, taken["id"])
        response = client.patch(own, json={spec.name: taken[spec.name]}, headers=owner.headers)
        assert response.status_code == 200, response.text
        if spec.optional:  # null is no value: any number of rows may have none
            for _ in range(2):
                assert rows.create(resource, **{spec.name: None})[spec.name] is None


@pytest.mark.resources_with("unique")
def test_resource_simultaneous_unique_creates(
    service: Service, resource: ResourceSpec, rows: Rows, owner: User
) -> None:
    """The database decides: identical creates racing each other give one 201, the rest 409."""
    body = rows.body(resource)
    barrier = threading.Barrier(RACERS, timeout=30)

    def create() -> httpx.Response:
        with httpx.Client(base_url=service.base_url, timeout=30) as http:
            barrier.wait()
            return http.post(rv.collection(resource), json=body, headers=owner.headers)

    with ThreadPoolExecutor(RACERS) as pool:
        responses = [
            future.result(timeout=60) for future in [pool.submit(create) for _ in range(RACERS)]
        ]
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (RACERS - 1), [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert_error(response, 409, rv.conflict_code(resource))


# --------------------------------------------------------------------------- P11 listing


def test_p11_resource_page(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User
) -> None:
    (marker, *_) = _markers(resource)
    made = rows.batch(resource, marker)
    mine = _filter(marker, made[0])
    page = _page(client, resource, owner, **mine)
    assert (page["total"], page["skip"], page["limit"], page["has_more"]) == (3, 0, 10, False)
    assert [item["id"] for item in page["items"]] == [row["id"] for row in made]  # default: id
    for item, row in zip(page["items"], made, strict=True):
        assert item == row

    first = _page(client, resource, owner, limit=2, **mine)
    assert [item["id"] for item in first["items"]] == [row["id"] for row in made[:2]]
    assert (first["total"], first["limit"], first["has_more"]) == (3, 2, True)
    last = _page(client, resource, owner, skip=2, limit=2, **mine)
    assert [item["id"] for item in last["items"]] == [made[2]["id"]]
    assert (last["total"], last["skip"], last["has_more"]) == (3, 2, False)
    beyond = _page(client, resource, owner, skip=5, **mine)
    assert (beyond["items"], beyond["total"], beyond["has_more"]) == ([], 3, False)

    everything = _page(client, resource, owner, limit=100)
    assert everything["total"] >= 3
    assert len(everything["items"]) == min(100, everything["total"])

    for params, name in (
        ({"skip": -1}, "skip"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"skip": "x"}, "skip"),
        ({"sort_order": "up"}, "sort_order"),
    ):
        response = client.get(rv.collection(resource), params=params, headers=owner.headers)
        assert name in validation_fields(response), f"{params}: {response.text}"


def _assert_sorted(
    resource: ResourceSpec,
    key: str,
    order: str,
    items: list[dict[str, Any]],
    made: list[dict[str, Any]],
) -> None:
    where = f"sort_by={key}&sort_order={order}"
    assert sorted(item["id"] for item in items) == sorted(row["id"] for row in made), where
    if key == "id":
        values: list[Any] = [item["id"] for item in items]
    elif key == "created_at":
        values = [rv.parse_timestamp(item["created_at"]) for item in items]
    else:
        spec = _field(resource, key)
        values = [rv.sort_key(spec, item[key]) for item in items]
    expected = sorted(values, reverse=order == "desc")
    assert values == expected, f"{where}: {[item[key] for item in items]}"
    if len(set(values)) == len(values) and key not in ("id", "created_at"):
        # Distinct values in an order that is neither the rows' nor its reverse: a service that
        # ignored sort_by would have failed above; make sure the test could tell.
        assert [item["id"] for item in items] != sorted(
            (row["id"] for row in made), reverse=order == "desc"
        ), where


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_p11_resource_sort(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User, order: str
) -> None:
    """``sort_by`` over ``id``, ``created_at`` and every scalar field, in both orders."""
    markers = _markers(resource)
    marker = markers[0]
    made = rows.batch(resource, marker)
    for key in rv.sort_keys(resource):
        if key == marker.name:
            continue
        page = _page(
            client,
            resource,
            owner,
            sort_by=key,
            sort_order=order,
            limit=100,
            **_filter(marker, made[0]),
        )
        _assert_sorted(resource, key, order, page["items"], made)
    if len(markers) < 2:
        pytest.skip(f"{resource.name}: no second marker field to sort by {marker.name} alone")
    second = markers[1]
    made = rows.batch(resource, second)
    page = _page(
        client,
        resource,
        owner,
        sort_by=marker.name,
        sort_order=order,
        limit=100,
        **_filter(second, made[0]),
    )
    _assert_sorted(resource, marker.name, order, page["items"], made)


def test_p11_resource_sort_by_anything_else_is_refused(
    client: httpx.Client, resource: ResourceSpec, owner: User
) -> None:
    refused = ["no_such_field", "owner_id", "updated_at", "password_hash", "ID", "id desc", ""]
    refused += [spec.name for spec in resource.fields if not spec.scalar]
    for key in refused:
        response = client.get(
            rv.collection(resource), params={"sort_by": key}, headers=owner.headers
        )
        assert "sort_by" in validation_fields(response), f"sort_by={key!r}: {response.text}"


def test_p11_resource_filters(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User
) -> None:
    """One exact-match filter per scalar field: exactly the rows with that value."""
    marker = _markers(resource)[0]
    made = rows.batch(resource, marker)
    mine = _filter(marker, made[0])

    def matching(params: Mapping[str, str]) -> list[int]:
        page = _page(client, resource, owner, limit=100, **params)
        return [item["id"] for item in page["items"]]

    assert matching(mine) == [row["id"] for row in made]
    for spec in rv.scalar_fields(resource):
        if spec == marker:
            continue
        wanted = made[0][spec.name]
        expected = [
            row["id"]
            for row in made
            if rv.canonical(spec, row[spec.name]) == rv.canonical(spec, wanted)
        ]
        text = rv.query_value(spec, wanted)
        assert matching({**mine, spec.name: text}) == expected, f"{spec.name}={text}"
        other = rv.other_spelling(spec, wanted)
        if other is not None:
            assert matching({**mine, spec.name: other}) == expected, f"{spec.name}={other}"
        if spec.type in ("str", "email", "url") and len(text) > 1:
            # Exact: neither a prefix nor a substring matches.
            assert matching({**mine, spec.name: text[:-1]}) == [], f"{spec.name}={text[:-1]}"
        # The filter alone (others' rows included) returns only rows with that value.
        page = _page(client, resource, owner, limit=100, **{spec.name: text})
        assert page["items"], f"{spec.name}={text}"
        for item in page["items"]:
            assert rv.canonical(spec, item[spec.name]) == rv.canonical(spec, wanted), item


def test_p11_resource_invalid_filters_are_refused(
    client: httpx.Client, resource: ResourceSpec, owner: User
) -> None:
    failures = []
    for spec in rv.scalar_fields(resource):
        for text in rv.invalid_query_values(spec):
            response = client.get(
                rv.collection(resource), params={spec.name: text}, headers=owner.headers
            )
            if response.status_code != 422 or spec.name not in validation_fields(response):
                failures.append(
                    f"{spec.name}={text[:60]}: {response.status_code} {response.text[:300]}"
                )
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------- P13 / P16 events


@pytest.fixture
def events(service: Service, client: httpx.Client) -> Iterator[EventStream]:
    listener = new_user(client, "listener")
    stream = EventStream(
        service.base_url, listener.token, read_timeout=service.sse_ping_seconds + 4
    )
    try:
        assert stream.response.status_code == 200, stream.response.read()
        stream.wait_for_comment(service.sse_ping_seconds + 4)  # ": subscribed"
        yield stream
    finally:
        stream.close()


def _assert_event(payload: dict[str, Any], name: str, data: dict[str, Any]) -> None:
    assert set(payload) == {"type", "data", "occurred_at"}, payload
    assert payload["type"] == name, payload
    assert payload["data"] == data, payload
    rv.parse_timestamp(payload["occurred_at"])


def _with_id(row_id: int) -> Callable[[dict[str, Any]], bool]:
    return lambda data: data.get("id") == row_id


def test_p13_resource_events_are_streamed(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User, events: EventStream
) -> None:
    row = rows.create(resource)
    name = resource.name
    payload = events.wait_for_domain_event(f"{name}.created", _with_id(row["id"]))
    _assert_event(payload, f"{name}.created", {"id": row["id"], "owner_id": owner.id})

    # Two fields, sent in reverse order: the event lists them sorted.
    changed = sorted({resource.fields[0].name, resource.fields[-1].name}, reverse=True)
    change = {}
    for field_name in changed:
        spec = _field(resource, field_name)
        refs = [row[spec.name], *rows.ids(spec.ref, 1)] if spec.ref is not None else ()
        change[field_name] = rv.value(spec, rv.new_token(), 1, refs)
    url = rv.item(resource, row["id"])
    response = client.patch(url, json=change, headers=owner.headers)
    assert response.status_code == 200, response.text
    payload = events.wait_for_domain_event(f"{name}.updated", _with_id(row["id"]))
    _assert_event(payload, f"{name}.updated", {"id": row["id"], "fields": sorted(changed)})

    response = client.delete(url, headers=owner.headers)
    assert response.status_code == 204, response.text
    payload = events.wait_for_domain_event(f"{name}.deleted", _with_id(row["id"]))
    _assert_event(payload, f"{name}.deleted", {"id": row["id"]})


@pytest.mark.resources_with("unique_or_ref")
def test_p13_refused_resource_writes_publish_nothing(
    client: httpx.Client, resource: ResourceSpec, rows: Rows, owner: User, events: EventStream
) -> None:
    """Writes the database refuses (a unique clash, a ref to a missing row) publish nothing:
    the writer's first event is the one of their first successful write."""
    unique = [spec for spec in resource.fields if spec.unique]
    refs = [spec for spec in resource.fields if spec.ref is not None]
    writer = new_user(client, "writer")
    taken = rows.create(resource)
    mine = rows.create(resource, writer)
    payload = events.wait_for_domain_event(f"{resource.name}.created", _with_id(mine["id"]))
    url = rv.item(resource, mine["id"])
    refused: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (create body, update body)
    for spec in unique:
        value = taken[spec.name]
        refused.append(({**rows.body(resource), spec.name: value}, {spec.name: value}))
    for spec in refs:
        for missing in _missing_ref_ids(rows, spec):
            refused.append(({**rows.body(resource), spec.name: missing}, {spec.name: missing}))
    for create, update in refused:
        assert rows.post(resource, create, writer).status_code in (409, 422)
        response = client.patch(url, json=update, headers=writer.headers)
        assert response.status_code in (409, 422), response.text

    row = rows.create(resource, writer)
    payload = events.wait_for_domain_event(
        f"{resource.name}.created",
        lambda data: data.get("owner_id") == writer.id and data.get("id") != mine["id"],
    )
    assert payload["data"] == {"id": row["id"], "owner_id": writer.id}, payload
    spec = resource.fields[0]
    pool = [mine[spec.name], *rows.ids(spec.ref, 1)] if spec.ref is not None else ()
    change = {spec.name: rv.value(spec, rv.new_token(), 1, pool)}
    response = client.patch(url, json=change, headers=writer.headers)
    assert response.status_code == 200, response.text
    payload = events.wait_for_domain_event(f"{resource.name}.updated", _with_id(mine["id"]))
    assert payload["data"] == {"id": mine["id"], "fields": [spec.name]}, payload
