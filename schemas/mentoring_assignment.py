from marshmallow import fields, validate

from schemas.workflow_record import RecordQuery, RecordSchema


class MentoringAssignmentSchema(RecordSchema):
    mentor_id = fields.Integer(dump_only=True)
    mentee_id = fields.Integer(dump_only=True)
    goals = fields.String(dump_only=True)
    start_date = fields.Date(dump_only=True)
    end_date = fields.Date(dump_only=True)
    jp = fields.Integer(dump_only=True)


class MentoringAssignmentQuery(RecordQuery):
    mentor_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
