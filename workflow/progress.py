"""Where a workflow's records stand: how many are in each state, and which have waited too long."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from workflow.definition import Workflow

# The states in which a record waits for someone other than its author.
WAITING_STATES = ("submitted", "reviewed")


def state_counts(session: Session, wf: Workflow, where=None) -> dict[str, int]:
    """The records of ``wf`` (within ``where``) per state, every state named, zero included."""
    query = select(wf.model.state, func.count()).group_by(wf.model.state)
    if where is not None:
        query = query.where(where)
    found = dict(session.execute(query).all())
    return {state.value: found.get(state.value, 0) for state in wf.states}


def overdue(session: Session, wf: Workflow, before: datetime, where=None, limit: int = 10):
    """The records (within ``where``) waiting since before ``before``, longest waiting first."""
    model = wf.model
    # One ordered index range per waiting state, merged: a single IN (…) ORDER BY would
    # sort every waiting record, millions of them in appraisal season.
    ranges = []
    for state in WAITING_STATES:
        part = select(model.id, model.state_changed_at).where(
            model.state == state, model.state_changed_at < before
        )
        if where is not None:
            part = part.where(where)
        ranges.append(part.order_by(model.state_changed_at).limit(limit).subquery().select())
    oldest = union_all(*ranges).subquery()
    ids = select(oldest.c.id).order_by(oldest.c.state_changed_at, oldest.c.id).limit(limit)
    records = {r.id: r for r in session.scalars(select(model).where(model.id.in_(ids)))}
    return sorted(records.values(), key=lambda r: (r.state_changed_at, r.id))


def overdue_counts(session: Session, wf: Workflow, before: datetime, where=None) -> dict[str, int]:
    """How many records (within ``where``) wait in each waiting state since before ``before``.

    One grouped count over the (state, since) index ranges; every waiting state named.
    """
    model = wf.model
    waiting = [s.value for s in wf.states if s.value in WAITING_STATES]
    query = (
        select(model.state, func.count())
        .where(model.state.in_(waiting), model.state_changed_at < before)
        .group_by(model.state)
    )
    if where is not None:
        query = query.where(where)
    found = dict(session.execute(query).all())
    return {state: found.get(state, 0) for state in waiting}
