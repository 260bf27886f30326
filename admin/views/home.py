"""The landing pages: the inbox ("Perlu tindakan saya") and the dashboard."""

from __future__ import annotations

import csv
import io
from contextlib import suppress
from datetime import date, datetime, timedelta

import structlog
from flask import Response, current_app, flash, redirect, request, stream_with_context, url_for
from flask_admin import AdminIndexView, BaseView, expose
from flask_admin.form import SecureForm
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from redis import RedisError
from sqlalchemy import or_, select
from werkzeug.utils import secure_filename

from admin import charts
from admin.access import ADMIN_AND_HR, STAFF, Guarded, me
from admin.base import as_id, attempt, describe, spreadsheet_text
from admin.forms import trigger_form_class
from admin.labels import PERIODS, WORKFLOW_ENDPOINTS, period_name
from admin.views.workflows import (
    STATE_LABELS,
    TITLES,
    badge,
    period_label,
    record_label,
    trigger_label,
)
from workflow import (
    checkpoint_checks,
    checkpoints,
    distribution,
    inbox,
    jp,
    nominations,
    policy,
    progress,
    sla,
)
from workflow.db import db, is_id, replica_reads, utcnow
from workflow.models import Agency, RoleName, TrainingProgram
from workflow.workflows import WORKFLOWS
from workflow.workflows.appraisal import PERIOD_PATTERN

INBOX_PAGE = 50
# The view endpoints of the workflow lists, by workflow.


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
        record_id = as_id(record_id)  # beyond a row id is no cursor (and no database int)
        return (at, workflow, record_id) if record_id is not None else None
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
        if national:
            counts, late, counted_at = _national_counts(cutoff)
        else:
            counts, late, counted_at = {}, {}, None
            for name, wf in WORKFLOWS.items():
                counts[name] = progress.state_counts(db.session, wf, clauses[name])
                late[name] = progress.overdue_counts(db.session, wf, cutoff, clauses[name])
        tables = []
        for name, wf in WORKFLOWS.items():
            tables.append(
                {
                    "workflow": name,
                    "title": TITLES[name],
                    "endpoint": WORKFLOW_ENDPOINTS[name],
                    "counts": list(counts[name].items()),
                    "chart": _state_chart(name, counts[name]),
                    "overdue": progress.overdue(db.session, wf, cutoff, clauses[name]),
                }
            )
        hr_or_admin = any(user.has_role(role) for role in ADMIN_AND_HR)
        return self.render(
            "alur_admin/dashboard.html",
            tables=tables,
            badge=badge,
            overdue_days=overdue_days,
            overdue_steps=_overdue_steps(late),
            subject=record_label,
            state_labels=STATE_LABELS,
            counted_at=counted_at,
            recount_seconds=current_app.config["ADMIN_NATIONAL_COUNTS_SECONDS"],
            audit_status=_audit_status() if user.has_role(RoleName.ADMIN) else None,
            jp_report=any(user.has_role(role) for role in JpReportView.roles),
            # an agency's people are HR's and admins' to see, not a supervisor's
            agency_charts=_agency_charts(request.args) if hr_or_admin else None,
        )


def _state_chart(workflow: str, by_state: dict[str, int]) -> Markup | None:
    """One workflow's records per state as bars; None when it has none."""
    if not any(by_state.values()):
        return None
    bars = [charts.Bar(str(STATE_LABELS.get(s, s)), n, str(n)) for s, n in by_state.items()]
    return charts.bar_chart(
        bars, title=_("%(workflow)s: records per state", workflow=TITLES[workflow])
    )


def _overdue_steps(late: dict[str, dict[str, int]]) -> dict:
    """The overdue records per workflow and waiting state, as rows and as bars."""
    rows = [
        {
            "step": f"{workflow}:{state}",
            "workflow": TITLES[workflow],
            "state": state,
            "count": n,
            "label": f"{TITLES[workflow]}: {STATE_LABELS.get(state, state)}",
        }
        for workflow, by_state in late.items()
        for state, n in by_state.items()
    ]
    total = sum(r["count"] for r in rows)
    chart = None
    if total:
        bars = [charts.Bar(r["label"], r["count"], str(r["count"])) for r in rows]
        chart = charts.bar_chart(bars, title=_("Overdue records by step"), colour=charts.RED)
    return {"rows": rows, "total": total, "chart": chart}


CHART_UNITS = 20  # drawn on the dashboard; the JP report lists every unit


def _agency_charts(args) -> dict:
    """The chosen agency's predikat against the guidance, and its JP coverage by unit."""
    year = args.get("year", type=int) or utcnow().year
    if not 2000 <= year <= 2100:
        year = utcnow().year
    period = args.get("period", "")
    period = period if PERIOD_PATTERN.fullmatch(period) else "annual"
    agency, agencies = chosen_agency(args.get("agency", type=int))
    found = {
        "year": year,
        "period": period,
        "period_label": period_label(year, period),
        "periods": [(code, period_name(code)) for code in PERIODS],
        "agency": agency,
        "agencies": agencies,
        "threshold": jp.YEARLY_RIGHT,
    }
    if agency is not None:
        result = distribution.report(db.session, agency_id=agency.id, year=year, period=period)
        found["predicates"] = _predicate_chart(result, found["period_label"])
        units = jp.coverage(db.session, year=year, agency_id=agency.id)
        found["coverage"] = _coverage_chart(units, year)
    return found


def _predicate_chart(result: distribution.Report, period: str) -> dict:
    """Each predikat's share beside what the guidance for the organisation's rating expects.

    A guidance about several predikat together (e.g. Butuh Perbaikan or Kurang) gets a
    row of its own, with the share of them together.
    """
    alone: dict[str, list[distribution.Finding]] = {}
    together = []
    for finding in result.findings:
        if len(finding.bound.predicates) == 1:
            alone.setdefault(finding.bound.predicates[0].value, []).append(finding)
        else:
            together.append(finding)
    rows = [
        _predicate_row(s.predicate, s.count, s.share, alone.get(s.predicate, []))
        for s in result.shares
    ]
    for finding in together:
        label = " + ".join(p.value for p in finding.bound.predicates)
        rows.append(_predicate_row(label, finding.count, finding.share, [finding]))
    title = _("Predikat of approved appraisals, %(period)s", period=period)
    chart = None
    if result.total:
        bars = [charts.Bar(r["label"], r["share"], r["text"], r["band"]) for r in rows]
        legend = (_("Share now"), _("Guidance range")) if result.rating else None
        chart = charts.bar_chart(bars, title=title, scale=1.0, legend=legend)
    return {
        "title": title,
        "rows": rows,
        "total": result.total,
        "rating": result.rating,
        "guidance": result.guidance,
        "chart": chart,
    }


def _predicate_row(label: str, count: int, share: float, findings: list) -> dict:
    band = None
    ranged = [f.bound for f in findings if f.bound.min_share > 0 or f.bound.max_share < 1]
    if ranged:
        band = (max(b.min_share for b in ranged), min(b.max_share for b in ranged))
    judged = [f.met for f in findings if f.met is not None]
    return {
        "label": label,
        "count": count,
        "share": share,
        "percent": charts.percent(share),
        "text": f"{charts.percent(share)} ({count})",
        "band": band,
        "expected": "; ".join(_expected(f.bound) for f in findings),
        "met": all(judged) if judged else None,
    }


def _expected(bound: distribution.Bound) -> str:
    """What a guidance expects, in the words of the distribution screen."""
    words = []
    if bound.largest:
        words.append(_("the largest group"))
    if bound.min_share > 0:
        words.append(_("at least %(p)s %%", p=round(bound.min_share * 100)))
    if bound.max_share == 0:
        words.append(_("none"))
    elif bound.max_share < 1:
        words.append(_("at most %(p)s %%", p=round(bound.max_share * 100)))
    if bound.someone:
        words.append(_("at least one employee"))
    return ", ".join(words)


def _coverage_chart(units: list[jp.UnitCoverage], year: int) -> dict:
    """The units with the lowest share at or above the yearly right first, the total below."""
    drawn = sorted(units, key=lambda u: (u.share, u.unit, u.unit_id))[:CHART_UNITS]
    employees = sum(u.employees for u in units)
    covered = sum(u.covered for u in units)
    title = _(
        "Employees with at least %(n)s JP in %(year)s, by work unit", n=jp.YEARLY_RIGHT, year=year
    )
    chart = None
    if drawn:
        bars = [
            charts.Bar(u.unit, u.share, f"{charts.percent(u.share)} ({u.covered}/{u.employees})")
            for u in drawn
        ]
        chart = charts.bar_chart(bars, title=title, scale=1.0)
    return {
        "title": title,
        "rows": [
            {
                "unit": u.unit,
                "employees": u.employees,
                "covered": u.covered,
                "share": charts.percent(u.share),
            }
            for u in drawn
        ],
        "units": len(units),
        "employees": employees,
        "covered": covered,
        "share": charts.percent(covered / employees if employees else 0.0),
        "chart": chart,
    }


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


# Named anew when what is kept changes shape: a shared cache may still hold the old one.
NATIONAL_COUNTS = "dashboard:national-counts:2"
log = structlog.get_logger("alur.admin")


def _national_counts(cutoff: datetime) -> tuple[dict, dict, datetime | None]:
    """Every record of every workflow per state, those waiting since before ``cutoff`` per
    waiting state, and when they were counted (None: not kept).

    Counting the whole country reads millions of index entries, so the counts are kept
    for ``ADMIN_NATIONAL_COUNTS_SECONDS``; an agency's own counts are cheap and always
    counted afresh.
    """

    def count() -> tuple[dict, dict]:
        states = {name: progress.state_counts(db.session, wf) for name, wf in WORKFLOWS.items()}
        late = {
            name: progress.overdue_counts(db.session, wf, cutoff) for name, wf in WORKFLOWS.items()
        }
        return states, late

    seconds = int(current_app.config["ADMIN_NATIONAL_COUNTS_SECONDS"])
    if seconds <= 0:
        return *count(), None
    cache = _cache()
    try:
        kept = cache.get(NATIONAL_COUNTS)
    except RedisError:
        # The shared cache is down: count now (slower, never a failed page); see alur.config.
        log.warning("cache unreachable: national counts counted afresh")
        return *count(), None
    if kept is None:
        kept = (*count(), utcnow())
        with suppress(RedisError):
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
                db.session, **scope, limit=self.PAGE + 1, after=as_id(request.args.get("after", ""))
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
                with replica_reads():
                    page = jp.below(
                        db.session, year=year, agency_id=agency.id, limit=1000, after=after
                    )
                for row in page:
                    named = (row.name, units.get(row.unit_id, ""))
                    writer.writerow([row.nip, *map(spreadsheet_text, named), row.jp])
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
