"""The landing pages: the inbox ("Perlu tindakan saya") and the dashboard."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

from flask import Response, current_app, flash, redirect, request, stream_with_context, url_for
from flask_admin import AdminIndexView, BaseView, expose
from flask_admin.form import SecureForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from werkzeug.utils import secure_filename

from admin.access import ADMIN_AND_HR, STAFF, Guarded, me
from admin.base import attempt, describe
from admin.forms import trigger_form_class
from admin.views.workflows import STATE_LABELS, TITLES, badge, record_label, trigger_label
from workflow import checkpoint_checks, checkpoints, inbox, jp, nominations, policy, progress, sla
from workflow.db import db, is_id, utcnow
from workflow.models import Agency, RoleName, TrainingProgram
from workflow.workflows import WORKFLOWS

INBOX_PAGE = 50
# The view endpoints of the workflow lists, by workflow.
WORKFLOW_ENDPOINTS = {
    "training_nomination": "admin_training_nominations",
    "mentoring_assignment": "admin_mentoring_assignments",
    "appraisal": "admin_appraisals",
}


class InboxView(Guarded, BaseView):
    """Everything waiting for the user's action, oldest first, with one-click steps."""

    roles = STAFF

    @expose("/")
    def index(self):
        after = _after(request.args.get("after"))
        items = inbox(db.session, me(), limit=INBOX_PAGE + 1, after=after)
        more = len(items) > INBOX_PAGE
        items = items[:INBOX_PAGE]
        rows = []
        for item in items:
            endpoint = WORKFLOW_ENDPOINTS[item.workflow]
            steps = [
                (
                    allowed,
                    trigger_label(allowed.trigger),
                    trigger_form_class(item.workflow, allowed.trigger)(
                        formdata=None, trigger=allowed.trigger, version=item.record.version
                    ),
                )
                for allowed in item.triggers
            ]
            rows.append(
                {
                    "item": item,
                    "title": TITLES[item.workflow],
                    "subject": record_label(item.record),
                    "details": url_for(f"{endpoint}.details_view", id=item.record.id),
                    "fire": url_for(f"{endpoint}.fire_view", record_id=item.record.id),
                    "steps": steps,
                }
            )
        next_after = None
        if more:
            last = items[-1]
            next_after = f"{last.waiting_since.isoformat()}|{last.workflow}|{last.record.id}"
        escalations = []
        if after is None and me().employee_id is not None:
            for notice in sla.escalated_to(db.session, me().employee_id):
                endpoint = WORKFLOW_ENDPOINTS[notice.workflow]
                escalations.append(
                    {
                        "notice": notice,
                        "title": TITLES[notice.workflow],
                        "details": url_for(f"{endpoint}.details_view", id=notice.record_id),
                    }
                )
        return self.render(
            "alur_admin/inbox.html",
            rows=rows,
            badge=badge,
            next_after=next_after,
            escalations=escalations,
        )


def _after(value: str | None):
    if not value:
        return None
    try:
        at, workflow, record_id = value.split("|")
        at = datetime.fromisoformat(at)
        if workflow not in WORKFLOWS or at.tzinfo is None:
            return None
        return at, workflow, int(record_id)
    except ValueError:
        return None


class HomeView(Guarded, AdminIndexView):
    """Supervisors and employees land on their inbox; admins and HR on the dashboard."""

    roles = STAFF

    @expose("/")
    def index(self):
        user = me()
        if not (user.has_role(RoleName.ADMIN) or user.has_role(RoleName.HR_OFFICER)):
            return redirect(url_for("my_inbox.index"))
        return redirect(url_for(".dashboard"))

    @expose("/dashboard")
    def dashboard(self):
        user = me()
        overdue_days = int(current_app.config.get("ADMIN_OVERDUE_DAYS", 14))
        cutoff = utcnow() - timedelta(days=overdue_days)
        clauses = {name: policy.scope(user, wf.model) for name, wf in WORKFLOWS.items()}
        national = all(clause is None for clause in clauses.values())
        counts, counted_at = _national_counts() if national else (None, None)
        tables = []
        for name, wf in WORKFLOWS.items():
            by_state = (
                counts[name] if national else progress.state_counts(db.session, wf, clauses[name])
            )
            tables.append(
                {
                    "workflow": name,
                    "title": TITLES[name],
                    "endpoint": WORKFLOW_ENDPOINTS[name],
                    "counts": list(by_state.items()),
                    "overdue": progress.overdue(db.session, wf, cutoff, clauses[name]),
                }
            )
        return self.render(
            "alur_admin/dashboard.html",
            tables=tables,
            badge=badge,
            overdue_days=overdue_days,
            subject=record_label,
            state_labels=STATE_LABELS,
            counted_at=counted_at,
            recount_seconds=current_app.config["ADMIN_NATIONAL_COUNTS_SECONDS"],
            audit_status=_audit_status() if user.has_role(RoleName.ADMIN) else None,
            jp_report=any(user.has_role(role) for role in JpReportView.roles),
        )


def _audit_status() -> dict:
    """The newest checkpoint and the last verify, for admins: the log is everyone's."""
    cp = checkpoints.newest(db.session)
    summary = None
    if cp is not None:
        audit_entries = sum(c["entries"] for c in cp.counts.get("audit", {}).values())
        summary = {
            "seq": cp.seq,
            "created_at": cp.created_at,
            "digest": cp.digest,
            "audit_entries": audit_entries,
            "change_entries": cp.counts.get("change_log", {}).get("entries", 0),
        }
    return {"checkpoint": summary, "verify": checkpoint_checks.last_verify(db.session)}


NATIONAL_COUNTS = "dashboard:national-counts"


def _national_counts() -> tuple[dict, datetime | None]:
    """Every record of every workflow per state, and when it was counted (None: not kept).

    Counting the whole country reads millions of index entries, so the counts are kept
    for ``ADMIN_NATIONAL_COUNTS_SECONDS``; an agency's own counts are cheap and always
    counted afresh.
    """

    def count() -> dict:
        return {name: progress.state_counts(db.session, wf) for name, wf in WORKFLOWS.items()}

    seconds = int(current_app.config["ADMIN_NATIONAL_COUNTS_SECONDS"])
    if seconds <= 0:
        return count(), None
    cache = _cache()
    kept = cache.get(NATIONAL_COUNTS)
    if kept is None:
        kept = (count(), utcnow())
        cache.set(NATIONAL_COUNTS, kept, timeout=seconds)
    return kept


def _cache():
    """The app's cache, as Flask-Caching keeps it in ``app.extensions`` (one per app)."""
    (backend,) = current_app.extensions["cache"].values()
    return backend


INBOX_NAME = _l("Awaiting my action")


def chosen_agency(chosen: int | None) -> tuple[Agency | None, list[Agency]]:
    """The agency a report is about, and the choice offered: any for admins, else one's own."""
    user = me()
    if not user.has_role(RoleName.ADMIN):
        return (db.session.get(Agency, user.agency_id) if user.agency_id else None), []
    agencies = db.session.scalars(select(Agency).order_by(Agency.name).limit(1000)).all()
    if chosen and is_id(chosen):
        return db.session.get(Agency, chosen), agencies
    return (agencies[0] if agencies else None), agencies


class JpReportView(Guarded, BaseView):
    """Who is below the 20 JP yearly right: HR for their agency, admins for any; exported,
    and nominated for a program from here."""

    roles = ADMIN_AND_HR
    PAGE = 200

    @expose("/")
    def index(self):
        year, agency, agencies = self._scope(request.args)
        rows, totals, units, next_after, programs = [], [], {}, None, []
        if agency is not None:
            scope = {"year": year, "agency_id": agency.id}
            totals = jp.totals(db.session, **scope)
            units = {t.unit_id: t.unit for t in totals}
            rows = jp.below(
                db.session, **scope, limit=self.PAGE + 1, after=request.args.get("after", type=int)
            )
            if len(rows) > self.PAGE:
                rows, next_after = rows[: self.PAGE], rows[self.PAGE - 1].employee_id
            programs = _open_programs(agency.id, year)
        return self.render(
            "alur_admin/jp_report.html",
            year=year,
            agency=agency,
            agencies=agencies,
            totals=totals,
            rows=rows,
            units=units,
            threshold=jp.YEARLY_RIGHT,
            next_after=next_after,
            programs=programs,
            form=SecureForm(),
        )

    @expose("/export.csv")
    def export(self):
        """Everyone below the right in the agency and year, as CSV (read page by page)."""
        year, agency, _agencies = self._scope(request.args)
        if agency is None:
            return redirect(url_for(".index"))
        units = {t.unit_id: t.unit for t in jp.totals(db.session, year=year, agency_id=agency.id)}

        def lines():
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["NIP", _("Name"), _("Work unit"), "JP"])
            after = None
            while True:
                page = jp.below(db.session, year=year, agency_id=agency.id, limit=1000, after=after)
                for row in page:
                    writer.writerow([row.nip, row.name, units.get(row.unit_id, ""), row.jp])
                yield out.getvalue()
                out.seek(0)
                out.truncate()
                if len(page) < 1000:
                    return
                after = page[-1].employee_id

        name = f"below-{jp.YEARLY_RIGHT}-jp-{agency.code}-{year}.csv"
        return Response(
            stream_with_context(lines()),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{secure_filename(name)}"'},
        )

    @expose("/nominate", methods=["POST"])
    def nominate(self):
        """Nominate the chosen employees for a program, each through the engine."""
        year, agency, _agencies = self._scope(request.form)
        back = url_for(".index", year=year, agency=agency.id if agency else None)
        form = SecureForm(request.form)
        form.validate()
        if form.csrf_token.errors:
            flash(_("The form has expired; please try again."), "error")
            return redirect(back)
        chosen = [i for i in request.form.getlist("employee", type=int) if is_id(i)]
        program_id = request.form.get("program", type=int)
        if agency is None or not chosen or not is_id(program_id):
            flash(_("Choose the employees and the program."), "error")
            return redirect(back)
        reason = _("Below %(n)s JP in %(year)s", n=jp.YEARLY_RIGHT, year=year)
        outcomes = attempt(
            lambda: nominations.nominate(
                db.session,
                me(),
                agency_id=agency.id,
                program_id=program_id,
                employee_ids=chosen,
                reason=str(reason),
                via="admin",
            )
        )
        for outcome in outcomes or []:
            if outcome.error is None:
                flash(_("Nominated: %(who)s", who=record_label(outcome.record)), "success")
            else:
                flash(
                    _(
                        "Not nominated: #%(id)s: %(why)s",
                        id=outcome.employee_id,
                        why=describe(outcome.error),
                    ),
                    "error",
                )
        return redirect(back)

    @staticmethod
    def _scope(args) -> tuple[int, Agency | None, list[Agency]]:
        year = args.get("year", type=int) or utcnow().year
        agency, agencies = chosen_agency(args.get("agency", type=int))
        if not 2000 <= year <= 2100:
            return utcnow().year, None, agencies
        return year, agency, agencies


def _open_programs(agency_id: int, year: int) -> list[TrainingProgram]:
    """Programs of the agency, or national ones, starting in the year, with seats left."""
    return db.session.scalars(
        select(TrainingProgram)
        .where(
            or_(TrainingProgram.agency_id == agency_id, TrainingProgram.agency_id.is_(None)),
            TrainingProgram.start_date >= date(year, 1, 1),
            TrainingProgram.start_date <= date(year, 12, 31),
            TrainingProgram.seats_taken < TrainingProgram.seat_quota,
        )
        .order_by(TrainingProgram.start_date, TrainingProgram.id)
        .limit(500)
    ).all()
