"""The documents people print and sign: the appraisal's evaluation as PDF, and the check its
QR code opens (no login), which says whether it is the record as it stands."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import text

from tests import backoffice as bo
from tests.factories import new_record
from tests.workflow_paths import bring_to
from workflow import documents, fire


def pdf_text(data: bytes) -> str:
    """The PDF's text without its spaces and line breaks (an extractor splits words at
    kerning: "T ahunan")."""
    pages = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", "", pages)


def approved(session, cast):
    return bring_to(new_record(session, cast, "appraisal"), "approved")


def check_path(document_text: str) -> str:
    """The check's address as the document prints it, from the path on."""
    found = re.search(r"(/verify/appraisal/\d+/\d+-[0-9a-f]{24})", document_text)
    assert found, document_text
    return found.group(1)


def test_the_api_gives_the_signed_document_with_names_ratings_and_predikat(
    client, session, cast, bearer
):
    record = approved(session, cast)
    answer = client.get(
        f"/api/v1/appraisals/{record.id}/document.pdf", headers=bearer(cast.supervisor)
    )
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF")
    assert f"evaluasi-kinerja-{cast.subject_employee.nip}" in answer.headers["Content-Disposition"]
    said = pdf_text(answer.data)
    for expected in (
        "DOKUMEN EVALUASI KINERJA PEGAWAI",
        "Tahunan 2025",
        cast.subject_employee.name,
        cast.subject_employee.nip,
        cast.supervisor.employee.name,  # pejabat penilai kinerja
        cast.manager.employee.name,  # atasan pejabat penilai kinerja
        "Pejabat penilai kinerja",
        record.predicate,
        "Pindai kode ini",
    ):
        assert re.sub(r"\s+", "", expected) in said, expected


def test_the_document_is_for_those_who_may_see_the_record(client, session, cast, bearer):
    record = approved(session, cast)
    path = f"/api/v1/appraisals/{record.id}/document.pdf"
    assert client.get(path, headers=bearer(cast.hr_other)).status_code == 404
    assert client.get(path, headers=bearer(cast.colleague)).status_code == 404
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(cast.subject)).status_code == 200
    bo.log_in(client, session, cast.hr_other)
    assert client.get(f"/admin/admin_appraisals/document/?id={record.id}").status_code == 404


def test_the_qr_check_says_valid_then_changed_and_knows_no_forgery(client, session, cast, bearer):
    record = approved(session, cast)
    bo.log_in(client, session, cast.hr)
    details = bo.text(client.get(bo.details_url("appraisal", record.id)))
    assert 'id="document-link"' in details
    printed = client.get(f"/admin/admin_appraisals/document/?id={record.id}")
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    path = check_path(pdf_text(printed.data))
    assert path.endswith(documents.seal(record))
    bo.log_out(client)
    valid = bo.text(client.get(path))  # nobody logged in
    assert 'data-verdict="current"' in valid and "Sah:" in valid
    assert cast.subject_employee.nip in valid and (record.predicate or "") in valid
    assert record.feedback not in valid  # the name, NIP and predikat: nothing more
    # the employee objects: the record moves on, and the printed document no longer holds
    fire(record, "appeal", cast.subject, via="api", comment="Saya keberatan")
    changed = bo.text(client.get(path))
    assert 'data-verdict="changed"' in changed and "Tidak berlaku lagi" in changed
    assert "Predikat" not in changed  # an outdated copy learns nothing newer of the record
    forged = path[:-4] + ("0000" if not path.endswith("0000") else "1111")
    others = (path.replace(f"/{record.id}/", f"/{record.id + 1}/"), path + "x", path + "%0A")
    for wrong in (forged, *others):
        answer = client.get(wrong)
        assert answer.status_code == 404 and 'data-verdict="unknown"' in bo.text(answer)


def test_a_record_edited_by_hand_is_not_vouched_for(client, session, cast):
    record = approved(session, cast)
    seal = documents.seal(record)
    session.execute(
        text("UPDATE appraisals SET predicate = 'Sangat Baik' WHERE id = :id"), {"id": record.id}
    )
    session.commit()
    page = bo.text(client.get(f"/verify/appraisal/{record.id}/{seal}"))
    assert 'data-verdict="altered"' in page and "diubah di luar Alur" in page


def test_a_feedback_column_edited_by_hand_still_prints(client, session, cast, bearer):
    record = approved(session, cast)
    session.execute(
        text("UPDATE appraisals SET behaviour_feedback = :v WHERE id = :id"),
        {"v": '["not", "a", "mapping"]', "id": record.id},
    )
    session.commit()
    answer = client.get(f"/api/v1/appraisals/{record.id}/document.pdf", headers=bearer(cast.hr))
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF")
    bo.log_in(client, session, cast.hr)
    assert client.get(bo.details_url("appraisal", record.id)).status_code == 200


def plan_check_path(document_text: str) -> str:
    found = re.search(r"(/verify/skp_plan/\d+/\d+-[0-9a-f]{24})", document_text)
    assert found, document_text
    return found.group(1)


def test_the_skp_plan_prints_with_its_rhk_expectations_and_a_check(client, session, cast, bearer):
    from tests.factories import rhk

    plan = new_record(session, cast, "skp_plan")
    parent = plan.items[0].parent
    session.commit()
    printed = client.get(f"/api/v1/skp-plans/{plan.id}/document.pdf", headers=bearer(cast.subject))
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    assert f"skp-{cast.subject_employee.nip}-2026" in printed.headers["Content-Disposition"]
    said = pdf_text(printed.data)
    for expected in (
        "SASARAN KINERJA PEGAWAI",
        cast.subject_employee.name,
        cast.subject_employee.nip,
        cast.supervisor.employee.name,
        "Laporan layanan",
        parent.text,  # the supervisor's RHK it supports
        "12 dokumen",
        "Ekspektasi pimpinan",
    ):
        assert re.sub(r"\s+", "", expected) in said, expected
    path = plan_check_path(said)
    draft = bo.text(client.get(path))  # nobody logged in
    assert 'data-verdict="current"' in draft and cast.subject_employee.nip in draft
    assert "Laporan layanan" not in draft  # the name, NIP and what it is: nothing more
    # the employee revises the RHK: the printed plan no longer holds
    from workflow import edit

    edit(plan, cast.subject, {"items": [rhk("Laporan baru", cites=parent.id)]}, via="api")
    session.commit()
    assert 'data-verdict="changed"' in bo.text(client.get(path))
    # agreed, with the leader's expectations: printed again, it says so
    plan = fire(plan, "submit", cast.subject, via="api")
    plan = fire(
        plan,
        "approve",
        cast.supervisor,
        via="api",
        payload={"expectations": {"akuntabel": "Laporan tepat waktu"}},
    )
    session.commit()
    again = pdf_text(
        client.get(f"/api/v1/skp-plans/{plan.id}/document.pdf", headers=bearer(cast.hr)).data
    )
    assert "Laporantepatwaktu" in again and "disetujui" in again
    assert 'data-verdict="current"' in bo.text(client.get(plan_check_path(again)))
    for who in (cast.hr_other, cast.colleague):
        path = f"/api/v1/skp-plans/{plan.id}/document.pdf"
        assert client.get(path, headers=bearer(who)).status_code == 404
    bo.log_in(client, session, cast.supervisor)
    details = bo.text(client.get(f"/admin/admin_skp_plans/details/?id={plan.id}"))
    assert 'id="document-link"' in details
    assert client.get(f"/admin/admin_skp_plans/document/?id={plan.id}").data.startswith(b"%PDF")
