from marshmallow import fields, validate

from schemas.workflow_record import RecordQuery, RecordSchema


class AppraisalSchema(RecordSchema):
    employee_id = fields.Integer(dump_only=True)
    year = fields.Integer(dump_only=True)
    period = fields.String(dump_only=True)
    assessor_id = fields.Integer(dump_only=True)
    approver_id = fields.Integer(dump_only=True)
    self_assessment = fields.String(allow_none=True, dump_only=True)
    work_result_rating = fields.String(allow_none=True, dump_only=True)
    behaviour_rating = fields.String(allow_none=True, dump_only=True)
    feedback = fields.String(allow_none=True, dump_only=True)
    behaviour_feedback = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        allow_none=True,
        dump_only=True,
        metadata={"description": "Feedback per BerAKHLAK value"},
    )
    predicate = fields.String(allow_none=True, dump_only=True)
    predicate_rule = fields.String(allow_none=True, dump_only=True)


class AppraisalQuery(RecordQuery):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    period = fields.String(validate=validate.Length(max=8))
