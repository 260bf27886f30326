"""The organisation tree keeps its shape in the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from tests import factories
from workflow import policy
from workflow.db import db
from workflow.models import Employee, RoleName, Unit


def test_an_employee_belongs_to_the_agency_of_their_unit(session, cast):
    unit = factories.unit(session, cast.agency)
    session.commit()
    stray = Employee(
        nip="198701012012011001",
        name="Salah Instansi",
        status="PNS",
        rank="III/b",
        position="Analis",
        agency_id=cast.other_agency.id,
        unit_id=unit.id,
    )
    session.add(stray)
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_a_unit_hangs_under_a_unit_of_the_same_agency(session, cast):
    parent = factories.unit(session, cast.agency)
    session.commit()
    session.add(Unit(agency_id=cast.other_agency.id, parent_id=parent.id, code="X", name="X"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_seniority_comes_from_rank_then_service(session, cast):
    mentor, subject = cast.mentor.employee, cast.subject_employee
    assert (mentor.rank_level, subject.rank_level) == (11, 9)  # III/c above III/a
    assert mentor.tmt < subject.tmt


def test_login_page_is_served(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"password" in response.data.lower()


def _staff(session, agency, count: int, first: int) -> None:
    unit = factories.unit(session, agency)
    session.execute(
        insert(Employee),
        [
            {
                "nip": f"{first + n:018d}",
                "name": f"Pegawai {first + n}",
                "status": "PNS",
                "rank": "III/a",
                "position": "Analis",
                "agency_id": agency.id,
                "unit_id": unit.id,
            }
            for n in range(count)
        ],
    )


def _read_nodes(node):
    if "Relation Name" in node:
        yield node
    for child in node.get("Plans", []):
        yield from _read_nodes(child)


def test_an_hr_officers_list_of_staff_is_one_range_of_their_agency(session, cast):
    # Staff are imported agency by agency, so an agency's ids are one stretch. Listing
    # the last agency's staff in id order must not walk everyone before them.
    for n in range(20):
        _staff(session, factories.agency(session), 1000, first=n * 1000)
    last = factories.agency(session)
    _staff(session, last, 1000, first=20_000)
    session.flush()
    officer = factories.employee(session, factories.unit(session, last), rank="III/c")
    hr = factories.user(session, RoleName.EMPLOYEE, RoleName.HR_OFFICER, employee=officer)
    session.commit()

    page = select(Employee.id).where(policy.scope(hr, Employee))
    page = page.order_by(Employee.id).limit(51)
    with db.engine.connect() as conn:
        statement = page.compile(conn, compile_kwargs={"literal_binds": True})
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE employees")
            plan = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}").scalar()
            read = list(_read_nodes(plan[0]["Plan"]))
            assert [(n["Index Name"], n["Index Cond"]) for n in read] == [
                ("ix_employees_agency_page", f"(agency_id = {last.id})")
            ], plan
        else:
            conn.exec_driver_sql("ANALYZE")
            plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}")]
            assert plan == [
                "SEARCH employees USING COVERING INDEX ix_employees_agency_page (agency_id=?)"
            ], plan
    assert len(session.scalars(page).all()) == 51
