"""Step deadlines in working days, reminders and escalation (``flask sla run``).

A record waiting in a state with a deadline (``SLA_WORKING_DAYS``; weekends and
the ``holidays`` calendar do not count), or an appraisal of an opened performance period
before that period's deadline for its state (``PERIOD_DEADLINES``; a year's SKP plans, its
plans deadline: ``PLAN_DEADLINES``), gets, once per wait:

* a **reminder** on the last working day before it is due: an outbox event
  ``<workflow>.due_soon`` (to the official, through the subscribers);
* an **escalation** once it is overdue: the official's own supervisor is named
  (``escalated_to_id``), the item appears in that supervisor's inbox, and an
  outbox event ``<workflow>.escalated`` goes out.

Each notice is a row under ``UNIQUE(workflow, record, wait, kind)`` inserted
with insert-or-nothing, so the run is idempotent and safe to start from cron
every minute, even twice at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.db import LOCAL_ZONE, insert_many_once, local_today, utcnow, write_transaction
from workflow.models.audit import OutboxEvent
from workflow.models.org import Employee
from workflow.models.periods import PerformancePeriod
from workflow.models.sla import Holiday, SlaNotice
from workflow.settings import rules
from workflow.workflows import WORKFLOWS

BATCH = 500


def working_days_after(start: date, days: int, holidays: set[date]) -> date:
    """The date on which ``days`` working days after ``start`` have passed (the due date)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            days -= 1
    return day


def previous_working_day(day: date, holidays: set[date]) -> date:
    day -= timedelta(days=1)
    while day.weekday() >= 5 or day in holidays:
        day -= timedelta(days=1)
    return day


@dataclass
class RunReport:
    reminders: int = 0
    escalations: int = 0
    lines: list[str] = field(default_factory=list)


def run(session: Session, *, today: date | None = None) -> RunReport:
    """Give the reminders and escalations due today (Jakarta), once each."""
    today = today or local_today()
    report = RunReport()
    holidays = set(session.scalars(select(Holiday.day)))
    for name, wf in WORKFLOWS.items():
        for state in wf.states:
            days = rules().sla_days(name, state.value)
            if days is None or state in wf.final:
                continue
            # A reminder comes at the earliest a few days before ``days`` calendar days
            # have passed (a weekend, a holiday): later waits need no look yet.
            last_start = today - timedelta(days=max(days - 4, 0))
            horizon = datetime.combine(last_start + timedelta(days=1), time(), LOCAL_ZONE)
            after = 0
            while True:
                rows = session.scalars(
                    select(wf.model)
                    .where(
                        wf.model.state == state.value,
                        wf.model.state_changed_at <= horizon,
                        wf.model.id > after,
                        ~_escalated(wf),
                    )
                    .order_by(wf.model.id)
                    .limit(BATCH)
                ).all()
                if not rows:
                    break
                after = rows[-1].id
                _give(session, wf, rows, days, today, holidays, report)
    _period_waits(session, today, holidays, report)
    session.rollback()  # end the last read
    return report


# A performance period's deadlines (PermenPANRB 6/2022) bound the waits of its appraisals:
# the employee's part (a draft, or one returned to them) by the realisation deadline, the
# officials' by the evaluation deadline, or the working days if those run out first.
PERIOD_DEADLINES = {
    "draft": "realisation_due_on",
    "returned": "evaluation_due_on",  # sent back during the evaluation: revised within it
    "submitted": "evaluation_due_on",
    "reviewed": "evaluation_due_on",
}
# A year's SKP plans are agreed by its plans deadline: the employee's draft (or one returned
# to them) and the assessor's agreement alike.
PLAN_DEADLINES = {
    "draft": "plans_due_on",
    "returned": "plans_due_on",
    "submitted": "plans_due_on",
}
# Working days a wait that begins at, or after, its period's deadline still has: a record
# returned on the last day is not overdue the moment it arrives.
PERIOD_GRACE_DAYS = 3


def _period_waits(session, today: date, holidays: set[date], report: RunReport) -> None:
    """The notices the opened periods' deadlines make due: a reminder on the last working
    day before one, an escalation once it has passed."""
    opened = session.scalars(
        select(PerformancePeriod).where(PerformancePeriod.opened_at.is_not(None))
    ).all()
    for period in opened:
        try:
            _period_notices(session, period, today, holidays, report)
        except (ArithmeticError, ValueError) as exc:
            # A period's row edited by hand (a date out of range) must not stop the run's
            # other periods; it is named in the report.
            session.rollback()
            report.lines.append(f"period {period.id}: skipped ({type(exc).__name__}: {exc})")


def _bounded(period):
    """What a period's deadlines bound: (workflow, deadlines by state, its records' filter)."""
    appraisal = WORKFLOWS["appraisal"]
    yield (
        appraisal,
        PERIOD_DEADLINES,
        (appraisal.model.year == period.year, appraisal.model.period == period.code),
    )
    if period.kind == "annual":
        plan = WORKFLOWS["skp_plan"]
        yield plan, PLAN_DEADLINES, (plan.model.year == period.year,)


def _period_notices(session, period, today: date, holidays: set[date], report) -> None:
    """One period's: its appraisals (and a year's plans) waiting in each state its
    deadlines bound."""
    for wf, deadlines, of_period in _bounded(period):
        model = wf.model
        for state, deadline_of in deadlines.items():
            deadline = getattr(period, deadline_of)
            if today < previous_working_day(deadline, holidays):
                continue  # not yet near
            days = rules().sla_days(wf.name, state)
            after = 0
            while True:
                rows = session.scalars(
                    select(model)
                    .where(
                        model.agency_id == period.agency_id,
                        *of_period,
                        model.state == state,
                        model.id > after,
                        ~_escalated(wf),
                    )
                    .order_by(model.id)
                    .limit(BATCH)
                ).all()
                if not rows:
                    break
                after = rows[-1].id
                _give(session, wf, rows, days, today, holidays, report, deadline=deadline)


def _escalated(wf):
    """Whether this wait was escalated already: nothing more is due for it (a cron run
    every minute then looks only at waits not yet escalated)."""
    model = wf.model
    # A correlated subquery with LIMIT, not EXISTS: PostgreSQL runs it as one probe of the
    # notices' unique index per record, whatever its statistics say; as an anti-join it
    # scanned the notices once per record while they were new to the planner.
    first = (
        select(SlaNotice.id)
        .where(
            SlaNotice.workflow == wf.name,
            SlaNotice.record_id == model.id,
            SlaNotice.state_since == model.state_changed_at,
            SlaNotice.kind == "escalation",
        )
        .limit(1)
        .scalar_subquery()
    )
    return first.is_not(None)


def _give(session, wf, rows, days, today, holidays, report, *, deadline=None) -> None:
    """The notices due for one batch of waiting records: one INSERT, one transaction.

    ``days`` working days from the wait's start (None: no such limit), or ``deadline``
    (a period's) if that comes first. The appraisal season can leave hundreds of
    thousands overdue on the same day; a statement per notice took minutes for them.
    """
    due_now = []
    for record in rows:
        since = record.state_changed_at
        start = since.astimezone(LOCAL_ZONE).date()
        due = working_days_after(start, days, holidays) if days is not None else None
        if deadline is not None:
            bound = max(deadline, working_days_after(start, PERIOD_GRACE_DAYS, holidays))
            due = bound if due is None else min(due, bound)
        if today > due:
            due_now.append((record, "escalation", due))
        elif today >= previous_working_day(due, holidays):
            due_now.append((record, "reminder", due))
    if not due_now:
        return
    officials = {r.id: _official(wf, r) for r, kind, _ in due_now if kind == "escalation"}
    wanted = {o for o in officials.values() if o is not None}
    supervisors = (
        dict(
            session.execute(
                select(Employee.id, Employee.supervisor_id).where(Employee.id.in_(wanted))
            ).all()
        )
        if wanted
        else {}
    )
    now = utcnow()
    notices = {
        (record.id, kind): {
            "workflow": wf.name,
            "record_id": record.id,
            "state": record.state,
            "state_since": record.state_changed_at,
            "kind": kind,
            "due_on": due,
            "escalated_to_id": supervisors.get(officials.get(record.id)),
            "created_at": now,
        }
        for record, kind, due in due_now
    }
    with write_transaction(session):
        given = insert_many_once(
            session,
            SlaNotice,
            list(notices.values()),
            unique=["workflow", "record_id", "state_since", "kind"],
            returning=(SlaNotice.record_id, SlaNotice.kind),
        )
        for record_id, kind in sorted(given):
            notice = notices[(record_id, kind)]
            _event(session, wf, notice)
            if kind == "escalation":
                report.escalations += 1
                report.lines.append(
                    f"escalated {wf.name} {record_id} ({notice['state']} since "
                    f"{notice['state_since']:%Y-%m-%d}, due {notice['due_on']}) "
                    f"to employee {notice['escalated_to_id']}"
                )
            else:
                report.reminders += 1
                report.lines.append(
                    f"reminded {wf.name} {record_id} ({notice['state']}, due {notice['due_on']})"
                )


def _official(wf, record) -> int | None:
    """Whom the record waits for (None if it waits for HR): an official, or the employee for
    their own part (a draft of a period), whose supervisor an escalation then names."""
    for spec in wf.edges_from(record.state):
        for party in spec.inbox:
            if party.principal is not None and (official := party.principal(record)):
                return official
            if party.name == "subject":
                return record.subject_id
    return None


def _event(session, wf, notice: dict) -> None:
    kind = "due_soon" if notice["kind"] == "reminder" else "escalated"
    session.add(
        OutboxEvent(
            event_id=f"evt_{uuid.uuid4().hex}",
            type=f"{wf.name}.{kind}",
            created_at=utcnow(),
            payload={
                "id": notice["record_id"],
                "state": notice["state"],
                "since": notice["state_since"].isoformat(),
                "due_on": notice["due_on"].isoformat(),
                "escalated_to": notice["escalated_to_id"],
                "at": utcnow().isoformat(),
            },
        )
    )


def escalated_to(session: Session, employee_id: int, *, limit: int = 100) -> list[SlaNotice]:
    """Escalations naming ``employee_id`` whose record still waits in that state, oldest first."""
    notices = session.scalars(
        select(SlaNotice)
        .where(SlaNotice.escalated_to_id == employee_id, SlaNotice.kind == "escalation")
        .order_by(SlaNotice.created_at)
        .limit(limit * 2)
    ).all()
    still = []
    for notice in notices:
        wf = WORKFLOWS[notice.workflow]
        record = session.get(wf.model, notice.record_id)
        if record is not None and record.state_changed_at == notice.state_since:
            still.append(notice)
    return still[:limit]
