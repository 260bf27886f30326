"""Back-office views of the reference data, accounts, audit log and webhooks."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired

from admin.access import ADMIN_ONLY, STAFF, me
from admin.base import AlurModelView, row_ids, safe_next
from admin.workflow import describe
from workflow import WorkflowError, changes, delegation, outbox, policy, reference, tokens, webhooks
from workflow.db import MAX_ID, db
from workflow.models import DeliveryStatus, Holiday, Outcome
from workflow.workflows import WORKFLOWS


class ReferenceView(AlurModelView):
    """Agencies, units, employees, programs: saved by the core's commands, as every view is."""

    edit_roles = frozenset({"admin", "hr_officer"})


class AgencyView(ReferenceView):
    edit_roles = frozenset({"admin"})
    column_list = ["id", "code", "name", "province", "region"]
    column_searchable_list = ["code"]
    form_columns = ["code", "name", "province", "region"]
    column_labels = {"name": _l("Name"), "province": _l("Province"), "region": _l("Region")}


class UnitView(ReferenceView):
    column_list = ["id", "agency", "code", "name", "parent"]
    column_searchable_list = ["code"]
    column_filters = ["agency_id"]
    form_columns = ["agency", "parent", "code", "name"]
    form_ajax_refs = {
        "agency": {"fields": ["code", "name"], "page_size": 10},
        "parent": {"fields": ["code", "name"], "page_size": 10},
    }
    column_labels = {"name": _l("Name"), "agency": _l("Agency"), "parent": _l("Parent unit")}


class EmployeeView(ReferenceView):
    column_list = ["id", "nip", "name", "status", "rank", "position", "unit", "supervisor"]
    column_searchable_list = ["nip", "name"]  # searched as reference.employee_search does
    column_filters = ["agency_id", "status", "rank"]
    form_columns = ["nip", "name", "status", "rank", "position", "unit", "supervisor"]
    form_ajax_refs = {
        "unit": {"fields": ["code", "name"], "page_size": 10},
        "supervisor": {"fields": ["nip", "name"], "page_size": 10},
    }
    column_labels = {
        "nip": "NIP", "name": _l("Name"), "rank": _l("Rank (golongan)"),
        "position": _l("Position (jabatan)"), "unit": _l("Work unit"),
        "supervisor": _l("Supervisor (atasan langsung)"),
    }  # fmt: skip

    def _apply_search(self, query, count_query, joins, count_joins, search):
        # a NIP by its first digits on the unique index, a name by its words on a trigram
        # index, rather than Flask-Admin's ILIKE '%…%' over every row of millions
        where = reference.employee_search(search)
        count_query = None if count_query is None else count_query.filter(where)
        return query.filter(where), count_query, joins, count_joins


class ProgramView(ReferenceView):
    column_list = ["id", "code", "name", "form", "delivery_mode", "jp", "start_date", "end_date",
                   "seat_quota", "seats_taken"]  # fmt: skip
    column_searchable_list = ["code"]
    column_filters = ["form", "delivery_mode", "agency_id"]
    form_columns = [
        "code", "name", "form", "delivery_mode", "organiser", "agency", "jp",
        "start_date", "end_date", "seat_quota", "cost_per_participant", "description",
    ]  # fmt: skip
    form_ajax_refs = {"agency": {"fields": ["code", "name"], "page_size": 10}}


class BudgetView(AlurModelView):
    """Agencies' yearly development budgets: set by admins, read by the agency's HR."""

    column_list = ["id", "agency", "year", "amount", "committed"]
    column_filters = ["year", "agency_id"]
    form_columns = ["agency", "year", "amount"]
    form_ajax_refs = {"agency": {"fields": ["code", "name"], "page_size": 10}}


class UserView(AlurModelView):
    roles = ADMIN_ONLY
    can_create = False  # accounts are made with `flask users create` (passwords never here)
    column_list = ["id", "email", "name", "active", "roles", "agency", "employee"]
    column_searchable_list = ["email"]
    column_filters = ["active", "agency_id"]
    form_columns = ["name", "active", "roles"]


class JpLedgerView(AlurModelView):
    """The JP (jam pelajaran) credited to employees; HR sees their agency's."""

    can_create = can_edit = can_delete = False
    column_list = ["id", "employee", "year", "jp", "source", "source_id", "note", "created_at"]
    column_filters = ["year", "source"]


class RoleView(AlurModelView):
    roles = ADMIN_ONLY
    can_create = can_edit = can_delete = False
    can_export = False
    column_list = ["id", "name", "description"]


class ApiTokenView(AlurModelView):
    """API tokens: each user sees and revokes their own (admins anyone's), never the token."""

    roles = STAFF
    can_create = can_edit = can_delete = False
    column_list = ["id", "user", "name", "prefix", "status", "created_at", "expires_at",
                   "revoked_at"]  # fmt: skip
    column_details_list = column_list  # never the token's hash
    column_filters = ["user_id"]
    column_formatters = {"status": lambda _v, _c, row, _n: STATUS_LABELS[tokens.status(row)]}
    column_formatters_export = {"status": lambda _v, _c, row, _n: tokens.status(row)}

    @action("revoke", _l("Revoke selected"), _l("Revoke the selected tokens?"))
    def action_revoke(self, ids):
        done = []
        for token_id in row_ids(ids):
            if self.command(lambda t=token_id: tokens.revoke(db.session, me(), t, via="admin")):
                done.append(token_id)
        if done:
            flash(_("Revoked: %(ids)s", ids=", ".join(f"#{i}" for i in done)), "success")


STATUS_LABELS = {"active": _l("valid"), "expired": _l("expired"), "revoked": _l("revoked")}


class OutboxEventView(AlurModelView):
    roles = ADMIN_ONLY
    can_create = can_edit = can_delete = False
    column_list = ["id", "event_id", "type", "created_at", "dispatched_at"]
    column_filters = ["type"]
    column_searchable_list = ["event_id"]


class AuditView(AlurModelView):
    roles = ADMIN_ONLY
    can_create = can_edit = can_delete = False
    column_list = ["id", "workflow", "record_id", "seq", "trigger", "from_state", "to_state",
                   "actor", "via", "created_at"]  # fmt: skip
    column_filters = ["workflow", "record_id", "via"]


# -- webhooks --------------------------------------------------------------------------


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
    form_args = {"grants": {"choices": _grant_choices, "validators": [DataRequired()]},
                 "name": {"validators": [DataRequired()]}}  # fmt: skip
    form_extra_fields = {"agency_code": StringField(_l("Agency code (optional)"))}
    form_excluded_columns = ["sealed_secret", "sealed_previous_secret", "previous_secret_until"]

    def create_model(self, form):
        try:
            client = self.command(
                lambda: changes.make(
                    db.session,
                    me(),
                    lambda: webhooks.add_client(
                        db.session,
                        form.name.data,
                        form.grants.data,
                        agency_code=form.agency_code.data or None,
                    ),
                    via="admin",
                )
            )
        except ValueError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return False
        if client is None:
            return False
        _show_secret(_("Client %(name)s", name=client.name), client.secret)
        return client

    def get_edit_form(self):
        form = super().get_edit_form()
        del form.agency_code  # an account's agency is set once, when the client is created
        return form

    def update_model(self, form, model):
        try:
            grants = sorted({webhooks.check_grant(g) for g in form.grants.data})
        except ValueError as exc:
            flash(str(exc), "error")
            return False

        def change(row):
            row.grants = grants
            webhooks.set_client_active(row, form.active.data)

        return (
            self.command(
                lambda: changes.run(db.session, me(), model, "update", change, via="admin") or True
            )
            is not None
        )

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
    form_args = {"event_types": {"description": _l("Comma-separated: *, appraisal.*, "
                                                   "training_nomination.approved")}}  # fmt: skip

    def on_form_prefill(self, form, id):
        row = self.get_one(id)
        if row is not None:
            form.event_types.data = ", ".join(row.event_types)

    def _patterns(self, form) -> list[str]:
        raw = form.event_types.data
        items = raw if isinstance(raw, list) else str(raw or "").split(",")
        return [p.strip() for p in items if p.strip()]

    def create_model(self, form):
        def build():
            row = webhooks.add_subscription(
                db.session, form.url.data or "", self._patterns(form), name=form.name.data
            )
            row.active = bool(form.active.data)
            return row

        try:
            row = self.command(lambda: changes.make(db.session, me(), build, via="admin"))
        except ValueError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return False
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

        def change(row):
            return webhooks.update_subscription(row, values)

        saved = self.command(
            lambda: changes.run(db.session, me(), model, "update", change, via="admin")
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
        secret = view.command(
            lambda row=row: changes.run(
                db.session, me(), row, "rotate", webhooks.rotate_secret, via="admin"
            )
        )
        if secret is not None:
            _show_secret(str(getattr(row, "name", None) or row.id), secret)


def _show_secret(what: str, secret: str) -> None:
    code = Markup(f"<code class='secret'>{escape(secret)}</code>")
    message = _("%(what)s: store this secret now, it is shown once: %(secret)s",
                what=escape(what), secret=code)  # fmt: skip
    flash(Markup(message), "warning")


def _delivery_status(view, context, model, name) -> Markup:
    colour = {"delivered": "success", "pending": "info", "dead": "danger"}[model.status]
    return Markup(f'<span class="badge badge-{colour}">{escape(model.status)}</span>')


class DeliveryView(AlurModelView):
    roles = ADMIN_ONLY
    can_create = can_edit = can_delete = False
    details_template = "alur_admin/delivery_details.html"
    column_list = ["id", "subscription", "event.type", "event.event_id", "status", "attempts",
                   "last_status", "next_attempt_at", "delivered_at"]  # fmt: skip
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
        try:
            rows = outbox.redeliver(db.session, ids, actor=me(), via="admin")
        except WorkflowError as exc:
            db.session.rollback()
            flash(describe(exc), "error")
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
    column_list = ["id", "received_at", "client_name", "webhook_id", "type", "record_id",
                   "outcome", "error", "reason"]  # fmt: skip
    column_filters = ["outcome", "client_name", "error"]
    column_searchable_list = ["webhook_id"]
    column_choices = {"outcome": [(o.value, o.value) for o in Outcome]}


class DelegationView(AlurModelView):
    """Acting officials (Plt/Plh): HR of the agency makes them; they end by themselves."""

    edit_roles = frozenset({"admin", "hr_officer"})
    can_edit = False
    can_delete = False
    column_list = ["id", "kind", "delegate", "principal", "starts_on", "ends_on", "revoked_at"]
    column_filters = ["kind", "starts_on", "ends_on"]
    column_labels = {
        "principal": _l("Principal"), "delegate": _l("Acting"), "starts_on": _l("Starts"),
        "ends_on": _l("Ends"), "kind": _l("Kind"),
    }  # fmt: skip
    form_columns = ["kind", "principal", "delegate", "starts_on", "ends_on"]
    form_choices = {"kind": [("Plh", "Plh"), ("Plt", "Plt")]}
    form_ajax_refs = {
        "principal": {"fields": ["nip", "name"], "page_size": 10},
        "delegate": {"fields": ["nip", "name"], "page_size": 10},
    }

    def create_model(self, form):
        principal, acting = form.principal.data, form.delegate.data
        if principal is None or acting is None or not form.starts_on.data or not form.ends_on.data:
            flash(_("Give the official, the acting employee and both dates."), "error")
            return False
        row = self.command(
            lambda: delegation.delegate(
                db.session,
                me(),
                principal_id=principal.id,
                delegate_id=acting.id,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                kind=form.kind.data,
                via="admin",
            )
        )
        return row if row is not None else False

    @action("revoke", _l("End now"), _l("End the selected delegations now?"))
    def action_revoke(self, ids):
        done = []
        for row_id in row_ids(ids):
            if self.get_one(row_id) is not None and self.command(
                lambda row_id=row_id: delegation.revoke(db.session, me(), row_id, via="admin")
            ):
                done.append(row_id)
        flash(_("Ended: %(ids)s", ids=", ".join(f"#{i}" for i in done)), "success")


class FollowUpView(AlurModelView):
    """What approved appraisals led to (made by the system; read here, acted on in the drafts)."""

    can_create = can_edit = can_delete = False
    column_list = ["id", "appraisal_id", "employee", "kind", "predicate", "nomination_id",
                   "mentoring_id", "note", "created_at"]  # fmt: skip
    column_filters = ["kind", "predicate"]
    column_labels = {"appraisal_id": _l("Appraisal"), "nomination_id": _l("Nomination"),
                     "mentoring_id": _l("Mentoring"), "predicate": _l("Predikat")}  # fmt: skip


class HolidayView(AlurModelView):
    """The holiday calendar that step deadlines skip."""

    edit_roles = frozenset({"admin"})
    column_display_pk = True
    column_default_sort = ("day", True)
    column_list = ["day", "name"]
    form_columns = ["day", "name"]
    column_labels = {"day": _l("Date")}

    @property
    def can_delete(self) -> bool:  # type: ignore[override]
        return self._may_edit()

    def get_one(self, id):
        try:  # the key is a date; a URL carries it as text
            day = date.fromisoformat(str(id))
        except ValueError:
            return None
        row = db.session.get(Holiday, day)
        return row if row is not None and policy.can_see(me(), row) else None


class SlaNoticeView(AlurModelView):
    """Reminders and escalations given by ``flask sla run``."""

    roles = ADMIN_ONLY
    can_create = can_edit = can_delete = False
    column_list = ["id", "workflow", "record_id", "state", "state_since", "kind", "due_on",
                   "escalated_to_id", "created_at"]  # fmt: skip
    column_filters = ["workflow", "kind"]
    column_labels = {"state_since": _l("Since"), "due_on": _l("Due"),
                     "escalated_to_id": _l("Escalated to")}  # fmt: skip
