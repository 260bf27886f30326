"""Mentoring rules (PermenPANRB 6/2022, coaching and mentoring).

The mentor is someone other than the mentee, more senior (a higher rank or
grade, or, at the same rank, an earlier TMT, i.e. longer service), and guides
at most ``max_active_mentees`` people at a time (approved or active
assignments). A completed mentoring records the coaching feedback and the
competency evaluation (1-5) of the coaching form.
"""

from __future__ import annotations

from sqlalchemy import func, select

from workflow.errors import Conflict, InvalidPayload
from workflow.models.org import Employee
from workflow.ranks import rank_level
from workflow.settings import rules

BUSY_STATES = ("approved", "active")


def seniority(employee: Employee) -> tuple[int, int]:
    """(rank level, minus months of service): larger is more senior."""
    tmt = int(employee.nip[8:14])  # TMT CPNS as YYYYMM
    return rank_level(employee.status, employee.rank), -tmt


def check_senior(mentor: Employee, mentee: Employee) -> None:
    """Refuse a mentor who is not more senior than the mentee."""
    if mentor.id == mentee.id:
        raise InvalidPayload(
            "the mentor cannot be the mentee", {"mentor_id": ["Must differ from mentee_id."]}
        )
    if seniority(mentor) <= seniority(mentee):
        raise InvalidPayload(
            "the mentor must be more senior than the mentee: %(mentor)s is %(mentor_rank)s "
            "(TMT %(mentor_tmt)s), %(mentee)s is %(mentee_rank)s (TMT %(mentee_tmt)s)",
            {"mentor_id": ["Must be of a higher rank, or of the same rank with longer service."]},
            {
                "mentor": mentor.name,
                "mentor_rank": mentor.rank,
                "mentor_tmt": mentor.nip[8:12],
                "mentee": mentee.name,
                "mentee_rank": mentee.rank,
                "mentee_tmt": mentee.nip[8:12],
            },
        )


def check_capacity(session, mentor_id: int, *, excluding: int | None = None) -> None:
    """Refuse if the mentor already has the maximum of approved or active mentees.

    The mentor's row is locked first, so two approvals for one mentor are
    counted one after the other (PostgreSQL; SQLite serialises writers anyway).
    """
    from workflow.models.records import MentoringAssignment

    session.execute(select(Employee.id).where(Employee.id == mentor_id).with_for_update())
    busy = (
        select(func.count())
        .select_from(MentoringAssignment)
        .where(
            MentoringAssignment.mentor_id == mentor_id, MentoringAssignment.state.in_(BUSY_STATES)
        )
    )
    if excluding is not None:
        busy = busy.where(MentoringAssignment.id != excluding)
    limit = rules().max_active_mentees
    if session.scalar(busy) >= limit:
        raise Conflict(
            "the mentor already guides %(limit)s mentees, the most allowed at once",
            {"limit": limit},
        )


def guard_approve(ctx) -> None:
    """Guard of ``approve``: still more senior, and room for one more mentee."""
    record = ctx.record
    check_senior(
        ctx.session.get(Employee, record.mentor_id), ctx.session.get(Employee, record.mentee_id)
    )
    check_capacity(ctx.session, record.mentor_id, excluding=record.id)


def record_completion(ctx) -> None:
    """Effect of ``complete``: the coaching feedback and the competency evaluation."""
    ctx.record.coaching_feedback = ctx.payload["coaching_feedback"]
    ctx.record.competency_score = ctx.payload["competency_score"]
