"""Records a rule makes as the system: an appraisal's follow-up, a mentoring's report.

An effect asks for them (``TransitionContext.creates``); they are made once the
change that called for them is written, inside its transaction, audited
``via=system``, and committed or rolled back with it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workflow import audit, events, steps
from workflow.db import among, update_many, utcnow, write_rows
from workflow.definition import ByRule, Workflow
from workflow.errors import WorkflowError
from workflow.rights import SYSTEM
from workflow.workflows import workflow_for
from workflow.workflows.common import load


def _create(session: Session, workflow: str, data: dict, *, comment: str):
    """Create a record as the system, inside the caller's transaction (an effect's).

    A savepoint keeps a refusal (say, an open record already exists) from spoiling
    that transaction.
    """
    wf = workflow_for(workflow)
    values = load(wf.create_schema, data, what=steps.data_of("create", wf))
    with session.begin_nested():
        return steps.insert(session, wf, None, values, SYSTEM, comment)


def make(session: Session, wanted: list[ByRule], rows: list[tuple] = ()) -> None:
    """Make the records effects asked for, those of one workflow together; then insert the
    rows they added (``TransitionContext.rows``), which may name those records, a few
    statements a table."""
    by_workflow: dict[str, list[ByRule]] = {}
    for item in wanted:
        by_workflow.setdefault(item.workflow, []).append(item)
    for workflow, items in by_workflow.items():
        if len(items) == 1:
            _make_one(session, items[0])
        else:
            _make_many(session, workflow_for(workflow), items)
    by_table: dict = {}
    for table, values in rows:
        by_table.setdefault(table, []).append(values)
    for table, values in by_table.items():
        write_rows(session, table, values)


def _make_one(session: Session, item: ByRule) -> None:
    try:
        record = _create(session, item.workflow, item.data, comment=item.comment)
    except WorkflowError as exc:
        item.done(None, exc)
    else:
        item.done(record, None)


def _load_named(session: Session, wf: Workflow, data: list[dict]) -> list:
    """The rows the data names (``Workflow.named``), one query per model.

    The caller holds the list while it prepares the records: the session's identity map
    keeps a row only while it is referenced, and ``session.get`` then finds it there.
    """
    ids: dict[type, set[int]] = {}
    for field, model in wf.named:
        ids.setdefault(model, set()).update(d[field] for d in data if type(d.get(field)) is int)
    return [
        row
        for model, wanted in ids.items()
        if wanted
        for row in session.scalars(select(model).where(among(session, model.id, sorted(wanted))))
    ]


def _make_many(session: Session, wf: Workflow, items: list[ByRule]) -> None:
    """Many records of one workflow in one savepoint and a few statements.

    Data a check refuses fails alone. If the writes fail (an open record already
    exists for one of them), the savepoint is rolled back and each is made in its own.
    """
    ready = []
    _held = _load_named(session, wf, [item.data for item in items])  # until they are prepared
    for item in items:
        try:
            values = load(wf.create_schema, item.data, what=steps.data_of("create", wf))
            ready.append((item, values, steps.prepared(session, wf, values, None)))
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
            entries = [
                audit.next_entry(
                    record,
                    trigger="create",
                    from_state=None,
                    to_state=record.state,
                    actor_id=None,
                    via=SYSTEM,
                    comment=item.comment,
                    payload=values,
                    now=now,
                )
                for (item, values, _), record in zip(ready, records, strict=True)
            ]
            update_many(session, records)  # the audit anchors: each record's version 1
            # The entries and events in one statement each, as a batch of steps writes them.
            audit.write(session, entries)
            events.write(
                session,
                [events.event(wf, r, None, "create", None, SYSTEM, now) for r in records],
            )
            session.flush()
    except (IntegrityError, StaleDataError):
        for item, _, _ in ready:
            _make_one(session, item)
        return
    for (item, _, _), record in zip(ready, records, strict=True):
        item.done(record, None)
