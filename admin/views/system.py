"""Back-office views of the system: users, roles, API tokens, the audit log, events, notices."""

from __future__ import annotations

from flask import flash
from flask_admin.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from admin.access import ADMIN_ONLY, STAFF, me
from admin.base import AlurModelView, as_code, columns, row_ids
from admin.labels import (
    ROLE_DESCRIPTIONS,
    ROLE_LABELS,
    SLA_KIND_LABELS,
    STATE_LABELS,
    TITLES,
    TRIGGER_LABELS,
    VIA_LABELS,
    choices,
)
from workflow import tokens
from workflow.db import db


class UserView(AlurModelView):
    roles = ADMIN_ONLY
    can_create = False  # accounts are made with `flask users create` (passwords never here)
    column_list = ["id", "email", "name", "active", "roles", "agency", "employee"]
    # Never the password's hash nor the session key (fs_uniquifier), not even to an admin.
    column_details_list = column_export_list = column_list
    form_args = {"roles": {"get_label": lambda role: ROLE_LABELS.get(role.name, role.name)}}
    column_searchable_list = ["email"]
    column_filters = ["active", "agency_id"]
    form_columns = ["name", "active", "roles"]
    column_formatters = column_formatters_detail = column_formatters_export = {
        "roles": lambda _v, _c, row, _n: ", ".join(
            str(ROLE_LABELS.get(role.name, role.name)) for role in row.roles
        )
    }


class RoleView(AlurModelView):
    roles = ADMIN_ONLY
    can_create = can_edit = can_delete = False
    can_export = False
    column_list = ["id", "name", "description"]
    column_formatters = column_formatters_detail = {
        "name": lambda _v, _c, row, _n: ROLE_LABELS.get(row.name, row.name),
        "description": lambda _v, _c, row, _n: ROLE_DESCRIPTIONS.get(row.name, row.description),
    }


class ApiTokenView(AlurModelView):
    """API tokens: each user sees and revokes their own (admins anyone's), never the token."""

    roles = STAFF
    can_create = can_edit = can_delete = False
    column_list = columns("id user name prefix status created_at expires_at revoked_at")
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
    column_formatters = column_formatters_detail = {"type": as_code}


class AuditView(AlurModelView):
    roles = ADMIN_ONLY
    can_create = can_edit = can_delete = False
    column_list = columns(
        "id workflow record_id seq trigger from_state to_state actor via created_at"
    )
    column_filters = ["workflow", "record_id", "via"]
    column_choices = {
        "workflow": choices(TITLES),
        "trigger": choices({**TRIGGER_LABELS, "create": _l("Create")}),
        "from_state": choices(STATE_LABELS),
        "to_state": choices(STATE_LABELS),
        "via": choices(VIA_LABELS),
    }
    # A record's first entry comes from no state.
    column_formatters = column_formatters_detail = {
        "from_state": lambda _v, _c, row, _n: STATE_LABELS.get(row.from_state, "—")
    }


class SlaNoticeView(AlurModelView):
    """Reminders and escalations given by ``flask sla run``."""

    roles = ADMIN_ONLY
    can_create = can_edit = can_delete = False
    column_list = columns(
        "id workflow record_id state state_since kind due_on escalated_to_id created_at"
    )
    column_filters = ["workflow", "kind"]
    column_choices = {
        "workflow": choices(TITLES),
        "state": choices(STATE_LABELS),
        "kind": choices(SLA_KIND_LABELS),
    }
    column_labels = {
        "state_since": _l("Since"),
        "due_on": _l("Due"),
        "escalated_to_id": _l("Escalated to"),
    }
