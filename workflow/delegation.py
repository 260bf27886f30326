"""Acting officials (Plt/Plh; BKN circular 1/SE/I/2021): who acts for whom today.

A delegation lets the delegate take the steps its principal may take as
supervisor, assessor, approver or mentor, for the dated period only; the
audit row of such a step names the principal (``on_behalf_of_id``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from workflow.db import local_today, read_once, utcnow, write_transaction
from workflow.errors import Forbidden, InvalidPayload, NotFound
from workflow.models.accounts import RoleName, User
from workflow.models.delegations import ActingKind, Delegation
from workflow.models.org import Employee


def _current(delegate_id, today: date):
    return (
        Delegation.delegate_id == delegate_id,
        Delegation.starts_on <= today,
        Delegation.ends_on >= today,
        Delegation.revoked_at.is_(None),
    )


def principals_of(delegate_id: int, today: date | None = None):
    """SELECT of the employees ``delegate_id`` acts for today."""
    return select(Delegation.principal_id).where(*_current(delegate_id, today or local_today()))


def officials(session: Session, employee_id: int) -> list[int]:
    """``employee_id`` and the employees they act for today, read once per transaction.

    Visibility and inbox filters name these ids as values: given ``IN (SELECT …)``,
    PostgreSQL cannot tell that a handful of rows will match, and a list ordered by id
    walked the whole table (137 ms at a million appraisals, 0.4 ms with the values).
    """
    today = local_today()

    def read() -> list[int]:
        acting = session.scalars(principals_of(employee_id, today)).all()
        return [employee_id, *sorted(set(acting) - {employee_id})]

    return read_once(session, ("officials", employee_id, today), read)


def is_acting(session: Session, delegate_id: int, principal_id: int,
              today: date | None = None) -> bool:  # fmt: skip
    """Whether ``delegate_id`` acts for ``principal_id`` today."""
    condition = exists().where(
        *_current(delegate_id, today or local_today()), Delegation.principal_id == principal_id
    )
    return bool(session.scalar(select(condition)))


def delegate(session: Session, actor: User | None, *, principal_id: int, delegate_id: int,
             starts_on: date, ends_on: date, kind: str = "Plh") -> Delegation:  # fmt: skip
    """Record a delegation (in its own transaction); HR of the principal's agency, or admins."""
    if kind not in {k.value for k in ActingKind}:
        raise InvalidPayload("kind must be Plt or Plh", {"kind": ["Plt or Plh."]})
    if principal_id == delegate_id:
        raise InvalidPayload("one cannot act for oneself",
                             {"delegate_id": ["Must differ from principal_id."]})  # fmt: skip
    if ends_on < starts_on:
        raise InvalidPayload("the period ends before it starts",
                             {"ends_on": ["Must not be before starts_on."]})  # fmt: skip
    with write_transaction(session):
        principal = session.get(Employee, principal_id)
        acting = session.get(Employee, delegate_id)
        if principal is None or acting is None:
            raise NotFound("no such employee")
        if actor is not None and not (
            actor.has_role(RoleName.ADMIN)
            or (actor.has_role(RoleName.HR_OFFICER) and actor.agency_id == principal.agency_id)
        ):
            raise Forbidden("delegations are made by the agency's HR officers")
        row = Delegation(
            principal_id=principal.id, delegate_id=acting.id, agency_id=principal.agency_id,
            kind=kind, starts_on=starts_on, ends_on=ends_on,
            created_by_id=actor.id if actor is not None else None,
        )  # fmt: skip
        session.add(row)
    return row


def revoke(session: Session, delegation_id: int) -> Delegation:
    """End a delegation now."""
    with write_transaction(session):
        row = session.get(Delegation, delegation_id)
        if row is None:
            raise NotFound(f"no delegation {delegation_id}")
        row.revoked_at = row.revoked_at or utcnow()
    return row
