"""Step deadlines in working days: reminders, escalation up the chain, idempotent runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from tests.factories import new_record
from tests.workflow_paths import bring_to
from workflow import fire, sla
from workflow.models import Holiday, OutboxEvent, SlaNotice, TrainingNomination

FRIDAY = date(2026, 11, 20)


def test_working_days_skip_weekends():
    assert sla.working_days_after(FRIDAY, 1, set()) == date(2026, 11, 23)  # Monday
    assert sla.working_days_after(FRIDAY, 5, set()) == date(2026, 11, 27)
    assert sla.previous_working_day(date(2026, 11, 23), set()) == FRIDAY


def test_working_days_skip_holidays():
    christmas = {date(2026, 12, 25)}
    # Wed 23 Dec + 5 working days: Thu 24, (Fri 25 holiday, weekend), Mon 28 .. Thu 31.
    assert sla.working_days_after(date(2026, 12, 23), 5, christmas) == date(2026, 12, 31)
    assert sla.previous_working_day(date(2026, 12, 28), christmas) == date(2026, 12, 24)


def _waiting_since(session, record, day: date):
    """Backdate the record's wait (test set-up: the engine stamps the real time)."""
    at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)  # 09:00 WIB
    session.execute(
        update(TrainingNomination)
        .where(TrainingNomination.id == record.id)
        .values(state_changed_at=at)
    )
    session.commit()
    return at


def _events(session, kind):
    session.rollback()
    return session.scalars(select(OutboxEvent).where(OutboxEvent.type.endswith(kind))).all()


def test_a_reminder_the_working_day_before_then_an_escalation_once_overdue(session, cast):
    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    _waiting_since(session, record, FRIDAY)  # due five working days later: Fri 27 Nov

    assert sla.run(session, today=date(2026, 11, 25)).reminders == 0  # Wednesday: not yet
    first = sla.run(session, today=date(2026, 11, 26))  # Thursday: the day before
    again = sla.run(session, today=date(2026, 11, 26))
    assert (first.reminders, again.reminders) == (1, 0)
    (reminder,) = _events(session, ".due_soon")
    assert reminder.payload["id"] == record.id and reminder.payload["due_on"] == "2026-11-27"

    assert sla.run(session, today=date(2026, 11, 27)).escalations == 0  # due today: not late
    late = sla.run(session, today=date(2026, 11, 30))
    assert late.escalations == 1 and sla.run(session, today=date(2026, 12, 1)).escalations == 0
    (escalated,) = _events(session, ".escalated")
    # It waited for the subject's supervisor; the escalation goes to theirs.
    assert escalated.payload["escalated_to"] == cast.manager.employee_id
    notices = sla.escalated_to(session, cast.manager.employee_id)
    assert [(n.workflow, n.record_id) for n in notices] == [("training_nomination", record.id)]


def test_a_holiday_moves_the_deadline(session, cast):
    session.add(Holiday(day=date(2026, 11, 27), name="Libur uji"))
    session.commit()
    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    _waiting_since(session, record, FRIDAY)  # due Mon 30 Nov now
    assert sla.run(session, today=date(2026, 11, 30)).escalations == 0
    assert sla.run(session, today=date(2026, 12, 1)).escalations == 1


def test_once_the_record_moves_on_its_escalation_leaves_the_inbox(session, cast):
    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    _waiting_since(session, record, FRIDAY)
    sla.run(session, today=date(2026, 12, 7))
    fire(session.get(TrainingNomination, record.id), "review", cast.supervisor, via="api")
    assert sla.escalated_to(session, cast.manager.employee_id) == []
    assert len(session.scalars(select(SlaNotice)).all()) == 1  # the old notice stays on record


def test_the_cli_runs_the_deadlines_and_keeps_the_holiday_calendar(cli, session, cast):
    assert cli("sla", "holiday", "2026-12-25", "Hari Raya Natal").exit_code == 0
    assert "Hari Raya Natal" in cli("sla", "holidays").output
    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    _waiting_since(session, record, FRIDAY)
    result = cli("sla", "run", "--today", "2026-12-07")
    assert result.exit_code == 0 and "0 reminders, 1 escalations" in result.output
    assert "1 escalations" not in cli("sla", "run", "--today", "2026-12-07").output
    assert cli("sla", "run", "--today", "yesterday").exit_code == 2


def test_escalations_appear_in_the_supervisors_inbox(client, session, cast, bearer):
    from tests import backoffice as bo

    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    _waiting_since(session, record, FRIDAY)
    sla.run(session, today=date(2026, 12, 7))

    answer = client.get("/api/v1/inbox", headers=bearer(cast.manager)).json
    assert [(e["workflow"], e["id"]) for e in answer["escalations"]] == [
        ("training_nomination", record.id)
    ]
    assert client.get("/api/v1/inbox", headers=bearer(cast.hr)).json["escalations"] == []
    bo.log_in(client, session, cast.manager)
    page = bo.text(client.get("/admin/inbox/"))
    assert 'id="escalations"' in page and f"#{record.id}" in page


def test_a_deadline_tells_whoever_must_act_and_an_escalation_their_superior_too(session, cast):
    from workflow import outbox
    from workflow.models import Notification

    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    _waiting_since(session, record, FRIDAY)
    sla.run(session, today=date(2026, 11, 26))  # due tomorrow
    sla.run(session, today=date(2026, 11, 30))  # late
    while outbox.fan_out(session):
        pass
    session.rollback()
    told = {
        (n.kind, n.user_id)
        for n in session.scalars(select(Notification).where(Notification.record_id == record.id))
        if n.kind in ("due_soon", "escalated")
    }
    assert told == {
        ("due_soon", cast.supervisor.id),
        ("escalated", cast.supervisor.id),
        ("escalated", cast.manager.id),
    }


def test_a_run_over_many_overdue_records_gives_each_its_notice_once(session, cast):
    """More notices than a batch's bulk path needs (arrays on PostgreSQL): each overdue
    wait is escalated once, with its own dates, however often the run comes."""
    from tests import factories
    from workflow.db import MANY_ROWS

    records = factories.submitted_by_staff(session, cast, "training_nomination", MANY_ROWS + 1)
    days = {r.id: FRIDAY - timedelta(days=n) for n, r in enumerate(records)}  # each its own
    since = {r.id: _waiting_since(session, r, days[r.id]) for r in records}

    assert sla.run(session, today=date(2026, 12, 7)).escalations == len(records)
    assert sla.run(session, today=date(2026, 12, 8)).escalations == 0

    session.rollback()
    notices = session.scalars(select(SlaNotice)).all()
    assert sorted(n.record_id for n in notices) == sorted(since)
    for n in notices:
        due = sla.working_days_after(days[n.record_id], 5, set())
        assert (n.kind, n.state, n.due_on) == ("escalation", "submitted", due)
        assert n.state_since == since[n.record_id]
        assert n.escalated_to_id == cast.manager.employee_id
    assert len(_events(session, ".escalated")) == len(records)
