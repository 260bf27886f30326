"""The races helper never leaves its row lock held, even when its wait fails."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests import races
from tests.factories import new_record
from workflow.db import db


def test_the_lock_is_released_when_the_wait_for_contenders_fails(session, cast, monkeypatch):
    record = new_record(session, cast, "training_nomination")
    session.commit()
    monkeypatch.setattr(races, "WAIT_SECONDS", 0.2)
    monkeypatch.setattr(races, "JOIN_SECONDS", 20)
    finished = []

    def idle(slot):  # never blocks: the helper's wait for two blocked ones must fail
        finished.append(slot)

    waits_on_postgresql = db.engine.dialect.name == "postgresql"
    if waits_on_postgresql:
        with pytest.raises(AssertionError, match="blocked"):
            races.race(record.id, idle)
    else:
        races.race(record.id, idle)
    assert sorted(finished) == [0, 1]
    # The row can be locked and written again at once: nobody holds it.
    with db.engine.connect() as conn:
        if waits_on_postgresql:
            conn.execute(text("SET lock_timeout = 2000"))
        conn.execute(
            text("UPDATE training_nominations SET version = version WHERE id = :id"),
            {"id": record.id},
        )
        conn.commit()
