"""What each connection is set to: no wait lasts forever (a row lock held elsewhere answers 503
with Retry-After, undone), and times are in UTC whatever the server's zone."""

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


def test_every_connection_speaks_utc_whatever_zone_the_server_is_set_to(
    session, cast, database_url
):
    """A PostgreSQL server set to another zone (here Asia/Jakarta, given at connection start
    as a server's own default would be) still gives each of the app's connections UTC. On
    either leg, times come back as written, in Python's UTC."""
    from datetime import UTC

    from sqlalchemy import create_engine, make_url, text

    from workflow.db import db

    postgresql = database_url.startswith("postgresql")
    url = database_url
    if postgresql:
        options = {"options": "-c TimeZone=Asia/Jakarta"}
        url = make_url(url).update_query_dict(options).render_as_string(hide_password=False)
        plain = create_engine(url)
        try:
            with plain.connect() as conn:  # the zone a connection would otherwise speak
                assert conn.execute(text("SHOW TimeZone")).scalar() == "Asia/Jakarta"
        finally:
            plain.dispose()
    record = new_record(session, cast, "training_nomination")
    session.commit()
    written = (record.created_at, record.state_changed_at)
    jakarta = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with jakarta.app_context():
        try:
            read = db.session.get(TrainingNomination, record.id)
            assert (read.created_at, read.state_changed_at) == written
            assert read.created_at.tzinfo is UTC and read.state_changed_at.tzinfo is UTC
            if postgresql:
                assert db.session.execute(text("SHOW TimeZone")).scalar() == "UTC"
        finally:
            db.session.remove()
            db.engine.dispose()
