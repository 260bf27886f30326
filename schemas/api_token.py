"""API tokens: listed without the token, which is shown once, when made."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import BaseSchema, Id, Integer, PageQuery
from workflow import tokens


class ApiTokenSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    user_id = fields.Integer(dump_only=True)
    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=tokens.NAME_LENGTH),
        metadata={"description": "What the token is for (a laptop, a system)"},
    )
    days = Integer(
        load_only=True,
        strict=True,  # a JSON integer: not 1.5, "90" or "٩٠"
        minimum=1,
        maximum=3650,
        metadata={
            "description": "Days until it expires; by default, and at most, the "
            "operator's ALUR_API_TOKEN_DAYS (90)"
        },
    )
    prefix = fields.String(dump_only=True, metadata={"description": "Its first characters"})
    status = fields.Function(
        tokens.status, dump_only=True, metadata={"description": "active, expired or revoked"}
    )
    created_at = fields.DateTime(dump_only=True)
    expires_at = fields.DateTime(dump_only=True, allow_none=True)
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)


class NewApiTokenSchema(ApiTokenSchema):
    token = fields.String(
        dump_only=True, metadata={"description": "The token itself: shown this once, never again"}
    )


class ApiTokenQuery(PageQuery):
    user_id = Id(metadata={"description": "Admins: the tokens of this user (default: yours)"})
