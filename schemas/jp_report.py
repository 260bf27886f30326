"""The JP report: who is below the yearly right of competency development."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import ID_RANGE, BaseSchema, PageQuery

ID = ID_RANGE


class JpReportQuery(PageQuery):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    agency_id = fields.Integer(required=True, validate=ID)
    unit_id = fields.Integer(validate=ID)
    threshold = fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=1000),
        metadata={"description": "JP a year; the right is 20"},
    )


class UnitTotalSchema(BaseSchema):
    unit_id = fields.Integer(required=True)
    unit = fields.String(required=True)
    employees = fields.Integer(required=True)
    below = fields.Integer(required=True)
    jp = fields.Integer(required=True, metadata={"description": "JP credited in the unit"})


class BelowSchema(BaseSchema):
    employee_id = fields.Integer(required=True)
    nip = fields.String(required=True)
    name = fields.String(required=True)
    unit_id = fields.Integer(required=True)
    jp = fields.Integer(required=True)


class JpReportSchema(BaseSchema):
    year = fields.Integer(required=True)
    agency_id = fields.Integer(required=True)
    unit_id = fields.Integer(allow_none=True)
    threshold = fields.Integer(required=True)
    totals = fields.List(fields.Nested(UnitTotalSchema), required=True)
    items = fields.List(fields.Nested(BelowSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
