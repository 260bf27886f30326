from marshmallow import fields

from schemas.base import ID_RANGE
from schemas.workflow_record import RecordQuery, RecordSchema


class TrainingNominationSchema(RecordSchema):
    employee_id = fields.Integer(dump_only=True)
    program_id = fields.Integer(dump_only=True)
    justification = fields.String(allow_none=True, dump_only=True)


class TrainingNominationQuery(RecordQuery):
    program_id = fields.Integer(validate=ID_RANGE)
