"""The dashboard: records per state and what has waited too long, nationally and per agency."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests import backoffice as bo
from tests.factories import new_record
from tests.sql import sent
from tests.workflow_paths import bring_to
from workflow import WORKFLOWS, progress
from workflow.db import db, utcnow
from workflow.models import Appraisal


def counts(page: str, workflow: str) -> dict[str, int]:
    """The counts of one workflow's card on the dashboard page (the table beside its chart)."""
    card = page.split(f'data-workflow="{workflow}"', 1)[1].split("</table>", 1)[0]
    return {
        state: int(n)
        for state, n in re.findall(r'data-state="(\w+)".*?class="count">(\d+)<', card, re.S)
    }


def overdue_ids(page: str) -> list[int]:
    table = page.split('id="overdue"', 1)[1].split("</table>", 1)[0]
    return [int(i) for i in re.findall(r"#(\d+)</a>", table)]


def waited(session, record, days: float):
    """Make ``record`` look as if it has been in its state for ``days``."""
    since = utcnow() - timedelta(days=days)
    session.execute(
        update(Appraisal).where(Appraisal.id == record.id).values(state_changed_at=since)
    )
    session.commit()


def test_state_counts_name_every_state_and_count_only_within_the_clause(session, cast):
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    bring_to(new_record(session, cast, "appraisal", year=2024), "submitted")
    new_record(session, cast, "appraisal", year=2023)
    wf = WORKFLOWS["appraisal"]

    everywhere = progress.state_counts(session, wf)
    elsewhere = progress.state_counts(session, wf, Appraisal.agency_id == cast.other_agency.id)

    assert list(everywhere) == [s.value for s in wf.states]
    assert everywhere["submitted"] == 2 and everywhere["draft"] == 1
    assert sum(everywhere.values()) == 3
    assert set(elsewhere.values()) == {0}


def test_overdue_merges_the_waiting_states_longest_waiting_first(session, cast):
    wf = WORKFLOWS["appraisal"]
    records = {}
    for year, state, days in [
        (2020, "submitted", 20),
        (2021, "reviewed", 30),
        (2022, "submitted", 40),
        (2023, "reviewed", 3),
        (2024, "draft", 90),
    ]:
        records[year] = bring_to(new_record(session, cast, "appraisal", year=year), state)
        waited(session, records[year], days)

    found = progress.overdue(session, wf, utcnow() - timedelta(days=14))
    assert [r.year for r in found] == [2022, 2021, 2020]  # not the recent one nor the draft
    assert [r.year for r in progress.overdue(session, wf, utcnow(), limit=2)] == [2022, 2021]
    outside = Appraisal.agency_id == cast.other_agency.id
    assert progress.overdue(session, wf, utcnow(), outside) == []


def test_the_overdue_list_on_the_dashboard_shows_what_waited_too_long(client, session, cast):
    late = bring_to(new_record(session, cast, "appraisal"), "submitted")
    recent = bring_to(new_record(session, cast, "appraisal", year=2024), "submitted")
    waited(session, late, 15)

    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/dashboard"))

    assert overdue_ids(page) == [late.id]
    assert recent.id not in overdue_ids(page)


def test_national_counts_are_kept_for_a_while_and_say_when_they_were_counted(
    app, client, session, cast
):
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    bo.log_in(client, session, cast.admin)

    first = bo.text(client.get("/admin/dashboard"))
    assert counts(first, "appraisal")["submitted"] == 1
    assert 'id="counted-at"' in first

    bring_to(new_record(session, cast, "appraisal", year=2024), "submitted")
    again = bo.text(client.get("/admin/dashboard"))
    assert counts(again, "appraisal")["submitted"] == 1  # the count kept, not the table read

    app.config["ADMIN_NATIONAL_COUNTS_SECONDS"] = 0
    try:
        fresh = bo.text(client.get("/admin/dashboard"))
    finally:
        app.config["ADMIN_NATIONAL_COUNTS_SECONDS"] = 60
    assert counts(fresh, "appraisal")["submitted"] == 2
    assert 'id="counted-at"' not in fresh


def test_an_hr_officers_counts_are_their_agencys_and_always_fresh(client, session, cast):
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    bo.log_in(client, session, cast.hr)
    assert counts(bo.text(client.get("/admin/dashboard")), "appraisal")["submitted"] == 1

    bring_to(new_record(session, cast, "appraisal", year=2024), "submitted")
    page = bo.text(client.get("/admin/dashboard"))
    assert counts(page, "appraisal")["submitted"] == 2
    assert 'id="counted-at"' not in page

    client.post("/logout", data={"csrf_token": bo.logout_token(page)})
    bo.log_in(client, session, cast.hr_other)
    assert counts(bo.text(client.get("/admin/dashboard")), "appraisal")["submitted"] == 0


@pytest.mark.parametrize("seconds", [0, -5])
def test_a_recount_span_of_zero_or_less_counts_on_every_visit(app, client, session, cast, seconds):
    app.config["ADMIN_NATIONAL_COUNTS_SECONDS"] = seconds
    try:
        bo.log_in(client, session, cast.admin)
        assert counts(bo.text(client.get("/admin/dashboard")), "appraisal")["submitted"] == 0
        bring_to(new_record(session, cast, "appraisal"), "submitted")
        assert counts(bo.text(client.get("/admin/dashboard")), "appraisal")["submitted"] == 1
    finally:
        app.config["ADMIN_NATIONAL_COUNTS_SECONDS"] = 60


def test_the_overdue_query_reads_a_short_index_range_per_waiting_state(session, cast):
    with sent() as statements:
        progress.overdue(session, WORKFLOWS["appraisal"], utcnow())
    [(statement, parameters)] = [s for s in statements if "UNION ALL" in s.statement]
    session.rollback()
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = conn.exec_driver_sql("EXPLAIN " + statement, parameters).scalars().all()
            scans = [
                i for i, line in enumerate(plan) if "Scan using ix_appraisals_state_since" in line
            ]
            # each scan stops after a few entries, rather than feeding a sort of all waiting
            assert len(scans) == 2 and all("Limit" in plan[i - 1] for i in scans), plan
        else:
            plan = [
                row[3]
                for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            ]
            ranges = [
                step for step in plan if "INDEX ix_appraisals_state_since (state=? AND" in step
            ]
            assert len(ranges) == 2, plan


def test_the_dashboard_says_when_nothing_is_overdue_and_leads_hr_to_the_jp_report(
    client, session, cast
):
    from tests import backoffice as bo

    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/", follow_redirects=True))
    assert 'id="overdue-empty"' in page and "Tidak ada yang menunggu selama itu." in page
    assert 'id="jp-report-link"' in page
    assert "setelah pencatatan JP" not in page  # no promise of what exists already
    bo.log_out(client)
    bo.log_in(client, session, cast.supervisor)
    dashboard = bo.text(client.get("/admin/dashboard"))
    assert 'id="overdue"' in dashboard
    assert 'id="jp-report-link"' not in dashboard  # a report the role may not open
