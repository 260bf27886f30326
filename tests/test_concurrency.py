"""Concurrent transitions on the same record, over real separate connections."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.factories import new_record
from tests.races import race
from tests.workflow_paths import bring_to
from workflow import Conflict, fire
from workflow.db import db
from workflow.models import AuditEntry, TrainingNomination, User


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
                fire(
                    row,
                    "approve",
                    actor,
                    via="api",
                    expected_version=seen if with_version else None,
                )
                outcomes[slot] = "approved"
            except Conflict as exc:
                outcomes[slot] = type(exc).__name__
            finally:
                db.session.remove()

    race(record_id, approve)

    loser = "StaleVersion" if with_version else "TransitionNotAllowed"
    assert sorted(outcomes.values()) == sorted(["approved", loser])
    session.expire_all()
    assert session.get(TrainingNomination, record_id).state == "approved"
    approvals = session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.record_id == record_id, AuditEntry.trigger == "approve")
    )
    assert approvals == 1
