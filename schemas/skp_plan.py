"""An SKP plan and its RHK, as the API shows them; they are written as the engine takes
them (``workflow.workflows.skp_plan``)."""

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from schemas.base import ID_RANGE, BaseSchema
from schemas.workflow_record import RecordQuery, RecordSchema


class RhkIndicatorSchema(BaseSchema):
    aspect = fields.String(metadata={"description": "kuantitas, kualitas, waktu or biaya"})
    indicator = fields.String()
    target = fields.String()


class RhkItemSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    position = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"description": "utama or tambahan"})
    text = fields.String(dump_only=True)
    parent_id = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The RHK of the assessor's agreed plan this one supports"},
    )
    agency_target = fields.String(dump_only=True, allow_none=True)
    indicators = fields.Method("_indicators", dump_only=True)

    def _indicators(self, item) -> list:
        # as objects, whatever a hand edit left in the row (``audit verify`` names the edit)
        value = item["indicators"] if isinstance(item, dict) else item.indicators
        shown = [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []
        return RhkIndicatorSchema(many=True).dump(shown)


class SkpPlanSchema(RecordSchema):
    employee_id = fields.Integer(dump_only=True)
    year = fields.Integer(dump_only=True)
    assessor_id = fields.Integer(dump_only=True, allow_none=True)
    expectations = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        allow_none=True,
        dump_only=True,
        metadata={"description": "The leader's expectations per BerAKHLAK value"},
    )
    rhk_digest = fields.String(dump_only=True, allow_none=True)
    items = fields.List(fields.Nested(RhkItemSchema), dump_only=True)


class SkpPlanQuery(RecordQuery):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    assessor_id = fields.Integer(validate=ID_RANGE)


class CascadeItemSchema(RhkItemSchema):
    plan_id = fields.Integer(dump_only=True)
    employee_id = fields.Integer(dump_only=True)
    employee_name = fields.String(dump_only=True)
    year = fields.Integer(dump_only=True)
    plan_state = fields.String(dump_only=True)


class CascadeNodeSchema(BaseSchema):
    item = fields.Nested(CascadeItemSchema)
    children = fields.List(fields.Nested(lambda: CascadeNodeSchema()))
    hidden = fields.Integer(metadata={"description": "RHK below this one in plans you may not see"})
    more = fields.Integer(
        metadata={"description": "RHK below this one past the most a cascade lists (1,000)"}
    )


class CascadeSchema(BaseSchema):
    up = fields.List(
        fields.Nested(CascadeItemSchema),
        metadata={"description": "The RHK above, nearest first, up to the agency head's"},
    )
    agency_target = fields.String(allow_none=True)
    node = fields.Nested(CascadeNodeSchema)


class EvidenceSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"description": "file or link"})
    url = fields.String(dump_only=True, allow_none=True)
    file_name = fields.String(dump_only=True, allow_none=True)
    content_type = fields.String(dump_only=True, allow_none=True)
    size = fields.Integer(dump_only=True, allow_none=True)
    sha256 = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class RealisationSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    plan_id = fields.Integer(dump_only=True)
    rhk_id = fields.Integer(dump_only=True)
    period = fields.String(dump_only=True)
    value = fields.String(dump_only=True)
    narrative = fields.String(dump_only=True, allow_none=True)
    updated_at = fields.DateTime(dump_only=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), dump_only=True)


class RealisationBodySchema(BaseSchema):
    value = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "What was achieved, as the indicator's target is said"},
    )
    narrative = fields.String(validate=validate.Length(max=4000), allow_none=True)


class LinkBodySchema(BaseSchema):
    url = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "An http:// or https:// address"},
    )


class FileBodySchema(BaseSchema):
    file = Upload(required=True, metadata={"description": "A PDF, PNG or JPEG file"})


class FeedbackSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    plan_id = fields.Integer(dump_only=True)
    rhk_id = fields.Integer(dump_only=True, allow_none=True)
    core_value = fields.String(dump_only=True, allow_none=True)
    note = fields.String(dump_only=True)
    given_on = fields.Date(dump_only=True)
    author_id = fields.Integer(dump_only=True, allow_none=True)


class FeedbackBodySchema(BaseSchema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    rhk_id = fields.Integer(validate=ID_RANGE, allow_none=True)
    core_value = fields.String(validate=validate.Length(max=32), allow_none=True)
    given_on = fields.Date(allow_none=True, metadata={"description": "Default: today"})


class BasisRhkSchema(RhkItemSchema):
    realisations = fields.List(fields.Nested(RealisationSchema))


class PeriodicResultSchema(BaseSchema):
    id = fields.Integer()
    period = fields.String()
    predicate = fields.String(allow_none=True)


class BasisSchema(BaseSchema):
    plan_id = fields.Integer(
        allow_none=True, metadata={"description": "The employee's agreed plan for the year"}
    )
    rhk = fields.List(fields.Nested(BasisRhkSchema))
    feedback = fields.List(fields.Nested(FeedbackSchema))
    periodic = fields.List(
        fields.Nested(PeriodicResultSchema),
        metadata={"description": "The year's periodic appraisals (for the year's appraisal)"},
    )
