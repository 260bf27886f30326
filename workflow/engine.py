"""The workflow engine: create records, fire transitions, and ask what may be done.

``fire`` is the one way a record's state changes. In one transaction it locks
the record, checks its version, the actor's right and segregation of duties,
validates the trigger's data, runs the guards, moves the state through the
workflow's shared ``transitions.Machine``, and writes the audit entry and the
outbox event; any failure rolls all of it back.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import and_, bindparam, inspect, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from workflow import audit, policy
from workflow.db import update_many, utcnow, write_transaction
from workflow.definition import (
    VIA_CHANNELS,
    ByRule,
    Party,
    Transition,
    TransitionContext,
    Workflow,
)
from workflow.errors import (
    Conflict,
    Forbidden,
    InvalidPayload,
    NotFound,
    StaleVersion,
    TransitionNotAllowed,
    WorkflowError,
)
from workflow.models.accounts import User
from workflow.models.audit import AuditEntry, OutboxEvent
from workflow.workflows import WORKFLOWS, workflow_for
from workflow.workflows.common import load

SYSTEM = "system"
# Audit entries and events are written, never read back in the change: plain INSERTs,
# without asking for the new row's id back (``inline``).
AUDIT_INSERT = AuditEntry.__table__.insert().inline()
EVENT_INSERT = OutboxEvent.__table__.insert().inline()


@dataclass(frozen=True)
class AllowedTrigger:
    """A trigger the actor may fire now, and what it needs."""

    trigger: str
    dest: str
    needs_comment: bool
    fields: tuple[str, ...]  # the data fields the trigger takes
    required: tuple[str, ...]  # those of them that must be given


@dataclass(frozen=True)
class InboxItem:
    workflow: str
    record: object
    waiting_since: datetime
    triggers: tuple[AllowedTrigger, ...]


# -- reading ---------------------------------------------------------------------------


@cache
def _by_id(model, lock: bool):
    # Built once: a statement keeps its cache key, which is otherwise worked out anew
    # on every request.
    stmt = select(model).where(model.id == bindparam("record_id"))
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return stmt


def get_record(session: Session, workflow: str, record_id: int, *, lock: bool = False):
    """Load a record of ``workflow`` by id, or raise NotFound."""
    wf = workflow_for(workflow)
    record = session.scalars(_by_id(wf.model, lock), {"record_id": record_id}).one_or_none()
    if record is None:
        raise NotFound(f"{wf.title} {record_id} does not exist")
    return record


def allowed_triggers(record, actor: User | None) -> list[AllowedTrigger]:
    """The triggers ``actor`` may fire on ``record`` in its current state.

    Rights and segregation of duties are checked; guards that depend on the
    trigger's data are not (they are checked when it is fired).
    """
    wf = workflow_for(record)
    return [
        _describe(spec)
        for spec in wf.edges_from(record.state)
        if _refusal(spec, record, actor) is None
    ]


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
        # One query per (step, party), not one with their OR: each then walks its own
        # index ((assessor_id, state, state_changed_at) and the like) in order, where the
        # OR made PostgreSQL gather every record in the states and sort them.
        for clause in clauses:
            stmt = (
                select(model)
                .where(clause)
                .options(selectinload(getattr(model, subject)), selectinload(model.reviewed_by))
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
    return or_(
        model.state_changed_at > at,
        and_(model.state_changed_at == at, model.id > after_id),
    )


# -- writing ---------------------------------------------------------------------------


def create(
    session: Session,
    workflow: str,
    actor: User | None,
    data: dict,
    *,
    via: str,
    comment: str | None = None,
):
    """Create a record of ``workflow`` in its initial state, audited as ``create``."""
    wf = workflow_for(workflow)
    _check_channel(actor, via)
    values = load(wf.create_schema, data, what=f"{wf.title.lower()} data")
    with write_transaction(session):
        return _insert(session, wf, actor, values, via, comment)


def create_by_rule(session: Session, workflow: str, data: dict, *, comment: str):
    """Create a record as the system, inside the caller's transaction (an effect's).

    For records a rule makes (an appraisal's follow-up): audited ``via=system``,
    committed or rolled back with the change that caused it. A savepoint keeps a
    refusal (say, an open record already exists) from spoiling that transaction.
    """
    wf = workflow_for(workflow)
    values = load(wf.create_schema, data, what=f"{wf.title.lower()} data")
    with session.begin_nested():
        return _insert(session, wf, None, values, SYSTEM, comment)


def _create_by_rule(session: Session, wanted: list[ByRule]) -> None:
    """Make the records effects asked for, those of one workflow together."""
    by_workflow: dict[str, list[ByRule]] = {}
    for item in wanted:
        by_workflow.setdefault(item.workflow, []).append(item)
    for workflow, items in by_workflow.items():
        if len(items) == 1:
            _create_one_by_rule(session, items[0])
        else:
            _create_many_by_rule(session, workflow_for(workflow), items)


def _create_one_by_rule(session: Session, item: ByRule) -> None:
    try:
        record = create_by_rule(session, item.workflow, item.data, comment=item.comment)
    except WorkflowError as exc:
        item.done(None, exc)
    else:
        item.done(record, None)


def _create_many_by_rule(session: Session, wf: Workflow, items: list[ByRule]) -> None:
    """Many records of one workflow in one savepoint and a few statements.

    Data a check refuses fails alone. If the writes fail (an open record already
    exists for one of them), the savepoint is rolled back and each is made in its own.
    """
    ready = []
    for item in items:
        try:
            values = load(wf.create_schema, item.data, what=f"{wf.title.lower()} data")
            ready.append((item, values, wf.prepare(session, values, None)))
        except WorkflowError as exc:
            item.done(None, exc)
    if not ready:
        return
    try:
        with session.begin_nested():
            now = utcnow()
            records = []
            for _, _, prepared in ready:
                record = wf.model(**prepared)
                record.state = wf.initial
                record.created_at = record.state_changed_at = now
                session.add(record)
                records.append(record)
            session.flush()
            for (item, values, _), record in zip(ready, records, strict=True):
                audit.append(
                    session, record, trigger="create", from_state=None, to_state=record.state,
                    actor_id=None, via=SYSTEM, comment=item.comment, payload=values, now=now,
                )  # fmt: skip
            update_many(session, records)  # the audit anchors: each record's version 1
            for record in records:
                _emit(session, wf, record, None, "create", None, SYSTEM, now)
            session.flush()
    except (IntegrityError, StaleDataError):
        for item, _, _ in ready:
            _create_one_by_rule(session, item)
        return
    for (item, _, _), record in zip(ready, records, strict=True):
        item.done(record, None)


def _insert(session, wf: Workflow, actor, values: dict, via: str, comment):
    now = utcnow()
    record = wf.model(**wf.prepare(session, values, actor))
    record.state = wf.initial
    record.created_at = record.state_changed_at = now
    record.created_by_id = actor.id if actor is not None else None
    session.add(record)
    try:
        session.flush()  # persistent from here on, so the parties can follow relationships
    except IntegrityError:
        raise Conflict(
            f"this {wf.title.lower()} conflicts with an existing open one "
            "for the same person and subject"
        ) from None
    if actor is not None and not _any_holds(wf.create_who, actor, record):
        raise Forbidden(
            f"you may not create this {wf.title.lower()}; "
            f"it may be created by: {_names(wf.create_who)}"
        )
    audit.append(
        session, record, trigger="create", from_state=None, to_state=record.state,
        actor_id=record.created_by_id, via=via, comment=_note(values, comment), payload=values,
        now=now,
    )  # fmt: skip
    session.flush()  # the audit anchor's UPDATE gives the record its first version (1)
    _emit(session, wf, record, None, "create", actor, via, now)
    return record


def edit(
    record,
    actor: User | None,
    data: dict,
    *,
    via: str,
    comment: str | None = None,
    expected_version: int | None = None,
):
    """Change a record's editable fields while it is a draft or returned; audited as ``edit``.

    Those who may create a record may edit it; the state does not change.
    """
    session = object_session(record)
    if session is None:
        raise ValueError("edit() needs a record loaded in a session")
    wf = workflow_for(record)
    _check_channel(actor, via)
    values = load(wf.edit_schema, data, what=f"changes to the {wf.title.lower()}")
    if not values:
        raise InvalidPayload("nothing to change", {"_schema": ["Give at least one field."]})
    record_id = inspect(record).identity[0]
    with write_transaction(session):
        row = get_record(session, wf.name, record_id, lock=True)
        _check_version(wf, row, expected_version)
        if row.state not in wf.editable:
            raise TransitionNotAllowed(
                f"a {wf.title.lower()} can be changed only while "
                f"{' or '.join(sorted(wf.editable))}; it is {row.state!r}",
                state=row.state,
                allowed=[a.trigger for a in allowed_triggers(row, actor)],
            )
        if actor is not None and not _any_holds(wf.create_who, actor, row):
            raise Forbidden(
                f"you may not change this {wf.title.lower()}; "
                f"it may be changed by: {_names(wf.create_who)}"
            )
        wf.revise(session, row, values, actor)
        audit.append(
            session, row, trigger="edit", from_state=row.state, to_state=row.state,
            actor_id=actor.id if actor is not None else None, via=via,
            comment=_note(values, comment), payload=values, now=utcnow(),
        )  # fmt: skip
        _flush(session, wf, row, expected_version)
    return row


def fire(
    record,
    trigger: str,
    actor: User | None,
    *,
    via: str,
    comment: str | None = None,
    payload: dict | None = None,
    expected_version: int | None = None,
    within: Callable[[Session, object], None] | None = None,
):
    """Fire ``trigger`` on ``record`` as ``actor``; return the updated record.

    ``actor`` None is the system itself (``via="system"``), which acts by rule
    and skips the rights check. ``expected_version`` is the version the caller
    last saw; a different current version raises StaleVersion. ``within(session,
    record)`` runs after the change, in the same transaction (an adapter's own
    bookkeeping, such as an idempotency record); if it fails, nothing is kept.
    """
    session = object_session(record)
    if session is None:
        raise ValueError("fire() needs a record loaded in a session")
    record_id = inspect(record).identity[0]  # without a refresh query if expired
    return _fire_by_id(
        session, workflow_for(record).name, record_id, trigger, actor, via=via, comment=comment,
        payload=payload, expected_version=expected_version, within=within, by_id=False,
    )  # fmt: skip


def fire_by_id(
    session: Session,
    workflow: str,
    record_id: int,
    trigger: str,
    actor: User | None,
    *,
    via: str,
    comment: str | None = None,
    payload: dict | None = None,
    expected_version: int | None = None,
    within: Callable[[Session, object], None] | None = None,
):
    """``fire`` for a record known by its id, read once: under its lock.

    NotFound if there is no such record or the policy does not let the actor see it
    (the adapters' way in: a caller names an id, and may not learn what is not theirs).
    """
    return _fire_by_id(
        session, workflow, record_id, trigger, actor, via=via, comment=comment, payload=payload,
        expected_version=expected_version, within=within, by_id=True,
    )  # fmt: skip


def _fire_by_id(session, workflow, record_id, trigger, actor, *, via, comment, payload,
                expected_version, within, by_id: bool):  # fmt: skip
    wf = workflow_for(workflow)
    _check_channel(actor, via)
    with write_transaction(session):
        row = get_record(session, wf.name, record_id, lock=True)
        if by_id and not _visible(actor, row):
            raise _not_found(wf, record_id)
        _transition(session, wf, row, trigger, actor, via, comment, payload, expected_version)
        if within is not None:
            within(session, row)
            session.flush()
    return row


def _note(values: dict, comment: str | None) -> str | None:
    """The audit comment: the data's ``reason`` (why officials were named), or ``comment``."""
    return (values.get("reason") or "").strip() or (comment or "").strip() or None


def _check_version(wf: Workflow, row, expected_version: int | None) -> None:
    if expected_version is not None and row.version != expected_version:
        raise StaleVersion(
            f"{wf.title} {row.id} has changed since you read it "
            f"(version {expected_version}, now {row.version}); reload and try again",
            expected=expected_version,
            actual=row.version,
        )


@contextmanager
def _stale_as_conflict(wf: Workflow, row, expected_version: int | None):
    """A write that finds the record's version moved on is StaleVersion for the caller."""
    try:
        yield
    except StaleDataError:
        raise StaleVersion(
            f"{wf.title} {row.id} was changed by someone else; reload and try again",
            expected=expected_version,
            actual=None,
        ) from None


def _flush(session, wf: Workflow, row, expected_version: int | None) -> None:
    with _stale_as_conflict(wf, row, expected_version):
        session.flush()


def _transition(session, wf, row, trigger, actor, via, comment, payload, expected_version):
    spec, values, comment, on_behalf_of = _checked(
        wf, row, trigger, actor, comment, payload, expected_version
    )
    version = _next_version_of(row)
    entries = []
    from_state, now, creates = _move(
        session, wf, row, spec, actor, via, values, comment, on_behalf_of, entries
    )
    # The record, its audit entry and its event as three plain statements; then what
    # the effects added.
    with _stale_as_conflict(wf, row, expected_version):
        update_many(session, [row])
    connection = session.connection()
    connection.execute(AUDIT_INSERT, entries)
    connection.execute(EVENT_INSERT, [_event(wf, row, from_state, trigger, actor, via, now,
                                             on_behalf_of, version=version)])  # fmt: skip
    _flush(session, wf, row, expected_version)
    _create_by_rule(session, creates)


def _checked(wf, row, trigger, actor, comment, payload, expected_version):
    """Every check that needs no change: version, the edge, rights, reason, data."""
    _check_version(wf, row, expected_version)
    spec = wf.edge(trigger, row.state)
    if spec is None:
        allowed = [a.trigger for a in allowed_triggers(row, actor)]
        known = trigger in wf.triggers
        raise TransitionNotAllowed(
            (
                f"{trigger!r} is not possible while the {wf.title.lower()} is {row.state!r}"
                if known
                else f"{trigger!r} is not a trigger of {wf.title.lower()}"
            )
            + (f"; you may: {', '.join(allowed)}" if allowed else ""),
            state=row.state,
            allowed=allowed,
        )
    refusal = _refusal(spec, row, actor)
    if refusal is not None:
        raise Forbidden(refusal)
    on_behalf_of = _on_behalf_of(spec, row, actor)
    comment = (comment or "").strip() or None
    if spec.needs_comment and comment is None:
        raise InvalidPayload(f"{trigger!r} needs a reason", {"comment": ["A reason is required."]})
    return spec, _load_payload(wf, spec, payload), comment, on_behalf_of


def _move(session, wf, row, spec, actor, via, values, comment, on_behalf_of, entries=None):
    """Guards, the state change with its effects, and the audit entry (not yet flushed).

    The entry is added to the session, or its values to ``entries`` (a batch inserts
    them in one statement). Returns the state left, the time, and the records the
    effects asked for.
    """
    now = utcnow()
    from_state = row.state
    ctx = TransitionContext(session, row, actor, spec.trigger, via, values, comment, now)
    if not wf.machine.events[spec.trigger].trigger(row, ctx=ctx):
        # Guards raise their own reasons; a plain False would be a guard's bug.
        raise TransitionNotAllowed(f"{spec.trigger!r} was refused", state=from_state, allowed=[])
    row.state_changed_at = now
    if spec.marks_reviewer:
        row.reviewed_by_id = actor.id if actor is not None else None
    # Before the flush, so the state and the audit anchor go out in one UPDATE.
    entry = audit.next_entry(
        row, trigger=spec.trigger, from_state=from_state, to_state=row.state,
        actor_id=actor.id if actor is not None else None, via=via, comment=comment,
        payload=values, now=now, on_behalf_of_id=on_behalf_of,
    )  # fmt: skip
    if entries is None:
        session.add(AuditEntry(**entry))
    else:
        entries.append(entry)
    return from_state, now, ctx.creates


# -- many at once ----------------------------------------------------------------------

BATCH = 500


@dataclass
class Outcome:
    """One item of ``fire_many``: the moved record, or why not."""

    id: int
    record: object | None = None
    error: WorkflowError | None = None


class _Fallback(Exception):
    """A batch must be fired item by item after all."""


def fire_many(
    session: Session,
    workflow: str,
    items: list[dict],
    actor: User | None,
    *,
    via: str,
    batch: int = BATCH,
) -> list[Outcome]:
    """Fire many triggers on records of one workflow; each item stands or falls alone.

    ``items`` are dicts with ``id`` and ``trigger`` (and optionally ``comment``, ``data``,
    ``version``). A batch of items is one transaction: its records are locked in id
    order by one query, each item is checked and moved in memory, and the state
    changes, audit entries and events are written in a few statements, not a round
    trip each. An item refused by a check that changes nothing (version, state,
    rights, reason, data, what the actor may see) fails alone. If a guard or an effect refuses,
    or the writes fail, the batch is rolled back and fired item by item (``fire``),
    with the same outcome as if it had been so from the start.
    """
    wf = workflow_for(workflow)
    _check_channel(actor, via)
    outcomes: list[Outcome] = []
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        try:
            outcomes += _fire_batch(session, wf, chunk, actor, via)
        except _Fallback:
            outcomes += [_fire_one(session, wf, item, actor, via) for item in chunk]
    return outcomes


def _not_found(wf: Workflow, record_id) -> NotFound:
    return NotFound(f"{wf.title} {record_id} does not exist")


def _fire_batch(session, wf, chunk, actor, via) -> list[Outcome]:
    ids = [item["id"] for item in chunk]
    if len(set(ids)) != len(ids):
        raise _Fallback  # the same record twice: one after the other, as asked
    outcomes, creates, entries, events = [], [], [], []
    with write_transaction(session):
        rows = {
            row.id: row
            for row in session.scalars(
                select(wf.model).where(wf.model.id.in_(ids)).order_by(wf.model.id)
                .with_for_update().execution_options(populate_existing=True)
            )
        }  # fmt: skip
        for item in chunk:
            row = rows.get(item["id"])
            try:
                if row is None or not _visible(actor, row):
                    raise _not_found(wf, item["id"])
                spec, values, comment, on_behalf_of = _checked(
                    wf, row, item["trigger"], actor, item.get("comment"), item.get("data"),
                    item.get("version"),
                )  # fmt: skip
            except WorkflowError as exc:
                outcomes.append(Outcome(item["id"], error=exc))
                continue
            version = _next_version_of(row)
            try:
                from_state, now, work = _move(
                    session, wf, row, spec, actor, via, values, comment, on_behalf_of, entries
                )
            except WorkflowError:
                raise _Fallback from None
            creates += work
            events.append(_event(wf, row, from_state, spec.trigger, actor, via, now,
                                 on_behalf_of, version=version))  # fmt: skip
            outcomes.append(Outcome(row.id, record=row))
        try:
            # The records, their audit entries and events: a few statements for the batch.
            update_many(session, [o.record for o in outcomes if o.record is not None])
            if entries:
                session.connection().execute(AUDIT_INSERT, entries)
                session.connection().execute(EVENT_INSERT, events)
            session.flush()
        except (IntegrityError, StaleDataError):
            raise _Fallback from None
        # After the batch's writes: the records made by rule, together.
        _create_by_rule(session, creates)
    return outcomes


def _next_version_of(row) -> int:
    mapper = inspect(row).mapper
    return mapper.version_id_generator(row.version)


def _fire_one(session, wf, item, actor, via) -> Outcome:
    try:
        row = fire_by_id(session, wf.name, item["id"], item["trigger"], actor, via=via,
                         comment=item.get("comment"), payload=item.get("data"),
                         expected_version=item.get("version"))  # fmt: skip
    except WorkflowError as exc:
        session.rollback()
        return Outcome(item["id"], error=exc)
    return Outcome(row.id, record=row)


def _load_payload(wf: Workflow, spec: Transition, payload) -> dict:
    if spec.payload is not None:
        return load(spec.payload, payload, what=f"data for {spec.trigger!r}")
    if payload:
        raise InvalidPayload(
            f"{spec.trigger!r} takes no data", {"data": [f"{spec.trigger!r} takes no data."]}
        )
    return {}


def _emit(
    session, wf, record, from_state, trigger, actor, via, now, on_behalf_of=None, version=None
) -> None:
    session.add(OutboxEvent(**_event(wf, record, from_state, trigger, actor, via, now,
                                     on_behalf_of, version)))  # fmt: skip


def _event(
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


# -- rights ----------------------------------------------------------------------------


def _visible(actor: User | None, record) -> bool:
    """The system sees every record; anyone else what the policy lets them see."""
    return actor is None or policy.can_see(actor, record)


def _check_channel(actor, via: str) -> None:
    if via not in VIA_CHANNELS:
        raise ValueError(f"unknown channel {via!r}; one of {sorted(VIA_CHANNELS)}")
    if actor is None and via != SYSTEM:
        raise Forbidden("only the system itself may act without a user")
    if actor is not None and not actor.active:
        raise Forbidden("this account is deactivated")


def _refusal(spec: Transition, record, actor: User | None) -> str | None:
    """Why ``actor`` may not fire ``spec`` on ``record``, or None if they may."""
    if actor is None:
        return None  # the system acts by rule
    if not actor.active:
        return "this account is deactivated"
    if not _any_holds(spec.who, actor, record):
        return f"{spec.trigger!r} may be done by: {_names(spec.who)}"
    own = actor.employee_id is not None and actor.employee_id == record.subject_id
    if spec.not_subject and own:
        return f"you may not {spec.trigger} a record about yourself"
    if spec.not_reviewer and record.reviewed_by_id is not None:
        reviewer = record.reviewed_by
        if reviewer.id == actor.id or (
            reviewer.employee_id is not None and reviewer.employee_id == actor.employee_id
        ):
            return f"you reviewed this record, so someone else must {spec.trigger} it"
    return None


def _on_behalf_of(spec: Transition, record, actor: User | None) -> int | None:
    """The official an acting delegate stands in for, if that is the only way ``actor`` may act."""
    if actor is None:
        return None
    eid = actor.employee_id
    for party in spec.who:
        own = party.principal is None or party.principal(record) == eid
        if own and party.holds(actor, record):
            return None  # the actor's own right: nobody is stood in for
    for party in spec.who:
        if party.principal is not None and party.holds(actor, record):
            return party.principal(record)
    return None


def _any_holds(parties: tuple[Party, ...], actor: User, record) -> bool:
    return any(party.holds(actor, record) for party in parties)


def _names(parties: tuple[Party, ...]) -> str:
    return ", ".join(party.name for party in parties)


@cache
def _describe(spec: Transition) -> AllowedTrigger:
    fields, required = (), ()
    if spec.payload is not None:
        declared = spec.payload().fields
        fields = tuple(declared)
        required = tuple(name for name, f in declared.items() if f.required)
    return AllowedTrigger(spec.trigger, spec.dest, spec.needs_comment, fields, required)
