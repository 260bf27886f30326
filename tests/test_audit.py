"""The audit log's hash chains, and ``flask audit verify`` catching every kind of tampering."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.factories import audit_chain, new_record
from tests.workflow_paths import bring_to
from workflow import audit


@pytest.fixture
def history(session, cast):
    """Three records with some history; returns the appraisal, now reviewed."""
    bring_to(new_record(session, cast, "training_nomination"), "approved")
    bring_to(new_record(session, cast, "mentoring_assignment"), "returned")
    record = bring_to(new_record(session, cast, "appraisal"), "reviewed")
    session.commit()
    return record


def test_untouched_log_verifies(session, history, cli):
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "OK: 10 audit entries of 3 records and 0 change entries verified" in result.output


def test_entries_chain_to_their_predecessor(session, history):
    chain = audit_chain(session, history)
    assert [e.seq for e in chain] == [1, 2, 3]
    assert chain[0].prev_hash is None
    assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]
    assert (history.audit_seq, history.audit_head) == (3, chain[-1].hash)
    assert all(audit.entry_hash(e) == e.hash for e in chain)


def _sql(session, statement: str, **params) -> None:
    session.execute(text(statement), params)
    session.commit()


TAMPERING = {
    "altered comment": (
        lambda s, r, e: _sql(s, "UPDATE audit_log SET comment = 'ok' WHERE id = :id", id=e[1].id),
        "was altered",
    ),
    "altered actor": (
        lambda s, r, e: _sql(
            s, "UPDATE audit_log SET actor_id = NULL, via = 'admin' WHERE id = :id", id=e[2].id
        ),
        "was altered",
    ),
    "removed middle entry": (
        lambda s, r, e: _sql(s, "DELETE FROM audit_log WHERE id = :id", id=e[1].id),
        "were removed",
    ),
    "removed last entry": (
        lambda s, r, e: _sql(s, "DELETE FROM audit_log WHERE id = :id", id=e[2].id),
        "entries were removed or replaced",
    ),
    "state changed behind the engine": (
        lambda s, r, e: _sql(s, "UPDATE appraisals SET state = 'approved' WHERE id = :id", id=r.id),
        "changed outside the engine",
    ),
    "predicate changed behind the engine": (
        lambda s, r, e: _sql(
            s, "UPDATE appraisals SET predicate = 'Sangat Baik' WHERE id = :id", id=r.id
        ),
        "vouches for: changed outside the engine",
    ),
    "assessor changed behind the engine": (
        lambda s, r, e: _sql(
            s,
            "UPDATE appraisals SET assessor_id = (SELECT MIN(x.id) FROM employees x WHERE x.id "
            "NOT IN (appraisals.employee_id, appraisals.assessor_id, appraisals.approver_id)) "
            "WHERE id = :id",
            id=r.id,
        ),
        "vouches for: changed outside the engine",
    ),
    "version moved behind the engine": (
        lambda s, r, e: _sql(
            s, "UPDATE appraisals SET version = version + 5 WHERE id = :id", id=r.id
        ),
        "vouches for: changed outside the engine",
    ),
    "timestamps moved behind the engine": (
        lambda s, r, e: _sql(
            s, "UPDATE appraisals SET state_changed_at = created_at WHERE id = :id", id=r.id
        ),
        "vouches for: changed outside the engine",
    ),
    "chain removed with its anchor": (
        lambda s, r, e: (
            _sql(
                s, "DELETE FROM audit_log WHERE workflow = 'appraisal' AND record_id = :id", id=r.id
            ),
            _sql(
                s, "UPDATE appraisals SET audit_seq = 0, audit_head = NULL WHERE id = :id", id=r.id
            ),
        ),
        "has no audit entries",
    ),
    "two entries swapped": (
        lambda s, r, e: (
            _sql(s, "UPDATE audit_log SET seq = 99 WHERE id = :id", id=e[1].id),
            _sql(s, "UPDATE audit_log SET seq = 2 WHERE id = :id", id=e[2].id),
            _sql(s, "UPDATE audit_log SET seq = 3 WHERE id = :id", id=e[1].id),
        ),
        "does not link to the entry before it",
    ),
    "forged entry appended": (
        lambda s, r, e: (
            _sql(
                s,
                "INSERT INTO audit_log (workflow, record_id, seq, trigger, from_state, to_state, "
                "via, created_at, prev_hash, key_id, hash) VALUES ('appraisal', :id, 4, "
                "'approve', 'reviewed', 'approved', 'system', '2026-12-04 10:00:00.000000', "
                ":prev, :kid, :forged)",
                id=r.id,
                prev=e[2].hash,
                kid=e[2].key_id,
                forged="0" * 64,
            ),
            _sql(
                s,
                "UPDATE appraisals SET state = 'approved', audit_seq = 4, audit_head = :forged "
                "WHERE id = :id",
                id=r.id,
                forged="0" * 64,
            ),
        ),
        "was altered",
    ),
    "record removed": (
        lambda s, r, e: _sql(s, "DELETE FROM appraisals WHERE id = :id", id=r.id),
        "belongs to no record",
    ),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_tampering_is_reported_with_the_first_broken_link(session, history, cli, tampering):
    tamper, symptom = TAMPERING[tampering]
    chain = audit_chain(session, history)
    record_id = history.id
    tamper(session, history, chain)
    result = cli("audit", "verify")
    assert result.exit_code == 1
    first = next(line for line in result.output.splitlines() if line.startswith("BROKEN"))
    assert f"appraisal #{record_id}" in first
    assert symptom in first
    assert "problem(s)" in result.output


def test_entries_under_a_workflow_that_does_not_exist_are_named(session, history, cli):
    _sql(
        session,
        "UPDATE audit_log SET workflow = 'Appraisal' WHERE id = (SELECT MIN(id) FROM "
        "audit_log WHERE workflow = 'training_nomination')",
    )
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert "name a workflow that does not exist: 'Appraisal'" in result.output


def test_a_value_the_column_cannot_hold_is_reported_not_a_crash(session, history, cli):
    planted = "UPDATE audit_log SET created_at = '2026-12-4 16:30' WHERE id = (SELECT MIN(id) FROM "
    planted += "audit_log WHERE workflow = 'training_nomination')"
    if session.get_bind().dialect.name == "postgresql":
        # a typed column: PostgreSQL reads it as a time, so nothing unreadable is stored
        _sql(session, planted)
        assert cli("audit", "verify").exit_code == 1  # but it is a change all the same
        return
    _sql(session, planted)
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert "training_nomination: a stored value cannot be read" in result.output
    # the other workflows are still checked
    assert "problem(s)" in result.output and "Traceback" not in result.output


def test_quiet_verify_prints_nothing_when_all_is_well(session, history, cli):
    result = cli("audit", "verify", "--quiet")
    assert (result.exit_code, result.output) == (0, "")
