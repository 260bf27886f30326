"""Performance periods: defined by an agency's HR, opened for the whole agency at once."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import new_record
from workflow import periods
from workflow.errors import Conflict, Forbidden, InvalidPayload, NotFound
from workflow.models import Appraisal, AuditEntry, ChangeEntry, OutboxEvent, PerformancePeriod


def quarter(session, cast, number: int = 2, **given) -> PerformancePeriod:
    return periods.define(
        session,
        cast.hr,
        agency_id=cast.agency.id,
        year=2026,
        kind="quarterly",
        number=number,
        via="api",
        **given,
    )


def appraisals_of(session, period: PerformancePeriod) -> list[Appraisal]:
    session.rollback()
    return session.scalars(
        select(Appraisal)
        .where(Appraisal.year == period.year, Appraisal.period == period.code)
        .order_by(Appraisal.employee_id)
    ).all()


def test_a_period_takes_its_dates_from_the_year_and_quarter_unless_hr_sets_them(session, cast):
    q2 = quarter(session, cast)
    assert (q2.code, q2.starts_on, q2.ends_on) == ("Q2", date(2026, 4, 1), date(2026, 6, 30))
    assert (q2.plans_due_on, q2.realisation_due_on, q2.evaluation_due_on) == (
        date(2026, 4, 15),
        date(2026, 7, 5),
        date(2026, 7, 14),
    )
    year = periods.define(
        session,
        cast.hr,
        agency_id=cast.agency.id,
        year=2026,
        kind="annual",
        via="api",
        plans_due_on=date(2026, 1, 20),
    )
    assert (year.code, year.plans_due_on, year.ends_on) == (
        "annual",
        date(2026, 1, 20),
        date(2026, 12, 31),
    )
    assert periods.bounds(2028, "monthly", 2) == (date(2028, 2, 1), date(2028, 2, 29))
    logged = session.scalars(select(ChangeEntry).where(ChangeEntry.model == "performance_periods"))
    assert len(logged.all()) == 2


@pytest.mark.parametrize(
    ("kind", "number", "given", "field"),
    [
        ("weekly", 1, {}, "kind"),
        ("quarterly", 5, {}, "number"),
        ("monthly", 0, {}, "number"),
        ("quarterly", 1, {"ends_on": date(2026, 1, 10)}, "ends_on"),
        ("quarterly", 1, {"evaluation_due_on": date(2026, 3, 1)}, "realisation_due_on"),
        ("quarterly", 1, {"starts_on": "2026-01-01"}, "starts_on"),
    ],
)
def test_a_period_out_of_shape_is_refused_with_its_field(session, cast, kind, number, given, field):
    with pytest.raises(InvalidPayload) as refused:
        periods.define(
            session,
            cast.hr,
            agency_id=cast.agency.id,
            year=2026,
            kind=kind,
            number=number,
            via="api",
            **given,
        )
    assert set(refused.value.errors) in ({field}, {"evaluation_due_on"})
    assert session.scalar(select(func.count()).select_from(PerformancePeriod)) == 0


def test_a_period_is_defined_once_and_only_by_its_agencys_hr(session, cast):
    quarter(session, cast)
    with pytest.raises(Conflict):
        quarter(session, cast)
    with pytest.raises(Forbidden):
        periods.define(
            session, cast.hr_other, agency_id=cast.agency.id, year=2026, kind="annual", via="api"
        )
    with pytest.raises(Forbidden):
        periods.define(
            session, cast.supervisor, agency_id=cast.agency.id, year=2026, kind="annual", via="api"
        )


def test_opening_makes_an_audited_draft_appraisal_for_everyone_with_a_chain(session, cast, cli):
    q2 = quarter(session, cast)
    seen = []
    opening = periods.open_period(session, cast.hr, q2.id, via="api", progress=seen.append)
    made = appraisals_of(session, q2)
    chains = {
        cast.supervisor.employee_id: (
            cast.manager.employee_id,
            cast.manager.employee.supervisor_id,
        ),
        cast.subject.employee_id: (cast.supervisor.employee_id, cast.manager.employee_id),
        cast.colleague.employee_id: (cast.supervisor.employee_id, cast.manager.employee_id),
        cast.mentor.employee_id: (cast.supervisor.employee_id, cast.manager.employee_id),
    }
    assert {a.employee_id: (a.assessor_id, a.approver_id) for a in made} == chains
    assert opening.made == 4 and sum(seen) == 7  # the agency's seven employees looked at
    assert {a.state for a in made} == {"draft"} and {a.agency_id for a in made} == {cast.agency.id}
    assert {a.version for a in made} == {1} and {a.created_by_id for a in made} == {cast.hr.id}
    # Left out, with the reason: the head (nobody above), and those under the head alone.
    reasons = dict(opening.left_out)
    assert reasons[cast.manager.employee.nip] == "their supervisor has no supervisor to approve"
    assert reasons[cast.manager.employee.supervisor.nip] == (
        "no supervisor in the org chart to assess them"
    )
    assert len(reasons) == 3
    for record in made:  # as the engine makes one: its create entry and event
        (entry,) = session.scalars(
            select(AuditEntry).where(
                AuditEntry.workflow == "appraisal", AuditEntry.record_id == record.id
            )
        )
        assert (entry.trigger, entry.to_state, entry.actor_id) == ("create", "draft", cast.hr.id)
    events = session.scalar(select(func.count()).where(OutboxEvent.type == "appraisal.draft"))
    assert events == 4
    assert session.get(PerformancePeriod, q2.id).opened_by_id == cast.hr.id
    assert cli("audit", "verify").exit_code == 0  # every chain holds


def test_a_rejected_appraisal_frees_the_place_for_a_new_one(session, cast):
    from tests.workflow_paths import bring_to

    q2 = quarter(session, cast)
    rejected = bring_to(new_record(session, cast, "appraisal", year=2026, period="Q2"), "rejected")
    opening = periods.open_period(session, cast.hr, q2.id, via="api")
    assert (opening.made, opening.had_one) == (4, 0)
    mine = [a for a in appraisals_of(session, q2) if a.employee_id == cast.subject.employee_id]
    assert sorted(a.state for a in mine) == ["draft", "rejected"] and rejected.id in {
        a.id for a in mine
    }


def test_opening_again_makes_only_what_is_missing(session, cast):
    q2 = quarter(session, cast)
    already = new_record(session, cast, "appraisal", year=2026, period="Q2")
    first = periods.open_period(session, cast.hr, q2.id, via="api")
    assert (first.made, first.had_one) == (3, 1)
    again = periods.open_period(session, cast.hr, q2.id, via="api")
    assert (again.made, again.had_one) == (0, 4)
    assert len(appraisals_of(session, q2)) == 4
    assert already.id in {a.id for a in appraisals_of(session, q2)}
    opened = session.scalars(select(ChangeEntry).where(ChangeEntry.action == "open")).all()
    assert len(opened) == 1  # opened once; opening again only fills gaps


def test_another_agencys_hr_cannot_see_or_open_the_period(session, cast):
    q2 = quarter(session, cast)
    with pytest.raises(NotFound):
        periods.open_period(session, cast.hr_other, q2.id, via="api")
    with pytest.raises(NotFound):
        periods.open_period(session, cast.subject, q2.id, via="api")
    assert appraisals_of(session, q2) == []


def open_twice_at_once(app, session, hr_id: int, period_id: int) -> list:
    """Two HR officers open the period at the same moment, each on its own connection (ids
    read before: the test's session is not the threads'); what each opening did."""
    from sqlalchemy.orm import Session

    from workflow.db import db
    from workflow.models import User

    session.commit()
    start = threading.Barrier(2, timeout=30)
    results, failures = [], []

    def opener():
        with app.app_context(), Session(db.engine) as own:
            try:
                actor = own.get(User, hr_id)
                own.rollback()
                start.wait()
                results.append(periods.open_period(own, actor, period_id, via="api", batch=2))
            except Exception as exc:  # reported below
                failures.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert not [f for f in failures if not isinstance(f, Conflict)], failures
    return results


def test_two_openings_at_once_make_each_appraisal_once(app, session, cast, database_url):
    """Two HR officers open the same period at the same moment, each on its own
    connection: every employee ends up with one appraisal of it."""
    q2 = quarter(session, cast)
    results = open_twice_at_once(app, session, cast.hr.id, q2.id)
    made = appraisals_of(session, q2)
    assert len(made) == len({a.employee_id for a in made}) == 4
    assert sum(r.made for r in results) == 4


def test_the_command_line_defines_lists_and_opens_a_period(session, cast, cli):
    code = cast.agency.code
    defined = cli(
        "periods",
        "define",
        "--agency",
        code,
        "--year",
        "2026",
        "--kind",
        "quarterly",
        "--number",
        "3",
    )
    assert defined.exit_code == 0, defined.output
    assert "2026 Q3, 2026-07-01..2026-09-30" in defined.output
    period_id = session.scalar(select(PerformancePeriod.id))
    assert f"{code}  2026 Q3" in cli("periods", "list", "--agency", code).output
    opened = cli("periods", "open", str(period_id), "--quiet")
    assert opened.exit_code == 0, opened.output
    assert f"period {period_id}: 4 appraisals made, 0 had one already, 3 left out" in opened.output
    assert f"left out {cast.manager.employee.nip}: their supervisor has no supervisor" in (
        opened.output
    )
    again = cli("periods", "open", str(period_id), "--quiet").output
    assert "0 appraisals made, 4 had one already" in again


def test_the_command_line_refuses_what_is_out_of_shape(session, cast, cli):
    code = cast.agency.code
    assert cli("periods", "open", "999").exit_code == 2
    assert cli("periods", "open", "0").exit_code == 2
    assert cli("periods", "define", "--agency", "NOPE", "--year", "2026").exit_code == 2
    assert cli("periods", "define", "--agency", code, "--year", "99999").exit_code == 2
    late = cli(
        "periods", "define", "--agency", code, "--year", "2026", "--plans-due-on", "2027-03-01"
    )
    assert late.exit_code == 1 and "out of order" in late.output
    assert session.scalar(select(func.count()).select_from(PerformancePeriod)) == 0


def test_hr_defines_and_opens_a_period_over_the_api(client, session, cast, bearer):
    hr = bearer(cast.hr)
    wanted = {"agency_id": cast.agency.id, "year": 2026, "kind": "monthly", "number": 2}
    created = client.post("/api/v1/periods", headers=hr, json=wanted)
    assert created.status_code == 201, created.get_json()
    period = created.get_json()
    assert (period["code"], period["ends_on"]) == ("M02", "2026-02-28")
    assert client.get(created.headers["Location"], headers=hr).get_json()["id"] == period["id"]
    opened = client.post(f"/api/v1/periods/{period['id']}/open", headers=hr)
    assert opened.status_code == 200
    body = opened.get_json()
    assert (body["made"], body["had_one"], len(body["left_out"])) == (4, 0, 3)
    assert {"nip", "reason"} == set(body["left_out"][0])
    assert client.post("/api/v1/periods", headers=hr, json=wanted).status_code == 409
    listed = client.get("/api/v1/periods", headers=hr).get_json()["items"]
    assert [p["opened_by_id"] for p in listed] == [cast.hr.id]


def test_the_api_keeps_periods_to_their_agency_and_refuses_bad_ones(client, session, cast, bearer):
    period = quarter(session, cast)
    session.commit()
    other, employee = bearer(cast.hr_other), bearer(cast.subject)
    assert client.get(f"/api/v1/periods/{period.id}", headers=other).status_code == 404
    assert client.post(f"/api/v1/periods/{period.id}/open", headers=other).status_code == 404
    assert client.get("/api/v1/periods", headers=other).get_json()["items"] == []
    assert client.get("/api/v1/periods", headers=employee).status_code == 403
    assert client.post(f"/api/v1/periods/{period.id}/open", headers=employee).status_code == 404
    theirs = {"agency_id": cast.agency.id, "year": 2027}
    assert client.post("/api/v1/periods", headers=other, json=theirs).status_code == 403
    hr = bearer(cast.hr)
    for bad in (
        {"agency_id": cast.agency.id, "year": 2026, "kind": "quarterly", "number": 7},
        {"agency_id": cast.agency.id, "year": 10**12},
        {"agency_id": cast.agency.id, "year": 2026, "ends_on": "2025-01-01"},
        {"agency_id": cast.agency.id, "year": 2026, "kind": "annual\u0000"},
    ):
        refused = client.post("/api/v1/periods", headers=hr, json=bad)
        assert refused.status_code == 422, (bad, refused.get_json())
        assert refused.content_type == "application/problem+json"
    assert appraisals_of(session, period) == []


def test_hr_defines_and_opens_a_period_in_the_back_office(client, session, cast):
    from tests import backoffice as bo

    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/performanceperiod/new/"))
    assert '<option value="quarterly">Triwulanan</option>' in page
    form = {"csrf_token": bo.csrf(page), "year": "2026", "kind": "quarterly", "number": "4"}
    # the plans due after the period ends: refused, under its field, with what was typed
    late = client.post("/admin/performanceperiod/new/", data={**form, "plans_due_on": "2027-02-01"})
    shown = bo.text(late)
    assert "Tidak boleh sebelum batas rencana SKP" in shown and 'value="2027-02-01"' in shown
    assert session.scalar(select(func.count()).select_from(PerformancePeriod)) == 0
    made = client.post("/admin/performanceperiod/new/", data=form, follow_redirects=True)
    assert made.status_code == 200
    session.rollback()
    period = session.scalar(select(PerformancePeriod))
    assert (period.agency_id, period.code, period.ends_on) == (
        cast.agency.id,
        "Q4",
        date(2026, 12, 31),
    )
    listing = bo.text(client.get("/admin/performanceperiod/"))
    opened = client.post(
        "/admin/performanceperiod/action/",
        data={"action": "open", "rowid": [str(period.id)], "csrf_token": bo.csrf(listing)},
        follow_redirects=True,
    )
    page = bo.text(opened)
    assert f"Periode #{period.id}: 4 penilaian dibuat, 0 sudah memilikinya" in page
    assert "atasannya tidak memiliki atasan" in page
    assert len(appraisals_of(session, period)) == 4
    bo.log_out(client)
    bo.log_in(client, session, cast.hr_other)  # another agency's HR sees none of it
    assert f"/admin/performanceperiod/details/?id={period.id}" not in bo.text(
        client.get("/admin/performanceperiod/")
    )
    assert client.get(f"/admin/performanceperiod/details/?id={period.id}").status_code == 302


def test_the_back_office_asks_an_admin_for_the_agency_and_refuses_hr_another(client, session, cast):
    from tests import backoffice as bo

    form = {"year": "2026", "kind": "annual", "number": "1"}
    bo.log_in(client, session, cast.admin)
    page = bo.text(client.get("/admin/performanceperiod/new/"))
    answer = client.post(
        "/admin/performanceperiod/new/", data={**form, "csrf_token": bo.csrf(page)}
    )
    assert "Pilih instansinya." in bo.text(answer)
    bo.log_out(client)
    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/performanceperiod/new/"))
    theirs = {**form, "agency": str(cast.other_agency.id), "csrf_token": bo.csrf(page)}
    refused = bo.text(client.post("/admin/performanceperiod/new/", data=theirs))
    assert "alert-danger" in refused
    assert session.scalar(select(func.count()).select_from(PerformancePeriod)) == 0


def _waiting_since(session, ids, day: date) -> None:
    """Backdate the waits (test set-up: the engine stamps the real time, today's)."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)  # 09:00 WIB
    session.execute(update(Appraisal).where(Appraisal.id.in_(ids)).values(state_changed_at=at))
    session.commit()


def _notices(session, record_id: int, kind: str):
    from workflow.models import SlaNotice

    session.rollback()
    query = select(SlaNotice).where(SlaNotice.record_id == record_id, SlaNotice.kind == kind)
    return session.scalars(query.order_by(SlaNotice.id)).all()


def test_a_periods_deadlines_bound_its_appraisals_waits(session, cast):
    """The employee's drafts are due by the realisation deadline, the officials' steps by
    the evaluation deadline, even when the working days would run later."""
    from tests.workflow_paths import bring_to
    from workflow import outbox, sla
    from workflow.models import Notification

    q2 = quarter(  # realisation due Thu 2 Jul 2026, evaluation due Fri 10 Jul
        session,
        cast,
        realisation_due_on=date(2026, 7, 2),
        evaluation_due_on=date(2026, 7, 10),
    )
    periods.open_period(session, cast.hr, q2.id, via="api")
    drafts = [a.id for a in appraisals_of(session, q2)]
    _waiting_since(session, drafts, date(2026, 4, 1))  # opened as the quarter began
    mine = next(a for a in appraisals_of(session, q2) if a.employee_id == cast.subject.employee_id)
    assert sla.run(session, today=date(2026, 6, 30)).reminders == 0  # not yet near
    reminded = sla.run(session, today=date(2026, 7, 1))  # the working day before
    assert reminded.reminders == 4  # every draft of the period
    while outbox.fan_out(session):
        pass
    session.rollback()
    told = session.scalars(
        select(Notification).where(
            Notification.kind == "due_soon", Notification.record_id == mine.id
        )
    ).all()
    assert [n.user_id for n in told] == [cast.subject.id]  # the employee: it is their part
    late = sla.run(session, today=date(2026, 7, 3))
    assert late.escalations == 4 and sla.run(session, today=date(2026, 7, 6)).escalations == 0
    (notice,) = _notices(session, mine.id, "escalation")
    # the employee had not submitted: their supervisor hears of it
    assert (notice.state, notice.due_on) == ("draft", date(2026, 7, 2))
    assert notice.escalated_to_id == cast.supervisor.employee_id
    # submitted on Mon 6 Jul (five working days would run to the 13th): due by Fri 10 Jul
    submitted = bring_to(session.get(Appraisal, mine.id), "submitted")
    _waiting_since(session, [submitted.id], date(2026, 7, 6))
    assert sla.run(session, today=date(2026, 7, 9)).reminders == 1
    (reminder,) = _notices(session, submitted.id, "reminder")[-1:]
    assert (reminder.state, reminder.due_on) == ("submitted", date(2026, 7, 10))


def test_a_record_returned_at_the_deadline_gets_days_to_be_revised(session, cast):
    """Sent back on the evaluation deadline itself: not overdue the moment it arrives."""
    from tests.workflow_paths import bring_to
    from workflow import sla

    q2 = quarter(session, cast, evaluation_due_on=date(2026, 7, 10))
    periods.open_period(session, cast.hr, q2.id, via="api")
    mine = next(a for a in appraisals_of(session, q2) if a.employee_id == cast.subject.employee_id)
    returned = bring_to(mine, "returned")
    _waiting_since(session, [returned.id], date(2026, 7, 10))  # Friday, the deadline
    assert sla.run(session, today=date(2026, 7, 10)).escalations == 0
    sla.run(session, today=date(2026, 7, 14))  # the working day before Wed 15 Jul
    (reminder,) = [n for n in _notices(session, returned.id, "reminder") if n.state == "returned"]
    assert reminder.due_on == date(2026, 7, 15)  # three working days, not the past deadline
    assert not [n for n in _notices(session, returned.id, "escalation") if n.state == "returned"]


def test_a_period_mistyped_out_of_its_year_is_refused(session, cast):
    """A year typed wrong (2001 for 2026), or year one, would make every wait overdue."""
    with pytest.raises(InvalidPayload) as wrong_year:
        quarter(
            session,
            cast,
            starts_on=date(2001, 4, 1),
            plans_due_on=date(2001, 4, 15),
            ends_on=date(2001, 6, 30),
            realisation_due_on=date(2001, 7, 5),
            evaluation_due_on=date(2001, 7, 14),
        )
    assert set(wrong_year.value.errors) == {"starts_on", "ends_on"}
    with pytest.raises(InvalidPayload) as far:
        quarter(session, cast, evaluation_due_on=date(2027, 12, 31))
    assert set(far.value.errors) == {"evaluation_due_on"}
    with pytest.raises(InvalidPayload):
        quarter(session, cast, **dict.fromkeys(periods.DATES, date(1, 1, 1)))


def test_a_period_row_edited_by_hand_does_not_stop_the_deadlines_of_others(session, cast):
    from sqlalchemy import text as sql

    from workflow import sla

    q2 = quarter(session, cast)
    periods.open_period(session, cast.hr, q2.id, via="api")
    session.execute(
        sql(
            "UPDATE performance_periods SET starts_on = :d, plans_due_on = :d, ends_on = :d, "
            "realisation_due_on = :d, evaluation_due_on = :d"
        ),
        {"d": date(1, 1, 1)},
    )
    session.commit()
    report = sla.run(session, today=date(2026, 7, 1))  # no OverflowError
    assert any(line.startswith(f"period {q2.id}: skipped") for line in report.lines)


def test_appraisals_outside_an_opened_period_keep_their_working_days(session, cast):
    from workflow import sla

    q2 = quarter(session, cast)  # defined, never opened: it bounds nothing
    new_record(session, cast, "appraisal", year=2026, period="Q2")
    assert q2.opened_at is None
    report = sla.run(session, today=date(2026, 12, 1))
    assert (report.reminders, report.escalations) == (0, 0)  # a draft has no working days


def annual(session, cast) -> PerformancePeriod:
    return periods.define(
        session, cast.hr, agency_id=cast.agency.id, year=2026, kind="annual", via="api"
    )


def plans_of(session, year: int = 2026) -> list:
    from workflow.models import SkpPlan

    session.rollback()
    return session.scalars(
        select(SkpPlan).where(SkpPlan.year == year).order_by(SkpPlan.employee_id)
    ).all()


def test_opening_the_year_makes_everyones_skp_plan_with_their_assessor(session, cast, cli):
    year = annual(session, cast)
    opening = periods.open_period(session, cast.hr, year.id, via="api")
    plans = plans_of(session)
    head = cast.manager.employee.supervisor_id
    # everyone of the agency, the head too (whose plan is agreed above the agency)
    assert opening.plans_made == len(plans) == 7 and opening.had_plan == 0
    assessors = {p.employee_id: p.assessor_id for p in plans}
    assert assessors[head] is None
    assert assessors[cast.subject.employee_id] == cast.supervisor.employee_id
    assert {p.state for p in plans} == {"draft"} and all(p.items == [] for p in plans)
    assert opening.made == 4  # and the year's appraisals, as before
    events = session.scalar(select(func.count()).where(OutboxEvent.type == "skp_plan.draft"))
    assert events == 7
    assert cli("audit", "verify").exit_code == 0  # each plan's chain and RHK digest hold
    # Each goes on from the plan the opening made, through the engine, down the chain.
    from tests.factories import rhk
    from workflow import edit, fire

    by_employee = {p.employee_id: p for p in plans}
    chain = [head, cast.manager.employee_id, cast.supervisor.employee_id, cast.subject.employee_id]
    cited = None
    for employee_id in chain:
        item = rhk("Hasil", target="IKM 90") if cited is None else rhk("Hasil", cites=cited)
        plan = edit(by_employee[employee_id], None, {"items": [item]}, via="system")
        plan = fire(fire(plan, "submit", None, via="system"), "approve", None, via="system")
        cited = plan.items[0].id
    assert plan.state == "approved" and plan.employee_id == cast.subject.employee_id


def test_opening_the_year_again_makes_no_second_plan(session, cast):
    year = annual(session, cast)
    new_record(session, cast, "skp_plan")  # the subject's, and the chain's above, agreed
    first = periods.open_period(session, cast.hr, year.id, via="api")
    assert (first.plans_made, first.had_plan) == (3, 4)
    again = periods.open_period(session, cast.hr, year.id, via="api")
    assert (again.plans_made, again.had_plan) == (0, 7)
    assert len(plans_of(session)) == 7


def test_a_quarter_makes_no_plans(session, cast):
    q2 = quarter(session, cast)
    opening = periods.open_period(session, cast.hr, q2.id, via="api")
    assert opening.plans_made == 0 and plans_of(session) == []


def test_two_openings_of_the_year_at_once_make_each_plan_once(app, session, cast):
    year = annual(session, cast)
    results = open_twice_at_once(app, session, cast.hr.id, year.id)
    plans = plans_of(session)
    assert len(plans) == len({p.employee_id for p in plans}) == 7
    assert sum(r.plans_made for r in results) == 7


def test_every_way_in_says_how_many_plans_a_year_made(client, session, cast, bearer, cli):
    from tests import backoffice as bo

    year = annual(session, cast)
    year_id = year.id
    opened = client.post(f"/api/v1/periods/{year_id}/open", headers=bearer(cast.hr))
    assert opened.status_code == 200
    assert (opened.get_json()["plans_made"], opened.get_json()["had_plan"]) == (7, 0)
    again = cli("periods", "open", str(year_id), "--quiet").output
    assert f"period {year_id}: 0 SKP plans made, 7 had one already" in again
    bo.log_in(client, session, cast.hr)
    listing = bo.text(client.get("/admin/performanceperiod/"))
    page = bo.text(
        client.post(
            "/admin/performanceperiod/action/",
            data={"action": "open", "rowid": [str(year_id)], "csrf_token": bo.csrf(listing)},
            follow_redirects=True,
        )
    )
    assert f"Periode #{year_id}: 0 SKP dibuat, 7 sudah memilikinya." in page


def test_a_years_plans_deadline_bounds_its_plans(session, cast):
    """Plans not agreed by the year's plans deadline: the employee reminded the working day
    before, their supervisor told once it has passed; one submitted waits on the assessor."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    from workflow import sla
    from workflow.models import SkpPlan, SlaNotice

    year = periods.define(  # plans due Fri 30 Jan 2026
        session,
        cast.hr,
        agency_id=cast.agency.id,
        year=2026,
        kind="annual",
        via="api",
        plans_due_on=date(2026, 1, 30),
    )
    periods.open_period(session, cast.hr, year.id, via="api")
    session.execute(update(SkpPlan).values(state_changed_at=datetime(2026, 1, 2, 2, 0, tzinfo=UTC)))
    session.commit()
    assert sla.run(session, today=date(2026, 1, 28)).reminders == 0
    assert sla.run(session, today=date(2026, 1, 29)).reminders == 7  # every plan of the year
    assert sla.run(session, today=date(2026, 2, 2)).escalations == 7
    session.rollback()
    mine = session.scalar(select(SkpPlan).where(SkpPlan.employee_id == cast.subject.employee_id))
    (notice,) = session.scalars(
        select(SlaNotice).where(
            SlaNotice.workflow == "skp_plan",
            SlaNotice.record_id == mine.id,
            SlaNotice.kind == "escalation",
        )
    ).all()
    assert (notice.state, notice.due_on) == ("draft", date(2026, 1, 30))
    assert notice.escalated_to_id == cast.supervisor.employee_id  # the employee's superior
    assert sla.run(session, today=date(2026, 2, 3)).escalations == 0  # once per wait
