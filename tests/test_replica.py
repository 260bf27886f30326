"""A read replica (``ALUR_DATABASE_REPLICA_URL``), against a real streaming replica: a
cluster made from the primary with ``pg_basebackup`` that follows its WAL.

Lists, the inbox, reports and exports read from it; writes, what a write reads, and who
the caller is (their token) come from the primary. Pausing the replica's replay shows
which is which: what it has not replayed yet is missing from a list and nowhere else.
"""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

from alur import create_app
from alur.migrations import init_migrations
from tests import factories
from tests.clusters import Cluster
from tests.servers import wait_until
from tests.sql import sent
from workflow import db as db_module
from workflow import evidence_store, tokens
from workflow.db import REPLICA, db
from workflow.settings import configure as configure_rules

NOMINATIONS = "/api/v1/training-nominations"
SECONDS = 60


@pytest.fixture
def clusters(app):
    made: list[Cluster] = []
    kept = evidence_store.store()
    try:
        primary = Cluster().create()
        made.append(primary)
        replica = Cluster(replica_of=primary).create()
        made.append(replica)
        yield primary, replica
    finally:
        evidence_store.use(kept)
        configure_rules(app.config)
        for cluster in reversed(made):
            cluster.drop()


@pytest.fixture
def served(clusters, app):
    """An app on the primary and its replica, migrated and seeded; the replica caught up."""
    primary, replica = clusters
    db_module._replica_down_until[0] = 0.0  # a replica an earlier test stopped is forgotten
    own = create_app(
        {
            **app.config,
            "SQLALCHEMY_DATABASE_URI": primary.url,
            "DATABASE_REPLICA_URL": replica.url,
        }
    )
    init_migrations(own)
    with own.app_context():
        upgrade()
        session = db.session
        cast = factories.cast(session)
        subject = tokens.issue(session, cast.subject, "replica")[1]
        supervisor = tokens.issue(session, cast.supervisor, "replica")[1]
        session.commit()
        seeded = {
            "employee_id": cast.subject_employee.id,
            "program_id": cast.program.id,
            "subject": subject,
            "supervisor": supervisor,
            "sv_id": cast.supervisor.id,
        }
        db.session.remove()
    _wait_for(lambda: replica.query("SELECT count(*) FROM api_tokens")[0][0] == 2, "the replica")
    yield own, seeded
    with own.app_context():
        for engine in db.engines.values():
            engine.dispose()


def _wait_for(condition, what: str) -> None:
    wait_until(condition, what, SECONDS, every=0.1)


def _listed(client, token: str) -> list[int]:
    answer = client.get(NOMINATIONS, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_json()
    return [item["id"] for item in answer.get_json()["items"]]


def test_lists_read_the_replica_and_everything_else_the_primary(clusters, served):
    primary, replica = clusters
    own, seeded = served
    client = own.test_client()
    subject = {"Authorization": f"Bearer {seeded['subject']}"}
    supervisor = {"Authorization": f"Bearer {seeded['supervisor']}"}
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        made = client.post(
            NOMINATIONS,
            headers=subject,
            json={"employee_id": seeded["employee_id"], "program_id": seeded["program_id"]},
        )
        assert made.status_code == 201, made.get_json()
        record = made.get_json()["id"]
        # not replayed yet: the list (the replica) has it not; the record (the primary) has
        assert record not in _listed(client, seeded["subject"])
        assert client.get(f"{NOMINATIONS}/{record}", headers=subject).status_code == 200
        # a step reads what it changes where it writes it
        step = client.post(
            f"{NOMINATIONS}/{record}/transitions", headers=subject, json={"trigger": "submit"}
        )
        assert step.status_code == 200, step.get_json()
        inbox = client.get("/api/v1/inbox", headers=supervisor).get_json()["items"]
        assert record not in [item["id"] for item in inbox]  # the inbox: the replica
        # who the caller is comes from the primary: a token revoked there ends at once
        primary.sql(f"UPDATE api_tokens SET revoked_at = now() WHERE user_id = {seeded['sv_id']}")
        assert client.get(NOMINATIONS, headers=supervisor).status_code == 401
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")
    _wait_for(lambda: record in _listed(client, seeded["subject"]), "the list to show it")
    ((state,),) = replica.query("SELECT state FROM training_nominations WHERE id = %s", record)
    assert state == "submitted"


def test_what_the_replica_takes_off_the_primary(clusters, served):
    own, seeded = served
    client = own.test_client()
    with own.app_context():
        engines = {"primary": db.engines[None], "replica": db.engines[REPLICA]}
    with sent(engines["primary"]) as on_primary, sent(engines["replica"]) as on_replica:
        for _ in range(20):
            _listed(client, seeded["subject"])
            headers = {"Authorization": f"Bearer {seeded['subject']}"}
            assert client.get("/api/v1/inbox", headers=headers).status_code == 200
    counted = {"primary": len(on_primary), "replica": len(on_replica)}
    share = counted["replica"] / (counted["primary"] + counted["replica"])
    print(f"40 list and inbox requests: {counted}; the replica took {share:.0%}")
    # On the primary, per request: the token check, and whom the caller acts for and
    # supervises (what the policy decides by). Everything else the lists read: the replica.
    assert counted["replica"] >= 40 and counted["primary"] <= 3 * 40 + 4


def test_a_replica_that_is_down_leaves_the_lists_to_the_primary(clusters, served):
    _primary, replica = clusters
    own, seeded = served
    client = own.test_client()
    assert client.get("/ready").get_json()["checks"]["replica"] == "ok"
    before = _listed(client, seeded["subject"])
    replica.ctl("stop", "-m", "fast")
    assert _listed(client, seeded["subject"]) == before  # read from the primary instead
    ready = client.get("/ready")
    assert ready.status_code == 200  # still serving
    assert ready.get_json()["checks"]["replica"] == "warn"
    doctor = own.test_cli_runner().invoke(args=["doctor"])
    assert "WARN  replica" in doctor.output and "lists read the primary" in doctor.output
