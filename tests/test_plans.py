"""The SKP plan: RHK cascaded from the assessor's agreed plan, agreed by the assessor."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from tests.backoffice import fire as post_step
from tests.backoffice import flash_text, log_in, log_out
from tests.factories import PLAN_YEAR, chain_rhk, new_record, rhk, user
from workflow import create, edit, fire, verification
from workflow.errors import Forbidden, InvalidPayload
from workflow.models import RhkItem, RoleName, SkpPlan

API = "/api/v1/skp-plans"


@pytest.fixture
def head(session, cast):
    """The agency head (nobody above them), with an account."""
    manager = cast.manager.employee
    account = user(session, RoleName.EMPLOYEE, RoleName.SUPERVISOR, employee=manager.supervisor)
    session.commit()
    return account


def post(client, path, headers, body):
    return client.post(path, json=body, headers=headers)


def step(client, headers, plan_id, trigger, **body):
    return client.post(
        f"{API}/{plan_id}/transitions", json={"trigger": trigger, **body}, headers=headers
    )


def test_a_whole_agency_cascades_its_plans_from_the_head_down(client, session, cast, bearer, head):
    hr, admin = bearer(cast.hr), bearer(cast.admin)
    # The agency head's plan is entered by HR and serves the agency's targets; it is
    # agreed above the agency (an admin records it for the PPK).
    answer = post(
        client,
        API,
        hr,
        {
            "employee_id": head.employee_id,
            "year": PLAN_YEAR,
            "items": [rhk("Indeks kepuasan masyarakat", target="IKM instansi 90 (Renstra)")],
        },
    )
    assert answer.status_code == 201, answer.get_json()
    head_plan = answer.get_json()
    assert head_plan["assessor_id"] is None and head_plan["items"][0]["agency_target"]
    assert step(client, hr, head_plan["id"], "submit").status_code == 200
    refused = step(client, bearer(head), head_plan["id"], "approve")
    assert refused.status_code in (403, 404)  # nobody agrees their own plan
    agreed = step(
        client,
        admin,
        head_plan["id"],
        "approve",
        data={"expectations": {"akuntabel": "Laporan tepat waktu"}},
    )
    assert agreed.status_code == 200, agreed.get_json()
    head_rhk = head_plan["items"][0]["id"]

    # The manager cites the head's RHK; the head agrees, stating expectations.
    manager = bearer(cast.manager)
    citable = client.get(f"{API}/0/citable", headers=manager)
    assert citable.status_code == 404
    answer = post(
        client,
        API,
        manager,
        {
            "employee_id": cast.manager.employee_id,
            "year": PLAN_YEAR,
            "items": [
                rhk("Layanan bidang", cites=head_rhk),
                {"kind": "tambahan", "text": "Mentor"},
            ],
        },
    )
    assert answer.status_code == 201, answer.get_json()
    manager_plan = answer.get_json()
    choices = client.get(f"{API}/{manager_plan['id']}/citable", headers=manager).get_json()
    assert [c["id"] for c in choices] == [head_rhk]
    # an additional RHK without an indicator keeps the plan from going on
    refused = step(client, manager, manager_plan["id"], "submit")
    assert refused.status_code == 422
    assert "items.1" in refused.get_json()["errors"]
    items = manager_plan["items"]
    fixed = [
        rhk("Layanan bidang", cites=head_rhk),
        {"kind": "tambahan", "text": "Mentor", "indicators": items[0]["indicators"]},
    ]
    changed = client.patch(f"{API}/{manager_plan['id']}", json={"items": fixed}, headers=manager)
    assert changed.status_code == 200, changed.get_json()
    manager_rhk = changed.get_json()["items"][0]["id"]
    assert step(client, manager, manager_plan["id"], "submit").status_code == 200
    assert (
        step(
            client,
            bearer(head),
            manager_plan["id"],
            "approve",
            data={"expectations": {"kolaboratif": "Aktif lintas bidang"}},
        ).status_code
        == 200
    )

    # The supervisor cites the manager's; the subject first cites nothing and is refused.
    sup = bearer(cast.supervisor)
    sup_plan = post(
        client,
        API,
        sup,
        {
            "employee_id": cast.supervisor.employee_id,
            "year": PLAN_YEAR,
            "items": [rhk("Layanan seksi", cites=manager_rhk)],
        },
    ).get_json()
    assert step(client, sup, sup_plan["id"], "submit").status_code == 200
    assert step(client, manager, sup_plan["id"], "approve").status_code == 200
    sup_rhk = sup_plan["items"][0]["id"]

    me = bearer(cast.subject)
    mine = post(
        client,
        API,
        me,
        {
            "employee_id": cast.subject_employee.id,
            "year": PLAN_YEAR,
            "items": [rhk("Laporan layanan")],
        },
    ).get_json()
    refused = step(client, me, mine["id"], "submit")
    assert refused.status_code == 422
    assert "cites no RHK" in refused.get_json()["errors"]["items.0"][0]
    # citing the head's RHK, over the supervisor's head, is refused as it is written
    skipped = client.patch(
        f"{API}/{mine['id']}", json={"items": [rhk("X", cites=head_rhk)]}, headers=me
    )
    assert skipped.status_code == 422
    assert "parent_id" in skipped.get_json()["errors"]["items"]["0"]
    assert (
        client.patch(
            f"{API}/{mine['id']}",
            json={"items": [rhk("Laporan layanan", cites=sup_rhk)]},
            headers=me,
        ).status_code
        == 200
    )
    assert step(client, me, mine["id"], "submit").status_code == 200
    assert step(client, me, mine["id"], "approve").status_code in (403, 404)
    assert step(client, sup, mine["id"], "approve").status_code == 200

    # The cascade from the head's RHK down, as HR sees it; and up from the subject's.
    tree = client.get(f"/api/v1/rhk/{head_rhk}/cascade", headers=hr).get_json()
    down = tree["node"]
    assert down["children"][0]["item"]["employee_id"] == cast.manager.employee_id
    leaf = down["children"][0]["children"][0]["children"][0]["item"]
    assert leaf["employee_id"] == cast.subject_employee.id
    my_rhk = client.get(f"{API}/{mine['id']}", headers=me).get_json()["items"][0]["id"]
    up = client.get(f"/api/v1/rhk/{my_rhk}/cascade", headers=me).get_json()
    assert [i["employee_id"] for i in up["up"]] == [
        cast.supervisor.employee_id,
        cast.manager.employee_id,
        head.employee_id,
    ]
    assert up["agency_target"] == "IKM instansi 90 (Renstra)"
    report = verification.verify(session)
    assert report.ok, report.problems


def test_another_agency_reads_nothing_of_a_plan_or_its_cascade(client, session, cast, bearer):
    plan = new_record(session, cast, "skp_plan")
    session.commit()
    item_id = plan.items[0].id
    away = bearer(cast.hr_other)
    assert client.get(f"{API}/{plan.id}", headers=away).status_code == 404
    assert client.get(f"{API}/{plan.id}/citable", headers=away).status_code == 404
    assert client.get(f"/api/v1/rhk/{item_id}/cascade", headers=away).status_code == 404
    parent = plan.items[0].parent_id
    assert client.get(f"/api/v1/rhk/{parent}/cascade", headers=away).status_code == 404
    assert client.get(API, headers=away).get_json()["items"] == []
    colleague = bearer(cast.colleague)
    assert client.get(f"{API}/{plan.id}", headers=colleague).status_code == 404


def test_the_cascade_shows_below_only_the_plans_one_may_see(client, session, cast, bearer):
    plan = new_record(session, cast, "skp_plan")
    plan = fire(fire(plan, "submit", None, via="system"), "approve", None, via="system")
    session.commit()
    manager_rhk = session.get(RhkItem, plan.items[0].parent_id).parent_id
    seen = client.get(f"/api/v1/rhk/{manager_rhk}/cascade", headers=bearer(cast.manager))
    node = seen.get_json()["node"]
    # the manager sees the supervisor's plan (they agreed it), not the subject's below it
    assert node["children"][0]["item"]["employee_id"] == cast.supervisor.employee_id
    assert node["children"][0]["children"] == [] and node["children"][0]["hidden"] == 1


def test_an_employee_names_no_assessor_and_nobody_agrees_their_own_plan(session, cast):
    with pytest.raises(InvalidPayload) as refused:
        create(
            session,
            "skp_plan",
            cast.subject,
            {
                "employee_id": cast.subject_employee.id,
                "year": PLAN_YEAR,
                "assessor_id": cast.colleague.employee_id,
                "reason": "teman",
            },
            via="api",
        )
    assert "assessor_id" in refused.value.errors
    with pytest.raises(InvalidPayload) as refused:
        create(
            session,
            "skp_plan",
            cast.hr,
            {
                "employee_id": cast.subject_employee.id,
                "year": PLAN_YEAR,
                "assessor_id": cast.subject_employee.id,
                "reason": "salah ketik",
            },
            via="api",
        )
    assert "assessor_id" in refused.value.errors
    plan = new_record(session, cast, "skp_plan")
    plan = fire(plan, "submit", cast.subject, via="api")
    with pytest.raises(Forbidden):
        fire(plan, "approve", cast.subject, via="api")


def test_a_main_rhk_cites_only_an_agreed_rhk_of_its_own_assessor(session, cast):
    supervisor_rhk = chain_rhk(session, cast)
    # a draft of the supervisor's next plan cannot be cited
    draft = create(
        session,
        "skp_plan",
        None,
        {
            "employee_id": cast.supervisor.employee_id,
            "year": PLAN_YEAR + 1,
            "items": [rhk("Rencana", cites=None)],
        },
        via="system",
    )
    for parent, year in (
        (draft.items[0].id, PLAN_YEAR + 1),
        (supervisor_rhk, PLAN_YEAR + 1),
        (10**9, PLAN_YEAR),
    ):
        with pytest.raises(InvalidPayload) as refused:
            create(
                session,
                "skp_plan",
                cast.subject,
                {
                    "employee_id": cast.subject_employee.id,
                    "year": year,
                    "items": [rhk("Laporan", cites=parent)],
                },
                via="api",
            )
        assert "parent_id" in refused.value.errors["items"][0]
    # a colleague's plan cannot cite the subject's RHK either (not their assessor)
    with pytest.raises(InvalidPayload):
        create(
            session,
            "skp_plan",
            cast.colleague,
            {
                "employee_id": cast.colleague.employee_id,
                "year": PLAN_YEAR,
                "items": [rhk("Laporan", target="IKM 90")],
            },
            via="api",
        )


def test_an_assessor_changed_after_writing_makes_the_cited_rhk_stale(session, cast):
    plan = new_record(session, cast, "skp_plan")
    plan = edit(
        plan,
        cast.hr,
        {"assessor_id": cast.manager.employee_id, "reason": "Atasan langsung cuti panjang"},
        via="api",
    )
    with pytest.raises(InvalidPayload) as refused:
        fire(plan, "submit", cast.subject, via="api")
    assert "not in the assessor's agreed plan" in str(refused.value.errors["items.0"][0])


def test_rhk_edited_by_hand_are_found_by_the_audit_check(session, cast):
    plan = new_record(session, cast, "skp_plan")
    session.commit()
    assert verification.verify_record(session, "skp_plan", plan.id) == []
    session.execute(update(RhkItem).where(RhkItem.plan_id == plan.id).values(text="Diubah"))
    session.commit()
    problems = verification.verify_record(session, "skp_plan", plan.id)
    assert problems and "RHK" in problems[0]


def test_the_back_office_shows_the_plan_and_the_cascade_tree(client, session, cast):
    plan = new_record(session, cast, "skp_plan")
    session.commit()
    plan_id, item_id = plan.id, plan.items[0].id
    parent_text = plan.items[0].parent.text
    log_in(client, session, cast.supervisor)
    page = client.get(f"/admin/admin_skp_plans/details/?id={plan_id}").get_data(as_text=True)
    assert "Laporan layanan" in page and parent_text in page
    tree = client.get(f"/admin/admin_skp_plans/cascade/?item={item_id}")
    assert tree.status_code == 200
    text = tree.get_data(as_text=True)
    assert "IKM instansi 90" in text and "Layanan bidang" in text and parent_text in text
    log_out(client)
    log_in(client, session, cast.hr_other)
    assert client.get(f"/admin/admin_skp_plans/cascade/?item={item_id}").status_code == 404
    assert client.get("/admin/admin_skp_plans/cascade/?item=x").status_code == 404


def test_the_assessor_states_expectations_when_agreeing_in_the_back_office(client, session, cast):
    plan = new_record(session, cast, "skp_plan")
    plan = fire(plan, "submit", None, via="system")
    session.commit()
    plan_id = plan.id
    log_in(client, session, cast.supervisor)
    page = client.get(f"/admin/admin_skp_plans/details/?id={plan_id}").get_data(as_text=True)
    assert "expectations-akuntabel" in page
    answer = post_step(
        client,
        "skp_plan",
        plan,
        "approve",
        **{"expectations-akuntabel": "Menyelesaikan laporan tepat waktu"},
    )
    assert answer.status_code == 200
    assert "sekarang disetujui" in flash_text(answer.get_data(as_text=True))
    session.rollback()  # the test's read began before the request wrote
    agreed = session.get(SkpPlan, plan_id)
    assert agreed.state == "approved"
    assert agreed.expectations == {"akuntabel": "Menyelesaikan laporan tepat waktu"}
    assert session.scalars(select(RhkItem).where(RhkItem.plan_id == plan_id)).all()


def rhk_page(client, plan_id):
    return client.get(f"/admin/admin_skp_plans/rhk/?id={plan_id}")


def test_the_employee_writes_the_rhk_in_the_back_office_and_a_refusal_keeps_the_page(
    client, session, cast
):
    from tests.backoffice import csrf, text

    cited = chain_rhk(session, cast)
    plan = create(
        session,
        "skp_plan",
        None,
        {"employee_id": cast.subject_employee.id, "year": PLAN_YEAR},
        via="system",
    )
    session.commit()
    plan_id = plan.id
    log_in(client, session, cast.subject)
    details = text(client.get(f"/admin/admin_skp_plans/details/?id={plan_id}"))
    assert f"/admin/admin_skp_plans/rhk/?id={plan_id}" in details
    page = text(rhk_page(client, plan_id))
    assert f'<option value="{cited}">1. Layanan seksi</option>' in page
    form = {
        "csrf_token": csrf(page),
        "version_seen": "1",
        "items-0-kind": "tambahan",  # an additional RHK citing the supervisor's: refused
        "items-0-text": "Laporan layanan \u201cPrima\u201d 2026",
        "items-0-parent_id": str(cited),
        "items-0-indicators-0-aspect": "kuantitas",
        "items-0-indicators-0-indicator": "Jumlah laporan",
        "items-0-indicators-0-target": "12 laporan",
        "items-1-kind": "utama",
        "items-1-text": "",
    }
    refused = client.post(f"/admin/admin_skp_plans/rhk/?id={plan_id}", data=form)
    shown = text(refused)
    assert refused.status_code == 200
    assert "RHK tambahan tidak merujuk apa pun" in shown
    assert "Laporan layanan \u201cPrima\u201d 2026" in shown and 'value="12 laporan"' in shown
    session.rollback()
    assert session.get(SkpPlan, plan_id).items == []
    form["items-0-kind"] = "utama"
    saved = client.post(
        f"/admin/admin_skp_plans/rhk/?id={plan_id}", data=form, follow_redirects=True
    )
    assert "RHK telah disimpan" in flash_text(text(saved))
    session.rollback()
    (item,) = session.get(SkpPlan, plan_id).items
    assert (item.kind, item.parent_id, item.text) == (
        "utama",
        cited,
        "Laporan layanan \u201cPrima\u201d 2026",
    )
    assert item.indicators == [
        {"aspect": "kuantitas", "indicator": "Jumlah laporan", "target": "12 laporan"}
    ]
    # a page read before the save is stale now: refused, not written over
    stale = client.post(f"/admin/admin_skp_plans/rhk/?id={plan_id}", data=form)
    assert "berubah" in flash_text(text(stale)) or "changed" in flash_text(text(stale))


def test_the_rhk_page_is_only_for_those_who_may_change_the_plan(client, session, cast):
    from tests.backoffice import csrf, text

    plan = new_record(session, cast, "skp_plan")
    session.commit()
    plan_id = plan.id
    log_in(client, session, cast.hr_other)
    assert rhk_page(client, plan_id).status_code == 404
    assert rhk_page(client, "x").status_code == 404
    log_out(client)
    # the assessor sees the plan but does not write its RHK
    log_in(client, session, cast.supervisor)
    details = text(client.get(f"/admin/admin_skp_plans/details/?id={plan_id}"))
    assert "/admin/admin_skp_plans/rhk/" not in details
    page = text(rhk_page(client, plan_id))
    answer = client.post(
        f"/admin/admin_skp_plans/rhk/?id={plan_id}",
        data={"csrf_token": csrf(page), "version_seen": "1", "items-0-text": "Diganti"},
    )
    assert answer.status_code == 200
    session.rollback()
    assert [i.text for i in session.get(SkpPlan, plan_id).items] == ["Laporan layanan"]
    log_out(client)
    # once submitted, the RHK are no longer written
    log_in(client, session, cast.subject)
    session.rollback()
    fire(session.get(SkpPlan, plan_id), "submit", None, via="system")
    session.commit()
    assert rhk_page(client, plan_id).status_code == 302


def test_an_rhk_keeps_its_id_while_it_keeps_its_place(session, cast):
    plan = new_record(session, cast, "skp_plan")
    first = plan.items[0]
    first_id, parent = first.id, first.parent_id
    plan = edit(
        plan,
        cast.subject,
        {"items": [rhk("Laporan layanan (direvisi)", cites=parent), rhk("Survei", cites=parent)]},
        via="api",
    )
    assert plan.items[0].id == first_id
    assert [i.text for i in plan.items] == ["Laporan layanan (direvisi)", "Survei"]
    plan = edit(plan, cast.subject, {"items": [rhk("Survei", cites=parent)]}, via="api")
    session.commit()
    assert [(i.id, i.text) for i in plan.items] == [(first_id, "Survei")]
    assert session.scalar(select(func.count()).select_from(RhkItem)) == 4  # 3 above, this one
    assert verification.verify_record(session, "skp_plan", plan.id) == []
