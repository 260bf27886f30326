"""flask-smorest's Blueprint, with argument schemas made once and JSON bodies read warily."""

from __future__ import annotations

import json

import flask_smorest
from flask import Request
from flask_smorest import abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

# Deeper than any body of this API: each level costs the parser and the schemas a
# stack frame, and 100,000 of them would end in a RecursionError (a 500).
MAX_DEPTH = 32
# Longer than any 64-bit integer: a 5,000-digit number is valid JSON, and Python
# would read it (slowly) or refuse it with a ValueError (a 500) past 4,300 digits.
MAX_DIGITS = 20


class _OutOfRange:
    """Stands for a number too long to be read, so the field it was given for is named."""

    def __repr__(self) -> str:
        return "<number out of range>"


def _int(text: str):
    return int(text) if len(text.lstrip("-")) <= MAX_DIGITS else _OutOfRange()


def _float(text: str):
    return float(text) if len(text) <= 64 else _OutOfRange()


def _no_constant(name: str):
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def _is_lone_surrogate(text: str) -> bool:
    # JSON's \ud800 escapes decode to code points no UTF-8 text (nor PostgreSQL) holds.
    return any("\ud800" <= char <= "\udfff" for char in text)


def _field_errors(document) -> dict:
    """{field: [why]} for numbers out of range and lone surrogates; 400 if nested too deep.

    Iterative, so its own stack stays flat whatever the input. The field named is
    the top-level key the bad value lies under (or ``_schema`` for the body itself).
    """
    errors: dict[str, list[str]] = {}
    stack = [(document, "_schema", 0)]
    while stack:
        value, field, depth = stack.pop()
        if depth > MAX_DEPTH:
            abort(400, message=f"The JSON body is nested more than {MAX_DEPTH} levels deep.")
        if isinstance(value, _OutOfRange):
            errors.setdefault(field, []).append("Number out of range.")
        elif isinstance(value, str):
            if _is_lone_surrogate(value):
                errors.setdefault(field, []).append(
                    "Must not contain lone surrogates (\\ud800-\\udfff): not valid Unicode text."
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                if _is_lone_surrogate(key):
                    errors.setdefault(field, []).append(
                        "Keys must not contain lone surrogates: not valid Unicode text."
                    )
                named = key if depth == 0 and not _is_lone_surrogate(key) else field
                stack.append((item, named, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, field, depth + 1) for item in value)
    return errors


class Parser(FlaskParser):
    """webargs' Flask parser; bodies that no schema can read safely are refused first.

    Too deep → 400; a number too long or a lone surrogate → 422 naming the field;
    ``NaN``/``Infinity`` (not JSON) → 400.
    """

    def _raw_load_json(self, req: Request):
        if not is_json_request(req):
            return core.missing
        raw = req.get_data(cache=True)
        try:
            document = json.loads(
                raw.decode("utf-8"), parse_int=_int, parse_float=_float, parse_constant=_no_constant
            )
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(f"not UTF-8: {exc.reason}", "", exc.start) from exc
        except RecursionError:
            abort(400, message=f"The JSON body is nested more than {MAX_DEPTH} levels deep.")
        errors = _field_errors(document)
        if errors:
            abort(422, messages={"json": errors})
        return document

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(400, message=f"The body is not valid JSON: {error}", messages={"json": [str(error)]})


class Blueprint(flask_smorest.Blueprint):
    """Given a schema class, webargs would instantiate it for every request it parses."""

    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema, *args, **kwargs):
        """As flask-smorest's; a schema class becomes its one instance here."""
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)
