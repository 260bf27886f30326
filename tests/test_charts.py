"""The dashboard's charts: drawn on the server as SVG, each with a table of its numbers."""

from __future__ import annotations

import html
import itertools
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from admin import charts
from tests import backoffice as bo
from tests import factories
from tests.factories import new_record
from tests.sql import sent
from tests.test_browser import _serious_violations, log_in
from tests.workflow_paths import bring_to
from workflow import WORKFLOWS, create, jp, progress
from workflow.db import utcnow
from workflow.distribution import set_rating
from workflow.models import Appraisal, Employee, Unit

_ledger = itertools.count(1)


# -- reading a page -------------------------------------------------------------------------


def rows(page: str, table_id: str) -> list[list[str]]:
    """The cells of a table's body rows, as plain text."""
    return cells(page.split(f'id="{table_id}"', 1)[1])


def state_rows(page: str, workflow: str) -> dict[str, int]:
    """A workflow's records per state, as the table beside its chart says them."""
    return {label: int(n) for label, n in cells(page.split(f'data-workflow="{workflow}"', 1)[1])}


def cells(fragment: str) -> list[list[str]]:
    """The cells of the body rows of the first table in ``fragment``, as plain text."""
    body = fragment.split("</table>", 1)[0].split("<tbody>", 1)[1]
    found = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        found.append([" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return found


def section(page: str, section_id: str) -> str:
    return page.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]


# -- seeding -------------------------------------------------------------------------------


def approved(session, cast, *predicates: str, year: int) -> None:
    """Approved appraisals with these predikat, each of a new employee of the subject's team."""
    team = session.get(Unit, cast.subject_employee.unit_id)
    boss = session.get(Employee, cast.supervisor.employee_id)
    for predicate in predicates:
        person = factories.employee(session, team, supervisor=boss)
        session.commit()
        record = create(
            session, "appraisal", None, {"employee_id": person.id, "year": year}, via="system"
        )
        # The charts read the state and the predikat only: set as an approval leaves them.
        session.execute(
            update(Appraisal)
            .where(Appraisal.id == record.id)
            .values(state="approved", predicate=predicate)
        )
        session.commit()


def credit(session, employee_id: int, points: int, year: int) -> None:
    jp.credit(
        session,
        employee_id=employee_id,
        year=year,
        jp=points,
        source="manual",
        source_id=next(_ledger),
    )
    session.commit()


def waited(session, record, days: float) -> None:
    """Make ``record`` look as if it has been in its state for ``days``."""
    model = type(record)
    session.execute(
        update(model)
        .where(model.id == record.id)
        .values(state_changed_at=utcnow() - timedelta(days=days))
    )
    session.commit()


def named_units(session, cast) -> tuple[Unit, Unit]:
    """The cast's two units (both "Unit Kerja" in the factory), named apart."""
    root = session.get(Unit, session.get(Employee, cast.hr.employee_id).unit_id)
    team = session.get(Unit, cast.subject_employee.unit_id)
    root.name, team.name = "Sekretariat", "Bidang Pengembangan SDM"
    session.commit()
    return root, team


# -- the drawing ---------------------------------------------------------------------------


def test_a_bar_chart_is_a_named_image_that_scales_to_the_width_of_its_box():
    svg = charts.bar_chart([charts.Bar("diajukan", 3, "3")], title="Penilaian kinerja")

    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and 'aria-label="Penilaian kinerja"' in svg
    assert "<title>Penilaian kinerja</title>" in svg
    assert re.search(r'viewBox="0 0 400 \d+"', svg)
    assert "width:100%" in svg and "height:auto" in svg
    assert not re.search(r'<svg[^>]* width="\d', svg)  # no fixed width wider than a phone


def test_bars_are_as_long_as_their_value_on_the_scale_and_say_their_value():
    bars = [charts.Bar("a", 10, "10"), charts.Bar("b", 5, "5"), charts.Bar("c", 0, "0")]
    svg = charts.bar_chart(bars, title="t")
    widths = [float(w) for w in re.findall(r'<rect x="0" y="\d+" width="([\d.]+)"', svg)]
    assert widths == [charts.WIDTH - charts.VALUE_ROOM, (charts.WIDTH - charts.VALUE_ROOM) / 2]
    assert [t for t in re.findall(r">(\d+)</text>", svg)] == ["10", "5", "0"]  # zero said too

    halves = charts.bar_chart([charts.Bar("a", 0.25, "25 %")], title="t", scale=1.0)
    assert f'width="{(charts.WIDTH - charts.VALUE_ROOM) / 4}"' in halves


def test_a_value_too_long_for_the_room_after_its_bar_is_written_inside_it_in_white():
    fits = charts.bar_chart([charts.Bar("a", 1.0, "100.0 % (9/9)")], title="t", scale=1.0)
    assert 'fill="#212529">100.0 % (9/9)</text>' in fits
    crowded = charts.bar_chart(
        [charts.Bar("a", 1.0, "100.0 % (123456/123456)")], title="t", scale=1.0
    )
    assert 'fill="#fff" text-anchor="end">100.0 % (123456/123456)</text>' in crowded


def test_labels_are_escaped_and_a_long_one_is_shortened_but_kept_whole_in_its_title():
    long = "Bidang Pengembangan Sumber Daya Manusia Aparatur dan Kesejahteraan Pegawai"
    svg = charts.bar_chart(
        [charts.Bar("<script>alert(1)</script>", 1, "1"), charts.Bar(long, 2, "2")], title="<b>"
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'aria-label="&lt;b&gt;"' in svg
    assert f"<title>{long}: 2</title>" in svg
    assert long[: charts.LABEL_CHARS - 1] + "…</text>" in svg


def test_a_guidance_range_is_drawn_under_its_bar_and_named_in_the_legend():
    bars = [charts.Bar("Baik", 0.5, "50 %", band=(0.0, 0.7)), charts.Bar("Kurang", 0.1, "10 %")]
    svg = charts.bar_chart(bars, title="t", scale=1.0, legend=("Porsi saat ini", "Rentang"))
    assert svg.count("<path") == 1  # only the bar with a range has one
    assert ">Porsi saat ini</text>" in svg and ">Rentang</text>" in svg
    assert charts.GREEN in svg and charts.BLUE in svg


# -- the counts behind the charts ----------------------------------------------------------


def test_overdue_counts_count_each_waiting_state_once_within_the_clause(session, cast):
    wf = WORKFLOWS["appraisal"]
    for year, state, days in [
        (2020, "submitted", 20),
        (2021, "reviewed", 30),
        (2022, "submitted", 2),
    ]:
        waited(session, bring_to(new_record(session, cast, "appraisal", year=year), state), days)
    waited(
        session, new_record(session, cast, "appraisal", year=2023), 90
    )  # a draft waits on nobody

    cutoff = utcnow() - timedelta(days=14)
    assert progress.overdue_counts(session, wf, cutoff) == {"submitted": 1, "reviewed": 1}
    outside = Appraisal.agency_id == cast.other_agency.id
    assert progress.overdue_counts(session, wf, cutoff, outside) == {"submitted": 0, "reviewed": 0}


def test_jp_coverage_counts_each_unit_in_one_grouped_query(session, cast):
    year = utcnow().year
    _root, team = named_units(session, cast)
    credit(session, cast.subject_employee.id, 24, year)
    credit(session, cast.colleague.employee_id, 12, year)
    credit(session, cast.colleague.employee_id, 8, year)  # 20 together: the right, reached
    credit(session, cast.mentor.employee_id, 19, year)  # one short
    credit(session, cast.supervisor.employee_id, 40, year - 1)  # another year's

    agency_id = cast.agency.id
    session.commit()  # what the test read is not read again inside the count
    with sent() as statements:
        found = jp.coverage(session, year=year, agency_id=agency_id)

    selects = [s.statement for s in statements if s.is_select]
    assert len(selects) == 1 and "GROUP BY" in selects[0]
    by_unit = {u.unit: (u.employees, u.covered) for u in found}
    assert by_unit == {"Sekretariat": (3, 0), "Bidang Pengembangan SDM": (4, 2)}
    assert [u.share for u in found if u.unit_id == team.id] == [0.5]
    assert jp.coverage(session, year=year, agency_id=factories.agency(session).id) == []


# -- the dashboard -------------------------------------------------------------------------


def test_hr_sees_their_agencys_charts_each_with_a_table_of_its_numbers(client, session, cast):
    year = utcnow().year
    named_units(session, cast)
    approved(session, cast, "Sangat Baik", "Baik", "Baik", "Butuh Perbaikan", year=year)
    set_rating(session, None, agency_id=cast.agency.id, year=year, period="annual", rating="Baik")
    credit(session, cast.subject_employee.id, 24, year)
    late = bring_to(new_record(session, cast, "appraisal"), "submitted")
    waited(session, late, 20)
    nomination = bring_to(new_record(session, cast, "training_nomination"), "reviewed")
    waited(session, nomination, 30)

    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/dashboard"))

    # 1. records per state, one chart per workflow: each drawn, its table the same numbers
    appraisal_card = page.split('data-workflow="appraisal"', 1)[1].split("</table>", 1)[0]
    assert 'role="img"' in appraisal_card
    assert ">diajukan</text>" in appraisal_card  # the states by their Indonesian labels
    states = state_rows(page, "appraisal")
    assert states["diajukan"] == 1 and states["disetujui"] == 4 and states["draf"] == 0

    # 2. the predikat against the guidance for the agency's rating (Baik)
    predikat = section(page, "predicate-chart")
    assert 'role="img"' in predikat and "Rentang pola distribusi" in predikat
    table = {r[0]: r[1:] for r in rows(predikat, "predicate-table")}
    assert table["Sangat Baik"][:2] == ["1", "25.0 %"]
    assert table["Baik"] == ["2", "50.0 %", "kelompok terbesar, paling banyak 70 % terpenuhi"]
    assert table["Kurang/Misconduct"][:2] == ["0", "0.0 %"]
    assert table["Butuh Perbaikan + Kurang/Misconduct"] == [
        "1",
        "25.0 %",
        "paling sedikit satu pegawai terpenuhi",
    ]
    assert "4 penilaian disetujui" in predikat

    # 3. JP coverage by unit, the lowest share first, and the agency's total
    coverage = section(page, "coverage-chart")
    assert 'role="img"' in coverage
    assert rows(coverage, "coverage-table") == [
        ["Sekretariat", "3", "0", "0.0 %"],
        ["Bidang Pengembangan SDM", "8", "1", "12.5 %"],  # four appraised ones joined it
        ["Jumlah", "11", "1", "9.1 %"],
    ]

    # 4. overdue records by workflow and step
    assert 'role="img"' in page.split('id="overdue-steps"', 1)[1].split("</table>", 1)[0]
    steps = {r[0]: r[1] for r in rows(page, "overdue-by-step")}
    assert steps["Penilaian kinerja: diajukan"] == "1"
    assert steps["Usulan pelatihan: diperiksa"] == "1"
    assert steps["Penilaian kinerja: diperiksa"] == "0"
    assert steps["Jumlah"] == "2"


def test_an_agency_with_nothing_yet_says_so_instead_of_drawing(client, session, cast):
    empty = factories.agency(session)
    session.commit()
    bo.log_in(client, session, cast.admin)
    page = bo.text(client.get(f"/admin/dashboard?agency={empty.id}"))

    assert page.count('data-empty="states"') == len(WORKFLOWS)  # nobody has any record
    assert "Belum ada data." in page
    assert 'id="predicate-chart-empty"' in page
    assert "Belum ada penilaian kinerja dengan predikat." in page
    assert 'id="coverage-chart-empty"' in page and "Belum ada pegawai di instansi ini." in page
    assert 'id="overdue-steps"' not in page and 'id="overdue-empty"' in page
    assert 'role="img"' not in page  # nothing is drawn


def test_without_a_rating_the_predikat_are_drawn_without_the_guidance(client, session, cast):
    approved(session, cast, "Baik", year=utcnow().year)
    bo.log_in(client, session, cast.hr)
    predikat = section(bo.text(client.get("/admin/dashboard")), "predicate-chart")

    assert 'id="chart-rating-missing"' in predikat
    assert 'role="img"' in predikat and "<path" not in predikat  # bars, no ranges
    assert {r[0]: r[1:] for r in rows(predikat, "predicate-table")}["Baik"] == [
        "1",
        "100.0 %",
        "—",
    ]


def test_an_admin_sees_national_counts_and_chooses_the_agency_and_period(client, session, cast):
    approved(session, cast, "Baik", "Baik", year=2024)
    waited(session, bring_to(new_record(session, cast, "appraisal"), "submitted"), 20)
    bo.log_in(client, session, cast.admin)

    first = bo.text(client.get("/admin/dashboard"))
    assert 'id="counted-at"' in first  # national counts, kept a while
    assert {r[0]: r[1] for r in rows(first, "overdue-by-step")}["Jumlah"] == "1"  # kept too
    assert '<select name="agency"' in first
    assert 'id="predicate-chart-empty"' in first  # this year: nothing approved yet

    then = bo.text(client.get(f"/admin/dashboard?agency={cast.agency.id}&year=2024&period=annual"))
    assert cast.agency.name + ", 2024" in then
    assert {r[0]: r[1] for r in rows(section(then, "predicate-chart"), "predicate-table")}[
        "Baik"
    ] == "2"
    other = bo.text(client.get(f"/admin/dashboard?agency={cast.other_agency.id}&year=2024"))
    assert 'id="predicate-chart-empty"' in other
    assert rows(section(other, "coverage-chart"), "coverage-table")[-1][:3] == ["Jumlah", "1", "0"]

    odd = bo.text(client.get("/admin/dashboard?year=99999&period=Q9%0A&agency=x"))
    assert f'value="{utcnow().year}"' in odd and 'value="annual"' in odd  # read as the defaults


def test_a_supervisor_sees_no_agency_charts_and_english_is_one_click_away(client, session, cast):
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get("/admin/dashboard"))
    assert 'id="predicate-chart"' not in page and 'id="coverage-chart"' not in page
    assert "Jumlah data per status" in page

    client.get("/lang/en")
    assert "Performance appraisal: records per state" in bo.text(client.get("/admin/dashboard"))


# -- in a browser --------------------------------------------------------------------------


@pytest.fixture
def tabs(browser, request):
    """``tabs(width, height)``: a new logged-out tab of that size; each saved on a failure."""
    made = []

    def make(width: int, height: int, **device):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="id-ID", **device
        )
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        made.append((context, tab))
        return tab

    yield make
    report = getattr(request.node, "rep_call", None)
    for i, (context, tab) in enumerate(made):
        if report is not None and report.failed:
            out = Path(__file__).resolve().parent.parent / "test-output"
            out.mkdir(exist_ok=True)
            tab.screenshot(path=str(out / f"{request.node.name}-{i}.png"), full_page=True)
        context.close()


def test_the_dashboard_charts_present_with_their_tables_on_a_desk_and_on_a_phone(
    tabs, live_server, session, cast
):
    year = utcnow().year
    named_units(session, cast)
    approved(session, cast, "Sangat Baik", "Baik", "Baik", "Butuh Perbaikan", year=year)
    set_rating(session, None, agency_id=cast.agency.id, year=year, period="annual", rating="Baik")
    credit(session, cast.subject_employee.id, 24, year)
    waited(session, bring_to(new_record(session, cast, "appraisal"), "submitted"), 20)
    shots = os.environ.get("ALUR_SCREENSHOTS")

    desk = tabs(1280, 900)
    log_in(desk, live_server, session, cast.hr)
    desk.goto(f"{live_server.url}/admin/dashboard")
    images = desk.locator("svg.chart[role=img]")
    assert images.count() == 4  # the appraisals per state, the overdue, predikat and JP
    for i in range(images.count()):
        box = images.nth(i).bounding_box()
        assert box["width"] > 200 and box["height"] > 30, i  # really drawn
        assert images.nth(i).get_attribute("aria-label")
    for table in ("predicate-table", "coverage-table", "overdue-by-step"):
        assert desk.locator(f"#{table}").is_visible()
        assert desk.locator(f"#{table} caption").inner_text().strip()
    assert desk.locator("[data-workflow=appraisal] table caption").is_visible()
    assert _serious_violations(desk) == []
    if shots:  # for a person to look at
        desk.screenshot(path=f"{shots}/dashboard-desktop.png", full_page=True)
    desk.emulate_media(media="print")  # on paper: the charts and tables, not the choosers
    assert not desk.locator("#dashboard-filter").is_visible()
    assert images.first.is_visible() and desk.locator("#coverage-table").is_visible()
    desk.emulate_media(media="screen")

    phone = tabs(390, 844, has_touch=True, is_mobile=True)
    log_in(phone, live_server, session, cast.hr)
    phone.goto(f"{live_server.url}/admin/dashboard")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the dashboard is {width} px wide on a 390 px screen"
    for i in range(phone.locator("svg.chart").count()):
        assert phone.locator("svg.chart").nth(i).bounding_box()["width"] <= 390
    if shots:
        phone.screenshot(path=f"{shots}/dashboard-phone.png", full_page=True)
