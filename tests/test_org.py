"""The organisation tree keeps its shape in the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from tests import factories
from workflow.models import Employee, Unit


def test_an_employee_belongs_to_the_agency_of_their_unit(session, cast):
    unit = factories.unit(session, cast.agency)
    session.commit()
    stray = Employee(
        nip="198701012012011001", name="Salah Instansi", status="PNS", rank="III/b",
        position="Analis", agency_id=cast.other_agency.id, unit_id=unit.id,
    )  # fmt: skip
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
