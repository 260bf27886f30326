"""Concurrent transitions on the same record, over real separate connections."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text

from tests.factories import new_record
from tests.workflow_paths import bring_to
from workflow import Conflict, fire
from workflow.db import SQLITE_BEGIN_OPTION, db
from workflow.models import AuditEntry, TrainingNomination, User


def _hold_row_lock(record_id: int):
    """Open a transaction that holds the record's write lock until released."""
    conn = db.engine.connect().execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    conn.begin()
    if conn.dialect.name == "postgresql":
        conn.execute(
            select(TrainingNomination.id)
            .where(TrainingNomination.id == record_id)
            .with_for_update()
        )
    return conn


def _wait_until_blocked(conn, waiting: int) -> None:
    if conn.dialect.name != "postgresql":
        time.sleep(0.5)  # SQLite shows no waiters; its busy timeout is 30 s
        return
    deadline = time.monotonic() + 10
    with db.engine.connect() as probe:
        while time.monotonic() < deadline:
            blocked = probe.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            )
            if blocked >= waiting:
                return
            time.sleep(0.02)
    raise AssertionError(f"expected {waiting} blocked transactions")


@pytest.mark.parametrize("with_version", [True, False], ids=["if-match", "blind"])
def test_two_concurrent_approvals_one_wins_one_conflicts(app, session, cast, with_version):
    record = bring_to(new_record(session, cast, "training_nomination"), "reviewed")
    record_id, hr_id = record.id, cast.hr.id
    session.commit()
    outcomes: dict[int, str] = {}
    ready = threading.Barrier(2)

    def approve(slot: int) -> None:
        with app.app_context():
            row = db.session.get(TrainingNomination, record_id)
            actor = db.session.get(User, hr_id)
            seen = row.version
            ready.wait()
            try:
                fire(row, "approve", actor, via="api",
                     expected_version=seen if with_version else None)  # fmt: skip
                outcomes[slot] = "approved"
            except Conflict as exc:
                outcomes[slot] = type(exc).__name__
            finally:
                db.session.remove()

    holder = _hold_row_lock(record_id)
    threads = [threading.Thread(target=approve, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    _wait_until_blocked(holder, 2)
    holder.commit()
    holder.close()
    for thread in threads:
        thread.join(timeout=60)

    loser = "StaleVersion" if with_version else "TransitionNotAllowed"
    assert sorted(outcomes.values()) == sorted(["approved", loser])
    session.expire_all()
    assert session.get(TrainingNomination, record_id).state == "approved"
    approvals = session.scalar(
        select(func.count()).select_from(AuditEntry).where(
            AuditEntry.record_id == record_id, AuditEntry.trigger == "approve"
        )
    )  # fmt: skip
    assert approvals == 1
