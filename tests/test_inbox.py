"""The inbox ("perlu tindakan saya") and "what may I do here?" queries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests.factories import new_record
from tests.sql import sent
from tests.workflow_paths import bring_to
from workflow import allowed_triggers, fire, inbox, policy
from workflow.db import db
from workflow.models import Employee
from workflow.visibility import visible_clause
from workflow.workflows import WORKFLOWS


def keys(items) -> list[tuple[str, int]]:
    return [(item.workflow, item.record.id) for item in items]


@pytest.fixture
def desk(session, cast):
    """Records in several states around cast.subject, created in this order."""
    second_program = factories.program(session)
    session.commit()
    records = {
        "nomination_submitted": bring_to(
            new_record(session, cast, "training_nomination"), "submitted"
        ),
        "appraisal_submitted": bring_to(new_record(session, cast, "appraisal"), "submitted"),
        "appraisal_reviewed": bring_to(
            new_record(session, cast, "appraisal", period="Q1"), "reviewed"
        ),
        "appraisal_returned": bring_to(
            new_record(session, cast, "appraisal", period="Q2"), "returned"
        ),
        "mentoring_submitted": bring_to(
            new_record(session, cast, "mentoring_assignment"), "submitted"
        ),
        "nomination_reviewed": bring_to(
            new_record(session, cast, "training_nomination", program_id=second_program.id),
            "reviewed",
        ),
        "mentoring_reviewed": bring_to(
            new_record(session, cast, "mentoring_assignment"), "reviewed"
        ),
    }
    return records


def expect(desk, *names) -> list[tuple[str, int]]:
    return [(desk[n].workflow_name, desk[n].id) for n in names]


def test_supervisor_sees_what_waits_for_their_review_oldest_first(session, cast, desk):
    assert keys(inbox(session, cast.supervisor)) == expect(
        desk, "nomination_submitted", "appraisal_submitted"
    )


def test_approver_hr_mentor_and_subject_each_see_their_own_queue(session, cast, desk):
    assert keys(inbox(session, cast.manager)) == expect(desk, "appraisal_reviewed")
    assert keys(inbox(session, cast.hr)) == expect(
        desk, "nomination_reviewed", "mentoring_reviewed"
    )
    assert keys(inbox(session, cast.mentor)) == expect(desk, "mentoring_submitted")
    assert keys(inbox(session, cast.subject)) == expect(desk, "appraisal_returned")


def test_people_with_no_part_see_nothing(session, cast, desk):
    for actor in (cast.colleague, cast.hr_other, cast.admin, cast.external):
        assert inbox(session, actor) == []


def test_items_carry_the_triggers_the_actor_may_fire(session, cast, desk):
    item = inbox(session, cast.supervisor)[1]
    assert [t.trigger for t in item.triggers] == ["review", "return", "reject"]
    review = item.triggers[0]
    assert review.fields == (
        "work_result_rating",
        "behaviour_rating",
        "feedback",
        "behaviour_feedback",
    )
    assert review.required == review.fields[:3]
    assert item.triggers[1].needs_comment


def test_an_item_leaves_the_inbox_once_acted_on(session, cast, desk):
    fire(desk["nomination_submitted"], "review", cast.supervisor, via="api")
    assert keys(inbox(session, cast.supervisor)) == expect(desk, "appraisal_submitted")
    assert expect(desk, "nomination_submitted")[0] in keys(inbox(session, cast.hr))


def test_segregation_of_duties_keeps_own_records_out(session, cast, desk):
    # The HR officer nominated for training themselves: never in their own queue.
    own = new_record(session, cast, "training_nomination", employee_id=cast.hr.employee_id)
    bring_to(own, "reviewed")
    assert ("training_nomination", own.id) not in keys(inbox(session, cast.hr))


def test_pages_follow_each_other_without_gaps_or_repeats(session, cast, desk):
    seen = []
    after = None
    while True:
        page = inbox(session, cast.hr, limit=1, after=after)
        if not page:
            break
        seen += keys(page)
        last = page[-1]
        after = (last.waiting_since, last.workflow, last.record.id)
    assert seen == keys(inbox(session, cast.hr))
    assert len(seen) == 2


def test_what_may_i_do_here(session, cast, desk):
    record = desk["appraisal_reviewed"]
    assert [t.trigger for t in allowed_triggers(record, cast.manager)] == [
        "approve",
        "return",
        "reject",
    ]
    assert allowed_triggers(record, cast.supervisor) == []  # reviewed it; approval is not theirs
    assert allowed_triggers(record, cast.colleague) == []


def test_inbox_queries_use_indexes_not_table_scans(session, cast, desk):
    with sent() as statements:
        for actor in (cast.supervisor, cast.manager, cast.hr, cast.mentor, cast.subject):
            inbox(session, actor)
    captured = [s for s in statements if s.is_select and "state" in s.statement]
    assert captured
    session.rollback()
    with db.engine.connect() as conn:
        for statement, parameters in captured:
            if conn.dialect.name == "postgresql":
                # Discourage scans so that only a missing index can produce one.
                conn.exec_driver_sql("SET enable_seqscan = off")
                plan = conn.exec_driver_sql(
                    "EXPLAIN (FORMAT JSON) " + statement, parameters
                ).scalar()
                for node in _nodes(plan[0]["Plan"]):
                    if "Relation Name" in node:
                        assert node["Node Type"] != "Seq Scan", node
                        if node["Node Type"] in ("Index Scan", "Index Only Scan"):
                            assert "Index Cond" in node, node  # not a walk of a whole index
            else:
                plan = [
                    row[3]
                    for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                ]
                # A scan of a constant row (the actor's own id in a UNION) reads no table.
                scans = [s for s in plan if s.startswith("SCAN") and s != "SCAN CONSTANT ROW"]
                assert scans == [], plan


def _nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def test_a_skipped_record_does_not_shorten_the_page(session, cast):
    own = new_record(session, cast, "training_nomination", employee_id=cast.hr.employee_id)
    bring_to(own, "reviewed")
    other = bring_to(new_record(session, cast, "training_nomination"), "reviewed")
    assert keys(inbox(session, cast.hr, limit=1)) == [("training_nomination", other.id)]


def test_a_page_costs_the_same_queries_however_many_items_it_holds(session, cast):
    def queries_for_inbox() -> tuple[int, int]:
        with sent() as statements:
            session.expire_all()
            items = inbox(session, cast.supervisor, limit=100)
        return len(statements), len(items)

    def appraisals_of_new_staff(count: int) -> None:
        # Each about another employee, so nothing is served from the identity map.
        staff = [
            factories.employee(
                session, cast.subject_employee.unit, supervisor=cast.supervisor.employee
            )
            for _ in range(count)
        ]
        session.commit()
        for employee in staff:
            record = new_record(session, cast, "training_nomination", employee_id=employee.id)
            bring_to(record, "submitted")

    appraisals_of_new_staff(3)
    few, listed_few = queries_for_inbox()
    appraisals_of_new_staff(9)
    many, listed_many = queries_for_inbox()
    assert (listed_few, listed_many) == (3, 12)
    assert many == few


@pytest.mark.parametrize("persona", ["supervisor", "manager", "mentor", "subject", "hr"])
def test_what_a_user_may_see_is_found_through_indexes(session, cast, desk, persona):
    # A list is the visible records by id, a page at a time: the filter must be served by
    # indexes, or each page reads every record of the country.
    actor = getattr(cast, persona)
    filters = [(wf.model, visible_clause(wf, actor)) for wf in WORKFLOWS.values()]
    filters.append((Employee, policy.scope(actor, Employee)))
    with db.engine.connect() as conn:
        for model, clause in filters:
            page = select(model.id).where(clause).order_by(model.id.desc()).limit(20)
            statement = page.compile(conn, compile_kwargs={"literal_binds": True})
            if conn.dialect.name == "postgresql":
                # Discourage scans so that only a filter no index serves can produce one
                # (the primary key walked backwards, every record tested on the way).
                conn.exec_driver_sql("SET enable_seqscan = off")
                plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}").scalar()
                read = [n for n in _nodes(plan[0]["Plan"]) if "Relation Name" in n]
                assert read, plan
                for node in read:
                    assert node["Node Type"] != "Seq Scan", (model.__tablename__, plan)
                    if node["Node Type"] in ("Index Scan", "Index Only Scan"):
                        assert "Index Cond" in node, (model.__tablename__, plan)
            else:
                plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}")]
                scans = [s for s in plan if s.startswith("SCAN") and s != "SCAN CONSTANT ROW"]
                assert scans == [], (model.__tablename__, plan)
        conn.rollback()


def test_a_submitted_skp_plan_waits_in_its_assessors_inbox_and_a_returned_one_in_the_employees(
    session, cast
):
    plan = fire(new_record(session, cast, "skp_plan"), "submit", cast.subject, via="api")
    waiting = [(i.workflow, i.record.id) for i in inbox(session, cast.supervisor)]
    assert ("skp_plan", plan.id) in waiting
    assert ("skp_plan", plan.id) not in keys(inbox(session, cast.subject))
    plan = fire(plan, "return", cast.supervisor, via="api", comment="Lengkapi target")
    assert ("skp_plan", plan.id) in keys(inbox(session, cast.subject))
    assert ("skp_plan", plan.id) not in keys(inbox(session, cast.supervisor))
