"""Pieces shared by the workflow definitions: the common states and small checks."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from workflow.errors import InvalidPayload

# Segregation of duties (DESIGN §2), as transition options: at the review stage
# nobody decides on a record about themselves; at the approval stage, moreover,
# the decider must be someone other than the reviewer.
SOD_REVIEW = {"not_subject": True}
SOD_APPROVE = {"not_subject": True, "not_reviewer": True}


class StrictSchema(Schema):
    """Unknown fields are refused (marshmallow's default, stated for the reader)."""

    class Meta:
        unknown = "raise"


def text(required: bool = False, max_length: int = 4000, **kwargs) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.Length(min=1 if required else 0, max=max_length),
        **kwargs,
    )


def load(schema: type[Schema], data: object, *, what: str) -> dict:
    """Validate ``data`` with ``schema``; refuse with field errors as InvalidPayload."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidPayload(f"{what} must be an object", {"_schema": ["Must be an object."]})
    try:
        return schema().load(data)
    except ValidationError as exc:
        raise InvalidPayload(f"invalid {what}", exc.normalized_messages()) from None


def get_or_invalid(session, model, ident, field: str, label: str):
    """Load a referenced row or refuse the payload naming the field."""
    row = session.get(model, ident)
    if row is None:
        raise InvalidPayload(f"unknown {label}", {field: [f"No {label} with id {ident}."]})
    return row
