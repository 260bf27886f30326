"""Back-office views of the webhooks: clients and what they sent, subscriptions and deliveries."""

from __future__ import annotations

from flask import flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired

from admin.access import ADMIN_ONLY, me
from admin.base import AlurModelView, as_code, columns, row_ids, safe_next
from admin.labels import OUTCOME_LABELS, choices
from workflow import outbox, webhooks
from workflow.db import MAX_ID, db
from workflow.models import DeliveryStatus
from workflow.workflows import WORKFLOWS


def _grant_choices() -> list[tuple[str, str]]:
    choices = []
    for name, wf in WORKFLOWS.items():
        for trigger in wf.triggers:
            grant = f"{name}.{trigger}"
            try:
                webhooks.check_grant(grant)
            except ValueError:
                continue
            choices.append((grant, grant))
    return choices


class WebhookClientView(AlurModelView):
    roles = ADMIN_ONLY
    edit_roles = ADMIN_ONLY
    can_delete = False
    column_list = ["id", "name", "grants", "active", "user", "created_at"]
    column_details_list = ["id", "name", "grants", "active", "user", "created_at"]
    column_export_list = column_details_list  # never the secret
    column_searchable_list = ["name"]
    form_columns = ["name", "grants", "active", "agency_code"]
    form_overrides = {"grants": SelectMultipleField}
    form_args = {
        "grants": {"choices": _grant_choices, "validators": [DataRequired()]},
        "name": {"validators": [DataRequired()]},
    }
    form_extra_fields = {"agency_code": StringField(_l("Agency code (optional)"))}
    form_excluded_columns = ["sealed_secret", "sealed_previous_secret", "previous_secret_until"]

    def create_model(self, form):
        client = self.command(
            lambda: webhooks.register_client(
                db.session,
                me(),
                form.name.data,
                form.grants.data,
                agency_code=form.agency_code.data or None,
                via="admin",
            )
        )
        if client is None:
            return False
        _show_secret(_("Client %(name)s", name=client.name), client.secret)
        return client

    def get_edit_form(self):
        form = super().get_edit_form()
        del form.agency_code  # an account's agency is set once, when the client is created
        return form

    def update_model(self, form, model):
        saved = self.command(
            lambda: webhooks.change_client(
                db.session,
                me(),
                model,
                grants=form.grants.data,
                active=form.active.data,
                via="admin",
            )
        )
        return saved is not None

    @action("rotate", _l("New secret"), _l("Make a new secret? The old one works for 24 hours."))
    def action_rotate(self, ids):
        _rotate(self, ids)


class SubscriptionView(AlurModelView):
    roles = ADMIN_ONLY
    edit_roles = ADMIN_ONLY
    can_delete = False
    column_list = ["id", "name", "url", "event_types", "active", "disabled_reason", "created_at"]
    column_details_list = column_export_list = column_list  # its secret is shown once, never here
    form_columns = ["name", "url", "event_types", "active"]
    form_overrides = {"event_types": StringField}
    form_args = {
        "event_types": {
            "description": _l("Comma-separated: *, appraisal.*, training_nomination.approved")
        }
    }

    def on_form_prefill(self, form, id):
        row = self.get_one(id)
        if row is not None:
            form.event_types.data = ", ".join(row.event_types)

    def _patterns(self, form) -> list[str]:
        raw = form.event_types.data
        items = raw if isinstance(raw, list) else str(raw or "").split(",")
        return [p.strip() for p in items if p.strip()]

    def create_model(self, form):
        values = {
            "url": form.url.data or "",
            "event_types": self._patterns(form),
            "name": form.name.data,
            "active": bool(form.active.data),
        }
        row = self.command(lambda: webhooks.subscribe(db.session, me(), values, via="admin"))
        if row is None:
            return False
        _show_secret(_("Subscription %(id)s", id=row.id), row.secret)
        return row

    def update_model(self, form, model):
        values = {
            "name": form.name.data or model.url,
            "url": form.url.data or "",
            "event_types": self._patterns(form),
            "active": bool(form.active.data),
        }
        saved = self.command(
            lambda: webhooks.change_subscription(db.session, me(), model, values, via="admin")
        )
        return saved is not None

    @action("rotate", _l("New secret"), _l("Make a new secret? Both sign for 24 hours."))
    def action_rotate(self, ids):
        _rotate(self, ids)

    @action("redeliver_dead", _l("Redeliver dead deliveries"))
    def action_redeliver_dead(self, ids):
        counts = [
            self.command(
                lambda i=i: outbox.redeliver_dead(
                    db.session, subscription_id=i, actor=me(), via="admin"
                )
            )
            for i in row_ids(ids)
        ]
        total = sum(c for c in counts if c is not None)
        flash(_("%(n)d dead deliveries are due again.", n=total), "success")


def _rotate(view, ids) -> None:
    for row_id in row_ids(ids):
        row = db.session.get(view.model, row_id)
        if row is None:
            continue
        secret = view.command(lambda row=row: webhooks.rotate(db.session, me(), row, via="admin"))
        if secret is not None:
            _show_secret(str(getattr(row, "name", None) or row.id), secret)


def _show_secret(what: str, secret: str) -> None:
    code = Markup(f"<code class='secret'>{escape(secret)}</code>")
    message = _(
        "%(what)s: store this secret now, it is shown once: %(secret)s",
        what=escape(what),
        secret=code,
    )
    flash(Markup(message), "warning")


def _delivery_status(view, context, model, name) -> Markup:
    colour = {"delivered": "success", "pending": "info", "dead": "danger"}[model.status]
    return Markup(f'<span class="badge badge-{colour}">{escape(model.status)}</span>')


class DeliveryView(AlurModelView):
    roles = ADMIN_ONLY
    can_create = can_edit = can_delete = False
    details_template = "alur_admin/delivery_details.html"
    column_list = columns(
        "id subscription event.type event.event_id status attempts last_status next_attempt_at "
        "delivered_at"
    )
    column_labels = {"event.type": _l("Event"), "event.event_id": "webhook-id"}
    column_filters = ["status", "subscription_id"]
    column_formatters = {"status": _delivery_status}

    @action("redeliver", _l("Redeliver selected"), _l("Send the selected deliveries again?"))
    def action_redeliver(self, ids):
        self._redeliver(row_ids(ids))

    @expose(f"/redeliver/<int(max={MAX_ID}):delivery_id>", methods=["POST"])
    def redeliver_view(self, delivery_id: int):
        """One delivery again now (the details page's button)."""
        from admin.forms import TriggerForm

        form = TriggerForm(request.form)
        back = safe_next(request.form.get("next"), self.get_url(".details_view", id=delivery_id))
        form.validate()
        if form.csrf_token.errors:
            flash(_("The form has expired; please try again."), "error")
        else:
            self._redeliver([delivery_id])
        return redirect(back)

    def _redeliver(self, ids: list[int]) -> None:
        rows = self.command(lambda: outbox.redeliver(db.session, ids, actor=me(), via="admin"))
        if rows is None:
            return
        flash(_("Due again now: %(ids)s", ids=", ".join(f"#{r.id}" for r in rows)), "success")

    def render(self, template, **kwargs):
        if template == self.details_template:
            from admin.forms import TriggerForm

            kwargs["redeliver_form"] = TriggerForm(formdata=None)
            kwargs["statuses"] = [s.value for s in DeliveryStatus]
        return super().render(template, **kwargs)


class ReceiptView(AlurModelView):
    roles = ADMIN_ONLY
    can_create = can_edit = can_delete = False
    column_list = columns(
        "id received_at client_name webhook_id type record_id outcome error reason"
    )
    column_filters = ["outcome", "client_name", "error"]
    column_searchable_list = ["webhook_id"]
    column_choices = {"outcome": choices(OUTCOME_LABELS)}
    column_formatters = column_formatters_detail = {"type": as_code}
