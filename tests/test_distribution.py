"""The distribution of predicates against the organisation's rating (PermenPANRB 6/2022)
and behaviour feedback that names the BerAKHLAK values (SE MenPANRB 20/2021)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import backoffice as bo
from tests.factories import new_record
from tests.workflow_paths import bring_to
from workflow import Forbidden, InvalidPayload, fire
from workflow.distribution import GUIDANCE, Share, check, report, set_rating
from workflow.models import Appraisal, OrganisationPredicate, OrganisationRating
from workflow.predicate import Predicate

ORDER = [p.value for p in Predicate]  # Sangat Baik, Baik, Butuh Perbaikan, Kurang, Sangat Kurang


def shares(*counts: int) -> list[Share]:
    total = sum(counts)
    return [Share(p, n, n / total if total else 0.0) for p, n in zip(ORDER, counts, strict=True)]


def verdicts(rating: str, *counts: int) -> list[bool | None]:
    return [f.met for f in check(shares(*counts), rating)]


# -- the guidance, rating by rating ------------------------------------------------------


def test_guidance_covers_every_organisation_rating():
    assert set(GUIDANCE["permenpanrb-6-2022"]) == set(OrganisationPredicate)


def test_istimewa_expects_mostly_sangat_baik_but_at_most_70_percent():
    assert verdicts("Istimewa", 60, 30, 10, 0, 0) == [True]
    assert verdicts("Istimewa", 70, 30, 0, 0, 0) == [True]  # the bound itself is allowed
    assert verdicts("Istimewa", 71, 29, 0, 0, 0) == [False]  # over 70 %
    assert verdicts("Istimewa", 30, 60, 10, 0, 0) == [False]  # not the largest group


def test_baik_expects_mostly_baik_and_someone_to_improve():
    assert verdicts("Baik", 10, 70, 15, 5, 0) == [True, True]
    assert verdicts("Baik", 20, 80, 0, 0, 0) == [False, False]  # over 70 %, nobody to improve
    assert verdicts("Baik", 30, 65, 0, 0, 5) == [True, False]  # Sangat Kurang does not count
    assert verdicts("Baik", 0, 60, 0, 1, 39) == [True, True]


def test_butuh_perbaikan_expects_60_percent_needing_improvement_and_few_sangat_baik():
    assert verdicts("Butuh Perbaikan", 10, 30, 60, 0, 0) == [True, True]
    assert verdicts("Butuh Perbaikan", 11, 29, 60, 0, 0) == [True, False]
    assert verdicts("Butuh Perbaikan", 0, 41, 59, 0, 0) == [False, True]


def test_kurang_expects_60_percent_kurang_10_percent_to_improve_few_sangat_baik():
    assert verdicts("Kurang", 10, 10, 10, 60, 10) == [True, True, True]
    assert verdicts("Kurang", 0, 31, 9, 60, 0) == [True, False, True]


def test_sangat_kurang_expects_60_percent_sangat_kurang_and_no_sangat_baik():
    assert verdicts("Sangat Kurang", 0, 30, 5, 5, 60) == [True, True, True]
    assert verdicts("Sangat Kurang", 1, 29, 5, 5, 60) == [True, True, False]  # one is too many
    assert verdicts("Sangat Kurang", 0, 35, 0, 5, 60) == [True, False, True]


def test_nothing_is_judged_without_approved_appraisals():
    assert verdicts("Baik", 0, 0, 0, 0, 0) == [None, None]


# -- recording the rating, and the report -------------------------------------------------


def _approved(session, cast, predicate, period):
    ratings = {
        "Sangat Baik": ("di_atas_ekspektasi", "di_atas_ekspektasi"),
        "Baik": ("sesuai_ekspektasi", "sesuai_ekspektasi"),
        "Butuh Perbaikan": ("di_bawah_ekspektasi", "sesuai_ekspektasi"),
    }[predicate]
    record = bring_to(new_record(session, cast, "appraisal", period=period), "submitted")
    payload = {
        "work_result_rating": ratings[0],
        "behaviour_rating": ratings[1],
        "feedback": "Catatan",
        "behaviour_feedback": {"adaptif": "Catatan"},
    }
    record = fire(record, "review", cast.supervisor, via="api", payload=payload)
    return fire(record, "approve", cast.manager, via="api")


def test_the_report_sets_the_shares_beside_the_rating_recorded_for_the_period(session, cast):
    _approved(session, cast, "Sangat Baik", "Q1")
    before = report(session, agency_id=cast.agency.id, year=2025, period="Q1")
    assert (before.total, before.rating, before.findings) == (1, None, [])
    assert before.meets_guidance is None

    set_rating(session, cast.hr, agency_id=cast.agency.id, year=2025, period="Q1", rating="Baik")
    after = report(session, agency_id=cast.agency.id, year=2025, period="Q1")
    assert (after.rating, after.guidance) == ("Baik", "permenpanrb-6-2022")
    assert [f.met for f in after.findings] == [False, False]  # all Sangat Baik: not as guided
    assert after.meets_guidance is False

    # Setting it again replaces it (one rating per agency and period).
    set_rating(
        session,
        cast.admin,
        agency_id=cast.agency.id,
        year=2025,
        period="Q1",
        rating="Istimewa",
        note="Keputusan Kepala 12/2026",
    )
    final = report(session, agency_id=cast.agency.id, year=2025, period="Q1")
    assert final.rating == "Istimewa" and final.meets_guidance is False  # 100 % > 70 %
    rows = session.scalars(select(OrganisationRating)).all()
    assert [(r.rating, r.note, r.set_by_id) for r in rows] == [
        ("Istimewa", "Keputusan Kepala 12/2026", cast.admin.id)
    ]


def test_only_the_agencys_hr_or_an_admin_rates_it_and_bad_values_are_refused(session, cast):
    with pytest.raises(Forbidden):
        set_rating(
            session,
            cast.hr_other,
            agency_id=cast.agency.id,
            year=2025,
            period="annual",
            rating="Baik",
        )
    with pytest.raises(Forbidden):
        set_rating(
            session,
            cast.supervisor,
            agency_id=cast.agency.id,
            year=2025,
            period="annual",
            rating="Baik",
        )
    with pytest.raises(InvalidPayload) as invalid:
        set_rating(
            session, cast.hr, agency_id=cast.agency.id, year=1999, period="Q5", rating="Bagus"
        )
    assert set(invalid.value.errors) == {"rating", "period", "year"}
    assert session.scalars(select(OrganisationRating)).all() == []


def test_the_cli_rates_and_reports_with_the_guidance(session, cast, cli):
    _approved(session, cast, "Butuh Perbaikan", "annual")
    code = cast.agency.code
    result = cli("predicates", "report", "--agency", code, "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "Butuh Perbaikan" in result.output and "100.0%" in result.output
    assert "not recorded" in result.output

    result = cli(
        "predicates",
        "rate",
        "--agency",
        code,
        "--year",
        "2025",
        "Butuh Perbaikan",
        "--note",
        "SK 7/2026",
    )
    assert result.exit_code == 0, result.output
    result = cli("predicates", "report", "--agency", code, "--year", "2025")
    assert "organisation rating: Butuh Perbaikan" in result.output
    assert "[    met] Butuh Perbaikan: at least 60% (now 100.0%)" in result.output

    bad = cli("predicates", "rate", "--agency", code, "--year", "2025", "Bagus")
    assert bad.exit_code == 2 and "Bagus" in bad.output
    bad = cli("predicates", "rate", "--agency", code, "--year", "2025", "--period", "Q9", "Baik")
    assert bad.exit_code == 2 and "Q1..Q4" in bad.output
    bad = cli("predicates", "report", "--agency", "NOPE", "--year", "2025")
    assert bad.exit_code == 2 and "no agency" in bad.output


def test_the_api_reports_and_records_the_rating(session, client, cast, bearer):
    _approved(session, cast, "Baik", "annual")
    hr = bearer(cast.hr)
    query = f"/api/v1/predicate-distribution?agency_id={cast.agency.id}&year=2025"
    body = client.get(query, headers=hr).get_json()
    assert body["total"] == 1 and body["organisation_rating"] is None
    assert body["shares"][1] == {"predicate": "Baik", "count": 1, "share": 1.0}

    url = f"/api/v1/organisation-ratings/{cast.agency.id}/2025/annual"
    assert client.get(url, headers=hr).status_code == 404
    saved = client.put(url, json={"rating": "Baik", "note": "SK 1/2026"}, headers=hr)
    assert saved.status_code == 200 and saved.get_json()["set_by_id"] == cast.hr.id
    assert client.get(url, headers=hr).get_json()["rating"] == "Baik"

    body = client.get(query, headers=hr).get_json()
    assert (body["organisation_rating"], body["meets_guidance"]) == ("Baik", False)
    assert [(f["predicates"], f["met"]) for f in body["findings"]] == [
        (["Baik"], False),  # 100 % is over 70 %
        (["Butuh Perbaikan", "Kurang/Misconduct"], False),  # and nobody to improve
    ]

    # Others' agencies, bad values, bad periods: refused, nothing changes.
    assert client.get(query, headers=bearer(cast.hr_other)).status_code == 403
    other = client.put(url, json={"rating": "Istimewa"}, headers=bearer(cast.hr_other))
    assert other.status_code == 403
    assert client.put(url, json={"rating": "Bagus"}, headers=hr).status_code == 422
    bad_period = url.replace("annual", "Q9")
    response = client.put(bad_period, json={"rating": "Baik"}, headers=hr)
    assert response.status_code == 422 and "period" in response.get_json()["errors"]
    assert client.put(url, json={"rating": "Baik", "x": 1}, headers=hr).status_code == 422
    assert client.get(url, headers=hr).get_json()["rating"] == "Baik"


def test_the_back_office_shows_the_guidance_and_hr_records_the_rating(session, client, cast):
    _approved(session, cast, "Baik", "annual")
    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/predicate-distribution/?year=2025"))
    assert 'id="distribution-shares"' in page and 'id="organisation-rating-missing"' in page

    form = re.search(r'<form[^>]+id="rating-form".*?</form>', page, re.S).group(0)
    data = {
        "csrf_token": bo.csrf(form),
        "agency": cast.agency.id,
        "year": 2025,
        "period": "annual",
        "rating": "Baik",
        "note": "SK 1/2026",
    }
    forged = client.post(
        "/admin/predicate-distribution/rate",
        data={**data, "csrf_token": "x"},
        follow_redirects=True,
    )
    assert "kedaluwarsa" in bo.flash_text(bo.text(forged))
    assert session.scalars(select(OrganisationRating)).all() == []

    bad = client.post(
        "/admin/predicate-distribution/rate",
        data={**data, "rating": "Bagus"},
        follow_redirects=True,
    )
    assert "Tidak disimpan" in bo.flash_text(bo.text(bad))

    saved = bo.text(
        client.post("/admin/predicate-distribution/rate", data=data, follow_redirects=True)
    )
    assert "disimpan" in bo.flash_text(saved)
    assert '<strong id="organisation-rating">Baik</strong>' in saved
    assert saved.count('class="finding" data-met="false"') == 2
    session.rollback()
    assert session.scalars(select(OrganisationRating.rating)).all() == ["Baik"]


def test_a_supervisor_cannot_open_the_distribution(session, client, cast):
    bo.log_in(client, session, cast.supervisor)
    assert client.get("/admin/predicate-distribution/").status_code == 403


# -- BerAKHLAK -----------------------------------------------------------------------------


def test_a_rating_off_expectations_must_name_the_berakhlak_values(session, cast):
    record = bring_to(new_record(session, cast, "appraisal"), "submitted")
    base = {"work_result_rating": "sesuai_ekspektasi", "feedback": "Catatan"}
    for behaviour in ("di_atas_ekspektasi", "di_bawah_ekspektasi"):
        with pytest.raises(InvalidPayload) as invalid:
            fire(
                record,
                "review",
                cast.supervisor,
                via="api",
                payload={**base, "behaviour_rating": behaviour},
            )
        assert "BerAKHLAK" in invalid.value.errors["behaviour_feedback"][0]
    with pytest.raises(InvalidPayload) as invalid:  # a value that is not one of the seven
        fire(
            record,
            "review",
            cast.supervisor,
            via="api",
            payload={
                **base,
                "behaviour_rating": "di_bawah_ekspektasi",
                "behaviour_feedback": {"disiplin": "Sering terlambat"},
            },
        )
    assert "behaviour_feedback" in invalid.value.errors
    session.rollback()
    assert session.get(Appraisal, record.id).state == "submitted"

    # As expected needs no names; the feedback per value is kept in the values' order.
    record = fire(
        record,
        "review",
        cast.supervisor,
        via="api",
        payload={
            **base,
            "behaviour_rating": "di_bawah_ekspektasi",
            "behaviour_feedback": {
                "kolaboratif": " Jarang hadir rapat tim ",
                "akuntabel": "Terlambat",
            },
        },
    )
    assert record.predicate == "Kurang/Misconduct"
    assert list(record.behaviour_feedback.items()) == [
        ("akuntabel", "Terlambat"),
        ("kolaboratif", "Jarang hadir rapat tim"),
    ]


def test_the_back_office_review_names_the_values_and_shows_them(session, client, cast):
    appraisal = bring_to(new_record(session, cast, "appraisal"), "submitted")
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get(bo.details_url("appraisal", appraisal.id)))
    for value in (
        "berorientasi_pelayanan",
        "akuntabel",
        "kompeten",
        "harmonis",
        "loyal",
        "adaptif",
        "kolaboratif",
    ):
        assert f'name="behaviour_feedback-{value}"' in page
    ratings = {
        "work_result_rating": "di_atas_ekspektasi",
        "behaviour_rating": "di_atas_ekspektasi",
        "feedback": "Melampaui target",
    }
    missing = bo.fire(client, "appraisal", appraisal, "review", **ratings)
    assert "BerAKHLAK" in bo.flash_text(bo.text(missing))
    done = bo.fire(
        client,
        "appraisal",
        appraisal,
        "review",
        **ratings,
        **{
            "behaviour_feedback-adaptif": "Cepat menguasai aplikasi baru",
            "behaviour_feedback-loyal": "",
        },
    )
    assert "Sangat Baik" in bo.text(done)
    session.rollback()
    record = session.get(Appraisal, appraisal.id)
    assert record.behaviour_feedback == {"adaptif": "Cepat menguasai aplikasi baru"}
    details = bo.text(client.get(bo.details_url("appraisal", appraisal.id)))
    assert "Cepat menguasai aplikasi baru" in details and "core-values" in details
