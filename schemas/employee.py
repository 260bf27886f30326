from marshmallow import ValidationError, fields, validate, validates, validates_schema

from schemas.base import ID_RANGE, BaseSchema, PageQuery
from workflow.nip import InvalidNIP, parse_nip
from workflow.ranks import RANKS_BY_STATUS, EmploymentStatus

ID = ID_RANGE


class EmployeeSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    nip = fields.String(required=True, metadata={"description": "18 digits (NIP)"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    status = fields.String(
        required=True, validate=validate.OneOf([s.value for s in EmploymentStatus])
    )
    rank = fields.String(required=True, metadata={"description": "Golongan (PNS) or grade (PPPK)"})
    position = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit_id = fields.Integer(required=True, validate=ID)
    agency_id = fields.Integer(dump_only=True, metadata={"description": "The unit's agency"})
    supervisor_id = fields.Integer(allow_none=True, validate=ID)
    created_at = fields.DateTime(dump_only=True)

    @validates("nip")
    def _nip(self, value, **kwargs):
        try:
            parse_nip(value)
        except InvalidNIP as exc:
            raise ValidationError(str(exc)) from None

    @validates_schema
    def _rank(self, data, partial=None, **kwargs):
        if "status" in data and "rank" in data:
            valid = RANKS_BY_STATUS[EmploymentStatus(data["status"])]
            if data["rank"] not in valid:
                raise ValidationError(f"Not a {data['status']} rank: {', '.join(valid)}.", "rank")


class EmployeeQuery(PageQuery):
    agency_id = fields.Integer(validate=ID)
    unit_id = fields.Integer(validate=ID)
    supervisor_id = fields.Integer(validate=ID)
    nip = fields.String(validate=validate.Length(max=18))
