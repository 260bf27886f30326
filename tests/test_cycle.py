"""A whole performance cycle of a small agency (PermenPANRB 6/2022), as its people go
through it: the year opened, plans cascaded and agreed, the year realised with evidence and
feedback, a quarter and the year evaluated, both documents printed and checked."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.backoffice import text
from tests.factories import rhk, user
from tests.test_documents import pdf_text
from tests.test_realisation import EXECUTABLE, a_pdf, a_png, upload
from tests.workflow_paths import RATINGS
from workflow import verification
from workflow.models import Appraisal, RoleName, SkpPlan


def test_a_small_agency_goes_through_a_whole_performance_cycle(client, session, cast, bearer):
    head_employee = cast.manager.employee.supervisor
    head = user(session, RoleName.EMPLOYEE, RoleName.SUPERVISOR, employee=head_employee)
    session.commit()
    hr, admin = bearer(cast.hr), bearer(cast.admin)
    who = {
        "head": bearer(head),
        "manager": bearer(cast.manager),
        "supervisor": bearer(cast.supervisor),
        "subject": bearer(cast.subject),
    }

    def step(headers, collection, record_id, trigger, **body):
        answer = client.post(
            f"/api/v1/{collection}/{record_id}/transitions",
            json={"trigger": trigger, **body},
            headers=headers,
        )
        return answer

    def ok(answer, status=200):
        assert answer.status_code == status, answer.get_json()
        return answer.get_json()

    # 1. HR opens the year: a draft plan for every employee, and the year's appraisals.
    year = ok(
        client.post(
            "/api/v1/periods",
            headers=hr,
            json={"agency_id": cast.agency.id, "year": 2026, "kind": "annual"},
        ),
        201,
    )
    opened = ok(client.post(f"/api/v1/periods/{year['id']}/open", headers=hr))
    assert opened["plans_made"] == 7 and opened["made"] == 4
    session.rollback()
    plan_of = {
        p.employee_id: p.id for p in session.scalars(select(SkpPlan).where(SkpPlan.year == 2026))
    }

    def write(headers, employee_id, items):
        return client.patch(
            f"/api/v1/skp-plans/{plan_of[employee_id]}", json={"items": items}, headers=headers
        )

    # 2. The head's plan serves the agency's target; HR enters it, an admin agrees it (PPK).
    ok(write(hr, head_employee.id, [rhk("Kepuasan layanan publik", target="IKM 90 (Renstra)")]))
    ok(step(hr, "skp-plans", plan_of[head_employee.id], "submit"))
    head_plan = ok(step(admin, "skp-plans", plan_of[head_employee.id], "approve"))
    head_rhk = ok(client.get(f"/api/v1/skp-plans/{head_plan['id']}", headers=hr))["items"][0]["id"]

    # 3. Down the chart: each cites the RHK of their assessor's agreed plan.
    cited = head_rhk
    for name, approver in (("manager", "head"), ("supervisor", "manager")):
        employee_id = getattr(cast, name).employee_id
        saved = ok(write(who[name], employee_id, [rhk(f"Layanan {name}", cites=cited)]))
        ok(step(who[name], "skp-plans", saved["id"], "submit"))
        ok(step(who[approver], "skp-plans", saved["id"], "approve"))
        cited = saved["items"][0]["id"]
    # the subject's first plan cites nothing: refused, with the reason
    mine = plan_of[cast.subject_employee.id]
    ok(write(who["subject"], cast.subject_employee.id, [rhk("Laporan layanan")]))
    refused = step(who["subject"], "skp-plans", mine, "submit")
    assert refused.status_code == 422 and "cites no RHK" in str(refused.get_json())
    saved = ok(
        write(who["subject"], cast.subject_employee.id, [rhk("Laporan layanan", cites=cited)])
    )
    ok(step(who["subject"], "skp-plans", mine, "submit"))
    assert step(who["subject"], "skp-plans", mine, "approve").status_code == 403
    ok(
        step(
            who["supervisor"],
            "skp-plans",
            mine,
            "approve",
            data={"expectations": {"akuntabel": "Laporan tepat waktu"}},
        )
    )
    my_rhk = saved["items"][0]["id"]

    # 4. The first quarter realised, with evidence; a renamed executable refused.
    realised = ok(
        client.put(
            f"/api/v1/rhk/{my_rhk}/realisations/Q1",
            json={"value": "3 laporan"},
            headers=who["subject"],
        )
    )
    assert (
        upload(client, who["subject"], realised["id"], a_pdf(), "sertifikat.pdf").status_code == 201
    )
    assert upload(client, who["subject"], realised["id"], a_png(), "foto.png").status_code == 201
    assert upload(client, who["subject"], realised["id"], EXECUTABLE, "x.pdf").status_code == 422
    # 5. Feedback through the quarter.
    ok(
        client.post(
            f"/api/v1/skp-plans/{mine}/feedback",
            headers=who["supervisor"],
            json={"rhk_id": my_rhk, "note": "Laporan Q1 lengkap"},
        ),
        201,
    )

    # 6. The quarter evaluated against the realisation.
    q1 = ok(
        client.post(
            "/api/v1/periods",
            headers=hr,
            json={"agency_id": cast.agency.id, "year": 2026, "kind": "quarterly", "number": 1},
        ),
        201,
    )
    ok(client.post(f"/api/v1/periods/{q1['id']}/open", headers=hr))
    session.rollback()

    def appraisal(period):
        return session.scalar(
            select(Appraisal.id).where(
                Appraisal.employee_id == cast.subject_employee.id,
                Appraisal.year == 2026,
                Appraisal.period == period,
            )
        )

    quarter = appraisal("Q1")
    basis = ok(client.get(f"/api/v1/appraisals/{quarter}/basis", headers=who["supervisor"]))
    assert basis["rhk"][0]["realisations"][0]["value"] == "3 laporan"
    assert [f["note"] for f in basis["feedback"]] == ["Laporan Q1 lengkap"]
    for headers, trigger, body in (
        (who["subject"], "submit", {}),
        (who["supervisor"], "review", {"data": RATINGS}),
        (who["manager"], "approve", {}),
    ):
        ok(step(headers, "appraisals", quarter, trigger, **body))

    # 7. The year evaluated, beside the quarter's result; its predikat set.
    annual = appraisal("annual")
    basis = ok(client.get(f"/api/v1/appraisals/{annual}/basis", headers=who["supervisor"]))
    assert [(p["period"], p["predicate"]) for p in basis["periodic"]] == [("Q1", "Baik")]
    ok(step(who["subject"], "appraisals", annual, "submit"))
    ok(step(who["supervisor"], "appraisals", annual, "review", data=RATINGS))
    done = ok(step(who["manager"], "appraisals", annual, "approve"))
    assert done["state"] == "approved"

    # 8. Both documents printed: names, RHK and predikat; their checks hold, then one fails.
    plan_pdf = pdf_text(client.get(f"/api/v1/skp-plans/{mine}/document.pdf", headers=hr).data)
    for expected in (
        cast.subject_employee.name,
        cast.supervisor.employee.name,
        "Laporan layanan",
        "Layanan supervisor",
        "Laporan tepat waktu",
    ):
        assert re.sub(r"\s+", "", expected) in plan_pdf, expected
    evaluation = pdf_text(client.get(f"/api/v1/appraisals/{annual}/document.pdf", headers=hr).data)
    for expected in (cast.subject_employee.name, cast.manager.employee.name, "Baik"):
        assert re.sub(r"\s+", "", expected) in evaluation, expected
    checks = [
        re.search(r"(/verify/skp_plan/\d+/\d+-[0-9a-f]{24})", plan_pdf).group(1),
        re.search(r"(/verify/appraisal/\d+/\d+-[0-9a-f]{24})", evaluation).group(1),
    ]
    for path in checks:
        assert 'data-verdict="current"' in text(client.get(path))
    ok(step(who["subject"], "appraisals", annual, "appeal", comment="Saya keberatan"))
    assert 'data-verdict="changed"' in text(client.get(checks[1]))
    assert 'data-verdict="current"' in text(client.get(checks[0]))
    report = verification.verify(session)
    assert report.ok, report.problems
