"""Signed checkpoints: tampering with what a checkpoint covered, published anchors, and
the incremental verify."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.exceptions import InvalidSignature
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from tests.factories import audit_chain, new_record
from tests.sql import sent
from tests.workflow_paths import bring_to
from workflow import audit, audit_keys, checkpoints, delivery, outbox, settings, verification
from workflow.db import db
from workflow.engine import Step, take
from workflow.models import (
    AuditCheckpoint,
    AuditEntry,
    AuditVerifyRun,
    ChangeEntry,
    OutboxDelivery,
    OutboxEvent,
)


def _sql(session, statement: str, **params) -> None:
    session.execute(text(statement), params)
    session.commit()


@pytest.fixture
def history(session, cast):
    """Three records with history, a logged change, and checkpoint 1 over all of it;
    returns the appraisal (reviewed)."""
    bring_to(new_record(session, cast, "training_nomination"), "approved")
    bring_to(new_record(session, cast, "mentoring_assignment"), "returned")
    record = bring_to(new_record(session, cast, "appraisal"), "reviewed")
    session.commit()
    from workflow import changes

    changes.save(session, cast.admin, cast.agency, {"name": "Kota Contoh (diubah)"}, via="admin")
    cp, made = checkpoints.create(session)
    assert made and cp.seq == 1
    return record


def another_appraisal(session, cast, year: int):
    """An appraisal of another year: one open per person and year."""
    return new_record(session, cast, "appraisal", year=year)


def verify(cli, *args):
    result = cli("audit", "verify", *args)
    return result.exit_code, result.output


def test_a_checkpoint_counts_the_logs_and_is_signed_for_outside_verifiers(session, history):
    cp = checkpoints.newest(session)
    assert cp.counts["audit"] == {
        "training_nomination": {"entries": 4, "chains": 1},
        "mentoring_assignment": {"entries": 3, "chains": 1},
        "appraisal": {"entries": 3, "chains": 1},
        "skp_plan": {"entries": 0, "chains": 0},
    }
    assert cp.counts["change_log"]["entries"] == session.scalar(
        select(func.count()).select_from(ChangeEntry)
    )
    assert cp.audit_upto == session.scalar(select(func.max(AuditEntry.id)))
    published = checkpoints.published(cp)
    # The public key alone checks it: no audit key needed outside Alur.
    public = audit_keys.current().public_key(cp.key_id)
    assert published["public_key"] == public
    assert audit_keys.verify_signature(public, published["signature"], cp.digest.encode())
    assert not audit_keys.verify_signature(public, published["signature"], b"0" * 64)


def test_each_checkpoint_is_an_outbox_event_for_the_subscribers(session, history, cast):
    from workflow import webhooks

    session.add(
        webhooks.add_subscription(
            session, "http://127.0.0.1:9/hook", ["audit.*"], allow_private=True
        )
    )
    session.commit()
    bring_to(another_appraisal(session, cast, 2024), "submitted")
    session.commit()
    cp, made = checkpoints.create(session)
    assert made and cp.seq == 2
    event = session.scalar(
        select(OutboxEvent)
        .where(OutboxEvent.type == "audit.checkpoint")
        .order_by(OutboxEvent.id.desc())
    )
    assert event.payload == json.loads(json.dumps(checkpoints.published(cp)))
    outbox.fan_out(session)
    # the subscription wants audit.* only: the checkpoint, not the appraisal's steps
    assert session.scalars(select(OutboxDelivery.event_id)).all() == [event.id]


def test_nothing_logged_since_writes_no_new_checkpoint(session, history, cli):
    result = cli("audit", "checkpoint")
    assert result.exit_code == 0
    assert "nothing logged since checkpoint 1" in result.output
    assert session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 1


def test_the_untouched_log_verifies_with_its_checkpoint_and_the_run_is_kept(session, history, cli):
    code, output = verify(cli)
    assert code == 0, output
    assert "(checkpoint 1)" in output
    run = session.scalar(select(AuditVerifyRun).order_by(AuditVerifyRun.id.desc()))
    assert (run.kind, run.ok, run.checkpoint_seq, run.problem_count) == ("full", True, 1, 0)


def _rechain_with_the_key(session, record, comment: str) -> None:
    """What whoever holds the key can do: rewrite an entry and rebuild the chain after it."""
    chain = audit_chain(session, record)
    prev = None
    for entry in chain:
        if entry.seq == 2:
            entry.comment = comment
        entry.prev_hash = prev
        entry.hash = audit.entry_hash(
            SimpleNamespace(**{c.key: getattr(entry, c.key) for c in AuditEntry.__table__.c})
        )
        prev = entry.hash
    session.execute(
        text("UPDATE appraisals SET audit_head = :h WHERE id = :id"), {"h": prev, "id": record.id}
    )
    session.commit()


def _delete_record_with_chain(session, record) -> None:
    _sql(
        session,
        "DELETE FROM audit_log WHERE workflow = 'appraisal' AND record_id = :id",
        id=record.id,
    )
    _sql(session, "DELETE FROM appraisals WHERE id = :id", id=record.id)


def _first_change(session) -> int:
    return session.scalar(select(func.min(ChangeEntry.id)))


# What was done with SQL to a database a checkpoint covered -> what verify must say.
TAMPERING = {
    "record deleted with its whole chain": (
        _delete_record_with_chain,
        [
            "record(s) were removed with their chains",
            "no record holds #{id}",
            "appraisal entries: checkpoint 1 covered 3 of 1 records, the log holds 0 of 0",
        ],
    ),
    "log truncated": (
        lambda s, r: _sql(s, "DELETE FROM audit_log"),
        ["appraisal #{id}: has no audit entries", "checkpoint 1 covered 3 entries"],
    ),
    "chain rewritten with the key": (
        lambda s, r: _rechain_with_the_key(s, r, "rewritten"),
        [
            "appraisal records #0..#9999: checkpoint 1 covered 3 entries (1 chains begun) there, "
            "the log holds 3 (1): entries it covered were altered or replaced"
        ],
    ),
    "change entry edited": (
        lambda s, r: _sql(
            s, "UPDATE change_log SET comment = 'x' WHERE id = :id", id=_first_change(s)
        ),
        ["change entry {change}", "was altered"],
    ),
    "change entry deleted": (
        lambda s, r: _sql(s, "DELETE FROM change_log WHERE id = :id", id=_first_change(s)),
        ["change entries #0..#9999: checkpoint 1 covered", "entries it covered were removed"],
    ),
    "change entry forged": (
        lambda s, r: _sql(
            s,
            "INSERT INTO change_log (created_at, via, model, row_key, action, key_id, hash) "
            "VALUES ('2026-01-01 00:00:00', 'admin', 'units', '1', 'delete', :k, :h)",
            k=audit_keys.current().current_id,
            h="0" * 64,
        ),
        ["change entry", "was altered"],
    ),
    "checkpoint deleted": (
        lambda s, r: _sql(s, "DELETE FROM audit_checkpoints"),
        ["checkpoint 1: was removed"],
    ),
    "checkpoint counts edited": (
        lambda s, r: _sql(s, "UPDATE audit_checkpoints SET change_upto = change_upto + 1"),
        ["checkpoint 1: was altered"],
    ),
    "checkpoint bucket edited": (
        lambda s, r: _sql(
            s, "UPDATE audit_checkpoint_buckets SET entries = entries + 1 WHERE kind = 'appraisal'"
        ),
        ["checkpoint 1: its bucket rows are not those its segment digest was made of"],
    ),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_tampering_with_what_a_checkpoint_covered_is_named(session, history, cli, tampering):
    tamper, symptoms = TAMPERING[tampering]
    names = {"id": history.id, "change": _first_change(session)}
    tamper(session, history)
    code, output = verify(cli)
    assert code == 1, output
    for symptom in symptoms:
        assert symptom.format(**names) in output
    run = session.scalar(select(AuditVerifyRun).order_by(AuditVerifyRun.id.desc()))
    assert run.ok is False and run.first_problem


def test_a_deleted_record_with_its_chain_is_caught_by_the_incremental_verify(session, history, cli):
    _delete_record_with_chain(session, history)
    code, output = verify(cli, "--since-checkpoint")
    assert code == 1
    assert "appraisal entries: checkpoint 1 covered 3 of 1 records, the log holds 0 of 0" in output


def test_the_incremental_verify_checks_only_what_came_after_the_checkpoint(
    session, history, cast, cli
):
    later = bring_to(another_appraisal(session, cast, 2024), "submitted")
    session.commit()
    code, output = verify(cli, "--since-checkpoint")
    assert code == 0, output
    assert "OK: 2 audit entries of 1 records and 0 change entries since the checkpoint" in output
    _sql(
        session,
        "UPDATE audit_log SET comment = 'x' WHERE workflow = 'appraisal' AND "
        "record_id = :id AND seq = 2",
        id=later.id,
    )
    code, output = verify(cli, "--since-checkpoint")
    assert code == 1
    assert f"appraisal #{later.id}: audit entry" in output and "was altered" in output


def test_a_rewrite_with_the_key_after_publication_is_caught_by_the_published_checkpoint(
    session, history, cli, tmp_path
):
    published = tmp_path / "checkpoint-1.json"
    assert cli("audit", "checkpoint", "--out", str(published)).exit_code == 0
    # Whoever holds the key rewrites an entry, rebuilds the chain, and makes the
    # checkpoints afresh so the database agrees with itself.
    _rechain_with_the_key(session, history, "rewritten")
    _sql(session, "DELETE FROM audit_checkpoint_buckets")
    _sql(session, "DELETE FROM audit_checkpoints")
    checkpoints.create(session)
    assert verify(cli)[0] == 0  # the database alone cannot tell: it was signed again
    code, output = verify(cli, "--against", str(published))
    assert code == 1
    assert "published checkpoint 1: the database's checkpoint 1 is not the one published" in output


def test_the_published_checkpoint_itself_is_checked(session, history, cli, tmp_path):
    good = tmp_path / "good.json"
    cli("audit", "checkpoint", "--out", str(good))
    assert verify(cli, "--against", str(good))[0] == 0
    data = json.loads(good.read_text())
    # an outbox event as a subscriber received it is accepted too
    as_event = tmp_path / "event.json"
    as_event.write_text(json.dumps({"type": "audit.checkpoint", "data": data}))
    assert verify(cli, "--against", str(as_event))[0] == 0
    altered = tmp_path / "altered.json"
    altered.write_text(json.dumps({**data, "audit_upto": data["audit_upto"] - 1}))
    code, output = verify(cli, "--against", str(altered))
    assert code == 1 and "its digest does not match its contents" in output
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**data, "signature": "00" * 64}))
    code, output = verify(cli, "--against", str(forged))
    assert code == 1 and "its signature does not verify" in output
    for bad in ("", "[]", '{"seq": "1"}', "\x00" * 10, "[" * 100_000, " " * 2_000_000):
        path = tmp_path / "bad.json"
        path.write_text(bad)
        result = cli("audit", "verify", "--against", str(path))
        assert result.exit_code == 1 and "Traceback" not in result.output
    missing = cli("audit", "verify", "--against", str(tmp_path / "nothing.json"))
    assert missing.exit_code != 0 and "Traceback" not in missing.output


def test_a_checkpoint_by_another_key_is_checked_with_the_public_key_given(
    session, history, cli, tmp_path
):
    other = audit_keys.ring(audit_keys.new_key())
    data = checkpoints.published(checkpoints.newest(session))
    data["key_id"] = other.current_id
    data.pop("digest"), data.pop("signature")
    import hashlib

    data["digest"] = hashlib.sha256(
        checkpoints._canonical({k: data[k] for k in checkpoints.BODY})
    ).hexdigest()
    data["signature"] = other.signing_key().sign(data["digest"].encode()).hex()
    path = tmp_path / "other.json"
    path.write_text(json.dumps(data))
    code, output = verify(cli, "--against", str(path))
    assert code == 1 and "signed with a key not held here" in output
    code, output = verify(cli, "--against", str(path), "--public-key", other.public_key())
    # the signature holds, but the database's checkpoint 1 is another one
    assert code == 1 and "is not the one published" in output


def test_checkpoints_chain_and_the_worker_writes_them_when_due(session, history, cast):
    assert not checkpoints.due(session, 60)
    assert checkpoints.due(session, 0)
    bring_to(another_appraisal(session, cast, 2024), "submitted")
    session.commit()
    worker = delivery.Worker(session)
    worker.chores.append((60.0, lambda s: checkpoints.create(s)))
    stop = threading.Event()
    worker.chores.append((60.0, lambda s: stop.set()))
    worker.run(stop)
    second = checkpoints.newest(session)
    first = session.scalar(select(AuditCheckpoint).where(AuditCheckpoint.seq == 1))
    assert second.seq == 2 and second.prev_digest == first.digest
    assert second.counts["audit"]["appraisal"] == {"entries": 5, "chains": 2}


def test_the_outbox_worker_writes_a_checkpoint_only_when_one_is_due(session, history, cast):
    from alur.cli.webhooks import _checkpoint_if_due

    bring_to(another_appraisal(session, cast, 2024), "submitted")
    session.commit()
    _checkpoint_if_due(session, 60)  # checkpoint 1 is minutes old
    assert checkpoints.newest(session).seq == 1
    _checkpoint_if_due(session, 0)
    assert checkpoints.newest(session).seq == 2
    _sql(session, "DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)")
    _sql(session, "DELETE FROM change_log")
    with pytest.raises(checkpoints.LogShrank):  # told, not taken for another worker's
        _checkpoint_if_due(session, 0)


def test_a_checkpoint_refuses_a_log_shorter_than_the_last_one(session, history, cast):
    _sql(session, "DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)")
    bring_to(another_appraisal(session, cast, 2024), "draft")
    _sql(session, "DELETE FROM change_log")
    with pytest.raises(checkpoints.LogShrank, match="entries were removed"):
        checkpoints.create(session)


def test_the_cut_off_waits_for_an_entry_being_written_below_it(app, session, history, cast):
    """Entry n is written but not committed while entry n+1 commits: a checkpoint taken
    then must not cover n+1 without n (real concurrent connections)."""
    first = another_appraisal(session, cast, 2024)
    second = another_appraisal(session, cast, 2023)
    session.commit()
    holding, release = threading.Event(), threading.Event()

    def hold(_conn, statement, *_args):
        # The writer's entry is written (alone, or on PostgreSQL in the step's one
        # statement with the record and the event), its transaction stays open.
        if threading.current_thread() is writer and (
            getattr(statement, "table", None) is AuditEntry.__table__
            or "INSERT INTO audit_log" in str(statement)
        ):
            holding.set()
            release.wait(20)

    def fire(record_id):
        with app.app_context(), Session(db.engine) as other:
            take(other, Step("appraisal", record_id, "submit", None, "system"))

    writer = threading.Thread(target=fire, args=(first.id,))
    event.listen(db.engine, "after_execute", hold)
    writer.start()
    later = None
    try:
        assert holding.wait(20)
        later = threading.Thread(target=fire, args=(second.id,))
        later.start()
        later.join(2)  # PostgreSQL: committed by now; SQLite: waits for the first writer
        threading.Timer(1.0, release.set).start()
        _, made = checkpoints.create(session)
    finally:
        release.set()
        writer.join(30)
        if later is not None:
            later.join(30)
        event.remove(db.engine, "after_execute", hold)
    assert made and not writer.is_alive() and not later.is_alive()
    report = verification.verify(session)
    assert report.ok, report.problems
    submitted = session.scalars(
        select(AuditEntry.record_id).where(
            AuditEntry.workflow == "appraisal", AuditEntry.trigger == "submit"
        )
    ).all()
    assert {first.id, second.id} <= set(submitted)


def test_a_change_entry_copied_or_moved_to_another_id_is_named(session, history, cli, cast):
    from workflow import changes

    changes.save(session, cast.admin, cast.agency, {"name": "Kota Contoh (lagi)"}, via="admin")
    assert verify(cli)[0] == 0
    columns = (
        "created_at, actor_id, via, model, row_key, action, agency_id, before, after, "
        "comment, key_id, hash"
    )
    first = _first_change(session)
    _sql(
        session,
        f"INSERT INTO change_log (id, {columns}) SELECT 9999, {columns} "
        "FROM change_log WHERE id = :id",
        id=first,
    )
    code, output = verify(cli)
    assert code == 1 and "change entry 9999" in output and "was altered" in output
    _sql(session, "DELETE FROM change_log WHERE id = 9999")
    last = session.scalar(select(func.max(ChangeEntry.id)))  # after the checkpoint
    _sql(session, "UPDATE change_log SET id = 9998 WHERE id = :id", id=last)
    code, output = verify(cli, "--since-checkpoint")
    assert code == 1 and "change entry 9998" in output and "was altered" in output


def test_a_record_row_removed_since_or_before_the_checkpoint_is_caught_incrementally(
    session, history, cli
):
    _sql(session, "DELETE FROM appraisals WHERE id = :id", id=history.id)
    code, output = verify(cli, "--since-checkpoint")
    assert code == 1
    assert "appraisal: 0 records but 1 chains begun: a record was removed" in output


def test_entries_of_no_workflow_are_named_incrementally(session, history, cli):
    _sql(
        session,
        "UPDATE audit_log SET workflow = 'ghost' WHERE id = (SELECT MAX(id) FROM audit_log)",
    )
    code, output = verify(cli, "--since-checkpoint")
    assert code == 1 and "name a workflow that does not exist: 'ghost'" in output


def test_an_incremental_verify_reads_the_whole_log_once(session, history, cast, cli):
    """The log grows with every step of every season; what is after the checkpoint is read
    by record, and the whole log once, for its counts. An entry of no workflow is still
    named when it lies after the checkpoint, where no count of the checkpoint's covers it."""
    bring_to(another_appraisal(session, cast, 2024), "submitted")
    session.commit()
    with sent() as statements:
        code, output = verify(cli, "--since-checkpoint")
    assert code == 0, output
    whole = [
        s.statement
        for s in statements
        if "audit_log" in s.statement and "GROUP BY" in " ".join(s.statement.split())
    ]
    assert len(whole) == 1, whole

    _sql(
        session,
        "UPDATE audit_log SET workflow = 'ghost' WHERE id = (SELECT MAX(id) FROM audit_log)",
    )
    code, output = verify(cli, "--since-checkpoint")
    assert code == 1 and "1 audit entries name a workflow that does not exist: 'ghost'" in output


def test_a_stray_is_named_even_when_the_checkpoints_counts_cannot_be_read(
    session, history, cast, cli
):
    """An insider who spoils the checkpoint's counts does not hide an entry of no workflow:
    without the counts, the incremental verify looks for strays on its own."""
    bring_to(another_appraisal(session, cast, 2024), "submitted")
    session.commit()
    _sql(
        session,
        "UPDATE audit_log SET workflow = 'ghost' WHERE id = (SELECT MAX(id) FROM audit_log)",
    )
    _sql(session, """UPDATE audit_checkpoints SET counts = '{"audit": []}'""")
    code, output = verify(cli, "--since-checkpoint")
    assert code == 1
    assert "1 audit entries name a workflow that does not exist: 'ghost'" in output


# Values of the wrong type planted where SQLite keeps any value (PostgreSQL's typed
# columns refuse most of them): verify names a problem and never ends in a traceback.
PLANTED = [
    "UPDATE audit_checkpoints SET counts = '[]'",
    "UPDATE audit_checkpoints SET counts = '{}'",
    "UPDATE audit_checkpoints SET created_at = 'garbage'",
    "UPDATE audit_checkpoints SET signature = X'00'",
    "UPDATE audit_checkpoints SET seq = 'x'",
    "UPDATE audit_checkpoints SET audit_upto = 'x'",
    "UPDATE audit_checkpoint_buckets SET last = 'x'",
    "UPDATE audit_checkpoint_buckets SET bucket = 'x'",
    "UPDATE audit_checkpoint_buckets SET entries = 'x'",
    "UPDATE audit_checkpoint_buckets SET digest = X'00'",
    "UPDATE audit_log SET hash = X'00' WHERE id = (SELECT MAX(id) FROM audit_log)",
    "UPDATE audit_log SET record_id = 'x' WHERE id = (SELECT MAX(id) FROM audit_log)",
    "UPDATE audit_log SET workflow = X'00' WHERE id = (SELECT MAX(id) FROM audit_log)",
    "UPDATE change_log SET hash = X'00'",
]


@pytest.mark.parametrize("planted", PLANTED)
def test_a_value_of_the_wrong_type_is_named_not_a_traceback(session, history, cli, planted):
    from sqlalchemy.exc import DBAPIError

    try:
        _sql(session, planted)
    except DBAPIError:
        session.rollback()
        assert session.get_bind().dialect.name == "postgresql"  # a typed column refuses it
        return
    for args in ((), ("--since-checkpoint",)):
        result = cli("audit", "verify", *args)
        assert "Traceback" not in result.output
        if planted.startswith(("UPDATE audit_log", "UPDATE change_log")) and args:
            continue  # entries at or below the checkpoint: the full verify's
        assert result.exit_code == 1, (args, result.output)
        assert "BROKEN" in result.output
        run = session.scalar(select(AuditVerifyRun).order_by(AuditVerifyRun.id.desc()))
        assert run.ok is False and run.first_problem


def test_a_bucket_claiming_a_huge_range_lists_few_ids(session, history, cli):
    _sql(session, "UPDATE audit_checkpoint_buckets SET last = 5000000 WHERE kind = 'appraisal'")
    _delete_record_with_chain(session, history)
    code, output = verify(cli)
    assert code == 1 and len(output) < 20_000


def test_a_published_file_with_text_that_is_no_unicode_is_refused(session, history, cli, tmp_path):
    data = checkpoints.published(checkpoints.newest(session))
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**data, "digest": "\ud800"}))
    result = cli("audit", "verify", "--against", str(path))
    assert result.exit_code == 1 and "no Unicode" in result.output
    path.write_text(json.dumps(data), encoding="utf-8-sig")  # with a byte-order mark
    assert cli("audit", "verify", "--against", str(path)).exit_code == 0


def test_the_archive_holds_the_database_to_its_newest_checkpoint(
    app, session, history, cast, cli, tmp_path, monkeypatch
):
    archive = tmp_path / "archive"
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_DIR", str(archive))
    bring_to(another_appraisal(session, cast, 2024), "submitted")
    session.commit()
    assert cli("audit", "checkpoint").exit_code == 0
    assert sorted(p.name for p in archive.iterdir()) == ["checkpoint-000000002.json"]
    assert verify(cli)[0] == 0 and verify(cli, "--since-checkpoint")[0] == 0
    # Without the key: drop the newest checkpoint, and then what only it covered.
    _sql(session, "DELETE FROM audit_checkpoint_buckets WHERE checkpoint_seq = 2")
    _sql(session, "DELETE FROM audit_checkpoints WHERE seq = 2")
    for args in ((), ("--since-checkpoint",)):
        code, output = verify(cli, *args)
        assert code == 1
        assert "published checkpoint 2: the database holds no checkpoint 2" in output
    # and the next checkpoint, numbered 2 again, is refused by the archive
    result = cli("audit", "checkpoint")
    assert result.exit_code == 1 and "the archive holds another checkpoint 2" in result.output


def _outside_verifier():
    """The snippet the README gives outside verifiers, run as they would run it."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    code = readme.split("<!-- outside-verifier -->\n```python\n", 1)[1].split("```", 1)[0]
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    return scope["check"]


def test_an_outside_verifier_checks_published_checkpoints_with_the_public_key_alone(
    app, session, history, cast
):
    check = _outside_verifier()
    first = json.loads(json.dumps(checkpoints.published(checkpoints.newest(session))))
    public = first["public_key"]
    check(first, public, None)
    # after a key rotation the next checkpoint is signed with the new key's public half
    rotated = {
        **app.config,
        "AUDIT_KEY": audit_keys.new_key(),
        "AUDIT_OLD_KEYS": [app.config["AUDIT_KEY"]],
    }
    settings.configure(rotated)
    try:
        bring_to(another_appraisal(session, cast, 2024), "submitted")
        session.commit()
        cp, _ = checkpoints.create(session)
        second = json.loads(json.dumps(checkpoints.published(cp)))
        assert second["key_id"] != first["key_id"]
        check(second, audit_keys.current().public_key(), first["digest"])
        assert verification.verify(session).ok  # the old key's entries and checkpoint still verify
        with pytest.raises(Exception, match="altered"):
            check({**second, "audit_upto": 1}, second["public_key"], first["digest"])
        with pytest.raises(InvalidSignature):
            check(second, public, first["digest"])  # not the key it was signed with
        with pytest.raises(Exception, match="history rewritten"):
            check(second, second["public_key"], "0" * 64)
    finally:
        settings.configure(app.config)


def test_the_demo_receiver_tells_a_checkpoint_from_a_step(session, history):
    import urllib.request
    from datetime import UTC, datetime

    from standardwebhooks.webhooks import Webhook

    from alur.demo_receiver import make_server

    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    said: list[str] = []
    server = make_server(0, [secret], echo=said.append)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        payload = checkpoints.published(checkpoints.newest(session))
        body = json.dumps(
            {"type": "audit.checkpoint", "timestamp": "2026-12-04T10:00:00Z", "data": payload}
        )
        at = datetime.now(UTC)
        signature = Webhook(secret).sign("evt_1", at, body)
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.server_port}/",
            data=body.encode(),
            method="POST",
            headers={
                "webhook-id": "evt_1",
                "webhook-timestamp": str(int(at.timestamp())),
                "webhook-signature": signature,
                "content-type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 204
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    assert not thread.is_alive()
    assert said[0] == (
        f"received evt_1 audit.checkpoint: #1 up to audit entry "
        f"{payload['audit_upto']}, digest {payload['digest'][:12]}"
    )
