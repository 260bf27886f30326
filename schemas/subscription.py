"""Outgoing webhooks: subscriptions, their deliveries, and each delivery's attempts."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate

from schemas.base import ID_RANGE, BaseSchema, PageQuery
from workflow.models import DeliveryStatus
from workflow.webhooks import check_event_pattern, check_url


def _valid(check):
    def validator(value) -> None:
        try:
            check(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    return validator


class SubscriptionSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String(validate=validate.Length(min=1, max=100))
    url = fields.String(required=True, validate=_valid(check_url))
    event_types = fields.List(
        fields.String(validate=_valid(check_event_pattern)),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "'*', '<workflow>.*' or '<workflow>.<state>'"},
    )
    active = fields.Boolean()
    disabled_reason = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class NewSubscriptionSchema(SubscriptionSchema):
    secret = fields.String(
        dump_only=True, metadata={"description": "whsec_ secret to verify deliveries; shown once"}
    )


class DeliverySchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    subscription_id = fields.Integer(dump_only=True)
    event_id = fields.String(
        dump_only=True, attribute="event.event_id", metadata={"description": "The webhook-id sent"}
    )
    event_type = fields.String(dump_only=True, attribute="event.type")
    status = fields.String(dump_only=True)
    attempts = fields.Integer(dump_only=True)
    next_attempt_at = fields.DateTime(dump_only=True)
    last_attempt_at = fields.DateTime(dump_only=True, allow_none=True)
    last_status = fields.Integer(dump_only=True, allow_none=True)
    last_error = fields.String(dump_only=True, allow_none=True)
    delivered_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class AttemptSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    started_at = fields.DateTime(dump_only=True)
    duration_ms = fields.Integer(dump_only=True)
    status_code = fields.Integer(dump_only=True, allow_none=True)
    error = fields.String(dump_only=True, allow_none=True)
    outcome = fields.String(dump_only=True)
    worker = fields.String(dump_only=True)


class DeliveryDetailSchema(DeliverySchema):
    payload = fields.Dict(dump_only=True, attribute="event.payload")
    attempt_log = fields.List(fields.Nested(AttemptSchema), dump_only=True)


class DeliveryQuery(PageQuery):
    subscription_id = fields.Integer(validate=ID_RANGE)
    status = fields.String(validate=validate.OneOf([s.value for s in DeliveryStatus]))


class RedeliveredSchema(BaseSchema):
    redelivered = fields.Integer(required=True, metadata={"description": "How many deliveries"})
