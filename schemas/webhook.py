"""Incoming webhooks: the signed envelope, the intake's answer, clients and receipts."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import ID_RANGE, BaseSchema, PageQuery
from workflow.models import Outcome


class WebhookEnvelopeSchema(BaseSchema):
    """The body an external system signs and sends (documentation: the raw bytes are verified)."""

    type = fields.String(
        required=True, metadata={"description": "<workflow>.<trigger>, e.g. appraisal.submit"}
    )
    timestamp = fields.String(metadata={"description": "When the sender produced the message"})
    data = fields.Dict(
        required=True,
        metadata={"description": "id (the record), comment, and the trigger's own fields"},
    )


class IntakeResultSchema(BaseSchema):
    receipt = fields.Integer(required=True, metadata={"description": "This request's receipt"})
    outcome = fields.String(required=True, metadata={"description": "accepted or duplicate"})
    first_receipt = fields.Integer(
        required=True, metadata={"description": "The receipt of the request that applied the step"}
    )
    webhook_id = fields.String(required=True)
    type = fields.String(required=True)
    record = fields.Dict(
        required=True,
        metadata={
            "description": "For a step: workflow, id, state, version. For a realisation or "
            "evidence: type, id"
        },
    )


class WebhookClientSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    user_id = fields.Integer(dump_only=True, metadata={"description": "The account it acts as"})
    agency_id = fields.Integer(dump_only=True, allow_none=True, attribute="user.agency_id")
    grants = fields.List(fields.String(), dump_only=True)
    active = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    url = fields.Method("_url", dump_only=True)

    def _url(self, client) -> str:
        return f"/api/v1/webhooks/{client.name}"


class ReceiptSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    client_id = fields.Integer(dump_only=True, allow_none=True)
    client_name = fields.String(dump_only=True)
    webhook_id = fields.String(dump_only=True, allow_none=True)
    type = fields.String(dump_only=True, allow_none=True)
    record_id = fields.Integer(dump_only=True, allow_none=True)
    outcome = fields.String(dump_only=True)
    error = fields.String(dump_only=True, allow_none=True)
    reason = fields.String(dump_only=True, allow_none=True)
    result = fields.Dict(dump_only=True, allow_none=True)
    received_at = fields.DateTime(dump_only=True)


class ReceiptQuery(PageQuery):
    client_id = fields.Integer(validate=ID_RANGE)
    outcome = fields.String(validate=validate.OneOf([o.value for o in Outcome]))
