"""The Flask-Admin back office: thin views whose actions call the workflow engine.

``init_admin(app)`` builds one ``Admin`` per app (tests build several apps)
with its views; access is decided per view by role (``admin.access``).
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, abort, has_request_context, redirect, request, session, url_for
from flask_admin import Admin
from flask_admin.menu import MenuLink
from flask_admin.theme import Bootstrap4Theme
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_security import current_user
from flask_wtf.csrf import generate_csrf

from admin.base import local_time
from workflow import preferences, zones
from workflow.db import db
from workflow.models import (
    Agency,
    ApiToken,
    AuditEntry,
    Delegation,
    DevelopmentBudget,
    Employee,
    FollowUp,
    Holiday,
    JpLedgerEntry,
    OutboxDelivery,
    OutboxEvent,
    PerformancePeriod,
    Role,
    SlaNotice,
    Subscription,
    TrainingProgram,
    Unit,
    User,
    WebhookClient,
    WebhookReceipt,
)

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
# A return address is a path: a newline in one would be a header injection (Werkzeug
# refuses it with a ValueError, a 500) and any control character is no part of a URL.
RETURN_PARAMETERS = ("url", "next")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}


def select_locale() -> str:
    """The language the user chose (kept in the session); Indonesian by default."""
    chosen = session.get("lang") if has_request_context() else None
    return chosen if chosen in LANGUAGES else "id"


def select_timezone() -> str:
    """The time zone of the user's agency (WIB, WITA or WIT); WIB for national accounts."""
    if not has_request_context() or not current_user.is_authenticated:
        return zones.WIB
    employee = current_user.employee
    agency_id = current_user.agency_id or (employee.agency_id if employee is not None else None)
    agency = db.session.get(Agency, agency_id) if agency_id is not None else None
    return zones.zone_of(agency.province if agency is not None else None)


def init_admin(app: Flask) -> Admin:
    """Mount the back office at /admin."""
    from admin.views import (
        distribution,
        home,
        notifications,
        periods,
        plans,
        reference,
        system,
        webhooks,
        workflows,
    )

    app.jinja_loader.searchpath.append(str(Path(__file__).resolve().parent / "templates"))
    # The printed documents, drawn by the back office's templates for the API too (which
    # does not import the back office: it finds them here).
    from admin import documents

    app.extensions["alur_documents"] = documents
    admin = Admin(
        app,
        name="Alur",
        url="/admin",
        index_view=home.HomeView(name=_l("Home"), url="/admin"),
        theme=Bootstrap4Theme(fluid=True, base_template="alur_admin/base.html"),
        translations_path=str(TRANSLATIONS),
    )
    admin.add_view(home.InboxView(name=home.INBOX_NAME, endpoint="my_inbox", url="/admin/inbox"))
    admin.add_view(
        notifications.NotificationsView(
            name=_l("Notifications"), endpoint="notifications", url="/admin/notifications"
        )
    )
    work = _l("Workflows")
    for view, label in (
        (plans.SkpPlanView, _l("SKP plans")),
        (workflows.AppraisalView, _l("Appraisals")),
        (workflows.TrainingNominationView, _l("Training nominations")),
        (workflows.MentoringAssignmentView, _l("Mentoring assignments")),
    ):
        admin.add_view(view(name=label, category=work, endpoint=view.endpoint_name))
    org = _l("Organisation")
    admin.add_view(reference.AgencyView(Agency, name=_l("Agencies"), category=org))
    admin.add_view(reference.UnitView(Unit, name=_l("Work units"), category=org))
    admin.add_view(reference.EmployeeView(Employee, name=_l("Employees"), category=org))
    admin.add_view(
        reference.ProgramView(TrainingProgram, name=_l("Training programs"), category=org)
    )
    admin.add_view(reference.BudgetView(DevelopmentBudget, name=_l("Budgets"), category=org))
    admin.add_view(reference.JpLedgerView(JpLedgerEntry, name=_l("JP ledger"), category=org))
    admin.add_view(reference.DelegationView(Delegation, name=_l("Acting officials"), category=org))
    admin.add_view(
        periods.PeriodView(PerformancePeriod, name=_l("Performance periods"), category=org)
    )
    admin.add_view(reference.FollowUpView(FollowUp, name=_l("Follow-ups"), category=org))
    admin.add_view(reference.HolidayView(Holiday, name=_l("Holidays"), category=org))
    admin.add_view(
        home.JpReportView(
            name=_l("Below 20 JP"), category=org, endpoint="jp_report", url="/admin/jp-report"
        )
    )
    admin.add_view(
        distribution.PredicateDistributionView(
            name=_l("Predicate distribution"),
            category=org,
            endpoint="predicate_distribution",
            url="/admin/predicate-distribution",
        )
    )
    menu = _l("System")
    admin.add_view(system.UserView(User, name=_l("Users"), category=menu))
    admin.add_view(system.RoleView(Role, name=_l("Roles"), category=menu))
    admin.add_view(system.ApiTokenView(ApiToken, name=_l("API tokens"), category=menu))
    admin.add_view(system.AuditView(AuditEntry, name=_l("Audit log"), category=menu))
    admin.add_view(system.OutboxEventView(OutboxEvent, name=_l("Events"), category=menu))
    admin.add_view(system.SlaNoticeView(SlaNotice, name=_l("Deadline notices"), category=menu))
    hooks = _l("Webhooks")
    admin.add_view(webhooks.WebhookClientView(WebhookClient, name=_l("Clients"), category=hooks))
    admin.add_view(webhooks.ReceiptView(WebhookReceipt, name=_l("Received"), category=hooks))
    admin.add_view(
        webhooks.SubscriptionView(Subscription, name=_l("Subscriptions"), category=hooks)
    )
    admin.add_view(webhooks.DeliveryView(OutboxDelivery, name=_l("Deliveries"), category=hooks))
    for code, label in LANGUAGES.items():
        admin.add_link(MenuLink(name=label, url=f"/lang/{code}", category=_l("Language")))
    admin.add_link(MenuLink(name=_l("Change password"), url="/change"))
    app.jinja_env.filters["localtime"] = local_time
    app.jinja_env.globals["page_language"] = lambda: str(get_locale() or "id")
    # Logging out is a POST with Flask-Security's CSRF token (see alur_admin/base.html).
    app.jinja_env.globals["logout_csrf_token"] = generate_csrf
    app.jinja_env.globals["unread_notifications"] = notifications.unread_count

    @app.before_request
    def _refuse_control_characters_in_return_addresses():
        if request.path.startswith("/api/"):
            return  # the API reads no return addresses, and its bodies are not forms
        sources = [request.args, request.form] if request.method == "POST" else [request.args]
        for source in sources:
            for name in RETURN_PARAMETERS:
                if any(_CONTROL.search(value) for value in source.getlist(name)):
                    abort(400, description=_("The return address holds control characters."))

    @app.get("/lang/<code>")
    def choose_language(code: str):
        if code in LANGUAGES:
            session["lang"] = code
            if current_user.is_authenticated:  # their mails are written in it too
                user = current_user._get_current_object()
                preferences.choose_language(db.session, user, user, code, via="admin")
        back = request.referrer or ""
        host = request.host_url
        return redirect(back if back.startswith(host) else url_for("admin.index"))

    return admin
