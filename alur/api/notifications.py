"""The caller's notifications over HTTP: list, mark read, and how they are mailed."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from alur.api.auth import actor
from alur.api.blueprint import Blueprint
from alur.api.common import TOKEN_AUTH, page, problems, query
from schemas.base import page_of
from schemas.notification import (
    MarkedSchema,
    MarkReadSchema,
    NotificationQuery,
    NotificationSchema,
    NotificationSettingsSchema,
)
from workflow import preferences
from workflow.db import db
from workflow.models import Notification

blp = Blueprint(
    "api_notifications",
    __name__,
    url_prefix="/api/v1/notifications",
    description="What you have been told (as in the back office's bell), and how you are mailed",
)


@blp.route("")
class Notifications(MethodView):
    decorators = TOKEN_AUTH

    @query(blp, NotificationQuery, page_of(NotificationSchema), 422)
    def get(self, args):
        """Your notifications, oldest first (``unread=true``: only those not yet read)."""
        stmt = select(Notification).where(Notification.user_id == actor().id)
        if args.get("unread"):
            stmt = stmt.where(Notification.read_at.is_(None))
        return page(Notification, stmt, args)


@blp.route("/read")
class MarkRead(MethodView):
    decorators = TOKEN_AUTH

    @blp.arguments(MarkReadSchema)
    @blp.response(200, MarkedSchema)
    @problems(blp, 422)
    def post(self, data):
        """Mark your notifications read: the ones named, or all."""
        return {"marked": preferences.mark_read(db.session, actor(), data.get("ids"), via="api")}


@blp.route("/settings")
class Settings(MethodView):
    decorators = TOKEN_AUTH

    @blp.response(200, NotificationSettingsSchema)
    def get(self):
        """How you are mailed, per kind of notification."""
        return preferences.modes(db.session, actor())

    @blp.arguments(NotificationSettingsSchema)
    @blp.response(200, NotificationSettingsSchema)
    @problems(blp, 422)
    def put(self, data):
        """Set how you are mailed for the kinds named (the others stay as they are)."""
        return preferences.set_modes(db.session, actor(), actor(), data, via="api")


def register(api) -> None:
    api.register_blueprint(blp)
