"""Seats and budgets: approving takes them, withdrawing gives them back, and nobody overflows."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from tests import factories
from tests.factories import new_record
from tests.workflow_paths import bring_to
from workflow import fire
from workflow.capacity import NoCapacity
from workflow.db import db
from workflow.models import DevelopmentBudget, TrainingNomination, TrainingProgram


def counters(session, program, agency):
    session.rollback()
    seats = session.scalar(
        select(TrainingProgram.seats_taken).where(TrainingProgram.id == program.id)
    )
    committed = session.scalar(
        select(DevelopmentBudget.committed).where(
            DevelopmentBudget.agency_id == agency.id, DevelopmentBudget.year == 2026
        )
    )
    return seats, committed


def reviewed(session, cast, program, employee=None):
    data = {"program_id": program.id}
    if employee is not None:
        data["employee_id"] = employee.id
    return bring_to(new_record(session, cast, "training_nomination", **data), "reviewed")


def test_approval_takes_a_seat_and_commits_the_cost_withdrawal_gives_them_back(session, cast):
    program = factories.program(session, seats=3, cost=2_500_000)
    session.commit()
    record = fire(reviewed(session, cast, program), "approve", cast.hr, via="api")
    assert counters(session, program, cast.agency) == (1, 2_500_000)
    assert (record.committed_cost, record.budget_year) == (2_500_000, 2026)

    fire(record, "withdraw", cast.hr, via="api")
    assert counters(session, program, cast.agency) == (0, 0)
    draft = new_record(session, cast, "training_nomination", program_id=program.id)
    fire(draft, "withdraw", cast.hr, via="api")  # never approved: nothing to give back
    assert counters(session, program, cast.agency) == (0, 0)


def test_no_seat_left_is_refused_naming_the_program_and_nothing_changes(session, cast):
    program = factories.program(session, seats=1, cost=1_000)
    session.commit()
    first = factories.employee(
        session, factories.unit(session, cast.agency), supervisor=cast.supervisor.employee
    )
    session.commit()
    fire(reviewed(session, cast, program), "approve", cast.hr, via="api")
    late = reviewed(session, cast, program, employee=first)
    with pytest.raises(NoCapacity, match=f"program {program.code} has no seat left"):
        fire(late, "approve", cast.hr, via="api")
    assert counters(session, program, cast.agency) == (1, 1_000)
    assert session.get(TrainingNomination, late.id).state == "reviewed"


def test_a_budget_that_cannot_cover_the_cost_is_refused_with_what_is_left(session, cast):
    program = factories.program(session, seats=10, cost=4_000_000)
    budget = session.scalar(
        select(DevelopmentBudget).where(DevelopmentBudget.agency_id == cast.agency.id)
    )
    budget.amount = 5_000_000
    session.commit()
    colleague = factories.employee(
        session, factories.unit(session, cast.agency), supervisor=cast.supervisor.employee
    )
    session.commit()
    fire(reviewed(session, cast, program), "approve", cast.hr, via="api")
    second = reviewed(session, cast, program, employee=colleague)
    with pytest.raises(
        NoCapacity, match=r"cannot cover Rp 4\.000\.000: Rp 1\.000\.000 of Rp 5\.000\.000"
    ):
        fire(second, "approve", cast.hr, via="api")
    assert counters(session, program, cast.agency) == (1, 4_000_000)  # the seat went back too


def test_an_agency_without_a_budget_for_the_year_cannot_approve(session, cast):
    program = factories.program(session, seats=10, cost=1)
    program.start_date, program.end_date = (
        program.start_date.replace(year=2031),
        program.end_date.replace(year=2031),
    )
    session.commit()
    with pytest.raises(NoCapacity, match="no development budget for 2031"):
        fire(reviewed(session, cast, program), "approve", cast.hr, via="api")


def test_a_refusal_over_the_api_is_a_409_naming_what_ran_out(client, session, cast, bearer):
    program = factories.program(session, seats=1, cost=0)
    session.commit()
    other = factories.employee(
        session, factories.unit(session, cast.agency), supervisor=cast.supervisor.employee
    )
    session.commit()
    fire(reviewed(session, cast, program), "approve", cast.hr, via="api")
    late = reviewed(session, cast, program, employee=other)
    response = client.post(
        f"/api/v1/training-nominations/{late.id}/transitions",
        json={"trigger": "approve"},
        headers=bearer(cast.hr),
    )
    assert response.status_code == 409
    assert response.json["type"].endswith("/no_capacity")
    assert "no seat left" in response.json["detail"]


def _race(app, session, cast, program, contenders: int) -> Counter:
    """``contenders`` reviewed nominations of ``program``, all approved at once."""
    unit = factories.unit(session, cast.agency)
    people = [
        factories.employee(session, unit, supervisor=cast.supervisor.employee)
        for _ in range(contenders)
    ]
    session.commit()
    ids = [reviewed(session, cast, program, employee=p).id for p in people]
    hr_id = cast.hr.id
    session.rollback()  # the test holds no connection while the contenders run
    outcomes: Counter = Counter()
    lock, start = threading.Lock(), threading.Barrier(contenders)

    def approve(record_id):
        from workflow.models import User

        start.wait()  # then all at once (as many as the pool has connections for)
        with app.app_context():
            record = db.session.get(TrainingNomination, record_id)
            hr = db.session.get(User, hr_id)
            try:
                fire(record, "approve", hr, via="api")
                outcome = "approved"
            except NoCapacity as exc:
                outcome = "no seat" if "seat" in exc.message else "no budget"
            finally:
                db.session.remove()
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_one_hundred_approvals_racing_for_ten_seats_give_exactly_ten(app, session, cast):
    program = factories.program(session, seats=10, cost=1_500_000)
    session.commit()

    outcomes = _race(app, session, cast, program, 100)

    seats, committed = counters(session, program, cast.agency)
    approved = session.scalar(
        select(db.func.count())
        .select_from(TrainingNomination)
        .where(TrainingNomination.program_id == program.id, TrainingNomination.state == "approved")
    )
    print(
        f"\nseats race: 100 attempts, {outcomes['approved']} approved, "
        f"{outcomes['no seat']} refused (no seat); seats taken {seats}/10, "
        f"committed Rp {committed:,}"
    )
    assert outcomes == {"approved": 10, "no seat": 90}
    assert (seats, committed, approved) == (10, 15_000_000, 10)


def test_approvals_racing_against_a_budget_never_exceed_it(app, session, cast):
    program = factories.program(session, seats=100, cost=3_000_000)
    budget = session.scalar(
        select(DevelopmentBudget).where(DevelopmentBudget.agency_id == cast.agency.id)
    )
    budget.amount = 20_000_000  # six approvals fit, the seventh would not
    session.commit()

    outcomes = _race(app, session, cast, program, 40)

    seats, committed = counters(session, program, cast.agency)
    print(
        f"\nbudget race: 40 attempts, {outcomes['approved']} approved, "
        f"{outcomes['no budget']} refused (budget); committed Rp {committed:,} of "
        f"Rp 20,000,000; seats taken {seats}"
    )
    assert outcomes == {"approved": 6, "no budget": 34}
    assert (seats, committed) == (6, 18_000_000)


def test_nominating_a_list_checks_the_budget_for_all_of_them_before_making_any(session, cast):
    import pytest as _pytest
    from sqlalchemy import func, select

    from tests import factories
    from workflow import nominations
    from workflow.capacity import NoCapacity
    from workflow.models import TrainingNomination

    dear = factories.program(session, seats=10, cost=6_000_000_000)  # two exceed the budget
    session.commit()
    ids = [cast.supervisor.employee.id, cast.colleague.employee.id]
    with _pytest.raises(NoCapacity, match="budget cannot cover"):
        nominations.nominate(
            session,
            cast.hr,
            agency_id=cast.agency.id,
            program_id=dear.id,
            employee_ids=ids,
            reason="Di bawah 20 JP",
            via="api",
        )
    assert session.scalar(select(func.count()).select_from(TrainingNomination)) == 0
    made = nominations.nominate(
        session,
        cast.hr,
        agency_id=cast.agency.id,
        program_id=dear.id,
        employee_ids=ids[:1],
        reason="Di bawah 20 JP",
        via="api",
    )
    assert [m.error for m in made] == [None] and made[0].record.state == "draft"
