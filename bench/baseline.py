"""The benchmark's yardstick: a transition written in raw SQL, mounted by ``bench.wsgi`` only.

``POST /api/bench/raw/appraisals/<id>/submit`` does the writes the engine does for a
submit (lock the row, check its state, update state, version and audit anchor,
insert the hash-chained audit row and the outbox event, commit) with no ORM, no
state machine and no schemas, behind the same bearer-token check as the API (under
/api/, the only paths a token opens). The benchmark divides the API's throughput by
this one's. ``…/noop/<id>`` (the token check, no writes) and ``…/open/<id>`` (neither)
are the floors of the stack, which show where a transition's time goes.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

from flask import Blueprint, jsonify
from flask_security import auth_required
from sqlalchemy import text

from alur.api.auth import actor
from workflow import audit_keys
from workflow.audit import entry_hash, record_digest, record_fields
from workflow.db import SQLITE_BEGIN_OPTION, db, utcnow
from workflow.workflows import WORKFLOWS

blp = Blueprint("bench_baseline", __name__, url_prefix="/api/bench/raw")

# The fields an appraisal's entries vouch for, read under the lock as the engine does.
FIELDS = [f for f in record_fields(WORKFLOWS["appraisal"]) if f != "state"]
READ = (
    f"SELECT state, version, audit_seq, audit_head, {', '.join(FIELDS)} "
    "FROM appraisals WHERE id = :id"
)
UPDATE = text(
    "UPDATE appraisals SET state = 'submitted', version = version + 1, "
    "state_changed_at = :now, audit_seq = :seq, audit_head = :hash WHERE id = :id"
)
AUDIT = text(
    "INSERT INTO audit_log (workflow, record_id, seq, trigger, from_state, to_state, actor_id, "
    "via, created_at, prev_hash, record_digest, key_id, hash) VALUES ('appraisal', :id, :seq, "
    "'submit', :from_state, 'submitted', :actor, 'api', :now, :prev, :digest, :key_id, :hash)"
)
OUTBOX = text(
    "INSERT INTO outbox_events (event_id, type, payload, created_at) "
    "VALUES (:event_id, 'appraisal.submitted', :payload, :now)"
)


@blp.post("/appraisals/<int:record_id>/submit")
@auth_required("token")
def submit(record_id: int):
    """Submit one appraisal in raw SQL."""
    user_id = actor().id
    if db.session.get_bind().dialect.name == "postgresql":
        connection = db.session.connection()
        row = connection.execute(text(READ + " FOR UPDATE"), {"id": record_id}).first()
    else:  # SQLite locks the database, up front as the engine does
        db.session.rollback()
        connection = db.session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        row = connection.execute(text(READ), {"id": record_id}).first()
    if row is None or row.state not in ("draft", "returned"):
        db.session.rollback()
        return jsonify(error="not submittable"), 409
    now = utcnow()
    entry = SimpleNamespace(
        workflow="appraisal",
        record_id=record_id,
        seq=row.audit_seq + 1,
        trigger="submit",
        from_state=row.state,
        to_state="submitted",
        actor_id=user_id,
        via="api",
        comment=None,
        payload_digest=None,
        created_at=now,
        prev_hash=row.audit_head,
        on_behalf_of_id=None,
        key_id=audit_keys.current().current_id,
        record_digest=record_digest(
            _fields(row, state="submitted", state_changed_at=now), row.version + 1
        ),
    )
    digest = entry_hash(entry)
    connection.execute(UPDATE, {"id": record_id, "now": now, "seq": entry.seq, "hash": digest})
    connection.execute(
        AUDIT,
        {
            "id": record_id,
            "seq": entry.seq,
            "from_state": row.state,
            "actor": user_id,
            "now": now,
            "prev": row.audit_head,
            "key_id": entry.key_id,
            "digest": entry.record_digest,
            "hash": digest,
        },
    )
    payload = {
        "id": record_id,
        "from": row.state,
        "to": "submitted",
        "trigger": "submit",
        "actor": user_id,
        "via": "api",
        "version": row.version + 1,
        "at": now.isoformat(),
    }
    connection.execute(
        OUTBOX, {"event_id": f"evt_{uuid.uuid4().hex}", "payload": json.dumps(payload), "now": now}
    )
    db.session.commit()
    return jsonify(id=record_id, state="submitted", version=row.version + 1)


@blp.post("/noop/<int:record_id>")
@auth_required("token")
def noop(record_id: int):
    """The floor of the stack: the same token check, and nothing written."""
    return jsonify(id=record_id, state="submitted", version=actor().id)


@blp.post("/open/<int:record_id>")
def open_floor(record_id: int):
    """The floor of the HTTP stack alone: no token check, nothing written."""
    return jsonify(id=record_id, state="submitted", version=0)


def _fields(row, **changed) -> dict:
    values = {name: getattr(row, name) for name in FIELDS} | changed
    # SQLite hands raw SQL its JSON and its times as text
    if isinstance(values.get("behaviour_feedback"), str):
        values["behaviour_feedback"] = json.loads(values["behaviour_feedback"])
    if isinstance(values["created_at"], str):
        values["created_at"] = datetime.fromisoformat(values["created_at"]).replace(tzinfo=UTC)
    return values


def register(app) -> None:
    """Mount the baseline on ``app`` (the benchmark's server; never the production one)."""
    app.register_blueprint(blp)
