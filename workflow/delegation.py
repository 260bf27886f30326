"""Acting officials (Plt/Plh; BKN circular 1/SE/I/2021): delegations made and revoked.

A delegation lets the delegate take the steps its principal may take as
supervisor, assessor, approver or mentor, for the dated period only; the
audit row of such a step names the principal (``on_behalf_of_id``).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import changes, notify, policy
from workflow.db import LOCAL_ZONE, local_today, utcnow, write_transaction
from workflow.errors import InvalidPayload, NotFound, Text
from workflow.models.accounts import User
from workflow.models.delegations import ActingKind, Delegation
from workflow.models.org import Employee


def delegate(
    session: Session,
    actor: User | None,
    *,
    principal_id: int,
    delegate_id: int,
    starts_on: date,
    ends_on: date,
    kind: str = "Plh",
    via: str = "api",
) -> Delegation:
    """Record a delegation (in its own transaction, logged); HR of the agency, or admins.

    The acting employee is of the principal's agency: a Plt/Plh stands in for a
    position of that agency (BKN circular 1/SE/I/2021). An employee the actor may
    not see is refused as one that does not exist.
    """

    if kind not in {k.value for k in ActingKind}:
        raise InvalidPayload("kind must be Plt or Plh", {"kind": ["Plt or Plh."]})
    if principal_id == delegate_id:
        raise InvalidPayload(
            "one cannot act for oneself", {"delegate_id": ["Must differ from principal_id."]}
        )
    if ends_on < starts_on:
        raise InvalidPayload(
            "the period ends before it starts", {"ends_on": ["Must not be before starts_on."]}
        )

    def build() -> Delegation:
        principal = _employee(session, actor, principal_id, "principal_id", None)
        acting = _employee(session, actor, delegate_id, "delegate_id", principal.agency_id)
        row = Delegation(
            principal_id=principal.id,
            delegate_id=acting.id,
            agency_id=principal.agency_id,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by_id=actor.id if actor is not None else None,
        )
        session.add(row)
        session.flush()
        # The acting official learns of it (BKN circular 1/SE/I/2021), with the record; of
        # one that starts on a later day, again that day (``tell_starting``).
        _tell(session, row, f"delegation-{row.id}")
        return row

    return changes.make(session, actor, build, via=via)


def _employee(session: Session, actor, employee_id: int, field: str, agency_id: int | None):

    row = session.get(Employee, employee_id)
    if (
        row is None
        or (actor is not None and not policy.can_see(actor, row))
        or (agency_id is not None and row.agency_id != agency_id)
    ):
        said = {"id": employee_id}
        raise InvalidPayload(
            "no employee %(id)s in this agency",
            {field: [Text("No employee %(id)s in this agency.", **said)]},
            said,
        )
    return row


def revoke(session: Session, actor: User | None, delegation_id: int, *, via: str) -> Delegation:
    """End a delegation now (logged); NotFound for one the actor may not see."""

    row = session.get(Delegation, delegation_id)
    if row is None or (actor is not None and not policy.can_see(actor, row)):
        raise NotFound("no delegation %(id)s", {"id": delegation_id})

    def end(row: Delegation) -> Delegation:
        row.revoked_at = row.revoked_at or utcnow()
        return row

    return changes.run(session, actor, row, "revoke", end, via=via)


def _tell(session: Session, row: Delegation, cause: str) -> int:
    acting_user = session.scalar(select(User.id).where(User.employee_id == row.delegate_id))
    if acting_user is None:
        return 0
    return notify.tell(
        session, [acting_user], "acting", cause, about=("delegation", row.id, row.kind)
    )


# A day the worker was down is made up for, that many days back.
STARTING_LOOKBACK = 7


def tell_starting(session: Session, *, today: date | None = None) -> int:
    """Tell each acting official whose delegation starts today (Jakarta), once, unless it
    was made on or after that day (its making told them); return how many were told."""
    today = today or local_today()
    with write_transaction(session):
        rows = session.scalars(
            select(Delegation).where(
                Delegation.starts_on.between(today - timedelta(days=STARTING_LOOKBACK), today),
                Delegation.ends_on >= today,
                Delegation.revoked_at.is_(None),
            )
        ).all()
        # made on or after its first day: its making told them
        later = [r for r in rows if r.created_at.astimezone(LOCAL_ZONE).date() < r.starts_on]
        # told once: a start already told is skipped by the write (its cause is the same)
        return sum(_tell(session, r, f"delegation-{r.id}-starts") for r in later)
