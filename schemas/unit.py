from marshmallow import fields, validate

from schemas.base import ID_RANGE, BaseSchema, PageQuery

ID = ID_RANGE


class UnitSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    agency_id = fields.Integer(required=True, validate=ID)
    parent_id = fields.Integer(allow_none=True, validate=ID)
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UnitQuery(PageQuery):
    agency_id = fields.Integer(validate=ID)
    parent_id = fields.Integer(validate=ID)
