"""What the workflow collections share: record fields, transitions, history, actions."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import ID_RANGE, BaseSchema, Id, PageQuery


class RecordSchema(BaseSchema):
    """Fields every workflow record has; ``state`` changes only through transitions."""

    id = fields.Integer(dump_only=True)
    state = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True, metadata={"description": "Also the ETag"})
    agency_id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    created_by_id = fields.Integer(dump_only=True, allow_none=True)
    state_changed_at = fields.DateTime(dump_only=True)
    reviewed_by_id = fields.Integer(dump_only=True, allow_none=True)


class RecordQuery(PageQuery):
    state = fields.String(metadata={"description": "Only records in this state"})
    agency_id = fields.Integer(validate=ID_RANGE)
    employee_id = fields.Integer(
        validate=ID_RANGE, metadata={"description": "The employee the record is about"}
    )


class TransitionRequestSchema(BaseSchema):
    trigger = fields.String(required=True, validate=validate.Length(min=1, max=32))
    comment = fields.String(validate=validate.Length(max=4000), allow_none=True)
    data = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)


class BulkItemSchema(TransitionRequestSchema):
    id = fields.Integer(required=True, validate=ID_RANGE)
    version = Id(metadata={"description": "Expected version (like If-Match)"})


class BulkRequestSchema(BaseSchema):
    # Nested(many=True), not List(Nested): one load of the list, the same errors by index,
    # and a third less time for the 10,000 items a bulk request may carry.
    items = fields.Nested(
        BulkItemSchema, many=True, required=True, validate=validate.Length(min=1, max=10_000)
    )


class BulkResultSchema(BaseSchema):
    id = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    status = fields.Integer(required=True)
    state = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    problem = fields.Dict(allow_none=True)


class BulkResponseSchema(BaseSchema):
    results = fields.Nested(BulkResultSchema, many=True, required=True)
    succeeded = fields.Integer(required=True)
    failed = fields.Integer(required=True)


class AuditEntrySchema(BaseSchema):
    seq = fields.Integer()
    trigger = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    actor_id = fields.Integer(allow_none=True)
    on_behalf_of_id = fields.Integer(
        allow_none=True, metadata={"description": "The official an acting Plt/Plh stood in for"}
    )
    via = fields.String()
    comment = fields.String(allow_none=True)
    payload_digest = fields.String(allow_none=True)
    created_at = fields.DateTime()
    hash = fields.String()


class HistorySchema(BaseSchema):
    items = fields.List(fields.Nested(AuditEntrySchema))


class ActionSchema(BaseSchema):
    trigger = fields.String()
    dest = fields.String()
    needs_comment = fields.Boolean()
    fields_ = fields.List(fields.String(), data_key="fields")
    required = fields.List(fields.String())


class ActionsSchema(BaseSchema):
    state = fields.String()
    version = fields.Integer()
    actions = fields.List(fields.Nested(ActionSchema))


class InboxItemSchema(BaseSchema):
    workflow = fields.String()
    id = fields.Integer()
    state = fields.String()
    waiting_since = fields.DateTime()
    actions = fields.List(fields.Nested(ActionSchema))


class InboxQuery(BaseSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None)


class EscalationSchema(BaseSchema):
    workflow = fields.String()
    id = fields.Integer(attribute="record_id")
    state = fields.String()
    waiting_since = fields.DateTime(attribute="state_since")
    due_on = fields.Date()


class InboxPageSchema(BaseSchema):
    items = fields.List(fields.Nested(InboxItemSchema))
    next_cursor = fields.String(allow_none=True)
    escalations = fields.List(
        fields.Nested(EscalationSchema),
        metadata={"description": "Overdue steps of your subordinates, escalated to you (page 1)"},
    )
