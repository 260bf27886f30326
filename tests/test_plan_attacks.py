"""The SKP plan attacked as an insider would: a huge or hostile RHK page, an HR officer
choosing their own assessor, RHK rows swapped by hand, a main RHK hung on an additional one,
a cascade as wide as an agency, a replayed step, blank indicators, odd JSON in a row, and an
employee acting for their own assessor. Each was found in a review and held since."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text, update

from tests import factories
from tests.backoffice import csrf, log_in
from tests.backoffice import text as page_text
from tests.factories import PLAN_YEAR, agreed_plan, chain_rhk, new_record, rhk
from tests.sql import sent
from workflow import create, fire, verification
from workflow.errors import InvalidPayload
from workflow.models import Employee, RhkItem, SkpPlan

API = "/api/v1/skp-plans"


# -- helpers ------------------------------------------------------------------------------


def _supervisor_plan_with_three(session, cast, year: int = PLAN_YEAR) -> SkpPlan:
    """The chain above the subject agreed; the supervisor's agreed plan holds two main RHK
    (A, B) citing the manager's, and one additional RHK (C) citing nothing."""
    head = cast.manager.employee.supervisor_id
    head_plan = agreed_plan(session, head, [rhk("Indeks", target="IKM 90")], year=year)
    manager_plan = agreed_plan(
        session, cast.manager.employee_id, [rhk("Bidang", cites=head_plan.items[0].id)], year=year
    )
    above = manager_plan.items[0].id
    return agreed_plan(
        session,
        cast.supervisor.employee_id,
        [
            rhk("Seksi A", cites=above),
            rhk("Seksi B", cites=above),
            {"kind": "tambahan", "text": "Tambahan C", "indicators": rhk("C")["indicators"]},
        ],
        year=year,
    )


def _blank_plan(session, cast) -> int:
    plan = create(
        session,
        "skp_plan",
        None,
        {"employee_id": cast.subject_employee.id, "year": PLAN_YEAR},
        via="system",
    )
    session.commit()
    return plan.id


def _staff_citing(session, cast, plan, head_rhk, count: int) -> None:
    """``count`` staff directly under the head, each with a draft plan citing the head's RHK
    (written by hand: the set-up of a wide agency, not a path under test)."""
    head = session.get(Employee, head_rhk.plan.employee_id)
    for _ in range(count):
        e = factories.employee(session, cast.subject_employee.unit, supervisor=head)
        p = SkpPlan(
            employee_id=e.id,
            year=PLAN_YEAR,
            assessor_id=head.id,
            agency_id=e.agency_id,
            state="draft",
            created_at=plan.created_at,
            state_changed_at=plan.created_at,
        )
        p.items = [
            RhkItem(position=0, kind="utama", text="x", parent_id=head_rhk.id, indicators=[])
        ]
        session.add(p)
    session.commit()


def _rhk_url(plan_id: int) -> str:
    return f"/admin/admin_skp_plans/rhk/?id={plan_id}"


# -- the back office's RHK page parses a posted form in quadratic time ------------------


def test_rhk_page_with_thousands_of_rows_answers_quickly(client, session, cast):
    """A 170 kB POST of blank RHK rows (any employee, on their own plan) takes one worker
    ~10 s today (100 000 rows: ~10 min): each row's indicator FieldList scans every key."""
    plan_id = _blank_plan(session, cast)
    log_in(client, session, cast.subject)
    token = csrf(page_text(client.get(_rhk_url(plan_id))))
    body = "&".join(
        [f"csrf_token={token}", "version_seen=1"] + [f"items-{i}-text=" for i in range(10_000)]
    )
    started = time.monotonic()
    answer = client.post(
        _rhk_url(plan_id), data=body, content_type="application/x-www-form-urlencoded"
    )
    elapsed = time.monotonic() - started
    assert answer.status_code < 500
    assert elapsed < 3, f"10 000 posted rows took {elapsed:.1f} s"


# -- a refusal the schema gives for the whole list is a 500 on the RHK page ------------


@pytest.mark.parametrize("hostile", ["51 rows", "NUL in a text", "NUL in a target"])
def test_rhk_page_refusal_of_the_whole_list_is_shown_not_a_500(client, session, cast, hostile):
    cited = chain_rhk(session, cast)
    plan_id = _blank_plan(session, cast)
    log_in(client, session, cast.subject)
    form = {"csrf_token": csrf(page_text(client.get(_rhk_url(plan_id)))), "version_seen": "1"}
    if hostile == "51 rows":
        for i in range(51):
            form |= {f"items-{i}-text": f"Hasil {i}", f"items-{i}-parent_id": str(cited)}
    elif hostile == "NUL in a text":
        form |= {"items-0-text": "Laporan\x00", "items-0-parent_id": str(cited)}
    else:
        form |= {
            "items-0-text": "Laporan",
            "items-0-parent_id": str(cited),
            "items-0-indicators-0-aspect": "waktu",
            "items-0-indicators-0-indicator": "Tepat waktu",
            "items-0-indicators-0-target": "12\x00",
        }
    answer = client.post(_rhk_url(plan_id), data=form)
    assert answer.status_code == 200
    session.rollback()
    assert session.get(SkpPlan, plan_id).items == []


# -- an employee who is an HR officer chooses their own assessor ------------------------


def test_hr_officer_may_not_choose_the_assessor_of_their_own_plan(client, session, cast, bearer):
    hr = bearer(cast.hr)
    chosen = cast.colleague.employee_id  # a junior peer, not the HR officer's superior
    made = client.post(
        API,
        json={
            "employee_id": cast.hr.employee_id,
            "year": PLAN_YEAR,
            "assessor_id": chosen,
            "reason": "Saya pilih sendiri",
        },
        headers=hr,
    )
    assert made.status_code == 422, made.get_json()
    assert "assessor_id" in made.get_json()["errors"]


def test_hr_officer_may_not_patch_the_assessor_of_their_own_plan(client, session, cast, bearer):
    own = create(
        session,
        "skp_plan",
        None,
        {"employee_id": cast.hr.employee_id, "year": PLAN_YEAR},
        via="system",
    )
    session.commit()
    answer = client.patch(
        f"{API}/{own.id}",
        json={"assessor_id": cast.colleague.employee_id, "reason": "Lebih mudah"},
        headers=bearer(cast.hr),
    )
    assert answer.status_code == 422, answer.get_json()
    session.rollback()
    assert session.get(SkpPlan, own.id).assessor_id == cast.hr.employee.supervisor_id


# -- the RHK digest does not bind an RHK's id: a swap by hand goes unnoticed -------------


def test_swapping_two_rhk_rows_by_hand_is_found_by_verify(session, cast):
    agreed = _supervisor_plan_with_three(session, cast)
    a, b = agreed.items[0], agreed.items[1]
    mine = create(
        session,
        "skp_plan",
        cast.subject,
        {
            "employee_id": cast.subject_employee.id,
            "year": PLAN_YEAR,
            "items": [rhk("Lap", cites=a.id)],
        },
        via="api",
    )
    mine = fire(
        fire(mine, "submit", cast.subject, via="api"), "approve", cast.supervisor, via="api"
    )
    session.commit()
    assert verification.verify(session).ok
    # By hand: A and B trade places and contents; the ids stay. The subject's RHK (and
    # everything cascaded from it) now "supports" B, which they never agreed to.
    a_id, b_id, a_ind, b_ind = a.id, b.id, a.indicators, b.indicators
    session.execute(
        update(RhkItem)
        .where(RhkItem.id == a_id)
        .values(text="Seksi B", indicators=b_ind, position=1)
    )
    session.execute(
        update(RhkItem)
        .where(RhkItem.id == b_id)
        .values(text="Seksi A", indicators=a_ind, position=0)
    )
    session.commit()
    session.expire_all()
    assert session.get(RhkItem, mine.items[0].parent_id).text == "Seksi B"
    assert not verification.verify(session).ok, "an RHK swapped by hand is not noticed"


def test_moving_identical_rhk_between_plans_by_hand_is_found_by_verify(session, cast):
    """Two employees with the same (template) RHK: their rows trade plans by hand; each
    plan's digest is unchanged, so what cites the subject's RHK now cites the colleague's."""
    cited = chain_rhk(session, cast)
    same = [rhk("Laporan layanan", cites=cited)]
    mine = agreed_plan(session, cast.subject_employee.id, same)
    theirs = agreed_plan(session, cast.colleague.employee_id, same)
    session.commit()
    assert verification.verify(session).ok
    m, t = mine.items[0].id, theirs.items[0].id
    session.execute(update(RhkItem).where(RhkItem.id == m).values(plan_id=theirs.id))
    session.execute(update(RhkItem).where(RhkItem.id == t).values(plan_id=mine.id))
    session.commit()
    assert not verification.verify(session).ok, "RHK moved between plans by hand are not noticed"


# -- a main RHK may cascade from the assessor's *additional* RHK -------------------------


def test_a_main_rhk_may_not_cite_the_assessors_additional_rhk(session, cast):
    agreed = _supervisor_plan_with_three(session, cast)
    additional = agreed.items[2]
    assert additional.kind == "tambahan"
    with pytest.raises(InvalidPayload) as refused:
        create(
            session,
            "skp_plan",
            cast.subject,
            {
                "employee_id": cast.subject_employee.id,
                "year": PLAN_YEAR,
                "items": [rhk("Laporan", cites=additional.id)],
            },
            via="api",
        )
    assert "parent_id" in refused.value.errors["items"][0]


def test_the_citable_list_offers_only_main_rhk(client, session, cast, bearer):
    agreed = _supervisor_plan_with_three(session, cast)
    plan_id = _blank_plan(session, cast)
    kinds = [
        c["kind"]
        for c in client.get(f"{API}/{plan_id}/citable", headers=bearer(cast.subject)).get_json()
    ]
    assert len(agreed.items) == 3
    assert kinds == ["utama", "utama"]


# -- the cascade is read one query per RHK, unbounded ------------------------------------


def test_the_cascade_of_a_widely_cited_rhk_takes_a_bounded_number_of_queries(
    client, session, cast, bearer
):
    plan = new_record(session, cast, "skp_plan")
    session.commit()
    head_rhk = plan.items[0].parent.parent.parent
    _staff_citing(session, cast, plan, head_rhk, 200)  # 200 staff under the head
    headers = bearer(cast.hr)
    with sent() as statements:
        answer = client.get(f"/api/v1/rhk/{head_rhk.id}/cascade", headers=headers)
    assert answer.status_code == 200
    assert len(statements) < 100, f"{len(statements)} statements for 201 RHK"


# -- a replayed transition answers the plan without its RHK ------------------------------


def test_an_idempotent_replay_answers_the_plans_rhk(client, session, cast, bearer):
    plan = new_record(session, cast, "skp_plan")
    session.commit()
    headers = {**bearer(cast.subject), "Idempotency-Key": "submit-once"}
    first = client.post(f"{API}/{plan.id}/transitions", json={"trigger": "submit"}, headers=headers)
    again = client.post(f"{API}/{plan.id}/transitions", json={"trigger": "submit"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["items"] == first.get_json()["items"]


# -- a blank indicator is kept as "" and the plan goes on --------------------------------


def test_a_blank_indicator_is_refused_as_a_blank_rhk_text_is(client, session, cast, bearer):
    cited = chain_rhk(session, cast)
    item = rhk("Laporan", cites=cited)
    item["indicators"] = [{"aspect": "kuantitas", "indicator": "   ", "target": "12 laporan"}]
    answer = client.post(
        API,
        json={"employee_id": cast.subject_employee.id, "year": PLAN_YEAR, "items": [item]},
        headers=bearer(cast.subject),
    )
    assert answer.status_code == 422, answer.get_json()


# -- an RHK row with odd JSON (a hand edit) makes the API answer 500 ---------------------


def test_a_hand_edited_indicators_value_is_no_500(client, session, cast, bearer):
    plan = new_record(session, cast, "skp_plan")
    session.commit()
    item_id = plan.items[0].id
    session.execute(text("UPDATE rhk_items SET indicators = '5' WHERE id = :id"), {"id": item_id})
    session.commit()
    admin = bearer(cast.admin)
    assert verification.verify_record(session, "skp_plan", plan.id)  # verify names it
    assert client.get(f"{API}/{plan.id}", headers=admin).status_code < 500
    assert client.get(f"/api/v1/rhk/{item_id}/cascade", headers=admin).status_code < 500


# -- the employee, as acting Plt/Plh of their own assessor, gives "the assessor's"
#         feedback on their own plan ----------------------------------------------------


def test_an_acting_official_gives_no_feedback_on_their_own_plan(client, session, cast, bearer):
    from datetime import timedelta

    from workflow import delegation
    from workflow.db import local_today

    plan = new_record(session, cast, "skp_plan")
    plan = fire(fire(plan, "submit", None, via="system"), "approve", None, via="system")
    session.commit()
    plan_id, rhk_id = plan.id, plan.items[0].id
    # HR makes the subject Plh of their own supervisor (the plan's assessor) for a few days.
    delegation.delegate(
        session,
        cast.hr,
        principal_id=cast.supervisor.employee_id,
        delegate_id=cast.subject_employee.id,
        starts_on=local_today() - timedelta(days=1),
        ends_on=local_today() + timedelta(days=1),
        kind="Plh",
    )
    session.commit()
    answer = client.post(
        f"{API}/{plan_id}/feedback",
        json={"note": "Sangat baik", "rhk_id": rhk_id},
        headers=bearer(cast.subject),
    )
    assert answer.status_code in (403, 404), answer.get_json()


def test_an_hr_officer_names_no_officials_of_their_own_appraisal(client, session, cast, bearer):
    answer = client.post(
        "/api/v1/appraisals",
        json={
            "employee_id": cast.hr.employee_id,
            "year": 2026,
            "assessor_id": cast.colleague.employee_id,
            "approver_id": cast.manager.employee_id,
            "reason": "Saya pilih sendiri",
        },
        headers=bearer(cast.hr),
    )
    assert answer.status_code == 422 and "assessor_id" in answer.get_json()["errors"]
    # another agency officer's record is theirs to name for, as before
    fine = client.post(
        "/api/v1/appraisals",
        json={
            "employee_id": cast.subject_employee.id,
            "year": 2026,
            "assessor_id": cast.manager.employee_id,
            "reason": "Atasan langsung cuti panjang",
        },
        headers=bearer(cast.hr),
    )
    assert fine.status_code == 201, fine.get_json()


def test_a_cascade_lists_at_most_so_many_rhk_and_counts_the_rest(
    client, session, cast, bearer, monkeypatch
):
    from workflow import cascade

    plan = new_record(session, cast, "skp_plan")
    session.commit()
    head_rhk = plan.items[0].parent.parent.parent
    _staff_citing(session, cast, plan, head_rhk, 12)
    monkeypatch.setattr(cascade, "MAX_SHOWN", 5)
    node = client.get(f"/api/v1/rhk/{head_rhk.id}/cascade", headers=bearer(cast.hr)).get_json()
    shown = node["node"]
    assert len(shown["children"]) == 5 and shown["more"] == 13 - 5
