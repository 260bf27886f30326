"""Running requests or transactions truly at once: all blocked on one row, then released."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select, text

from workflow.db import SQLITE_BEGIN_OPTION, db
from workflow.models import TrainingNomination

WAIT_SECONDS = 30  # for the contenders to block on the lock (10 s ran out with both legs and
# two benchmark runs sharing two cores)
JOIN_SECONDS = 60  # for them to finish once it is released


def _hold_row_lock(record_id: int):
    """Open a transaction that holds the nomination's write lock until released."""
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
    deadline = time.monotonic() + WAIT_SECONDS
    with db.engine.connect() as probe:
        while time.monotonic() < deadline:
            blocked = probe.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            )
            if blocked >= waiting:
                return
            # PostgreSQL reads pg_stat_activity once a transaction: without ending it, the
            # probe saw only who was waiting at its first look (on a loaded machine, not yet
            # every contender) and waited out its time with the contenders blocked.
            probe.rollback()
            time.sleep(0.02)
    raise AssertionError(f"expected {waiting} blocked transactions")


def race(nomination_id: int, contender, contenders: int = 2) -> None:
    """Run ``contender(slot)`` in threads that all wait on the nomination's row lock.

    The lock is released only once every contender is blocked on it (observed on
    PostgreSQL; waited for on SQLite), so they really do compete.
    The lock is released in ``finally``: if the contenders never all block (a loaded
    machine), the wait raises, and the contenders must not be left waiting behind a
    lock nobody will release (nor the next test's TRUNCATE behind them).
    """
    holder = _hold_row_lock(nomination_id)
    threads = [
        threading.Thread(target=contender, args=(slot,), daemon=True) for slot in range(contenders)
    ]
    try:
        for thread in threads:
            thread.start()
        _wait_until_blocked(holder, contenders)
    finally:
        holder.commit()
        holder.close()
        for thread in threads:
            thread.join(timeout=JOIN_SECONDS)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"contenders still running after {JOIN_SECONDS} s: {stuck}"
