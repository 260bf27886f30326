"""What waits for someone: the records whose next step is theirs, across all workflows."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, inspect, or_, select
from sqlalchemy.orm import Session, selectinload

from workflow.definition import Workflow
from workflow.models.accounts import User
from workflow.rights import AllowedTrigger, allowed_triggers
from workflow.workflows import WORKFLOWS


@dataclass(frozen=True)
class InboxItem:
    """A record waiting for the actor: since when, and the steps they may take on it."""

    workflow: str
    record: object
    waiting_since: datetime
    triggers: tuple[AllowedTrigger, ...]


def inbox(
    session: Session,
    actor: User,
    *,
    limit: int = 50,
    after: tuple[datetime, str, int] | None = None,
) -> list[InboxItem]:
    """Records waiting for ``actor``'s action across all workflows, oldest first.

    Each workflow contributes one indexed query per (step, party) the actor can
    be; results are merged on ``(waiting since, workflow, id)``. ``after`` is
    the last key of the previous page (keyset pagination). Records whose
    waiting step is closed to the actor (segregation of duties) are skipped.
    """
    queries = {
        name: (wf.model, clauses)
        for name, wf in WORKFLOWS.items()
        if (clauses := _inbox_clauses(wf, actor))
    }
    items: list[InboxItem] = []
    while len(items) < limit:
        batch = _inbox_batch(session, queries, after, limit)
        for waiting_since, name, record_id, row in batch:
            after = (waiting_since, name, record_id)
            triggers = allowed_triggers(row, actor)
            # Listed only if the actor may take the step the record waits for.
            if any(WORKFLOWS[name].edge(t.trigger, row.state).inbox for t in triggers):
                items.append(InboxItem(name, row, waiting_since, tuple(triggers)))
                if len(items) == limit:
                    break
        if len(batch) < limit:
            break
    return items


def _inbox_batch(session, queries, after, limit: int) -> list[tuple]:
    """The first ``limit`` waiting records after ``after``, merged across workflows."""
    streams = []
    for name, (model, clauses) in queries.items():
        # The rights check of each listed record follows these: load them with the page.
        subject = inspect(model).synonyms["subject"].name
        # What a page of waiting records shows beside them: who, who reviewed, and what about.
        loaded = [subject, "reviewed_by", *(n for n in ("program", "mentor") if hasattr(model, n))]
        # One query per (step, party), not one with their OR: each then walks its own
        # index ((assessor_id, state, state_changed_at) and the like) in order, where the
        # OR made PostgreSQL gather every record in the states and sort them.
        for clause in clauses:
            stmt = (
                select(model)
                .where(clause)
                .options(*(selectinload(getattr(model, attr)) for attr in loaded))
            )
            if after is not None:
                stmt = stmt.where(_after(model, name, after))
            stmt = stmt.order_by(model.state_changed_at, model.id).limit(limit)
            streams.append(
                [(row.state_changed_at, name, row.id, row) for row in session.scalars(stmt)]
            )
    merged, seen = [], set()
    for key in heapq.merge(*streams, key=lambda k: k[:3]):
        if key[1:3] not in seen:  # a record two of its steps' queries found
            seen.add(key[1:3])
            merged.append(key)
            if len(merged) == limit:
                break
    return merged


def _inbox_clauses(wf: Workflow, actor: User) -> list:
    clauses = []
    for spec in wf.transitions:
        for party in spec.inbox:
            condition = party.where(actor, wf.model) if party.where else None
            if condition is not None:
                clauses.append(and_(wf.model.state.in_(spec.source), condition))
    return clauses


def _after(model, name: str, after: tuple[datetime, str, int]):
    at, after_name, after_id = after
    if name > after_name:
        return model.state_changed_at >= at
    if name < after_name:
        return model.state_changed_at > at
    return or_(model.state_changed_at > at, and_(model.state_changed_at == at, model.id > after_id))
