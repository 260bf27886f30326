"""*Pemberitahuan*: what a user has been told, newest first; and how they wish to be mailed."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from admin.access import STAFF, Guarded, is_admin, me
from admin.base import as_id, attempt
from admin.forms import Form
from admin.mail import configured
from workflow import preferences
from workflow.db import db
from workflow.models import MailMode, MailStatus, Notification
from workflow.notify import ADMIN_KINDS

PAGE = 30
KIND_LABELS = {
    "waiting": _l("Awaiting my action"),
    "returned": _l("Returned to me"),
    "decided": _l("Decided"),
    "due_soon": _l("Due soon"),
    "escalated": _l("Escalated"),
    "acting": _l("Acting appointments (Plt/Plh)"),
    "dead_delivery": _l("Failed webhook deliveries (admins)"),
    "audit_failed": _l("Audit log checks that failed (admins)"),
}
MODE_LABELS = {
    MailMode.NOW: _l("At once (segera)"),
    MailMode.DIGEST: _l("Daily digest (ringkasan harian)"),
    MailMode.OFF: _l("Off (in the back office only)"),
}
# More than this waiting, and the page suggests the daily digest.
DIGEST_HINT = 20


def unread_count() -> int:
    """The signed-in user's unread notifications (the bell on every page)."""
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == me().id, Notification.read_at.is_(None))
    )


class NotificationsView(Guarded, BaseView):
    """A user's own notifications; marking read; the mail settings."""

    roles = STAFF

    def is_visible(self) -> bool:
        return False  # reached by the bell on every page, not from the menu

    @expose("/")
    def index(self):
        before = as_id(request.args.get("before", ""))
        query = select(Notification).where(Notification.user_id == me().id)
        if before is not None:
            query = query.where(Notification.id < before)
        rows = db.session.scalars(query.order_by(Notification.id.desc()).limit(PAGE + 1)).all()
        more, rows = len(rows) > PAGE, rows[:PAGE]
        items = [self._item(n) for n in rows]
        return self.render(
            "alur_admin/notifications.html",
            items=items,
            older=url_for(".index", before=rows[-1].id) if more else None,
            form=Form(),
            mail_off=is_admin() and not configured(current_app),
        )

    def _item(self, n: Notification) -> dict:
        from admin.mail import sentence_and_link
        from workflow.mailing import MailClaim

        claim = MailClaim(
            n.id, "", "", "", "", n.kind, n.workflow, n.record_id, n.state, n.message_id
        )
        sentence, link = sentence_and_link(claim)
        return {
            "id": n.id,
            "sentence": sentence,
            "link": link,
            "created_at": n.created_at,
            "unread": n.read_at is None,
            "kind": KIND_LABELS.get(n.kind, n.kind),
            "mailed": n.mail_status == MailStatus.SENT,
        }

    @expose("/read", methods=["POST"])
    def read(self):
        form = Form(request.form)
        form.validate()
        if form.csrf_token.errors:
            flash(_("The form has expired; please try again."), "error")
            return redirect(url_for(".index"))
        one = as_id(request.form.get("id", ""))
        done = attempt(
            lambda: preferences.mark_read(
                db.session, me(), [one] if one is not None else None, via="admin"
            )
        )
        if done:
            flash(_("Marked read: %(n)d", n=done), "success")
        return redirect(url_for(".index"))

    @expose("/settings", methods=["GET", "POST"])
    def settings(self):
        user = me()
        # what only admins are told is offered to admins only
        kinds = {k: v for k, v in KIND_LABELS.items() if k not in ADMIN_KINDS or is_admin()}
        form = Form(request.form if request.method == "POST" else None)
        if request.method == "POST":
            form.validate()
            if form.csrf_token.errors:
                flash(_("The form has expired; please try again."), "error")
                return redirect(url_for(".settings"))
            wanted = {kind: request.form.get(f"mode-{kind}", "") for kind in kinds}
            saved = attempt(
                lambda: preferences.set_modes(db.session, user, user, wanted, via="admin")
            )
            if saved is not None:
                flash(_("Your notification settings are saved."), "success")
                return redirect(url_for(".settings"))
        from workflow.inbox import inbox

        waiting = len(inbox(db.session, user, limit=DIGEST_HINT + 1))
        return self.render(
            "alur_admin/notification_settings.html",
            form=form,
            kinds=kinds,
            modes=MODE_LABELS,
            chosen=preferences.modes(db.session, user),
            suggest_digest=waiting > DIGEST_HINT,
        )
