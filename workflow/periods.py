"""Performance periods (PermenPANRB 6/2022): defined for an agency by its HR, and opened.

Opening a period makes, for every employee of the agency who has none yet for it, an
appraisal of that period in its first state (for a year, first their SKP plan), with the
assessor (*pejabat penilai kinerja*: the employee's supervisor) and approver (*atasan
pejabat penilai kinerja*: the supervisor's) taken from the org chart. Each is made as the
engine makes one: its ``create`` audit entry and event in the same transaction, a batch
of employees to a transaction, so an opening cut short is taken up again by opening once
more (it makes only what is missing).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from types import SimpleNamespace

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from workflow import audit, changes, events, policy
from workflow.db import utcnow, write_rows, write_transaction
from workflow.errors import Conflict, InvalidPayload, NotFound, Text, term
from workflow.models import (
    Appraisal,
    AuditEntry,
    Employee,
    OutboxEvent,
    PerformancePeriod,
    PeriodKind,
    SkpPlan,
    User,
)
from workflow.models.periods import PARTS
from workflow.plans import rhk_digest
from workflow.policy import Action
from workflow.workflows import WORKFLOWS

BATCH = 2500  # employees per transaction when a period is opened
CLASHES = 5  # batches read again because another opening made some of them first
# Days after a period's start by which its plans are agreed, and after its end by which
# its realisation is entered and its evaluation done, unless HR sets other dates.
PLAN_DAYS = {PeriodKind.ANNUAL: 31, PeriodKind.QUARTERLY: 14, PeriodKind.MONTHLY: 7}
REALISATION_DAYS = 5
DEADLINE_DAYS = 120  # the latest a realisation or evaluation deadline may fall after the end
EVALUATION_DAYS = {PeriodKind.ANNUAL: 31, PeriodKind.QUARTERLY: 14, PeriodKind.MONTHLY: 10}
DATES = ("starts_on", "ends_on", "plans_due_on", "realisation_due_on", "evaluation_due_on")


def bounds(year: int, kind: str, number: int) -> tuple[date, date]:
    """The first and last day of the ``number``-th period of ``kind`` in ``year``."""
    months = 12 // PARTS[PeriodKind(kind)]
    first_month = (number - 1) * months + 1
    last_month = first_month + months - 1
    return (
        date(year, first_month, 1),
        date(year, last_month, calendar.monthrange(year, last_month)[1]),
    )


def default_dates(year: int, kind: str, number: int) -> dict[str, date]:
    """A period's dates where HR gives none (plans a few weeks in, evaluation after)."""
    kind = PeriodKind(kind)
    starts_on, ends_on = bounds(year, kind, number)
    realisation = ends_on + timedelta(days=REALISATION_DAYS)
    return {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "plans_due_on": min(starts_on + timedelta(days=PLAN_DAYS[kind]), ends_on),
        "realisation_due_on": realisation,
        "evaluation_due_on": max(ends_on + timedelta(days=EVALUATION_DAYS[kind]), realisation),
    }


def _checked(year, kind, number, given: dict) -> dict:
    errors: dict[str, list] = {}
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = [Text("A year from 2000 to 2100.")]
    if kind not in set(PeriodKind):
        errors["kind"] = [Text("One of: %(codes)s.", codes=tuple(PeriodKind))]
    elif not isinstance(number, int) or not 1 <= number <= PARTS[PeriodKind(kind)]:
        errors["number"] = [Text("From 1 to %(n)s.", n=PARTS[PeriodKind(kind)])]
    for name in given:
        if name not in DATES:
            errors[name] = [Text("Unknown field.")]
        elif not isinstance(given[name], date):
            errors[name] = [Text("A date (YYYY-MM-DD).")]
    if errors:
        raise InvalidPayload("invalid performance period", errors)
    dates = {**default_dates(year, kind, number), **given}
    order = ("starts_on", "plans_due_on", "ends_on", "realisation_due_on", "evaluation_due_on")
    for earlier, later in pairwise(order):
        if dates[later] < dates[earlier]:
            raise InvalidPayload(
                "the period's dates are out of order",
                {later: [Text("Must not be before %(field)s.", field=term("field", earlier))]},
            )
    # A period lies in its year, and its deadlines soon after it: a mistyped year (2001 for
    # 2026) would otherwise make every wait of the agency overdue at once.
    errors = {
        name: [Text("Must fall within %(year)s.", year=str(year))]
        for name in ("starts_on", "ends_on")
        if dates[name].year != year
    }
    latest = dates["ends_on"] + timedelta(days=DEADLINE_DAYS)
    errors.update(
        {
            name: [Text("At most %(n)s days after the end date.", n=DEADLINE_DAYS)]
            for name in ("realisation_due_on", "evaluation_due_on")
            if dates[name] > latest
        }
    )
    if errors:
        raise InvalidPayload("the period's dates are out of its year", errors)
    return dates


def define(
    session: Session,
    actor: User | None,
    *,
    agency_id: int,
    year: int,
    kind: str,
    number: int = 1,
    via: str,
    **given: date,
) -> PerformancePeriod:
    """Define an agency's period (HR of the agency, or admins); its dates default from the
    year, kind and number. A period defined twice is refused as a conflict."""
    dates = _checked(year, kind, number, given)

    def build() -> PerformancePeriod:
        row = PerformancePeriod(
            agency_id=agency_id,
            year=year,
            kind=kind,
            number=number,
            created_by_id=actor.id if actor is not None else None,
            **dates,
        )
        session.add(row)
        return row

    return changes.make(session, actor, build, via=via)


def get(session: Session, actor: User | None, period_id: int) -> PerformancePeriod:
    """The period, if ``actor`` may see it (NotFound otherwise, as if it did not exist)."""
    row = session.get(PerformancePeriod, period_id)
    if row is None or (actor is not None and not policy.can_see(actor, row)):
        raise NotFound("no performance period %(id)s", {"id": period_id})
    return row


@dataclass
class Opening:
    """What opening a period did: appraisals made, employees who had one, and those left
    out with the reason (NIP, reason); for the year, the SKP plans made and those there."""

    period_id: int
    made: int = 0
    had_one: int = 0
    left_out: list[tuple[str, str]] = field(default_factory=list)
    plans_made: int = 0
    had_plan: int = 0


@dataclass(frozen=True)
class _Making:
    """One kind of record an opening makes for each employee: its workflow, how to tell
    who has one already, why someone is left out, and the new record's own columns."""

    workflow: str
    has_one: Callable[[PerformancePeriod], tuple]  # the model's employee column, conditions
    left_out: Callable[[int, int | None, int | None], str | None]
    # (period, employee, assessor, approver) -> the record's own columns (and its payload)
    own: Callable[[PerformancePeriod, int, int | None, int | None], dict]


def _appraisal_columns(period, employee_id, assessor_id, approver_id) -> dict:
    return {
        "employee_id": employee_id,
        "year": period.year,
        "period": period.code,
        "assessor_id": assessor_id,
        "approver_id": approver_id,
    }


def _plan_columns(period, employee_id, assessor_id, approver_id) -> dict:
    return {"employee_id": employee_id, "year": period.year, "assessor_id": assessor_id}


def _plan_left_out(employee_id, assessor_id, approver_id) -> str | None:
    # The agency head has no assessor in the chart: their plan is agreed above the agency.
    return SAME_PERSON if assessor_id == employee_id else None


def _makings(period: PerformancePeriod) -> list[_Making]:
    """What opening ``period`` makes: its appraisals; for the year, first the SKP plans
    (PermenPANRB 6/2022: the year's plan is agreed at its start; the periodic
    evaluations rate against it)."""
    appraisals = _Making(
        "appraisal",
        lambda p: (
            Appraisal.employee_id,
            Appraisal.year == p.year,
            Appraisal.period == p.code,
            Appraisal.state.not_in(("rejected", "withdrawn")),
        ),
        _left_out,
        _appraisal_columns,
    )
    if period.kind != PeriodKind.ANNUAL:
        return [appraisals]
    plans = _Making(
        "skp_plan",
        lambda p: (SkpPlan.employee_id, SkpPlan.year == p.year, SkpPlan.state != "withdrawn"),
        _plan_left_out,
        _plan_columns,
    )
    return [plans, appraisals]


def open_period(
    session: Session,
    actor: User | None,
    period_id: int,
    *,
    via: str,
    progress: Callable[[int], None] | None = None,
    batch: int = BATCH,
) -> Opening:
    """Open the period: make the appraisal of every employee of its agency who has none
    for it, and for a year their SKP plan too (HR of the agency, or admins); idempotent.
    ``progress`` is told of each employee looked at."""
    period = get(session, actor, period_id)
    if actor is not None:
        policy.check(actor, Action.CHANGE, period)
    agency_id = period.agency_id
    makings = _makings(period)
    session.rollback()
    supervisor = aliased(Employee)
    # Who has one already: read once (a set of ids, small beside the rows it saves asking
    # about batch by batch), and again for a batch another opening got to first.
    had = {m.workflow: _having_one(session, m, period) for m in makings}
    report = Opening(
        period_id, had_one=len(had["appraisal"]), had_plan=len(had.get("skp_plan", ()))
    )
    after, clashes = 0, 0
    while True:
        rows = session.execute(
            select(Employee.id, Employee.nip, Employee.supervisor_id, supervisor.supervisor_id)
            .outerjoin(supervisor, supervisor.id == Employee.supervisor_id)
            .where(Employee.agency_id == agency_id, Employee.id > after)
            .order_by(Employee.id)
            .limit(batch)
        ).all()
        session.rollback()
        if not rows:
            break
        made, left_out = {}, []
        try:
            for making in makings:
                wanted = []
                for employee_id, nip, assessor_id, approver_id in rows:
                    if employee_id in had[making.workflow]:
                        continue
                    reason = making.left_out(employee_id, assessor_id, approver_id)
                    if reason is None:
                        wanted.append((employee_id, assessor_id, approver_id))
                    elif making.workflow == "appraisal":
                        left_out.append((nip, reason))
                made[making.workflow] = _make(session, making, actor, period, wanted, via)
                had[making.workflow] |= {w[0] for w in wanted}
        except IntegrityError:
            # Someone opened it at the same time and made some of these first: this batch
            # is taken again, without them.
            clashes += 1
            if clashes > CLASHES:
                raise Conflict("the period is being opened by someone else; try again") from None
            among = [r[0] for r in rows]
            for making in makings:
                had[making.workflow] |= _having_one(session, making, period, among=among)
            report.made += made.get("appraisal", 0)
            report.plans_made += made.get("skp_plan", 0)
            continue
        report.made += made.get("appraisal", 0)
        report.plans_made += made.get("skp_plan", 0)
        after = rows[-1][0]
        report.left_out += left_out
        if progress is not None:
            progress(len(rows))
    with write_transaction(session):
        row = session.get(PerformancePeriod, period_id, populate_existing=True)
        if row.opened_at is None:
            before = {"opened_at": None, "opened_by_id": None}
            row.opened_at = utcnow()
            row.opened_by_id = actor.id if actor is not None else None
            after_open = {"opened_at": row.opened_at.isoformat(), "opened_by_id": row.opened_by_id}
            changes.record(session, actor, row, "open", before, after_open, via=via)
    return report


def _having_one(session: Session, making: _Making, period, among=None) -> set[int]:
    """The agency's employees (of ``among``) with a record of the kind for the period still
    open or decided: a rejected or withdrawn one frees the place, as the database's unique
    index of open records does."""
    column, *conditions = making.has_one(period)
    query = (
        select(column)
        .join(Employee, Employee.id == column)
        .where(Employee.agency_id == period.agency_id, *conditions)
    )
    if among is not None:
        query = query.where(column.in_(among))
    had = set(session.scalars(query))
    session.rollback()
    return had


# Why an opening leaves an employee out (HR then makes theirs by hand, naming the officials).
NO_ASSESSOR = "no supervisor in the org chart to assess them"
NO_APPROVER = "their supervisor has no supervisor to approve"
SAME_PERSON = "the org chart names the same person twice in their chain"


def _left_out(employee_id: int, assessor_id: int | None, approver_id: int | None) -> str | None:
    if assessor_id is None:
        return NO_ASSESSOR
    if approver_id is None:
        return NO_APPROVER
    if len({employee_id, assessor_id, approver_id}) < 3:
        return SAME_PERSON
    return None


def _make(session: Session, making: _Making, actor, period, wanted: list, via: str) -> int:
    """Make the records of ``wanted`` (employee, assessor, approver) in one transaction,
    each with its ``create`` entry and event, as the engine's ``create`` does.

    Written as the importer writes employees: the ids are reserved first, so each
    record's first entry (which names it) is made before anything is written, and the
    record goes in already anchored to it (version 1) — three plain multi-row INSERTs,
    and no UPDATE of every new row.
    """
    if not wanted:
        return 0
    wf = WORKFLOWS[making.workflow]
    table = wf.model.__table__
    actor_id = actor.id if actor is not None else None
    comment = f"opening of period {period.id}"
    # A plan is made without RHK: its employee writes them (workflow.plans).
    extra = {"rhk_digest": rhk_digest([])} if making.workflow == "skp_plan" else {}
    with write_transaction(session):
        now = utcnow()
        ids = _reserve_ids(session, table, len(wanted))
        records, entries, made = [], [], []
        for record_id, (employee_id, assessor_id, approver_id) in zip(ids, wanted, strict=True):
            payload = making.own(period, employee_id, assessor_id, approver_id)
            values = {
                "id": record_id,
                **payload,
                **extra,
                "agency_id": period.agency_id,
                "state": wf.initial,
                "created_at": now,
                "state_changed_at": now,
                "created_by_id": actor_id,
                "reviewed_by_id": None,
            }
            record = SimpleNamespace(
                **values,
                workflow_name=wf.name,
                version=0,  # as a new record before its anchor: its first entry makes it 1
                audit_seq=0,
                audit_head=None,
                **{name: None for name in wf.audited if name not in values},
            )
            entries.append(
                audit.next_entry(
                    record,
                    trigger="create",
                    from_state=None,
                    to_state=wf.initial,
                    actor_id=actor_id,
                    via=via,
                    comment=comment,
                    payload=payload,
                    now=now,
                )
            )
            records.append(
                {**values, "version": 1, "audit_seq": 1, "audit_head": record.audit_head}
            )
            record.version = 1
            made.append(record)
        write_rows(session, table, records)
        write_rows(session, AuditEntry.__table__, entries)
        write_rows(
            session,
            OutboxEvent.__table__,
            [events.event(wf, r, None, "create", actor, via, now) for r in made],
        )
    return len(records)


def _reserve_ids(session: Session, table, count: int) -> list[int]:
    """``count`` ids for new rows of ``table`` that no concurrent insert can take."""
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"table": table.name, "n": count},
            )
        )
    # SQLite: the write transaction holds the database's write lock, so the ids above the
    # largest are free until it ends.
    top = session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    return list(range(top + 1, top + count + 1))
