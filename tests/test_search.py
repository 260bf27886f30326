"""Finding a person among millions: by the start of a NIP or by words of the name, on indexes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import backoffice as bo
from tests import factories
from tests.sql import sent
from workflow.db import db
from workflow.models import Employee
from workflow.reference import employee_search


@pytest.fixture
def people(session, cast):
    team = factories.unit(session, cast.agency)
    names = ("Siti Aminah", "Siti Rahmawati", "Budi Santoso", "Ani_Wati", "AniXWati", "Ma'ruf Amin")
    named = {name: factories.employee(session, team, name=name) for name in names}
    session.commit()
    return named


def found(session, search: str) -> set[str]:
    return set(session.scalars(select(Employee.name).where(employee_search(search))))


def spaced(nip: str) -> str:
    """A NIP as it is often written: birth date, TMT, gender and sequence apart."""
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def test_every_word_must_occur_in_the_name_in_any_case(session, people):
    assert found(session, "siti") == {"Siti Aminah", "Siti Rahmawati"}
    assert found(session, "SITI  ami") == {"Siti Aminah"}
    assert found(session, "aminah budi") == set()


def test_wildcards_quotes_and_backslashes_typed_in_a_search_are_taken_literally(session, people):
    assert found(session, "i_W") == {"Ani_Wati"}
    assert found(session, "%") == set()
    assert found(session, "ma'ruf") == {"Ma'ruf Amin"}
    assert found(session, "x' OR '1'='1") == set()
    assert found(session, "\\") == set() and found(session, "\\%") == set()


def test_digits_are_the_start_of_a_nip_written_with_or_without_spaces(session, people):
    nip = people["Budi Santoso"].nip
    assert found(session, nip) == {"Budi Santoso"}
    assert found(session, spaced(nip)) == {"Budi Santoso"}
    same_birth_date = {e.name for e in people.values() if e.nip.startswith(nip[:8])}
    assert found(session, nip[:8]) == same_birth_date
    assert found(session, nip[1:]) == set()  # the middle of a NIP is not its start
    assert found(session, nip + "1") == set()  # more digits than any NIP has


def test_an_empty_search_names_everyone(session, people, cast):
    assert len(found(session, "  ")) == session.query(Employee).count()


def test_the_employee_list_searches_nip_and_name(client, session, cast, people):
    bo.log_in(client, session, cast.admin)
    page = bo.text(client.get("/admin/employee/", query_string={"search": "siti ami"}))
    assert "Siti Aminah" in page and "Siti Rahmawati" not in page
    nip = people["Budi Santoso"].nip
    page = bo.text(client.get("/admin/employee/", query_string={"search": spaced(nip)}))
    assert "Budi Santoso" in page and "Siti Aminah" not in page


def test_a_form_looks_an_employee_up_by_name_or_nip_within_the_agency(
    client, session, cast, people
):
    away = factories.employee(session, factories.unit(session, cast.other_agency), name="Siti Jauh")
    session.commit()
    lookup = "/admin/admin_training_nominations/ajax/lookup/"

    def names(user, query) -> set[str]:
        bo.log_in(client, session, user)
        answer = client.get(lookup, query_string={"name": "employee", "query": query})
        bo.log_out(client)
        assert answer.status_code == 200
        return {label.split(" (")[0] for _id, label in answer.get_json()}  # "Name (NIP)"

    assert names(cast.hr, "siti") == {"Siti Aminah", "Siti Rahmawati"}  # not the other agency's
    assert names(cast.admin, "siti") == {"Siti Aminah", "Siti Rahmawati", "Siti Jauh"}
    assert names(cast.admin, spaced(away.nip)) == {"Siti Jauh"}
    assert names(cast.hr, away.nip) == set()


def test_searches_of_the_back_office_use_indexes_not_table_scans(client, session, cast, people):
    bo.log_in(client, session, cast.admin)
    nip = people["Budi Santoso"].nip
    with sent() as statements:
        for search in ("siti ami", nip[:10]):
            client.get("/admin/employee/", query_string={"search": search})
            client.get(
                "/admin/admin_appraisals/ajax/lookup/",
                query_string={"name": "employee", "query": search},
            )
    captured = [
        s
        for s in statements
        if "FROM employees" in s.statement and ("LIKE" in s.statement or "BETWEEN" in s.statement)
    ]
    assert len(captured) == 4
    session.rollback()
    with db.engine.connect() as conn:
        for statement, parameters in captured:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET enable_seqscan = off")  # only a missing index scans
                plan = conn.exec_driver_sql("EXPLAIN " + statement, parameters).scalars().all()
                assert not any("Seq Scan on employees" in line for line in plan), plan
                index = "ix_employees_name_trgm" if "LIKE" in statement else "uq_employees_nip"
                assert any(index in line for line in plan), plan
            elif "BETWEEN" in statement:  # SQLite has no trigram index: names are scanned
                plan = [
                    row[3]
                    for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                ]
                assert any(
                    step.startswith("SEARCH employees USING INDEX") and "nip>" in step
                    for step in plan
                ), plan
