"""An agreed plan through its year: realisations with evidence, and continuous feedback."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import segno
from pypdf import PdfWriter
from sqlalchemy import select

from tests.factories import new_record
from workflow import evidence_store, fire, realisation
from workflow.db import local_today
from workflow.errors import Conflict, Forbidden, InvalidPayload, NotFound
from workflow.models import ChangeEntry, Evidence, PlanFeedback


def a_pdf() -> bytes:
    """A real one-page PDF."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Sertifikat pelatihan"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def a_png() -> bytes:
    out = io.BytesIO()
    segno.make("https://alur.example/bukti").save(out, kind="png", scale=4)
    return out.getvalue()


# The start of a Windows executable, renamed as a PDF.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture
def agreed(session, cast):
    """The subject's plan, agreed; (the plan's id, its first RHK's id)."""
    plan = new_record(session, cast, "skp_plan")
    plan = fire(fire(plan, "submit", None, via="system"), "approve", None, via="system")
    session.commit()
    return plan.id, plan.items[0].id


def put(client, headers, rhk_id, period, **body):
    return client.put(f"/api/v1/rhk/{rhk_id}/realisations/{period}", json=body, headers=headers)


def upload(client, headers, realisation_id, data: bytes, name: str):
    return client.post(
        f"/api/v1/realisations/{realisation_id}/evidence/files",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_the_employee_records_a_realisation_with_a_pdf_and_a_png(
    client, session, cast, bearer, agreed
):
    plan_id, rhk_id = agreed
    me = bearer(cast.subject)
    answer = put(client, me, rhk_id, "Q1", value="3 laporan", narrative="Triwulan pertama")
    assert answer.status_code == 200, answer.get_json()
    realisation_id = answer.get_json()["id"]
    again = put(client, me, rhk_id, "Q1", value="4 laporan")  # set again: changed, not doubled
    assert again.get_json()["id"] == realisation_id and again.get_json()["value"] == "4 laporan"

    pdf, png = a_pdf(), a_png()
    sent = upload(client, me, realisation_id, pdf, "sertifikat.pdf")
    assert sent.status_code == 201, sent.get_json()
    body = sent.get_json()
    assert (body["content_type"], body["sha256"]) == (
        "application/pdf",
        hashlib.sha256(pdf).hexdigest(),
    )
    assert upload(client, me, realisation_id, png, "foto.jpg").get_json()["content_type"] == (
        "image/png"  # by its content, whatever its name says
    )
    refused = upload(client, me, realisation_id, EXECUTABLE, "sertifikat.pdf")
    assert refused.status_code == 422
    assert "PDF, PNG or JPEG" in str(refused.get_json())
    link = client.post(
        f"/api/v1/realisations/{realisation_id}/evidence/links",
        json={"url": "https://lms.example/sertifikat/123"},
        headers=me,
    )
    assert link.status_code == 201
    bad = client.post(
        f"/api/v1/realisations/{realisation_id}/evidence/links",
        json={"url": "javascript:alert(1)"},
        headers=me,
    )
    assert bad.status_code == 422

    listed = client.get(f"/api/v1/skp-plans/{plan_id}/realisations", headers=me).get_json()
    assert [r["period"] for r in listed] == ["Q1"]
    assert [e["kind"] for e in listed[0]["evidence"]] == ["file", "file", "link"]
    # The file's hash is in the change log's entry of the evidence.
    logged = session.scalars(select(ChangeEntry).where(ChangeEntry.model == "evidence")).all()
    assert hashlib.sha256(pdf).hexdigest() in {e.after["sha256"] for e in logged}

    evidence_id = body["id"]
    got = client.get(f"/api/v1/evidence/{evidence_id}", headers=me)
    assert got.status_code == 200 and got.data == pdf
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        client.get(f"/api/v1/evidence/{evidence_id}", headers=bearer(cast.supervisor)).data == pdf
    )


def test_another_agency_and_a_colleague_read_no_realisation_or_evidence(
    client, session, cast, bearer, agreed
):
    plan_id, rhk_id = agreed
    made = realisation.record(session, cast.subject, rhk_id, "annual", value="12", via="api")
    file = realisation.attach_file(
        session, cast.subject, made.id, name="a.pdf", data=a_pdf(), via="api"
    )
    session.commit()
    for who in (cast.hr_other, cast.colleague):
        headers = bearer(who)
        assert client.get(f"/api/v1/evidence/{file.id}", headers=headers).status_code == 404
        assert (
            client.get(f"/api/v1/skp-plans/{plan_id}/realisations", headers=headers).status_code
            == 404
        )
        assert put(client, headers, rhk_id, "Q2", value="x").status_code == 404
        assert upload(client, headers, made.id, a_pdf(), "a.pdf").status_code == 404
        assert (
            client.get(f"/api/v1/skp-plans/{plan_id}/feedback", headers=headers).status_code == 404
        )
    # The assessor reads the realisation but does not write it.
    assert put(client, bearer(cast.supervisor), rhk_id, "Q2", value="x").status_code == 403


def test_a_plan_not_yet_agreed_is_not_realised(session, cast):
    plan = new_record(session, cast, "skp_plan")
    with pytest.raises(Conflict):
        realisation.record(session, cast.subject, plan.items[0].id, "Q1", value="1", via="api")


def test_hostile_realisations_are_refused_and_change_nothing(client, session, cast, bearer, agreed):
    plan_id, rhk_id = agreed
    me = bearer(cast.subject)
    assert put(client, me, rhk_id, "Q5", value="1").status_code == 404  # no such period
    assert put(client, me, rhk_id, "Q1", value="").status_code == 422
    assert put(client, me, rhk_id, "Q1", value="x" * 501).status_code == 422
    assert put(client, me, rhk_id, "Q1", value="a\x00b").status_code == 422
    assert put(client, me, rhk_id, "Q1", value=10**30).status_code == 422
    assert put(client, me, 2**31, "Q1", value="1").status_code == 404
    assert client.get(f"/api/v1/skp-plans/{plan_id}/realisations", headers=me).get_json() == []


def test_a_file_too_large_or_empty_is_refused(client, session, cast, bearer, agreed, monkeypatch):
    _plan_id, rhk_id = agreed
    made = realisation.record(session, cast.subject, rhk_id, "Q1", value="1", via="api")
    session.commit()
    monkeypatch.setattr(evidence_store, "MAX_BYTES", 2048)
    big = a_pdf() + b"%" * 4096
    refused = upload(client, bearer(cast.subject), made.id, big, "besar.pdf")
    assert refused.status_code in (413, 422)
    assert upload(client, bearer(cast.subject), made.id, b"", "kosong.pdf").status_code == 422
    session.rollback()
    assert session.scalars(select(Evidence)).all() == []


@pytest.fixture
def local_store(tmp_path):
    """A store of the test's own (the store is per process, as the rule settings are: every
    app made in the run configures it)."""
    store = evidence_store.LocalStore(tmp_path / "evidence")
    old = evidence_store.use(store)
    try:
        yield store
    finally:
        evidence_store.use(old)


def test_a_stored_file_changed_outside_alur_is_not_served(
    client, session, cast, bearer, agreed, local_store
):
    _plan_id, rhk_id = agreed
    made = realisation.record(session, cast.subject, rhk_id, "Q1", value="1", via="api")
    row = realisation.attach_file(
        session, cast.subject, made.id, name="a.pdf", data=a_pdf(), via="api"
    )
    session.commit()
    stored = local_store.root / row.sha256[:2] / row.sha256
    stored.write_bytes(stored.read_bytes() + b"tampered")
    answer = client.get(f"/api/v1/evidence/{row.id}", headers=bearer(cast.subject))
    assert answer.status_code == 409
    stored.unlink()
    assert client.get(f"/api/v1/evidence/{row.id}", headers=bearer(cast.subject)).status_code == 409


def test_the_assessor_gives_feedback_the_employee_sees_it(client, session, cast, bearer, agreed):
    plan_id, rhk_id = agreed
    sup = bearer(cast.supervisor)
    path = f"/api/v1/skp-plans/{plan_id}/feedback"
    on_rhk = client.post(path, json={"rhk_id": rhk_id, "note": "Laporan Q1 rapi"}, headers=sup)
    assert on_rhk.status_code == 201, on_rhk.get_json()
    on_value = client.post(
        path, json={"core_value": "kolaboratif", "note": "Aktif berbagi"}, headers=sup
    )
    assert on_value.status_code == 201
    seen = client.get(path, headers=bearer(cast.subject)).get_json()
    assert [f["note"] for f in seen] == ["Laporan Q1 rapi", "Aktif berbagi"]
    # nobody gives feedback on their own plan; the assessor's words are not the employee's
    assert (
        client.post(
            path, json={"core_value": "loyal", "note": "x"}, headers=bearer(cast.subject)
        ).status_code
        == 403
    )
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    for body in (
        {"note": "x"},
        {"note": "x", "rhk_id": rhk_id, "core_value": "loyal"},
        {"note": "x", "core_value": "rajin"},
        {"note": "x", "rhk_id": 10**6},
        {"note": "x", "core_value": "loyal", "given_on": tomorrow},
        {"note": "", "core_value": "loyal"},
    ):
        assert client.post(path, json=body, headers=sup).status_code == 422, body
    session.rollback()
    assert len(session.scalars(select(PlanFeedback)).all()) == 2


def test_feedback_refusals_in_the_core(session, cast, agreed):
    plan_id, _rhk = agreed
    with pytest.raises(Forbidden):  # HR sees the plan but is not its assessor
        realisation.give_feedback(
            session, cast.hr, plan_id, core_value="loyal", note="x", via="api"
        )
    with pytest.raises(NotFound):
        realisation.give_feedback(
            session, cast.hr_other, plan_id, core_value="loyal", note="x", via="api"
        )
    with pytest.raises(InvalidPayload):
        realisation.give_feedback(session, cast.supervisor, plan_id, note="x", via="api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3_server(monkeypatch):
    """A local S3 server (moto, in its own process) with a bucket; the store on it."""
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the S3 server did not start") from None
                time.sleep(0.1)
        for name, value in (
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
        ):
            monkeypatch.setenv(name, value)
        url = f"http://127.0.0.1:{port}"
        store = evidence_store.S3Store("alur-evidence", endpoint_url=url)
        store.client.create_bucket(Bucket="alur-evidence")
        old = evidence_store.use(store)
        try:
            yield store
        finally:
            evidence_store.use(old)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def test_evidence_is_kept_in_s3_compatible_storage(
    client, session, cast, bearer, agreed, s3_server
):
    _plan_id, rhk_id = agreed
    made = realisation.record(session, cast.subject, rhk_id, "Q1", value="1", via="api")
    session.commit()
    pdf = a_pdf()
    sent = upload(client, bearer(cast.subject), made.id, pdf, "sertifikat.pdf")
    assert sent.status_code == 201, sent.get_json()
    digest = hashlib.sha256(pdf).hexdigest()
    kept = s3_server.client.get_object(Bucket="alur-evidence", Key=f"evidence/{digest}")
    assert kept["Body"].read() == pdf and kept["ContentType"] == "application/pdf"
    got = client.get(f"/api/v1/evidence/{sent.get_json()['id']}", headers=bearer(cast.subject))
    assert got.data == pdf
    s3_server.client.delete_object(Bucket="alur-evidence", Key=f"evidence/{digest}")
    gone = client.get(f"/api/v1/evidence/{sent.get_json()['id']}", headers=bearer(cast.subject))
    assert gone.status_code == 409
    assert os.environ["AWS_ACCESS_KEY_ID"] == "test"


def test_the_year_of_a_plan_in_the_back_office_and_the_appraisal_that_rests_on_it(
    client, session, cast, agreed
):
    from tests.backoffice import csrf, flash_text, log_in, log_out, text

    plan_id, rhk_id = agreed
    details = f"/admin/admin_skp_plans/details/?id={plan_id}"
    log_in(client, session, cast.subject)
    page = text(client.get(details))
    assert 'id="realise-form"' in page and 'id="feedback-form"' not in page
    done = client.post(
        f"/admin/admin_skp_plans/realise/?id={plan_id}",
        data={
            "csrf_token": csrf(page),
            "rhk_id": str(rhk_id),
            "period": "Q1",
            "value": "3 laporan",
        },
        follow_redirects=True,
    )
    assert "Realisasi telah dicatat" in flash_text(text(done))
    page = text(done)
    session.rollback()
    (made,) = realisation.realisations(session, _plan(session, plan_id))
    pdf = a_pdf()
    sent = client.post(
        f"/admin/admin_skp_plans/evidence/?id={plan_id}",
        data={
            "csrf_token": csrf(page),
            "realisation_id": str(made.id),
            "file": (io.BytesIO(pdf), "bukti.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Bukti dukung telah dilampirkan" in flash_text(text(sent))
    refused = client.post(
        f"/admin/admin_skp_plans/evidence/?id={plan_id}",
        data={
            "csrf_token": csrf(page),
            "realisation_id": str(made.id),
            "file": (io.BytesIO(EXECUTABLE), "x.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Hanya berkas PDF, PNG, atau JPEG" in flash_text(text(refused))
    session.rollback()
    (evidence,) = session.scalars(select(Evidence)).all()
    assert client.get(f"/admin/admin_skp_plans/evidence/{evidence.id}").data == pdf
    log_out(client)

    log_in(client, session, cast.supervisor)
    page = text(client.get(details))
    assert 'id="feedback-form"' in page and 'id="realise-form"' not in page
    given = client.post(
        f"/admin/admin_skp_plans/feedback/?id={plan_id}",
        data={
            "csrf_token": csrf(page),
            "about": "value:kolaboratif",
            "note": "Aktif berbagi praktik",
        },
        follow_redirects=True,
    )
    assert "Umpan balik telah disimpan" in flash_text(text(given))
    # The supervisor rates the first quarter: the plan's realisation and feedback beside it.
    appraisal = new_record(session, cast, "appraisal", year=2026, period="Q1")
    appraisal = fire(appraisal, "submit", None, via="system")
    session.commit()
    page = text(client.get(f"/admin/admin_appraisals/details/?id={appraisal.id}"))
    basis = page[page.index('id="evaluation-basis"') :]
    assert "3 laporan" in basis and "Aktif berbagi praktik" in basis
    assert basis.index("evaluation-basis") < basis.index('id="steps"')
    log_out(client)

    log_in(client, session, cast.hr_other)
    assert client.get(f"/admin/admin_skp_plans/evidence/{evidence.id}").status_code == 404


def _plan(session, plan_id):
    from workflow.models import SkpPlan

    return session.get(SkpPlan, plan_id)


def test_the_api_gives_what_an_appraisal_rests_on(client, session, cast, bearer, agreed):
    plan_id, rhk_id = agreed
    realisation.record(session, cast.subject, rhk_id, "Q2", value="6 laporan", via="api")
    realisation.give_feedback(
        session, cast.supervisor, plan_id, rhk_id=rhk_id, note="Tepat waktu", via="api"
    )
    quarter = new_record(session, cast, "appraisal", year=2026, period="Q2")
    year = new_record(session, cast, "appraisal", year=2026)
    session.commit()
    sup = bearer(cast.supervisor)
    got = client.get(f"/api/v1/appraisals/{quarter.id}/basis", headers=sup).get_json()
    assert got["plan_id"] == plan_id
    assert [r["value"] for r in got["rhk"][0]["realisations"]] == ["6 laporan"]
    assert [f["note"] for f in got["feedback"]] == ["Tepat waktu"]
    annual = client.get(f"/api/v1/appraisals/{year.id}/basis", headers=sup).get_json()
    assert annual["rhk"][0]["realisations"][0]["period"] == "Q2"
    away = client.get(f"/api/v1/appraisals/{quarter.id}/basis", headers=bearer(cast.hr_other))
    assert away.status_code == 404


def test_subscribers_learn_of_realisations_and_evidence(session, cast, agreed):
    from workflow import webhooks
    from workflow.db import write_transaction
    from workflow.models import OutboxEvent

    _plan_id, rhk_id = agreed
    with write_transaction(session):
        sub = webhooks.add_subscription(
            session, "http://127.0.0.1:9/ekinerja", ["realisation.*", "evidence.attached"]
        )
    made = realisation.record(session, cast.subject, rhk_id, "Q1", value="3", via="api")
    realisation.attach_file(session, cast.subject, made.id, name="a.pdf", data=a_pdf(), via="api")
    with pytest.raises(InvalidPayload):
        realisation.attach_file(
            session, cast.subject, made.id, name="x.pdf", data=EXECUTABLE, via="api"
        )
    session.rollback()
    told = session.scalars(
        select(OutboxEvent).where(OutboxEvent.type.in_(realisation.EVENTS)).order_by(OutboxEvent.id)
    ).all()
    assert [(e.type, e.payload["via"]) for e in told] == [
        ("realisation.recorded", "api"),
        ("evidence.attached", "api"),
    ]
    assert told[0].payload["value"] == "3" and told[1].payload["sha256"]
    assert all(webhooks.wants(sub, e.type) for e in told)
