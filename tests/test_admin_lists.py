"""Back-office lists: sorted pages that hold still, and related rows loaded without a join."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from tests import backoffice as bo
from tests import factories
from tests.factories import new_record
from tests.sql import sent
from tests.workflow_paths import bring_to
from workflow.models import Appraisal

LIST = "/admin/admin_appraisals/"
YEAR, STATE = 3, 2  # the columns' places in AppraisalView.column_list, as the list's URL names them


def row_ids(response) -> list[int]:
    """The records a list page shows, in its order."""
    assert response.status_code == 200
    return [int(i) for i in re.findall(r'class="action-checkbox" value="(\d+)"', bo.text(response))]


def appraisals(session, cast, years: list[int]) -> list[Appraisal]:
    """Draft appraisals of the subject, one per year given (periods keep them apart)."""
    periods = iter(["annual", "Q1", "Q2", "Q3", "Q4", "M01", "M02", "M03", "M04", "M05"])
    return [
        new_record(session, cast, "appraisal", year=year, period=next(periods)) for year in years
    ]


def test_rows_tied_on_the_sorted_column_keep_one_order_from_page_to_page(client, session, cast):
    records = appraisals(session, cast, [2024, 2025, 2024, 2025, 2024, 2024, 2025])
    bo.log_in(client, session, cast.admin)

    pages = [
        row_ids(client.get(f"{LIST}?sort={YEAR}&desc=1&page_size=2&page={page}"))
        for page in range(4)
    ]

    shown = [record_id for page in pages for record_id in page]
    newest_first = sorted(records, key=lambda r: (r.year, r.id), reverse=True)
    assert shown == [r.id for r in newest_first]  # each record once, ties by id the same way
    ascending = row_ids(client.get(f"{LIST}?sort={YEAR}&page_size=20"))
    assert ascending == [r.id for r in sorted(records, key=lambda r: (r.year, r.id))]


def test_a_list_sorted_by_state_puts_the_longest_waiting_first_within_a_state(
    client, session, cast
):
    drafts = appraisals(session, cast, [2021, 2022])
    submitted = [bring_to(r, "submitted") for r in appraisals(session, cast, [2023, 2024, 2025])]
    since = datetime(2026, 3, 1, tzinfo=UTC)
    # Waiting times that run against the ids: the newest record has waited longest.
    for days, record in enumerate(reversed(submitted)):
        session.execute(
            update(Appraisal)
            .where(Appraisal.id == record.id)
            .values(state_changed_at=since + timedelta(days=days))
        )
    session.commit()
    bo.log_in(client, session, cast.admin)

    shown = row_ids(client.get(f"{LIST}?sort={STATE}&page_size=20"))

    assert shown[:2] == sorted(r.id for r in drafts)  # "draft" sorts before "submitted"
    assert shown[2:] == [r.id for r in reversed(submitted)]


def test_a_list_page_loads_related_rows_by_id_without_joining_the_sorted_query(
    client, session, cast
):
    appraisals(session, cast, [2024, 2025])
    bo.log_in(client, session, cast.admin)
    client.get(LIST)  # the first visit loads what every later one reuses

    with sent() as few:
        small = bo.text(client.get(f"{LIST}?sort={YEAR}&desc=1"))
    unit, supervisor = cast.subject_employee.unit, cast.supervisor.employee
    others = [factories.employee(session, unit, supervisor=supervisor) for _ in range(4)]
    session.commit()
    for other in others:
        new_record(session, cast, "appraisal", employee_id=other.id, year=2025)
    with sent() as many:
        large = bo.text(client.get(f"{LIST}?sort={YEAR}&desc=1"))

    assert len(many) == len(few)  # not a query per row
    page_query = [s.statement for s in many if "ORDER BY appraisals.year DESC" in s.statement]
    assert len(page_query) == 1 and " JOIN " not in page_query[0]
    assert cast.subject_employee.name in small
    assert all(other.name in large for other in others)
    assert cast.supervisor.employee.name in large  # the assessor column, loaded the same way
