"""Notifications: who is told of what (the table), in the back office and by mail over a real
SMTP server (aiosmtpd), never lost and never twice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from admin import mail as mail_adapter
from tests import backoffice as bo
from tests import factories
from tests.factories import new_record
from tests.sql import sent
from tests.workflow_paths import RATINGS, bring_to
from workflow import create, fire, mailing, notify, outbox, preferences
from workflow.db import utcnow
from workflow.models import ChangeEntry, MailStatus, Notification, TrainingNomination, User

FAST = outbox.Settings(schedule=(0.0, 0.0), jitter=0.0)


def fan_out(session) -> None:
    while outbox.fan_out(session):
        pass


def send_mails(app, session, settings=FAST, hour: int = 24) -> dict:
    """Send what is due; digests only when ``hour`` has come (24: never today)."""
    with mail_adapter.sender(app) as sender:
        return mailing.drain(session, sender, settings, digest_hour=hour)


def relaying(session):
    """A subscription of an agency's SMS gateway: it names the notifications' events."""
    from tests.test_webhooks_out import subscribe

    return subscribe(session, "http://127.0.0.1:9/sms", "notification.*")


def told(session, **where) -> list[Notification]:
    session.rollback()
    query = select(Notification).order_by(Notification.id)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return session.scalars(query).all()


def test_a_submitted_appraisal_tells_its_assessor_by_mail_in_indonesian(app, session, cast, mails):
    record = bring_to(new_record(session, cast, "appraisal"), "submitted")
    fan_out(session)

    (note,) = told(session, kind="waiting", record_id=record.id)
    assert note.user_id == cast.supervisor.id and note.mail_status == MailStatus.PENDING
    assert send_mails(app, session) == {"sent": 1}

    (message,) = mails.to(cast.supervisor.email)
    subject = str(message["Subject"]).strip()
    assert subject.startswith("[Alur] Penilaian kinerja menunggu tindakan Anda:")
    assert cast.subject_employee.name in subject and cast.subject_employee.nip in subject
    assert message["Message-ID"] == f"<{note.event_id}.{cast.supervisor.id}@alur>"
    text = message.get_body(("plain",)).get_content()
    assert f"http://127.0.0.1:5000/admin/admin_appraisals/details/?id={record.id}" in text
    assert "Yth." in text and "/admin/notifications/settings" in text
    html = message.get_body(("html",)).get_content()
    assert 'lang="id"' in html and "Buka" in html
    assert told(session, id=note.id)[0].mail_status == MailStatus.SENT


@pytest.mark.parametrize(
    ("workflow", "state", "kind", "who"),
    [
        ("appraisal", "reviewed", "waiting", ["manager"]),  # the approver
        ("appraisal", "returned", "returned", ["subject"]),
        ("appraisal", "approved", "decided", ["subject"]),
        ("appraisal", "appealed", "waiting", ["manager"]),  # the assessor's superior
        ("training_nomination", "submitted", "waiting", ["supervisor"]),
        ("mentoring_assignment", "submitted", "waiting", ["mentor"]),  # HR reviews it
    ],
)
def test_each_row_of_the_table_tells_the_right_people(
    app, session, cast, mails, workflow, state, kind, who
):
    record = bring_to(new_record(session, cast, workflow), state)
    fan_out(session)
    entered = [n for n in told(session, record_id=record.id, workflow=workflow) if n.state == state]
    people = {name: getattr(cast, name).id for name in cast.personas()}
    assert sorted(n.user_id for n in entered) == sorted(people[name] for name in who)
    assert {n.kind for n in entered} == {kind}
    send_mails(app, session)
    for name in who:
        assert mails.to(getattr(cast, name).email), name


def test_the_submitter_hears_the_decision_and_nobody_of_their_own_step(app, session, cast, mails):
    nomination = create(
        session,
        "training_nomination",
        cast.subject,
        {"employee_id": cast.subject_employee.id, "program_id": cast.program.id},
        via="api",
    )
    nomination = fire(nomination, "submit", cast.subject, via="api")
    nomination = fire(nomination, "reject", cast.supervisor, via="api", comment="Kuota penuh")
    fan_out(session)
    notes = told(session, record_id=nomination.id, workflow="training_nomination")
    # submitted: the supervisor; rejected: the subject (also its submitter), not the rejecter
    assert [(n.state, n.user_id) for n in notes] == [
        ("submitted", cast.supervisor.id),
        ("rejected", cast.subject.id),
    ]


def test_a_decision_is_told_without_reading_the_employee_and_a_step_with_it(session, cast):
    """Whoever is next may be the subject's supervisor, read from the subject's row; a
    decision tells the employee, named on the record. A season of approvals fans out
    without reading an employee row for each."""

    def employee_reads(action) -> int:
        with sent() as statements:
            action()
        return sum(s.is_select and " employees" in s.statement for s in statements)

    # Two employees of one supervisor: their subjects read together, not one by one.
    people = [cast.subject, cast.colleague]
    ids = [
        fire(
            new_record(session, cast, "training_nomination", employee_id=person.employee_id),
            "submit",
            person,
            via="api",
        ).id
        for person in people
    ]
    supervisor_id, people_ids = cast.supervisor.id, [person.id for person in people]
    session.expunge_all()  # as a worker starts: no employee row already in the session
    assert employee_reads(lambda: fan_out(session)) == 1  # the submitted ones' subjects
    supervisor = session.get(User, supervisor_id)
    for record_id in ids:
        nomination = session.get(TrainingNomination, record_id)
        fire(nomination, "reject", supervisor, via="api", comment="Kuota penuh")
    session.expunge_all()
    assert employee_reads(lambda: fan_out(session)) == 0
    notes = told(session, workflow="training_nomination")
    assert sorted((n.record_id, n.state, n.user_id) for n in notes) == sorted(
        (record_id, state, user_id)
        for record_id, person_id in zip(ids, people_ids, strict=True)
        for state, user_id in (("submitted", supervisor_id), ("rejected", person_id))
    )


def test_an_event_fanned_out_again_tells_nobody_twice(session, cast):
    from sqlalchemy import func, update

    from workflow.models import OutboxEvent

    relaying(session)
    record = bring_to(new_record(session, cast, "appraisal"), "submitted")
    fan_out(session)
    before = len(told(session, record_id=record.id))
    relayed = select(func.count()).where(OutboxEvent.type == "notification.created")
    relays = session.scalar(relayed)
    assert relays == before
    session.execute(update(OutboxEvent).values(dispatched_at=None))  # fanned out afresh
    session.commit()
    fan_out(session)
    assert len(told(session, record_id=record.id)) == before > 0
    assert session.scalar(relayed) == relays  # nor relayed twice


def test_a_large_batch_of_events_tells_each_person_once_by_their_mode(session, cast):
    """More events than a batch's bulk path needs (arrays on PostgreSQL): one notification
    per event and person, each with its mail mode, relayed once; fanned out again with one
    new event, only the new one is written."""
    from sqlalchemy import func, update

    from workflow.db import MANY_ROWS
    from workflow.models import OutboxEvent

    preferences.set_modes(session, None, cast.supervisor, {"waiting": "digest"}, via="system")
    relaying(session)
    records = factories.submitted_by_staff(session, cast, "appraisal", MANY_ROWS + 2)
    fan_out(session)

    waiting = told(session, user_id=cast.supervisor.id, kind="waiting")
    submitted = session.scalars(select(OutboxEvent).where(OutboxEvent.type.endswith(".submitted")))
    caused_by = {e.payload["id"]: e.event_id for e in submitted}
    # each told of its own record's step, by that step's event
    assert {n.record_id: n.event_id for n in waiting} == {r.id: caused_by[r.id] for r in records}
    assert {(n.mail_status, n.state, n.workflow) for n in waiting} == {
        (MailStatus.DIGEST, "submitted", "appraisal")
    }
    assert all(n.created_at and n.next_attempt_at is None for n in waiting)
    relayed = select(func.count()).where(OutboxEvent.type == "notification.created")
    assert session.scalar(relayed) == len(told(session))

    session.execute(update(OutboxEvent).values(dispatched_at=None))  # fanned out afresh
    session.commit()
    (one_more,) = factories.submitted_by_staff(session, cast, "appraisal", 1)
    fan_out(session)

    again = told(session, user_id=cast.supervisor.id, kind="waiting")
    assert sorted(n.record_id for n in again) == sorted(r.id for r in [*records, one_more])
    assert session.scalar(relayed) == len(told(session))


def test_notifications_are_relayed_as_events_only_while_a_subscription_names_them(session, cast):
    """Written for nobody, a notification's event would double the outbox for nothing: a
    subscription hears only of the events made after it, and ``*`` never of these."""
    from sqlalchemy import func, update

    from tests.test_webhooks_out import subscribe
    from workflow.models import OutboxEvent, Subscription

    relayed = select(func.count()).where(OutboxEvent.type == "notification.created")
    subscribe(session, "http://127.0.0.1:9/all", "*")
    first = bring_to(new_record(session, cast, "appraisal"), "submitted")
    fan_out(session)
    assert told(session, record_id=first.id) and session.scalar(relayed) == 0

    gateway = relaying(session)
    second = factories.submitted_by_staff(session, cast, "appraisal", 1)[0]
    fan_out(session)
    assert session.scalar(relayed) == len(told(session, record_id=second.id)) > 0

    session.execute(update(Subscription).where(Subscription.id == gateway.id).values(active=False))
    session.commit()
    before = session.scalar(relayed)
    third = factories.submitted_by_staff(session, cast, "appraisal", 1)[0]
    fan_out(session)
    assert told(session, record_id=third.id) and session.scalar(relayed) == before


def test_an_acting_official_receives_what_their_principal_would(app, session, cast, mails):
    acting, _row = factories.acting_official(session, cast)
    record = bring_to(new_record(session, cast, "appraisal"), "submitted")
    fan_out(session)
    assert {n.user_id for n in told(session, record_id=record.id)} == {
        cast.supervisor.id,
        acting.id,
    }
    send_mails(app, session)
    assert mails.to(acting.email) and mails.to(cast.supervisor.email)


def test_off_keeps_it_in_the_back_office_and_a_digest_waits_for_the_day(app, session, cast, mails):
    preferences.set_modes(session, None, cast.supervisor, {"waiting": "off"}, via="system")
    preferences.set_modes(session, None, cast.manager, {"waiting": "digest"}, via="system")
    record = bring_to(new_record(session, cast, "appraisal"), "reviewed")
    fan_out(session)
    statuses = {n.user_id: n.mail_status for n in told(session, record_id=record.id)}
    assert statuses[cast.manager.id] == MailStatus.DIGEST
    assert send_mails(app, session) == {}
    assert not mails.to(cast.supervisor.email) and not mails.to(cast.manager.email)
    (waiting,) = [n for n in told(session, user_id=cast.supervisor.id) if n.state == "submitted"]
    assert waiting.mail_status == MailStatus.NONE  # told, in the back office only


def test_a_refusing_smtp_server_is_tried_again_then_the_mail_is_dead_and_can_be_sent_again(
    app, session, cast, mails
):
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    fan_out(session)
    mails.refuse = "451 4.3.0 try again later"
    assert send_mails(app, session) == {"retry": 2, "dead": 1}
    (note,) = told(session, user_id=cast.supervisor.id)
    assert note.mail_status == MailStatus.DEAD and note.attempts == 3
    assert "451" in note.last_error

    mails.refuse = None
    assert mailing.redeliver_dead(session) == 1
    assert send_mails(app, session) == {"sent": 1}
    assert len(mails.to(cast.supervisor.email)) == 1


def test_a_server_that_is_down_loses_nothing(app, session, cast, mails, monkeypatch):
    from tests.mail import free_port

    bring_to(new_record(session, cast, "appraisal"), "submitted")
    fan_out(session)
    monkeypatch.setattr(app.extensions["mailman"], "port", free_port())  # nobody listens
    assert send_mails(app, session, outbox.Settings(jitter=0.0)) == {"retry": 1}
    (note,) = told(session, user_id=cast.supervisor.id)
    assert note.mail_status == MailStatus.PENDING and note.attempts == 1
    assert "Connection" in note.last_error or "refused" in note.last_error


def test_a_mail_claimed_by_a_worker_that_died_is_sent_again_with_the_same_message_id(
    app, session, cast, mails
):
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    fan_out(session)
    expired = outbox.Settings(lease=-1.0)  # a claim due again at once: its worker died
    (lost,) = mailing.claim(session, expired)
    with mail_adapter.sender(app) as sender:
        assert sender.mails([lost]) == [None]  # sent, and the worker dies before recording it
    assert send_mails(app, session) == {"sent": 1}
    first, second = mails.to(cast.supervisor.email)
    assert first["Message-ID"] == second["Message-ID"] == lost.message_id


def waiting_for(session, user, count: int) -> None:
    """``count`` notifications waiting to be mailed to ``user``."""
    stamp = f"many-{user.id}-{count}"
    notify.write(
        session,
        [notify.Told(user.id, "waiting", None, None, None, f"{stamp}-{i}") for i in range(count)],
        utcnow(),
    )
    session.commit()


def test_a_run_sends_over_a_few_connections_kept_open(app, session, cast, mails, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_CONNECTIONS", 2)
    waiting_for(session, cast.supervisor, 12)
    assert send_mails(app, session) == {"sent": 12}
    assert len(mails.to(cast.supervisor.email)) == 12
    assert len(mails.peers) == 2  # not one connection per mail


def test_a_server_that_drops_the_line_mid_run_costs_one_retry(
    app, session, cast, mails, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_CONNECTIONS", 1)
    waiting_for(session, cast.supervisor, 5)
    mails.hang_up = {2}
    assert send_mails(app, session) == {"sent": 5, "retry": 1}  # the dropped one, once more
    assert len(mails.peers) == 2  # the next mail came over a new connection
    notes = told(session, user_id=cast.supervisor.id)
    assert {n.mail_status for n in notes} == {MailStatus.SENT}
    assert sorted(n.attempts for n in notes) == [0, 0, 0, 0, 1]
    received = [str(m["Message-ID"]) for m in mails.to(cast.supervisor.email)]
    assert len(received) == len(set(received)) == 5


def test_a_user_who_chose_english_is_mailed_in_english(app, client, session, cast, mails):
    bo.log_in(client, session, cast.supervisor)
    client.get("/lang/en")
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    fan_out(session)
    send_mails(app, session)
    (message,) = mails.to(cast.supervisor.email)
    assert (
        str(message["Subject"])
        .strip()
        .startswith("[Alur] Performance appraisal awaits your action:")
    )
    assert "Dear" in message.get_body(("plain",)).get_content()


def test_the_bell_counts_unread_and_the_list_marks_them_read(app, client, session, cast):
    record = bring_to(new_record(session, cast, "appraisal"), "submitted")
    fan_out(session)
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get("/admin/inbox/"))
    assert 'id="unread-count">1<' in page
    listing = bo.text(client.get("/admin/notifications/"))
    assert "Penilaian kinerja menunggu tindakan Anda" in listing
    assert f"/admin/admin_appraisals/details/?id={record.id}" in listing
    client.post("/admin/notifications/read", data={"csrf_token": bo.csrf(listing)})
    assert 'id="unread-count"' not in bo.text(client.get("/admin/inbox/"))
    client.post("/admin/notifications/read", data={"csrf_token": bo.csrf(listing)})  # none left
    session.rollback()
    (logged,) = session.scalars(select(ChangeEntry).where(ChangeEntry.action == "mark_read"))
    assert (logged.actor_id, logged.model, logged.row_key, logged.via) == (
        cast.supervisor.id,
        "users",
        str(cast.supervisor.id),
        "admin",
    )
    assert logged.after == {"marked": 1, "ids": "all"}  # one entry per click, not per notice


def test_one_sees_only_ones_own_notifications(app, client, session, cast):
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    fan_out(session)
    (note,) = told(session, user_id=cast.supervisor.id)
    bo.log_in(client, session, cast.colleague)
    listing = bo.text(client.get("/admin/notifications/"))
    assert "notifications-empty" in listing
    token = bo.csrf(bo.text(client.get("/admin/notifications/settings")))
    client.post("/admin/notifications/read", data={"csrf_token": token, "id": str(note.id)})
    assert told(session, id=note.id)[0].read_at is None  # not theirs to mark


def test_the_settings_page_saves_each_kind_and_refuses_a_made_up_mode(app, client, session, cast):
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get("/admin/notifications/settings"))
    assert "Ringkasan harian" in page
    form = {f"mode-{kind}": "now" for kind in notify.KINDS}
    saved = client.post(
        "/admin/notifications/settings",
        data={**form, "mode-waiting": "digest", "csrf_token": bo.csrf(page)},
        follow_redirects=True,
    )
    assert "Pengaturan pemberitahuan Anda disimpan." in bo.text(saved)
    session.rollback()
    assert preferences.modes(session, cast.supervisor)["waiting"] == "digest"
    refused = client.post(
        "/admin/notifications/settings",
        data={**form, "mode-waiting": "hourly", "csrf_token": bo.csrf(page)},
    )
    assert "pengaturan pemberitahuan tidak valid" in bo.flash_text(bo.text(refused)).lower()
    session.rollback()
    assert preferences.modes(session, cast.supervisor)["waiting"] == "digest"


def test_admins_are_told_when_no_mail_server_is_set(app, client, session, cast, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    bo.log_in(client, session, cast.admin)
    assert 'id="mail-not-configured"' in bo.text(client.get("/admin/notifications/"))


def test_notification_events_reach_only_subscribers_who_name_them(session, cast, receiver):
    from tests.test_webhooks_out import drain, subscribe

    everything, told_sink = receiver(), receiver()
    everything.secret = subscribe(session, everything.url, "*").secret
    told_sink.secret = subscribe(session, told_sink.url, "notification.*").secret
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    drain(session)
    assert not [d for d in everything.deliveries if d.event["type"].startswith("notification.")]
    (relayed,) = told_sink.deliveries
    assert relayed.event["type"] == "notification.created"
    assert relayed.event["data"]["recipient"] == cast.supervisor.id
    assert relayed.event["data"]["kind"] == "waiting"


def test_the_reviewed_appraisal_is_named_with_the_ratings_untouched(app, session, cast, mails):
    record = new_record(session, cast, "appraisal")
    record = fire(record, "submit", cast.subject, via="api")
    fire(record, "review", cast.supervisor, via="api", payload=RATINGS)
    fan_out(session)
    send_mails(app, session)
    (message,) = mails.to(cast.manager.email)
    assert "Tahunan 2025" in str(message["Subject"])


def test_the_api_lists_ones_own_notifications_marks_them_read_and_sets_the_modes(
    client, session, cast, bearer
):
    record = bring_to(new_record(session, cast, "appraisal"), "submitted")
    fan_out(session)
    mine = bearer(cast.supervisor)
    listed = client.get("/api/v1/notifications?unread=true", headers=mine).get_json()
    (item,) = listed["items"]
    assert (item["kind"], item["workflow"], item["record_id"]) == (
        "waiting",
        "appraisal",
        record.id,
    )
    others = client.get("/api/v1/notifications", headers=bearer(cast.colleague)).get_json()
    assert others["items"] == []
    marked = client.post("/api/v1/notifications/read", json={}, headers=mine).get_json()
    assert marked == {"marked": 1}
    assert client.get("/api/v1/notifications?unread=true", headers=mine).get_json()["items"] == []

    settings = client.put(
        "/api/v1/notifications/settings", json={"waiting": "digest"}, headers=mine
    )
    assert settings.status_code == 200 and settings.get_json()["waiting"] == "digest"
    refused = client.put("/api/v1/notifications/settings", json={"waiting": "x"}, headers=mine)
    assert refused.status_code == 422
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/notifications" in spec["paths"]


def test_a_digest_user_gets_one_mail_a_day_whatever_the_count(app, session, cast, mails):
    from workflow.models import NotificationDigest

    preferences.set_modes(session, None, cast.supervisor, {"waiting": "digest"}, via="system")
    for year in (2021, 2022, 2023, 2024):
        bring_to(new_record(session, cast, "appraisal", year=year), "submitted")
    fan_out(session)
    assert send_mails(app, session, hour=24) == {}  # not yet the hour: nothing is mailed
    assert send_mails(app, session, hour=0) == {"digest sent": 1}

    (digest,) = mails.to(cast.supervisor.email)
    assert str(digest["Subject"]).strip() == "[Alur] Ringkasan harian Anda: 4 hal"
    text = digest.get_body(("plain",)).get_content()
    assert text.count("menunggu tindakan Anda") == 4
    assert {str(y) for y in (2021, 2022, 2023, 2024)} <= set(text.split())
    notes = told(session, user_id=cast.supervisor.id)
    assert {n.mail_status for n in notes} == {MailStatus.SENT}

    # more waiting later the same day: told in the back office, mailed with tomorrow's digest
    bring_to(new_record(session, cast, "appraisal", year=2020), "submitted")
    fan_out(session)
    assert send_mails(app, session, hour=0) == {}
    assert len(mails.to(cast.supervisor.email)) == 1
    session.rollback()
    (row,) = session.scalars(select(NotificationDigest)).all()
    assert str(digest["Message-ID"]).strip() == row.message_id


def test_an_acting_official_is_told_of_their_appointment(app, session, cast, mails):
    acting, row = factories.acting_official(session, cast, since=0, until=7, kind="Plt")
    (note,) = told(session, user_id=acting.id)
    assert (note.kind, note.workflow, note.record_id) == ("acting", "delegation", row.id)
    send_mails(app, session)
    (message,) = mails.to(acting.email)
    subject = str(message["Subject"]).strip()
    assert subject.startswith("[Alur] Anda menjadi Plt untuk " + cast.supervisor.employee.name)


def test_an_acting_official_is_told_again_on_the_day_the_delegation_starts(
    app, session, cast, mails, cli
):
    from datetime import timedelta

    from workflow import delegation
    from workflow.db import local_today

    acting, row = factories.acting_official(session, cast, since=-3, until=10)
    _, revoked = factories.acting_official(session, cast, since=-3, until=10)
    delegation.revoke(session, cast.hr, revoked.id, via="api")
    made = len(told(session, kind="acting"))  # each told once when named
    start = local_today() + timedelta(days=3)
    assert delegation.tell_starting(session, today=start - timedelta(days=1)) == 0
    assert delegation.tell_starting(session, today=start) == 1
    assert delegation.tell_starting(session, today=start) == 0  # once
    assert delegation.tell_starting(session, today=start + timedelta(days=2)) == 0
    notes = told(session, user_id=acting.id)
    assert [n.event_id for n in notes] == [f"delegation-{row.id}", f"delegation-{row.id}-starts"]
    assert len(told(session, kind="acting")) == made + 1  # not the revoked one
    send_mails(app, session)
    assert len(mails.to(acting.email)) == 2


def test_the_worker_tells_who_starts_today_but_not_who_was_named_today(session, cast, cli):
    from datetime import timedelta

    from sqlalchemy import update

    from workflow.db import utcnow
    from workflow.models import Delegation

    named_today, _row = factories.acting_official(session, cast, since=0, until=5)
    named_before, row = factories.acting_official(session, cast, since=0, until=5)
    session.execute(
        update(Delegation)
        .where(Delegation.id == row.id)
        .values(created_at=utcnow() - timedelta(days=2))  # named two days ago, for today
    )
    session.commit()
    result = cli("outbox", "work", "--once", "--quiet")
    assert result.exit_code == 0 and "1 acting officials told" in result.output
    assert len(told(session, user_id=named_today.id)) == 1  # when named: that is today
    assert len(told(session, user_id=named_before.id)) == 2


def test_the_admins_learn_of_a_webhook_delivery_that_failed_for_good(
    app, session, cast, mails, receiver
):
    from tests.http import always
    from tests.test_webhooks_out import subscribe

    sink = receiver(script=always(410))  # the receiver says it is gone
    sink.secret = subscribe(session, sink.url, "appraisal.*").secret
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    worker = outbox.Settings(schedule=(0.0,), jitter=0.0)
    from workflow.delivery import Worker

    Worker(session, worker).once()
    notes = told(session, kind="dead_delivery")
    assert notes and {n.user_id for n in notes} == {cast.admin.id}
    send_mails(app, session)
    messages = mails.to(cast.admin.email)
    assert len(messages) == len(notes)  # one per delivery that failed for good
    assert all("Pengiriman webhook gagal permanen" in str(m["Subject"]) for m in messages)


def test_the_admins_learn_of_a_checkpoint_that_cannot_be_written_once_a_day(
    app, session, cast, mails
):
    from sqlalchemy import text

    from workflow import checkpoints

    bring_to(new_record(session, cast, "appraisal"), "submitted")
    checkpoints.create(session)
    session.execute(text("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)"))
    session.commit()
    for _try in range(2):  # the worker tries again a minute later: told once
        with pytest.raises(checkpoints.LogShrank):
            checkpoints.create(session)
    (note,) = told(session, kind="audit_failed")
    assert note.user_id == cast.admin.id and note.workflow == "checkpoint"
    send_mails(app, session)
    (message,) = mails.to(cast.admin.email)
    assert "Checkpoint audit tidak dapat ditulis" in str(message["Subject"])
    assert "/admin/" in message.get_body(("plain",)).get_content()


def test_the_admins_learn_of_each_verify_that_finds_problems(app, session, cast, cli, mails):
    from sqlalchemy import text

    bring_to(new_record(session, cast, "appraisal"), "submitted")
    session.commit()
    assert cli("audit", "verify").exit_code == 0
    assert not told(session, kind="audit_failed")  # a clean verify tells nobody
    session.execute(text("UPDATE audit_log SET comment = 'x'"))
    session.commit()
    assert cli("audit", "verify").exit_code == 1
    assert cli("audit", "verify").exit_code == 1
    notes = told(session, kind="audit_failed")
    assert [n.user_id for n in notes] == [cast.admin.id] * 2  # each failing run
    send_mails(app, session)
    subjects = [str(m["Subject"]) for m in mails.to(cast.admin.email)]
    assert len(subjects) == 2
    assert all("Verifikasi log audit menemukan 2 masalah" in s for s in subjects)
    assert all("audit entry 1 (seq 1): was altered" in s for s in subjects)


def test_a_name_typed_with_a_line_break_is_mailed_on_one_subject_line(app, session, cast, mails):
    cast.subject_employee.name = "Budi\r\nBcc: someone@example.com\x1b"  # PostgreSQL keeps no NUL
    session.commit()
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    fan_out(session)
    assert send_mails(app, session) == {"sent": 1}  # not refused on every try, then dead
    (message,) = mails.messages
    assert "Budi Bcc: someone@example.com" in str(message["Subject"])
    assert message["Bcc"] is None and message["To"] == cast.supervisor.email


def test_past_its_bound_a_run_starts_no_other_mail(app, monkeypatch):
    """A server that stalls past the run's bound: the mails not begun are reported unsent
    (and are not sent after all, which would mail them twice); only one still on the wire
    may come twice. A connection that takes its time on purpose stands in for the server:
    the sink cannot hold a mail longer than the socket timeout that also sets the bound."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from admin.mail import Sender

    sent = []

    class Stalling:
        def open(self):
            pass

        def close(self):
            pass

        def send_messages(self, messages):
            time.sleep(0.5)
            sent.extend(messages)

    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 0.05)  # a bound of 0.3 s a mail
    pool = ThreadPoolExecutor(1)
    try:
        outcome = Sender(app, [Stalling()], pool)._send_all([1, 2, 3, 4, 5])
    finally:
        pool.shutdown(wait=True)  # here, to see what the lane did after the bound
    unsent = [i for i, error in enumerate(outcome) if error is not None]
    assert unsent and all("not sent in time" in outcome[i] for i in unsent)
    assert len(sent) <= (len(outcome) - len(unsent)) + 1  # at most the one on the wire
