"""Seats and budgets that never overflow: a nomination is approved only within both.

Approving a nomination takes one seat of its program and commits the program's
cost per participant against the agency's development budget for the program's
year; withdrawing it after approval gives both back. Each is one conditional
``UPDATE … WHERE used + n <= cap`` on a single counter row, so concurrent
approvals can never together exceed a cap (a ``SUM`` over nominations could:
write skew); the tables' CHECK constraints are the backstop.
"""

from __future__ import annotations

import functools

from sqlalchemy import select, update

from workflow.errors import Conflict
from workflow.models.programs import DevelopmentBudget, TrainingProgram


class NoCapacity(Conflict):
    """The program has no seat left, or the budget cannot cover the cost."""

    code = "no_capacity"


NO_BUDGET = "the agency has no development budget for %(year)s"


def _rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def _short(year: int, cost: int, left: int, amount: int) -> NoCapacity:
    return NoCapacity(
        "the %(year)s development budget cannot cover %(cost)s: %(left)s of %(amount)s is left",
        {"year": year, "cost": _rupiah(cost), "left": _rupiah(left), "amount": _rupiah(amount)},
    )


def _counters_only(effect):
    """Run ``effect`` without flushing the session first: the counters it updates are
    written by these statements alone, never through pending objects, so a batch of
    approvals (``bulk.take_many``) keeps its changes together for one flush."""

    @functools.wraps(effect)
    def run(ctx) -> None:
        with ctx.session.no_autoflush:
            effect(ctx)

    return run


def check_room(session, program: TrainingProgram, agency_id: int, count: int) -> None:
    """NoCapacity unless ``program`` has ``count`` seats left and the agency's budget of the
    program's year has room for their cost (what approving them all would take)."""
    left = program.seat_quota - program.seats_taken
    if count > left:
        raise NoCapacity(
            "program %(code)s has %(left)s seat(s) left, not %(count)s",
            {"code": program.code, "left": left, "count": count},
        )
    cost, year = program.cost_per_participant * count, program.start_date.year
    if cost <= 0:
        return
    budget = session.scalar(
        select(DevelopmentBudget).where(
            DevelopmentBudget.agency_id == agency_id, DevelopmentBudget.year == year
        )
    )
    if budget is None:
        raise NoCapacity(NO_BUDGET, {"year": year})
    if budget.committed + cost > budget.amount:
        raise _short(year, cost, budget.amount - budget.committed, budget.amount)


@_counters_only
def take_seat_and_budget(ctx) -> None:
    """Effect of ``approve``: one seat, and the cost committed against the year's budget."""
    session, record = ctx.session, ctx.record
    program = session.get(TrainingProgram, record.program_id)
    seat = session.execute(
        update(TrainingProgram)
        .where(
            TrainingProgram.id == program.id,
            TrainingProgram.seats_taken < TrainingProgram.seat_quota,
        )
        .values(seats_taken=TrainingProgram.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    if seat.rowcount != 1:
        raise NoCapacity(
            "program %(code)s has no seat left: all %(quota)s are taken",
            {"code": program.code, "quota": program.seat_quota},
        )
    cost, year = program.cost_per_participant, program.start_date.year
    if cost > 0:
        budget = DevelopmentBudget
        committed = session.execute(
            update(budget)
            .where(
                budget.agency_id == record.agency_id,
                budget.year == year,
                budget.committed + cost <= budget.amount,
            )
            .values(committed=budget.committed + cost)
            .execution_options(synchronize_session=False)
        )
        if committed.rowcount != 1:
            row = session.scalar(
                select(budget).where(budget.agency_id == record.agency_id, budget.year == year)
            )
            if row is None:
                raise NoCapacity(NO_BUDGET, {"year": year})
            raise _short(year, cost, row.amount - row.committed, row.amount)
    record.committed_cost, record.budget_year = cost, year


@_counters_only
def release_seat_and_budget(ctx) -> None:
    """Effect of ``withdraw``: an approved nomination gives its seat and its cost back."""
    session, record = ctx.session, ctx.record
    if record.committed_cost is None:
        return  # never approved: nothing was taken
    session.execute(
        update(TrainingProgram)
        .where(TrainingProgram.id == record.program_id, TrainingProgram.seats_taken > 0)
        .values(seats_taken=TrainingProgram.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )
    if record.committed_cost:
        budget = DevelopmentBudget
        session.execute(
            update(budget)
            .where(
                budget.agency_id == record.agency_id,
                budget.year == record.budget_year,
                budget.committed >= record.committed_cost,
            )
            .values(committed=budget.committed - record.committed_cost)
            .execution_options(synchronize_session=False)
        )
    record.committed_cost = record.budget_year = None
