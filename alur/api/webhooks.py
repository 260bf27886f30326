"""Webhooks over HTTP: the signed intake, and the admin's view of both directions.

``POST /api/v1/webhooks/{client}`` takes no token: the Standard Webhooks
signature identifies the client. Everything else here is for admins.
"""

from __future__ import annotations

import functools

from flask import jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alur.api.auth import actor
from alur.api.blueprint import Blueprint
from alur.api.common import TOKEN_AUTH, page, problems, query
from schemas.base import PageQuery, page_of
from schemas.subscription import (
    DeliveryDetailSchema,
    DeliveryQuery,
    DeliverySchema,
    NewSubscriptionSchema,
    RedeliveredSchema,
    SubscriptionSchema,
)
from schemas.webhook import (
    IntakeResultSchema,
    ReceiptQuery,
    ReceiptSchema,
    WebhookClientSchema,
    WebhookEnvelopeSchema,
)
from workflow import intake as incoming
from workflow import outbox, webhooks
from workflow.db import MAX_ID, db
from workflow.models import OutboxDelivery, RoleName, Subscription, WebhookClient, WebhookReceipt

SIGNATURE_HEADERS = [
    {
        "in": "header",
        "name": name,
        "required": True,
        "schema": {"type": "string"},
        "description": description,
    }
    for name, description in (
        ("webhook-id", "Unique per message; a repeat is applied once"),
        ("webhook-timestamp", "Unix seconds; at most 5 minutes off"),
        ("webhook-signature", "Space-separated 'v1,<base64 HMAC-SHA256 of id.timestamp.body>'"),
    )
]

intake = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1/webhooks",
    description="Signed steps from external systems (Standard Webhooks)",
)


@intake.route("/<string:client>", methods=["POST"])
@intake.doc(
    security=[],
    parameters=SIGNATURE_HEADERS,
    requestBody={
        "required": True,
        "content": {"application/json": {"schema": WebhookEnvelopeSchema}},
    },
)
@intake.response(200, IntakeResultSchema)
@problems(intake, 400, 401, 403, 404, 409, 413, 422)
def receive(client):
    """Fire ``<workflow>.<trigger>`` on ``data.id`` for a client granted that step.

    A repeated ``webhook-id`` answers the first result again and changes nothing.
    """
    result = incoming.receive(db.session, client, request.headers, request.get_data())
    first = result.first
    body = {
        "receipt": result.receipt.id,
        "outcome": result.receipt.outcome,
        "first_receipt": first.id,
        "webhook_id": first.webhook_id,
        "type": first.type,
        "record": first.result,
    }
    response = jsonify(body)
    if result.duplicate:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _admin(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not actor().has_role(RoleName.ADMIN):
            abort(403, message="only admins manage webhooks")
        return view(*args, **kwargs)

    return wrapped


ADMIN_VIEW = [_admin, *TOKEN_AUTH]  # the last applies outermost: the token is checked first

admin = Blueprint(
    "webhook-admin",
    __name__,
    url_prefix="/api/v1",
    description="Webhook clients, receipts, subscriptions and deliveries (admins)",
)


@admin.route("/webhook-clients")
class Clients(MethodView):
    decorators = ADMIN_VIEW

    @query(admin, PageQuery, page_of(WebhookClientSchema), 403, 422)
    def get(self, args):
        """Webhook clients (created with ``flask webhooks add-client``); never their secrets."""
        stmt = select(WebhookClient).options(selectinload(WebhookClient.user))
        return page(WebhookClient, stmt, args)


@admin.route("/webhook-receipts")
class Receipts(MethodView):
    decorators = ADMIN_VIEW

    @query(admin, ReceiptQuery, page_of(ReceiptSchema), 403, 422)
    def get(self, args):
        """Every request received at a webhook endpoint, and what became of it."""
        return page(WebhookReceipt, select(WebhookReceipt), args, ("client_id", "outcome"))


@admin.route("/subscriptions")
class Subscriptions(MethodView):
    decorators = ADMIN_VIEW

    @query(admin, PageQuery, page_of(SubscriptionSchema), 403, 422)
    def get(self, args):
        """Subscriptions to the events of state changes."""
        return page(Subscription, select(Subscription), args)

    @admin.arguments(SubscriptionSchema)
    @admin.response(201, NewSubscriptionSchema)
    @problems(admin, 403, 422)
    def post(self, data):
        """Subscribe a URL to event types; the answer holds its secret, shown this once."""
        row = webhooks.subscribe(db.session, actor(), data, via="api")
        return row, 201, {"Location": url_for("webhook-admin.SubscriptionItem", sub_id=row.id)}


@admin.route(f"/subscriptions/<int(min=1, max={MAX_ID}):sub_id>")
class SubscriptionItem(MethodView):
    decorators = ADMIN_VIEW

    @admin.response(200, SubscriptionSchema)
    @problems(admin, 403, 404)
    def get(self, sub_id):
        """One subscription."""
        return _subscription(sub_id)

    @admin.arguments(SubscriptionSchema(partial=True))
    @admin.response(200, SubscriptionSchema)
    @problems(admin, 403, 404, 422)
    def patch(self, data, sub_id):
        """Change the URL, event types or name; ``active`` pauses or resumes it."""
        row = _subscription(sub_id)
        return webhooks.change_subscription(db.session, actor(), row, data, via="api")


@admin.route(f"/subscriptions/<int(min=1, max={MAX_ID}):sub_id>/redeliver-dead")
class RedeliverDead(MethodView):
    decorators = ADMIN_VIEW

    @admin.response(200, RedeliveredSchema)
    @problems(admin, 403, 404, 409)
    def post(self, sub_id):
        """Make every dead delivery of this subscription due again now."""
        _subscription(sub_id)
        count = outbox.redeliver_dead(db.session, subscription_id=sub_id, actor=actor(), via="api")
        return {"redelivered": count}


@admin.route("/webhook-deliveries")
class Deliveries(MethodView):
    decorators = ADMIN_VIEW

    @query(admin, DeliveryQuery, page_of(DeliverySchema), 403, 422)
    def get(self, args):
        """Deliveries of events to subscriptions, oldest first."""
        stmt = select(OutboxDelivery).options(selectinload(OutboxDelivery.event))
        return page(OutboxDelivery, stmt, args, ("subscription_id", "status"))


@admin.route(f"/webhook-deliveries/<int(min=1, max={MAX_ID}):delivery_id>")
class DeliveryItem(MethodView):
    decorators = ADMIN_VIEW

    @admin.response(200, DeliveryDetailSchema)
    @problems(admin, 403, 404)
    def get(self, delivery_id):
        """One delivery, its event's data and every attempt (status, duration, error)."""
        row = db.session.get(OutboxDelivery, delivery_id)
        if row is None:
            abort(404, message=f"no delivery {delivery_id}")
        return row


@admin.route(f"/webhook-deliveries/<int(min=1, max={MAX_ID}):delivery_id>/redeliver")
class Redeliver(MethodView):
    decorators = ADMIN_VIEW

    @admin.response(200, DeliverySchema)
    @problems(admin, 403, 404, 409)
    def post(self, delivery_id):
        """Send this delivery again now, with a fresh retry schedule."""
        (row,) = outbox.redeliver(db.session, [delivery_id], actor=actor(), via="api")
        return db.session.get(OutboxDelivery, row.id)


def _subscription(sub_id: int) -> Subscription:
    row = db.session.get(Subscription, sub_id)
    if row is None:
        abort(404, message=f"no subscription {sub_id}")
    return row


def register(api) -> None:
    api.register_blueprint(intake)
    api.register_blueprint(admin)
