"""Nothing waits forever: a row lock held elsewhere answers 503 with Retry-After, undone."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from alur import create_app
from tests import races
from tests.factories import new_record
from workflow.models import AuditEntry, TrainingNomination


@pytest.fixture
def impatient(app, database_url):
    """A second app on the same database whose waits for a lock end after 0.3 s."""
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "DB_LOCK_TIMEOUT_MS": 300,
            "DB_SQLITE_BUSY_TIMEOUT_MS": 300,
        }
    )


def test_a_transition_behind_a_held_row_lock_is_503_with_retry_after(
    session, cast, bearer, impatient
):
    record = new_record(session, cast, "training_nomination")
    session.commit()
    headers = bearer(cast.admin)
    holder = races._hold_row_lock(record.id)
    try:
        response = impatient.test_client().post(
            f"/api/v1/training-nominations/{record.id}/transitions",
            json={"trigger": "submit"},
            headers=headers,
        )
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.content_type == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    session.expire_all()
    assert session.get(TrainingNomination, record.id).state == "draft"
    audits = session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.record_id == record.id, AuditEntry.trigger == "submit")
    )
    assert audits == 0
