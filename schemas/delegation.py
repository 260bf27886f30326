"""Acting officials (Plt/Plh)."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import ID_RANGE, BaseSchema, PageQuery

ID = ID_RANGE


class DelegationSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    principal_id = fields.Integer(
        required=True, validate=ID, metadata={"description": "The official stood in for"}
    )
    delegate_id = fields.Integer(
        required=True, validate=ID, metadata={"description": "The employee who acts"}
    )
    kind = fields.String(load_default="Plh", validate=validate.OneOf(["Plt", "Plh"]))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, metadata={"description": "Included"})
    agency_id = fields.Integer(dump_only=True)
    created_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)

    @validates_schema
    def _period(self, data, **kwargs):
        if "starts_on" in data and "ends_on" in data and data["ends_on"] < data["starts_on"]:
            raise ValidationError("Must not be before starts_on.", "ends_on")


class DelegationQuery(PageQuery):
    principal_id = fields.Integer(validate=ID)
    delegate_id = fields.Integer(validate=ID)
