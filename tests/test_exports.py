"""Back-office exports: whole files, no formulas, only the rows the user may see."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
from sqlalchemy import func, select

from tests import factories
from tests.backoffice import log_in, text
from workflow.models import DevelopmentBudget, Holiday

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ['=HYPERLINK("http://127.0.0.1:9/x","click")', "@SUM(1)", "+1", "-1", "\tx", "\rx"]


def _hostile_data(session, cast) -> None:
    """Text columns of every kind of row hold values a spreadsheet would run as formulas."""
    names = iter(HOSTILE * 10)
    for agency in (cast.agency, cast.other_agency):
        agency.name = next(names)
        agency.region = next(names)
    for user in cast.personas().values():
        user.name = next(names)
        if user.employee is not None:
            user.employee.name = next(names)
            user.employee.position = next(names)
            user.employee.unit.name = next(names)
    cast.program.name = next(names)
    cast.program.organiser = next(names)
    session.add(Holiday(day=date(2026, 8, 17), name=HOSTILE[0]))
    session.commit()
    for workflow in ("training_nomination", "mentoring_assignment", "appraisal"):
        factories.new_record(session, cast, workflow)


def _export_views(app) -> list:
    return [
        view
        for view in app.extensions["admin"][0]._views
        if getattr(view, "model", None) is not None and view.can_export
    ]


def _rows_in_table(session, view) -> int:
    return session.scalar(select(func.count()).select_from(view.model))


def _url(view, kind: str) -> str:
    return f"{view.url}/export/{kind}/"


def _unsafe(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def test_every_csv_export_is_whole_and_neutralises_formula_values(client, session, cast, app):
    _hostile_data(session, cast)
    log_in(client, session, cast.admin)
    cells = []
    for view in _export_views(app):
        response = client.get(_url(view, "csv"))
        assert response.status_code == 200, view.endpoint
        header, *rows = list(csv.reader(io.StringIO(text(response))))
        assert header == [str(label) for _, label in view._export_columns], view.endpoint
        assert len(rows) == _rows_in_table(session, view), f"{view.endpoint}: rows cut off"
        assert all(len(row) == len(header) for row in rows), view.endpoint
        unsafe = [cell for row in rows for cell in row if _unsafe(cell)]
        assert not unsafe, f"{view.endpoint} exports formulas: {unsafe}"
        cells += [cell for row in rows for cell in row]
    for value in HOSTILE:
        assert "'" + value in cells  # the values were there, and went out as text


def test_every_xlsx_export_opens_and_holds_no_formula(client, session, cast, app):
    _hostile_data(session, cast)
    log_in(client, session, cast.admin)
    cells = []
    for view in _export_views(app):
        response = client.get(_url(view, "xlsx"))
        assert response.status_code == 200, view.endpoint
        sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
        assert sheet.max_row - 1 == _rows_in_table(session, view), view.endpoint
        found = [cell for row in sheet.iter_rows() for cell in row]
        formulas = [c.value for c in found if c.data_type == "f" or _unsafe(c.value)]
        assert not formulas, f"{view.endpoint} exports formulas: {formulas}"
        cells += [c.value for c in found]
    for value in HOSTILE:
        assert "'" + value.replace("\r", "\n") in cells  # XML reads a CR as a line feed


def test_an_hr_officers_export_holds_only_their_agencys_rows(client, session, cast):
    log_in(client, session, cast.hr)
    ours = {
        str(budget.id)
        for budget in session.scalars(
            select(DevelopmentBudget).where(DevelopmentBudget.agency_id == cast.agency.id)
        )
    }
    assert session.scalar(select(func.count()).select_from(DevelopmentBudget)) > len(ours)

    _header, *rows = list(
        csv.reader(io.StringIO(text(client.get("/admin/developmentbudget/export/csv/"))))
    )
    assert {row[0] for row in rows} == ours

    response = client.get("/admin/developmentbudget/export/xlsx/")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    assert {str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)} == ours
