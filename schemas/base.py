"""What every API schema shares: unknown fields refused, keyset pagination, problems."""

from __future__ import annotations

import base64
import binascii
import json

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from workflow.db import MAX_ID
from workflow.workflows.common import refuse_nul

MAX_PAGE = 200
ID_RANGE = validate.Range(min=1, max=MAX_ID)  # every id the API reads


class Integer(fields.Integer):
    """An integer within ``minimum``..``maximum`` (by default a 32-bit column's range).

    JSON integers have no size limit: an unbounded field passes a 5,000-digit number
    to the database, which answers with an error (a 500). Every integer the API
    reads is bounded, so such a number is a 422 naming the field.
    """

    def __init__(self, *, minimum: int = -(2**31), maximum: int = MAX_ID, **kwargs):
        validators = kwargs.pop("validate", None) or []
        validators = [validators] if callable(validators) else list(validators)
        bound = validate.Range(min=minimum, max=maximum)
        super().__init__(validate=[bound, *validators], **kwargs)


def Id(**kwargs) -> Integer:
    """The id of a row, or a version: 1..2^31-1."""
    return Integer(minimum=1, maximum=MAX_ID, **kwargs)


class BaseSchema(Schema):
    class Meta:
        unknown = "raise"
        ordered = True

    @pre_load(pass_collection=True)
    def _no_nul(self, data, **kwargs):
        return refuse_nul(data)


class PageQuery(BaseSchema):
    """``limit`` and the opaque ``cursor`` of the page to read (from ``next_cursor``)."""

    limit = Integer(load_default=50, minimum=1, maximum=MAX_PAGE)
    cursor = fields.String(load_default=None, metadata={"description": "From next_cursor"})


def encode_cursor(position) -> str:
    """An opaque page cursor for a JSON-able position (the last key of a page)."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def decode_cursor(cursor: str):
    """The position inside a cursor; ValidationError for one that is not ours."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValidationError("Not a cursor this API issued.", "cursor") from None


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The envelope of one page of ``item_schema`` items."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "next_cursor": fields.String(
                allow_none=True, required=True, metadata={"description": "None on the last page"}
            ),
        },
        name=f"{item_schema.__name__.removesuffix('Schema')}Page",
    )


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(metadata={"description": "Field → messages, for 422"})
    state = fields.String(metadata={"description": "The record's state, for a refused step"})
    allowed = fields.List(fields.String(), metadata={"description": "Triggers you may fire"})
