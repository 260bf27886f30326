"""Hostile input to the API: odd digits, huge numbers, deep nesting, lone surrogates.

Each answers a 4xx problem that names the field and why, never a 500, and changes nothing.
"""

from __future__ import annotations

import pytest

from tests.factories import new_record
from tests.test_api_errors import problem_of

NOMINATIONS = "/api/v1/training-nominations"


@pytest.fixture
def headers(cast, bearer):
    return bearer(cast.admin)


@pytest.fixture
def nomination(session, cast):
    return new_record(session, cast, "training_nomination")


# Superscript two, Arabic-Indic three, full-width one, Devanagari five: digits to
# str.isdigit() (some even to int()), but no version number.
NON_ASCII_DIGITS = ['"²"', '"٣"', '"\uff11"', '"५"', "²", 'W/"٣"']


@pytest.mark.parametrize("if_match", NON_ASCII_DIGITS)
def test_an_if_match_of_non_ascii_digits_on_a_patch_is_412(client, headers, nomination, if_match):
    path = f"{NOMINATIONS}/{nomination.id}"
    version = nomination.version
    body = problem_of(
        client.patch(
            path, headers={**headers, "If-Match": if_match}, json={"justification": "Lain"}
        ),
        412,
    )
    assert "If-Match" in body["detail"]
    assert client.get(path, headers=headers).get_json()["version"] == version


@pytest.mark.parametrize("if_match", NON_ASCII_DIGITS)
def test_an_if_match_of_non_ascii_digits_on_a_transition_is_412(
    client, headers, nomination, if_match
):
    path = f"{NOMINATIONS}/{nomination.id}/transitions"
    body = problem_of(
        client.post(path, headers={**headers, "If-Match": if_match}, json={"trigger": "submit"}),
        412,
    )
    assert "If-Match" in body["detail"]
    state = client.get(f"{NOMINATIONS}/{nomination.id}", headers=headers).get_json()["state"]
    assert state == "draft"


def test_a_5000_digit_integer_is_422_naming_the_field(client, headers, cast):
    huge = "9" * 5000
    response = client.post(
        NOMINATIONS,
        headers={**headers, "Content-Type": "application/json"},
        data=f'{{"employee_id": {huge}, "program_id": {cast.program.id}}}',
    )
    body = problem_of(response, 422)
    assert "employee_id" in body["errors"]


@pytest.mark.parametrize("value", [2**31, -1, 0, 10**40])
def test_ids_out_of_range_are_422_naming_the_field(client, headers, cast, value):
    body = problem_of(
        client.post(
            NOMINATIONS, headers=headers, json={"employee_id": value, "program_id": cast.program.id}
        ),
        422,
    )
    assert "employee_id" in body["errors"]


def test_a_huge_integer_in_a_patch_is_422(client, headers, cast):
    path = f"/api/v1/employees/{cast.subject_employee.id}"
    response = client.patch(
        path,
        headers={**headers, "Content-Type": "application/json"},
        data='{"supervisor_id": ' + "7" * 5000 + "}",
    )
    assert "supervisor_id" in problem_of(response, 422)["errors"]


def test_a_huge_integer_in_a_query_is_422(client, headers):
    body = problem_of(client.get(f"{NOMINATIONS}?employee_id={'9' * 5000}", headers=headers), 422)
    assert body["errors"]


@pytest.mark.parametrize("depth", [100_000, 2_000])
def test_deeply_nested_arrays_are_refused(client, headers, depth):
    data = '{"employee_id": ' + "[" * depth + "]" * depth + "}"
    response = client.post(
        NOMINATIONS, headers={**headers, "Content-Type": "application/json"}, data=data
    )
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]
    problem_of(response, response.status_code)


@pytest.mark.parametrize("surrogate", ["\\ud800", "\\udfff", "a\\udc00b"])
def test_a_lone_surrogate_in_a_string_is_422_naming_the_field(
    client, headers, nomination, surrogate
):
    path = f"{NOMINATIONS}/{nomination.id}/transitions"
    response = client.post(
        path,
        headers={**headers, "Content-Type": "application/json"},
        data=f'{{"trigger": "submit", "comment": "{surrogate}"}}',
    )
    body = problem_of(response, 422)
    assert "comment" in body["errors"]
    state = client.get(f"{NOMINATIONS}/{nomination.id}", headers=headers).get_json()["state"]
    assert state == "draft"


def test_a_lone_surrogate_in_a_created_record_is_422(client, headers, cast):
    data = (
        f'{{"employee_id": {cast.subject_employee.id}, "program_id": {cast.program.id}, '
        '"justification": "\\ud83d"}'
    )
    response = client.post(
        NOMINATIONS, headers={**headers, "Content-Type": "application/json"}, data=data
    )
    assert "justification" in problem_of(response, 422)["errors"]


@pytest.mark.parametrize(
    "path",
    [f"{NOMINATIONS}?cursor=%%%", "/api/v1/inbox?cursor=bm9wZQ", "/api/v1/employees?cursor=WzFd"],
)
def test_a_bad_cursor_is_422_naming_the_cursor(client, headers, path):
    body = problem_of(client.get(path, headers=headers), 422)
    assert body["errors"].get("cursor") or body["errors"].get("query.cursor")
    messages = body["errors"].get("cursor") or body["errors"]["query.cursor"]
    assert "cursor" in " ".join(messages).lower()


@pytest.mark.parametrize("key", ["k" * 300, "", "schlüssel", "a\tb"])
def test_a_bad_idempotency_key_is_422_naming_the_header(client, headers, nomination, key):
    path = f"{NOMINATIONS}/{nomination.id}/transitions"
    body = problem_of(
        client.post(path, headers={**headers, "Idempotency-Key": key}, json={"trigger": "submit"}),
        422,
    )
    assert "255" in " ".join(body["errors"]["headers.Idempotency-Key"])
    state = client.get(f"{NOMINATIONS}/{nomination.id}", headers=headers).get_json()["state"]
    assert state == "draft"


def _integers(node, spec, path, seen=()):
    """(path, schema) of every integer in an OpenAPI schema, $refs followed."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                yield from _integers(spec["components"]["schemas"][name], spec, path, (*seen, name))
            return
        kind = node.get("type")
        if kind == "integer" or (isinstance(kind, list) and "integer" in kind):
            yield path, node
        for key in ("properties", "items", "additionalProperties", "anyOf", "oneOf", "allOf"):
            value = node.get(key)
            if isinstance(value, dict) and key == "properties":
                for name, sub in value.items():
                    yield from _integers(sub, spec, f"{path}.{name}", seen)
            elif isinstance(value, dict):
                yield from _integers(value, spec, path, seen)
            elif isinstance(value, list):
                for sub in value:
                    yield from _integers(sub, spec, path, seen)


def test_every_integer_the_api_reads_is_bounded(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    unbounded = []
    for url, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            where = f"{method.upper()} {url}"
            inputs = [
                (f"{where} {p['name']}", p.get("schema", {}))
                for p in operation.get("parameters", [])
                if p.get("in") != "path"
            ]
            for media in operation.get("requestBody", {}).get("content", {}).values():
                inputs.append((f"{where} body", media.get("schema", {})))
            for path, schema in inputs:
                for name, integer in _integers(schema, spec, path):
                    if integer.get("readOnly"):
                        continue
                    if "minimum" not in integer or "maximum" not in integer:
                        unbounded.append(name)
    assert not unbounded
