"""Pieces shared by the workflow definitions: the review and approval rows, small checks."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from workflow.db import MAX_ID
from workflow.definition import Party, Transition, t
from workflow.errors import InvalidPayload, Term, Text, term
from workflow.parties import ADMIN

# Segregation of duties, as transition options: at the review stage
# nobody decides on a record about themselves; at the approval stage, moreover,
# the decider must be someone other than the reviewer.
SOD_REVIEW = {"not_subject": True}
SOD_APPROVE = {"not_subject": True, "not_reviewer": True}


def review_and_approval(
    reviewer: Party, approver: Party, *, review: dict | None = None, approve: dict | None = None
) -> list[Transition]:
    """The review and the approval every workflow has, each with its return and reject.

    ``reviewer`` takes a submitted record, ``approver`` a reviewed one (admins may stand in
    for either); a return or a rejection needs a reason. ``review`` and ``approve`` are the
    further options of those two rows (data, guards, effects).
    """
    by_reviewer, by_approver = [reviewer, ADMIN], [approver, ADMIN]
    return [
        t(
            "review",
            "submitted",
            "reviewed",
            by_reviewer,
            marks_reviewer=True,
            inbox=(reviewer,),
            **SOD_REVIEW,
            **(review or {}),
        ),
        t("return", "submitted", "returned", by_reviewer, needs_comment=True, **SOD_REVIEW),
        t("reject", "submitted", "rejected", by_reviewer, needs_comment=True, **SOD_REVIEW),
        t(
            "approve",
            "reviewed",
            "approved",
            by_approver,
            inbox=(approver,),
            **SOD_APPROVE,
            **(approve or {}),
        ),
        t("return", "reviewed", "returned", by_approver, needs_comment=True, **SOD_APPROVE),
        t("reject", "reviewed", "rejected", by_approver, needs_comment=True, **SOD_APPROVE),
    ]


def refuse_nul(data, path: str = ""):
    """Refuse NUL characters anywhere in the input: PostgreSQL cannot store them in text."""
    if isinstance(data, str):
        if "\x00" in data:
            raise ValidationError("Must not contain NUL characters.", path or "_schema")
    elif isinstance(data, Mapping):
        for key, value in data.items():
            refuse_nul(key, path or "_schema")
            refuse_nul(value, path or str(key))
    elif isinstance(data, list | tuple):
        for value in data:
            refuse_nul(value, path)
    return data


class StrictSchema(Schema):
    """Unknown fields are refused (marshmallow's default, stated for the reader)."""

    class Meta:
        unknown = "raise"

    @pre_load
    def _no_nul(self, data, **kwargs):
        return refuse_nul(data)


def ref_id(required: bool = True, **kwargs) -> fields.Integer:
    """The id of another row: a positive 32-bit integer, never a string."""
    return fields.Integer(
        required=required, strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs
    )


def text(required: bool = False, max_length: int = 4000, **kwargs) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.Length(min=1 if required else 0, max=max_length),
        **kwargs,
    )


@cache
def _instance(schema: type[Schema]) -> Schema:
    # One per schema: they keep no state between loads, and building one costs more
    # than loading a payload with it.
    return schema()


def load(schema: type[Schema], data: object, *, what: str | Term) -> dict:
    """Validate ``data`` with ``schema``; refuse with field errors as InvalidPayload."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidPayload(
            "%(what)s must be an object", {"_schema": [Text("Must be an object.")]}, {"what": what}
        )
    try:
        return _instance(schema).load(data)
    except ValidationError as exc:
        raise InvalidPayload(
            "invalid %(what)s", exc.normalized_messages(), {"what": what}
        ) from None


def apply(session, record, values: dict, actor=None) -> None:
    """The plain revision: set the fields."""
    for name, value in values.items():
        setattr(record, name, value)


def get_or_invalid(session, model, ident, field: str, label: str):
    """Load a referenced row or refuse the payload naming the field."""
    row = session.get(model, ident)
    if row is None:
        raise unknown(field, label, ident)
    return row


def unknown(field: str, label: str, ident) -> InvalidPayload:
    """The refusal of a reference to a row that does not exist (or is not the actor's to see)."""
    what = term("model", label)
    return InvalidPayload(
        "unknown %(what)s",
        {field: [Text("No %(what)s with id %(id)s.", what=what, id=ident)]},
        {"what": what},
    )
