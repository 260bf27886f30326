"""The outbox events a change writes, in its own transaction (delivered by ``outbox``)."""

from __future__ import annotations

import uuid

from workflow.db import write_rows
from workflow.models.audit import OutboxEvent


def event(
    wf, record, from_state, trigger, actor, via, now, on_behalf_of=None, version=None
) -> dict:
    """The outbox event of a change, as column values."""
    return {
        "event_id": f"evt_{uuid.uuid4().hex}",
        "type": f"{wf.name}.{record.state}",
        "created_at": now,
        "payload": {
            "id": record.id,
            "from": from_state,
            "to": record.state,
            "trigger": trigger,
            "actor": actor.id if actor is not None else None,
            "via": via,
            "version": record.version if version is None else version,
            "at": now.isoformat(),
            **({"on_behalf_of": on_behalf_of} if on_behalf_of is not None else {}),
        },
    }


def emit(session, wf, record, from_state, trigger, actor, via, now) -> None:
    """Add the event of a record's change to the session."""
    session.add(OutboxEvent(**event(wf, record, from_state, trigger, actor, via, now)))


def write(session, events: list[dict]) -> None:
    """Insert the events of a change in one statement, or a batch's by ``COPY`` on PostgreSQL
    (``write_rows``)."""
    write_rows(session, OutboxEvent.__table__, events)
