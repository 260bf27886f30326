"""Step deadlines in working days, reminders and escalation (``flask sla run``).

A record waiting in a state with a deadline (``SLA_WORKING_DAYS``; weekends and
the ``holidays`` calendar do not count) gets, once per wait:

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

from workflow.db import LOCAL_ZONE, insert_once, local_today, utcnow, write_transaction
from workflow.models.audit import OutboxEvent
from workflow.models.org import Employee
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
                    .where(wf.model.state == state.value, wf.model.state_changed_at <= horizon,
                           wf.model.id > after)
                    .order_by(wf.model.id)
                    .limit(BATCH)
                ).all()  # fmt: skip
                if not rows:
                    break
                after = rows[-1].id
                for record in rows:
                    _check(session, wf, record, days, today, holidays, report)
                session.rollback()  # end the read; the notices went in their own transactions
    return report


def _check(session, wf, record, days, today, holidays, report) -> None:
    since = record.state_changed_at
    due = working_days_after(since.astimezone(LOCAL_ZONE).date(), days, holidays)
    if today > due:
        target = _escalation_target(session, wf, record)
        if _notify(session, wf, record, "escalation", due, target, today):
            report.escalations += 1
            report.lines.append(f"escalated {wf.name} {record.id} ({record.state} since "
                                f"{since:%Y-%m-%d}, due {due}) to employee {target}")  # fmt: skip
    elif today >= previous_working_day(due, holidays) and _notify(
        session, wf, record, "reminder", due, None, today
    ):
        report.reminders += 1
        report.lines.append(f"reminded {wf.name} {record.id} ({record.state}, due {due})")


def _escalation_target(session, wf, record) -> int | None:
    """The supervisor of the official the record waits for (None if it waits for HR)."""
    for spec in wf.edges_from(record.state):
        for party in spec.inbox:
            if party.principal is not None and (official := party.principal(record)):
                return session.scalar(select(Employee.supervisor_id).where(Employee.id == official))
    return None


def _notify(session, wf, record, kind, due, target, today) -> bool:
    """Insert the notice and its event once; return whether this run gave it."""
    record_id, state, since = record.id, record.state, record.state_changed_at
    with write_transaction(session):
        notice = {"workflow": wf.name, "record_id": record_id, "state": state,
                  "state_since": since, "kind": kind, "due_on": due,
                  "escalated_to_id": target, "created_at": utcnow()}  # fmt: skip
        unique = ["workflow", "record_id", "state_since", "kind"]
        if insert_once(session, SlaNotice, notice, unique=unique) is None:
            return False
        session.add(OutboxEvent(
            event_id=f"evt_{uuid.uuid4().hex}",
            type=f"{wf.name}.{'due_soon' if kind == 'reminder' else 'escalated'}",
            created_at=utcnow(),
            payload={"id": record_id, "state": state, "since": since.isoformat(),
                     "due_on": due.isoformat(), "escalated_to": target,
                     "at": utcnow().isoformat()},
        ))  # fmt: skip
    return True


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
