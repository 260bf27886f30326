"""``take_many``: many steps in few statements, each item standing or falling alone."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from tests import factories
from tests.factories import fire_many, new_record
from tests.sql import sent
from tests.workflow_paths import bring_to
from workflow.db import db
from workflow.models import AuditEntry, OutboxEvent, TrainingNomination, TrainingProgram
from workflow.verification import verify


def nominations(session, cast, count, *, seats=100, state="reviewed"):
    program = factories.program(session, seats=seats, cost=0)
    session.commit()
    records = []
    for _ in range(count):
        employee = factories.employee(
            session, factories.unit(session, cast.agency), supervisor=cast.supervisor.employee
        )
        session.commit()
        record = new_record(
            session, cast, "training_nomination", program_id=program.id, employee_id=employee.id
        )
        records.append(bring_to(record, state))
    return program, records


def statements_during(action) -> int:
    with sent() as statements:
        action()
    return len(statements)


def test_a_batch_takes_fewer_statements_per_item_than_one_by_one(session, cast):
    from workflow import fire

    _, single = nominations(session, cast, 10)
    _, batch = nominations(session, cast, 40)
    session.rollback()

    def one_by_one():
        for record in single:
            fire(record, "approve", cast.hr, via="api")

    def together():
        items = [{"id": r.id, "trigger": "approve"} for r in batch]
        fire_many(session, "training_nomination", items, cast.hr, via="api")

    per_item_alone = statements_during(one_by_one) / len(single)
    per_item_together = statements_during(together) / len(batch)
    # Alone: lock, seat, update, audit, event, and the transaction's own; together the
    # lock and the transaction are per batch (and on PostgreSQL the audit entries and
    # events are one INSERT each).
    assert per_item_together <= per_item_alone - 2, (per_item_alone, per_item_together)
    session.rollback()
    states = session.scalars(
        select(TrainingNomination.state).where(
            TrainingNomination.id.in_([r.id for r in single + batch])
        )
    )
    assert set(states) == {"approved"}


def test_items_refused_by_a_check_fail_alone_and_the_rest_is_written_with_its_history(
    session, cast
):
    _, records = nominations(session, cast, 4)
    session.rollback()
    version = records[0].version
    items = [
        {"id": records[0].id, "trigger": "approve"},
        {"id": records[1].id, "trigger": "review"},  # not from reviewed
        {"id": 999_999, "trigger": "approve"},  # no such record
        {"id": records[2].id, "trigger": "approve", "version": 1},  # stale
        {"id": records[3].id, "trigger": "return"},  # needs a reason
    ]
    outcomes = fire_many(session, "training_nomination", items, cast.hr, via="api")
    assert [(o.id, o.error.code if o.error else "ok") for o in outcomes] == [
        (records[0].id, "ok"),
        (records[1].id, "transition_not_allowed"),
        (999_999, "not_found"),
        (records[2].id, "stale_version"),
        (records[3].id, "invalid"),
    ]
    session.rollback()
    moved = session.get(TrainingNomination, records[0].id)
    assert (moved.state, moved.version) == ("approved", version + 1)
    events = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
    assert events.payload["version"] == moved.version and events.payload["id"] == moved.id
    assert verify(session).ok  # the audit chains hold, batch or not


def test_when_an_effect_refuses_the_batch_is_fired_item_by_item(session, cast):
    program, records = nominations(session, cast, 4, seats=2)
    session.rollback()
    outcomes = fire_many(
        session,
        "training_nomination",
        [{"id": r.id, "trigger": "approve"} for r in records],
        cast.hr,
        via="api",
    )
    assert [o.error.code if o.error else "ok" for o in outcomes] == [
        "ok",
        "ok",
        "no_capacity",
        "no_capacity",
    ]
    session.rollback()
    assert session.get(TrainingProgram, program.id).seats_taken == 2
    approved = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.trigger == "approve")
    )
    assert approved == 2


def test_one_record_twice_is_moved_twice_in_order_and_small_batches_add_up(session, cast):
    _, records = nominations(session, cast, 5, state="submitted")
    session.rollback()
    items = [
        {"id": records[0].id, "trigger": "review"},
        {"id": records[0].id, "trigger": "approve"},
    ]
    items += [{"id": r.id, "trigger": "review"} for r in records[1:]]
    outcomes = fire_many(session, "training_nomination", items, cast.supervisor, via="api", batch=2)
    assert [o.error is None for o in outcomes] == [True, False, True, True, True, True]
    assert outcomes[1].error.code == "forbidden"  # the supervisor reviews, HR approves
    session.rollback()
    assert {
        r.state
        for r in session.scalars(
            select(TrainingNomination).where(TrainingNomination.id.in_([r.id for r in records]))
        )
    } == {"reviewed"}


def test_records_the_caller_may_not_see_are_not_found(session, cast):
    _, records = nominations(session, cast, 2)
    session.rollback()
    hidden = records[1].id
    # moved to another agency by hand: the policy no longer lets this HR officer see it
    session.execute(
        update(TrainingNomination)
        .where(TrainingNomination.id == hidden)
        .values(agency_id=cast.other_agency.id)
    )
    session.commit()
    outcomes = fire_many(
        session,
        "training_nomination",
        [{"id": r.id, "trigger": "approve"} for r in records],
        cast.hr,
        via="api",
    )
    assert [o.error.code if o.error else "ok" for o in outcomes] == ["ok", "not_found"]
    session.rollback()
    assert session.get(TrainingNomination, hidden).state == "reviewed"


def test_a_batch_update_writes_each_row_once_and_leaves_it_clean(session, cast):
    from sqlalchemy import inspect
    from sqlalchemy.orm.exc import StaleDataError

    from workflow.db import update_many
    from workflow.models import Appraisal

    one = new_record(session, cast, "appraisal")
    two = new_record(session, cast, "appraisal", year=2024)
    session.commit()
    version, _ = one.version, two.version  # loaded, as the engine's locked read does
    one.feedback, two.feedback = "one", "two"
    two.self_assessment = "mine"  # a different set of columns: its own statement
    assert statements_during(lambda: update_many(session, [one, two])) == 2
    # clean as after a flush: nothing left for the next flush to look at or write
    assert not inspect(one).modified and one not in session.dirty
    assert statements_during(session.flush) == 0
    session.commit()
    session.expire_all()
    assert (one.feedback, one.version) == ("one", version + 1)
    assert (two.feedback, two.self_assessment) == ("two", "mine")

    # a row whose version moved on since it was read is not overwritten
    session.execute(
        Appraisal.__table__.update().values(version=version + 5).where(Appraisal.id == one.id)
    )
    one.feedback = "lost"
    try:
        update_many(session, [one])
    except StaleDataError:
        session.rollback()
    else:
        raise AssertionError("a stale row was written")
    assert session.get(Appraisal, one.id).feedback == "one"


def test_a_batch_of_many_rows_is_one_update_that_still_refuses_a_row_moved_on(session, cast):
    from sqlalchemy.orm.exc import StaleDataError

    from workflow.db import MANY_ROWS, update_many
    from workflow.models import TrainingNomination

    _, records = nominations(session, cast, MANY_ROWS + 5, state="submitted")
    session.rollback()
    rows = session.scalars(
        select(TrainingNomination).where(TrainingNomination.id.in_([r.id for r in records]))
    ).all()
    versions = {row.id: row.version for row in rows}
    for n, row in enumerate(rows):
        row.justification = f"batch {n}"
    statements = statements_during(lambda: update_many(session, rows))
    # on PostgreSQL one statement for the batch (its values as arrays), on SQLite one executemany
    assert statements == 1
    session.commit()
    session.expire_all()
    for n, row in enumerate(rows):
        assert (row.justification, row.version) == (f"batch {n}", versions[row.id] + 1)

    moved = rows[7]
    table = TrainingNomination.__table__  # behind the session's back, as another writer
    session.execute(table.update().values(version=moved.version + 5).where(table.c.id == moved.id))
    for row in rows:
        row.justification = "lost"
    with pytest.raises(StaleDataError, match=f"1 of {len(rows)} rows"):
        update_many(session, rows)
    session.rollback()
    assert {r.justification for r in session.scalars(select(TrainingNomination))} >= {"batch 0"}
    assert "lost" not in {r.justification for r in session.scalars(select(TrainingNomination))}


def test_many_steps_keep_no_idempotency_key_and_say_so(session, cast):
    from workflow import Key, Step, take_many

    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    step = Step("training_nomination", record.id, "review", cast.supervisor, "api", key=Key("k"))
    with pytest.raises(ValueError, match="idempotency"):
        take_many(session, [step])
    session.rollback()
    assert session.get(type(record), record.id).state == "submitted"


def test_outcomes_that_keep_no_records_still_tell_each_state_and_version(session, cast):
    from workflow import Step, take_many

    _, records = nominations(session, cast, 3)
    versions = [r.version for r in records]
    session.rollback()
    many = [Step("training_nomination", r.id, "approve", cast.hr, "api") for r in records]
    outcomes = take_many(
        session, [*many, Step("training_nomination", 0, "approve", cast.hr, "api")], keep=False
    )
    assert [(o.record, o.state, o.version) for o in outcomes[:3]] == [
        (None, "approved", v + 1) for v in versions
    ]
    assert outcomes[3].error is not None and outcomes[3].state is None


def test_a_value_too_long_for_its_column_is_never_cut_short_as_an_array(session, cast):
    """Values sent as arrays (PostgreSQL: batches from MANY_ROWS, and ``= ANY`` lookups) are
    cast without the column's length: a value too long is refused as by a plain INSERT, and
    looked up whole, never cut to fit (a key cut short could match another row's)."""
    from sqlalchemy.exc import DataError

    from workflow.db import MANY_ROWS, among, insert_many_once, utcnow
    from workflow.models import Notification

    def row(event_id: str, kind: str = "waiting") -> dict:
        return {"user_id": cast.supervisor.id, "kind": kind, "event_id": event_id}

    def written(**where) -> list[Notification]:
        return session.scalars(select(Notification).filter_by(**where)).all()

    insert = lambda rows: insert_many_once(  # noqa: E731 - the one call, three times
        session,
        Notification,
        [r | {"created_at": utcnow()} for r in rows],
        unique=["event_id", "user_id"],
        returning=(Notification.id,),
    )
    too_long = "w" * 40  # kind holds 24 characters
    batch = [row(f"evt_len_{i}") for i in range(MANY_ROWS)] + [row("evt_len_x", too_long)]
    if session.get_bind().dialect.name == "postgresql":
        with pytest.raises(DataError):
            insert(batch)
        session.rollback()
        assert written(kind=too_long[:24]) == [] and written(event_id="evt_len_0") == []
    else:  # SQLite keeps a string whole, whatever length it was declared with
        insert(batch)
        assert [n.kind for n in written(event_id="evt_len_x")] == [too_long]

    stored = "e" * 64  # as long as event_id may be
    insert([row(stored)] + [row(f"evt_other_{i}") for i in range(MANY_ROWS)])
    longer = select(Notification).where(among(session, Notification.event_id, [stored + "X"]))
    assert session.scalars(longer).all() == []
    exact = select(Notification).where(among(session, Notification.event_id, [stored]))
    assert [n.event_id for n in session.scalars(exact)] == [stored]


def test_rows_written_together_keep_json_in_a_column_that_decorates_it(session):
    """``write_rows`` sends a batch by ``COPY`` on PostgreSQL; a column whose type wraps JSON
    is JSON all the same, and its values arrive as they were given."""
    from sqlalchemy import JSON, Column, Integer, MetaData, Table
    from sqlalchemy.types import TypeDecorator

    from workflow.db import MANY_ROWS, write_rows, write_transaction

    class Document(TypeDecorator):
        impl = JSON
        cache_ok = True

    table = Table(
        "scratch_documents",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("body", Document),
    )
    table.create(db.engine)
    try:
        rows = [
            {"id": n, "body": {"n": n, "nama": "Sri Rahayu ✓", "list": [1, None]}}
            for n in range(1, MANY_ROWS + 3)
        ]
        with write_transaction(session):
            write_rows(session, table, rows)
        assert [
            dict(r._mapping) for r in session.execute(table.select().order_by(table.c.id))
        ] == rows
    finally:
        session.rollback()
        table.drop(db.engine)
