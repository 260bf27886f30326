from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import ID_RANGE, BaseSchema, PageQuery
from workflow.models.programs import DeliveryMode, DevelopmentForm

ID = ID_RANGE


class TrainingProgramSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    form = fields.String(required=True, validate=validate.OneOf([f.value for f in DevelopmentForm]))
    classical = fields.Boolean(dump_only=True, metadata={"description": "Klasikal or not"})
    delivery_mode = fields.String(
        required=True, validate=validate.OneOf([m.value for m in DeliveryMode])
    )
    organiser = fields.String(required=True, validate=validate.Length(min=1, max=200))
    agency_id = fields.Integer(allow_none=True, validate=ID)
    jp = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    seat_quota = fields.Integer(required=True, validate=validate.Range(min=1, max=1_000_000))
    seats_taken = fields.Integer(dump_only=True)
    cost_per_participant = fields.Integer(
        required=True, validate=validate.Range(min=0, max=10**12), metadata={"description": "IDR"}
    )
    description = fields.String(allow_none=True, validate=validate.Length(max=10_000))

    @validates_schema
    def _dates(self, data, partial=None, **kwargs):
        if "start_date" in data and "end_date" in data and data["end_date"] < data["start_date"]:
            raise ValidationError("Must not be before start_date.", "end_date")


class TrainingProgramQuery(PageQuery):
    agency_id = fields.Integer(validate=ID)
    form = fields.String(validate=validate.OneOf([f.value for f in DevelopmentForm]))
    delivery_mode = fields.String(validate=validate.OneOf([m.value for m in DeliveryMode]))
