"""Performance periods, and what opening one did."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import ID_RANGE, BaseSchema, PageQuery

KINDS = ["annual", "quarterly", "monthly"]


class PeriodSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    agency_id = fields.Integer(
        required=True, validate=ID_RANGE, metadata={"description": "The agency"}
    )
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    kind = fields.String(load_default="annual", validate=validate.OneOf(KINDS))
    number = fields.Integer(
        load_default=1,
        validate=validate.Range(1, 12),
        metadata={"description": "The quarter (1-4) or month (1-12); 1 for a year"},
    )
    code = fields.String(dump_only=True, metadata={"description": "annual, Q1..Q4, M01..M12"})
    starts_on = fields.Date(metadata={"description": "Default: from year, kind and number"})
    ends_on = fields.Date(metadata={"description": "Included; default likewise"})
    plans_due_on = fields.Date(metadata={"description": "SKP plans agreed by"})
    realisation_due_on = fields.Date(metadata={"description": "Realisation entered by"})
    evaluation_due_on = fields.Date(metadata={"description": "Evaluation done by"})
    created_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    opened_at = fields.DateTime(dump_only=True, allow_none=True)
    opened_by_id = fields.Integer(dump_only=True, allow_none=True)


class PeriodQuery(PageQuery):
    agency_id = fields.Integer(validate=ID_RANGE)
    year = fields.Integer(validate=validate.Range(2000, 2100))


class LeftOutSchema(BaseSchema):
    nip = fields.String()
    reason = fields.String()


class OpeningSchema(BaseSchema):
    period_id = fields.Integer()
    made = fields.Integer(metadata={"description": "Appraisals made now"})
    had_one = fields.Integer(metadata={"description": "Employees who had one already"})
    left_out = fields.List(
        fields.Nested(LeftOutSchema),
        metadata={"description": "Employees the org chart gives no assessor or approver"},
    )
    plans_made = fields.Integer(metadata={"description": "SKP plans made now (a year only)"})
    had_plan = fields.Integer(
        metadata={"description": "Employees who had an SKP plan for the year already"}
    )
