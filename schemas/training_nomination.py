from marshmallow import fields, validate

from schemas.workflow_record import RecordQuery, RecordSchema


class TrainingNominationSchema(RecordSchema):
    employee_id = fields.Integer(dump_only=True)
    program_id = fields.Integer(dump_only=True)
    justification = fields.String(allow_none=True, dump_only=True)


class TrainingNominationQuery(RecordQuery):
    program_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
