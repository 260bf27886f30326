from marshmallow import fields, validate

from schemas.base import BaseSchema, PageQuery


class AgencySchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    province = fields.String(required=True, validate=validate.Length(min=1, max=100))
    region = fields.String(required=True, validate=validate.Length(min=1, max=100))
    created_at = fields.DateTime(dump_only=True)


class AgencyQuery(PageQuery):
    province = fields.String(validate=validate.Length(max=100))
    code = fields.String(validate=validate.Length(max=32))
