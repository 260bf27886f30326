"""Notifications: what the caller has been told, and how they wish to be mailed."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import BaseSchema, Id, PageQuery
from workflow.models import MailMode
from workflow.notify import KINDS


class NotificationSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(
        dump_only=True,
        metadata={"description": "waiting, returned, decided, due_soon or escalated"},
    )
    workflow = fields.String(dump_only=True, allow_none=True)
    record_id = fields.Integer(dump_only=True, allow_none=True)
    state = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    read_at = fields.DateTime(dump_only=True, allow_none=True)
    mail_status = fields.String(
        dump_only=True, metadata={"description": "pending, sent, dead, digest or none"}
    )


class NotificationQuery(PageQuery):
    unread = fields.Boolean(metadata={"description": "Only the unread ones"})


class MarkReadSchema(BaseSchema):
    ids = fields.List(
        Id(),
        validate=validate.Length(min=1, max=500),
        metadata={"description": "These (default: every unread one)"},
    )


class MarkedSchema(BaseSchema):
    marked = fields.Integer(dump_only=True)


_MODE = {
    "validate": validate.OneOf([m.value for m in MailMode]),
    "metadata": {"description": "now (segera), digest (ringkasan harian) or off"},
}
NotificationSettingsSchema = BaseSchema.from_dict(
    {kind: fields.String(**_MODE) for kind in KINDS}, name="NotificationSettingsSchema"
)
