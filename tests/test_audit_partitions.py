"""The audit log by year (PostgreSQL): each year's entries in the year's partition, a year
without one caught by the default and moved when its partition is made, the history and
``audit verify`` as before. On SQLite the log stays one table."""

from __future__ import annotations

from sqlalchemy import text

from tests.factories import new_record
from tests.workflow_paths import bring_to
from workflow import audit_partitions
from workflow.db import utcnow


def _partition_of(session, where: str) -> list[str]:
    return list(
        session.scalars(text(f"SELECT tableoid::regclass::text FROM audit_log WHERE {where}"))
    )


def test_each_years_entries_are_in_the_years_partition(session, cast, cli, database_url):
    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    if not database_url.startswith("postgresql"):
        assert not audit_partitions.partitioned(session)
        result = cli("audit", "partitions")
        assert result.exit_code == 0 and "one table" in result.output
        return
    this = utcnow().year
    assert {this, this + 1} <= set(audit_partitions.years(session))
    where = f"workflow = 'training_nomination' AND record_id = {record.id}"
    assert set(_partition_of(session, where)) == {audit_partitions.name(this)}
    history = cli("audit", "verify")
    assert history.exit_code == 0, history.output


def test_a_year_without_a_partition_waits_in_the_default_and_moves_when_made(
    session, cli, database_url
):
    if not database_url.startswith("postgresql"):
        assert audit_partitions.ensure(session, [2091]) == []  # nothing to make: one table
        return
    session.execute(text("DROP TABLE IF EXISTS audit_log_y2091"))
    session.commit()
    session.execute(
        text(
            "INSERT INTO audit_log (workflow, record_id, seq, trigger, to_state, via, "
            "created_at, key_id, hash) VALUES ('appraisal', 2147483000, 1, 'create', 'draft', "
            "'system', '2091-03-01T00:00:00Z', 'k', 'h')"
        )
    )
    session.commit()
    where = "record_id = 2147483000"
    assert _partition_of(session, where) == ["audit_log_default"]
    made = cli("audit", "partitions", "--year", "2091")
    assert made.exit_code == 0, made.output
    assert "made audit_log_y2091" in made.output and "2091" in made.output.splitlines()[-1]
    assert _partition_of(session, where) == ["audit_log_y2091"]
    again = cli("audit", "partitions", "--year", "2091")  # made once: nothing the second time
    assert "made" not in again.output
    session.execute(text("DELETE FROM audit_log WHERE record_id = 2147483000"))
    session.execute(text("DROP TABLE audit_log_y2091"))
    session.commit()
