"""Keyed audit entries: nobody without the key rebuilds a chain; keys rotate; old entries verify."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from alembic import command
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from alur import create_app
from tests.factories import audit_chain, new_record
from tests.workflow_paths import arguments, bring_to
from workflow import audit, audit_keys, fire, verification
from workflow.db import db
from workflow.settings import configure

NEW_KEY = "n" * 40
OTHER_KEY = "o" * 40


@pytest.fixture
def record(session, cast):
    record = bring_to(new_record(session, cast, "appraisal"), "reviewed")
    session.commit()
    return record


def _rebuild(session, record, digest, *, key_id=None) -> None:
    """What an insider with the database would do: rewrite every hash of the chain and
    the record's anchor, so that each entry links to the one before it."""
    prev = None
    for entry in audit_chain(session, record):
        entry.comment = "diubah" if entry.seq == 2 else entry.comment
        entry.key_id = key_id or entry.key_id
        entry.prev_hash = prev
        material = [
            entry.key_id,
            entry.workflow,
            entry.record_id,
            entry.seq,
            entry.trigger,
            entry.from_state,
            entry.to_state,
            entry.actor_id,
            entry.via,
            entry.comment,
            entry.payload_digest,
            audit._timestamp(entry.created_at),
            prev,
            entry.record_digest,
        ]
        data = json.dumps(
            material, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        ).encode()
        entry.hash = prev = digest(data)
    session.execute(
        text("UPDATE appraisals SET audit_head = :h WHERE id = :id"), {"h": prev, "id": record.id}
    )
    session.commit()


def _broken(cli) -> str:
    result = cli("audit", "verify")
    assert result.exit_code == 1, result.output
    return next(line for line in result.output.splitlines() if line.startswith("BROKEN"))


def test_a_chain_recomputed_without_the_key_is_named(session, record, cli):
    _rebuild(session, record, lambda data: hashlib.sha256(data).hexdigest())
    first = _broken(cli)
    assert f"appraisal #{record.id}" in first and "(seq 1)" in first and "was altered" in first


def test_a_chain_recomputed_with_another_key_under_the_right_id_is_named(session, record, cli):
    wrong = OTHER_KEY.encode()
    _rebuild(session, record, lambda data: hmac.new(wrong, data, hashlib.sha256).hexdigest())
    assert "was altered" in _broken(cli)


def test_an_entry_under_a_key_nobody_holds_is_named(session, record, cli):
    forged = OTHER_KEY.encode()
    _rebuild(
        session,
        record,
        lambda data: hmac.new(forged, data, hashlib.sha256).hexdigest(),
        key_id=audit_keys.key_id(OTHER_KEY),
    )
    first = _broken(cli)
    assert "unknown key" in first and audit_keys.key_id(OTHER_KEY) in first


def test_the_untouched_chain_verifies_and_names_its_key(session, record, cli):
    assert cli("audit", "verify").exit_code == 0
    assert {e.key_id for e in audit_chain(session, record)} == {audit_keys.current().current_id}


def test_a_rotated_key_signs_new_entries_and_the_old_one_still_verifies(app, session, cast, cli):
    old = audit_keys.current()
    first = bring_to(new_record(session, cast, "appraisal"), "submitted")
    session.commit()
    configure({**app.config, "AUDIT_KEY": NEW_KEY, "AUDIT_OLD_KEYS": [app.config["AUDIT_KEY"]]})
    first = fire(first, "review", None, via="system", **arguments("appraisal", "review"))
    second = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    session.commit()
    ids = [e.key_id for e in audit_chain(session, first)]
    assert ids[0] == old.current_id and ids[-1] == audit_keys.key_id(NEW_KEY)
    assert {e.key_id for e in audit_chain(session, second)} == {audit_keys.key_id(NEW_KEY)}
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output
    # without the old key the old entries cannot be checked, and verify says so
    configure({**app.config, "AUDIT_KEY": NEW_KEY, "AUDIT_OLD_KEYS": []})
    assert "unknown key" in _broken(cli) and old.current_id in _broken(cli)


def test_rotate_key_makes_a_new_key_and_says_how_to_put_it_in_service(cli):
    result = cli("audit", "rotate-key")
    assert result.exit_code == 0, result.output
    key = result.output.splitlines()[-1]
    assert len(key) >= audit_keys.MIN_LENGTH and audit_keys.key_id(key) in result.output
    assert "ALUR_AUDIT_OLD_KEYS" in result.output and "ALUR_AUDIT_KEY" in result.output
    assert cli("audit", "rotate-key").output.splitlines()[-1] != key  # fresh every time


@pytest.mark.parametrize(
    ("key", "old", "message"),
    [
        ("short", [], "ALUR_AUDIT_KEY must be a secret of at least 32"),
        ("k" * 40, "short", "each of ALUR_AUDIT_OLD_KEYS"),
        (None, [], "ALUR_AUDIT_KEY must be set"),
    ],
)
def test_a_missing_or_malformed_audit_key_is_refused_at_start(key, old, message, tmp_path):
    config = {
        "ALUR_ENV": "production",
        "SECRET_KEY": "s" * 32,
        "SECURITY_PASSWORD_SALT": "t" * 32,
        "SECRETS_KEY": "YWx1ci10ZXN0LW9ubHkta2V5LXRoaXJ0eS10d28tYnk=",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "AUDIT_OLD_KEYS": old,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
    }
    if key is not None:
        config["AUDIT_KEY"] = key
    with pytest.raises(RuntimeError, match=message):
        create_app(config)


def test_old_keys_are_read_from_a_list_or_a_comma_separated_value():
    assert audit_keys.parse_old_keys(f'["{"a" * 32}", "{"b" * 32}"]') == ["a" * 32, "b" * 32]
    assert audit_keys.parse_old_keys(f"{'a' * 32}, {'b' * 32}") == ["a" * 32, "b" * 32]
    assert audit_keys.parse_old_keys("") == []


@pytest.fixture
def may_downgrade(app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "AUDIT_ALLOW_DOWNGRADE", True)


def test_going_below_the_keyed_log_is_refused_unless_the_operator_says_so(app_ctx, record):
    config = app_ctx.extensions["migrate"].migrate.get_config()
    command.downgrade(config, "0013")
    try:
        with pytest.raises(RuntimeError, match="ALUR_AUDIT_ALLOW_DOWNGRADE"):
            command.downgrade(config, "0012")
        with db.engine.connect() as conn:
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == "0013"
    finally:
        command.upgrade(config, "head")


def test_the_migration_reanchors_every_chain_under_the_key(
    app_ctx, session, record, cli, may_downgrade
):
    before = [(e.id, e.hash) for e in audit_chain(session, record)]
    vouched = audit_chain(session, record)[-1].record_digest
    session.close()
    downgrade(revision="0012")  # back to unkeyed SHA-256 chains, verified on the way
    try:
        with db.engine.connect() as conn:
            plain = (
                conn.execute(
                    text(
                        "SELECT hash FROM audit_log "
                        "WHERE workflow = 'appraisal' AND record_id = :id ORDER BY seq"
                    ),
                    {"id": record.id},
                )
                .scalars()
                .all()
            )
        assert plain and plain != [h for _id, h in before]
    finally:
        upgrade()
    chain = audit_chain(session, record)
    assert [e.id for e in chain] == [i for i, _hash in before]
    # what the earlier entries vouched for is not known after a round trip; the last
    # one vouches for the record as it is
    assert [e.record_digest is not None for e in chain] == [False, False, True]
    assert chain[-1].record_digest == vouched  # the record's fields, as the engine left them
    assert cli("audit", "verify").exit_code == 0
    # the earlier entries vouch for nothing: cutting the chain back to one is still seen
    session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": chain[-1].id})
    session.execute(
        text("UPDATE appraisals SET state = :s, audit_seq = 2, audit_head = :h WHERE id = :id"),
        {"s": chain[1].to_state, "h": chain[1].hash, "id": record.id},
    )
    session.commit()
    assert "vouches for no fields" in _broken(cli)


def test_a_downgrade_does_not_launder_fields_changed_behind_the_engine(
    app_ctx, session, record, may_downgrade
):
    session.execute(
        text("UPDATE appraisals SET predicate = 'Sangat Baik' WHERE id = :id"), {"id": record.id}
    )
    session.commit()
    config = app_ctx.extensions["migrate"].migrate.get_config()
    record_id = record.id
    session.close()
    command.downgrade(config, "0013")  # the revisions above it hold nothing of this
    try:
        with pytest.raises(RuntimeError, match=f"appraisal #{record_id}: its fields"):
            command.downgrade(config, "0012")
    finally:
        command.upgrade(config, "head")
    session.execute(
        text("UPDATE appraisals SET predicate = NULL WHERE id = :id"), {"id": record_id}
    )
    session.commit()


def test_a_downgrade_checks_each_entry_under_the_key_it_names(app, session, cast, may_downgrade):
    first = bring_to(new_record(session, cast, "appraisal"), "submitted")
    session.commit()
    configure({**app.config, "AUDIT_KEY": NEW_KEY, "AUDIT_OLD_KEYS": [app.config["AUDIT_KEY"]]})
    fire(first, "review", None, via="system", **arguments("appraisal", "review"))
    session.commit()
    session.close()
    rotated = {"AUDIT_KEY": NEW_KEY, "AUDIT_OLD_KEYS": [app.config["AUDIT_KEY"]]}
    with pytest.MonkeyPatch.context() as mp:
        for name, value in rotated.items():
            mp.setitem(app.config, name, value)
        downgrade(revision="0012")  # no false alarm for the entries under the old key
        upgrade()
    assert verification.verify(session).ok


def test_the_migration_refuses_to_reanchor_a_chain_that_does_not_verify(
    app_ctx, session, record, may_downgrade
):
    record_id = record.id
    session.close()
    downgrade(revision="0012")
    try:
        with db.engine.begin() as conn:
            tamper = (
                "UPDATE audit_log SET comment = 'diubah' WHERE record_id = :id "
                "AND workflow = 'appraisal' AND seq = 2"
            )
            conn.execute(text(tamper), {"id": record_id})
        config = app_ctx.extensions["migrate"].migrate.get_config()
        with pytest.raises(RuntimeError, match=f"does not verify.*appraisal #{record_id} entry"):
            command.upgrade(config, "head")  # what `flask db upgrade` runs, its error unwrapped
    finally:
        with db.engine.begin() as conn:  # what was there, so the schema can go up again
            conn.execute(text("DELETE FROM audit_log"))
            for table in ("appraisals", "training_nominations", "mentoring_assignments"):
                conn.execute(text(f"UPDATE {table} SET audit_seq = 0, audit_head = NULL"))
        upgrade()
