"""Acting officials (Plt/Plh; BKN circular 1/SE/I/2021): who acts for whom today.

What the parties of a workflow read; the delegations are made and revoked by the
commands of ``workflow.delegation``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from workflow.db import local_today, read_once
from workflow.models.delegations import Delegation


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
    walked the whole table.
    """
    today = local_today()

    def read() -> list[int]:
        acting = session.scalars(principals_of(employee_id, today)).all()
        return [employee_id, *sorted(set(acting) - {employee_id})]

    return read_once(session, ("officials", employee_id, today), read)


def is_acting(
    session: Session, delegate_id: int, principal_id: int, today: date | None = None
) -> bool:
    """Whether ``delegate_id`` acts for ``principal_id`` today."""
    condition = exists().where(
        *_current(delegate_id, today or local_today()), Delegation.principal_id == principal_id
    )
    return bool(session.scalar(select(condition)))
