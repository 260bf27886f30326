from marshmallow import fields

from schemas.base import ID_RANGE
from schemas.workflow_record import RecordQuery, RecordSchema


class MentoringAssignmentSchema(RecordSchema):
    mentor_id = fields.Integer(dump_only=True)
    mentee_id = fields.Integer(dump_only=True)
    goals = fields.String(dump_only=True)
    start_date = fields.Date(dump_only=True)
    end_date = fields.Date(dump_only=True)
    jp = fields.Integer(dump_only=True)


class MentoringAssignmentQuery(RecordQuery):
    mentor_id = fields.Integer(validate=ID_RANGE)
