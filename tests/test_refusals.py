"""The core's refusals reach people in their language: every text it can say is in the
Indonesian catalogue, codes are shown by their labels, and English stays when chosen."""

from __future__ import annotations

import re

import pytest
from babel.messages.mofile import read_mo

from admin.i18n_id import HERE, our_texts
from tests import backoffice as bo
from tests.factories import new_record
from tests.refusal_texts import texts
from tests.workflow_paths import RATINGS_FORM, bring_to

PLACEHOLDER = re.compile(r"%\(\w+\)[sr]")


@pytest.fixture()
def appraisal(session, cast):
    return bring_to(new_record(session, cast, "appraisal"), "submitted")


def test_every_text_the_core_refuses_with_is_a_template_in_the_indonesian_catalogue():
    found, dynamic = texts()
    assert dynamic == [], "a refusal built at run time cannot be translated: use a template"
    assert len(found) > 100  # the scan reads the core's refusals, not an empty tree
    with open(HERE / "messages.mo", "rb") as mo:
        compiled = {m.id: m.string for m in read_mo(mo) if isinstance(m.id, str) and m.id}
    missing = {text: where for text, where in found.items() if not compiled.get(text)}
    assert missing == {}
    wrong = [
        t
        for t in found
        if sorted(PLACEHOLDER.findall(t)) != sorted(PLACEHOLDER.findall(compiled[t]))
    ]
    assert wrong == [], "a translation names other parameters than its template"


def test_the_catalogue_translates_every_word_a_refusal_may_name():
    from admin.labels import PARTY_LABELS, STATE_LABELS, TITLES, TRIGGER_LABELS
    from admin.refusals import ACTION_LABELS, FIELD_LABELS, MODEL_LABELS
    from workflow.parties import (
        ADMIN,
        APPROVER,
        ASSESSOR,
        EXTERNAL,
        HR,
        MENTOR,
        SUBJECT,
        SUPERVISOR,
    )
    from workflow.workflows import WORKFLOWS

    parties = {p.name for p in (ADMIN, APPROVER, ASSESSOR, EXTERNAL, HR, MENTOR, SUBJECT)}
    assert parties | {SUPERVISOR.name} <= set(PARTY_LABELS)
    for wf in WORKFLOWS.values():
        assert set(wf.triggers) <= set(TRIGGER_LABELS), wf.name
        assert {s.value for s in wf.states} <= set(STATE_LABELS), wf.name
        assert wf.name in TITLES
    texts = our_texts()
    for labels in (PARTY_LABELS, STATE_LABELS, TRIGGER_LABELS, MODEL_LABELS, ACTION_LABELS):
        for label in labels.values():
            assert label._args[0] in texts  # a lazy text's msgid
    assert all(label._args[0] in texts for label in FIELD_LABELS.values())


def test_a_step_refused_for_its_state_names_the_step_and_states_in_indonesian(
    client, session, cast, appraisal
):
    bo.log_in(client, session, cast.supervisor)
    response = bo.fire(client, "appraisal", appraisal, "approve")  # still to be reviewed
    said = bo.flash_text(bo.text(response))
    assert said.startswith("“Setujui” tidak dapat dilakukan selama penilaian kinerja berstatus")
    assert "“diajukan”" in said
    assert "'approve'" not in said and "submitted" not in said


def test_the_same_refusal_is_english_when_english_is_chosen(client, session, cast, appraisal):
    bo.log_in(client, session, cast.supervisor)
    client.get("/lang/en")
    said = bo.flash_text(bo.text(bo.fire(client, "appraisal", appraisal, "approve")))
    assert said.startswith("“Approve” is not possible while the performance appraisal is")
    assert "“submitted”" in said
    assert "tidak" not in said


def test_a_refusal_for_who_may_act_names_the_parties_by_their_roles(
    client, session, cast, appraisal
):
    bo.log_in(client, session, cast.subject)
    said = bo.flash_text(bo.text(bo.fire(client, "appraisal", appraisal, "review", **RATINGS_FORM)))
    assert said == "“Periksa” hanya dapat dilakukan oleh: pejabat penilai kinerja, admin"


def test_bulk_results_say_each_refusal_in_indonesian(client, session, cast, appraisal):
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get("/admin/admin_appraisals/"))
    response = client.post(
        "/admin/admin_appraisals/action/",
        data={"action": "approve", "rowid": [appraisal.id], "csrf_token": bo.csrf(page)},
        follow_redirects=True,
    )
    said = bo.flash_text(bo.text(response))
    assert cast.subject_employee.name in said  # the record named as people name it
    assert "tidak dapat dilakukan selama penilaian kinerja berstatus “diajukan”" in said
    assert "not possible" not in said and "'approve'" not in said


def test_a_refused_reference_form_keeps_what_was_typed_and_says_why_beside_the_field(
    client, session, cast
):
    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/employee/new/"))
    response = client.post(
        "/admin/employee/new/",
        data={
            "csrf_token": bo.csrf(page),
            "name": "Siti Aminah Typed",
            "nip": "12345",
            "position": "Analis Kepegawaian",
            "status": "PNS",
            "rank": "III/a",
            "unit": cast.subject_employee.unit_id,
        },
    )
    body = bo.text(response)
    assert response.status_code == 200
    assert 'value="Siti Aminah Typed"' in body  # nothing typed is lost
    assert "NIP harus 18 angka, bukan 5" in body
    # … beside the NIP field, as Flask-Admin shows a field's errors
    field = body[body.index('name="nip"') :]
    assert "NIP harus 18 angka, bukan 5" in field[: field.index("</div>") + 400]


def test_a_missing_field_is_said_in_indonesian_and_coded_fields_are_chosen(client, session, cast):
    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/employee/new/"))
    assert 'id="status" name="status" required><option value="PNS">' in page
    assert "PNS (Pegawai Negeri Sipil)" in page and "III/a (Penata Muda)" in page
    response = client.post(
        "/admin/employee/new/",
        data={"csrf_token": bo.csrf(page), "name": "Tanpa Jabatan", "status": "PNS"},
    )
    body = bo.text(response)
    assert "Wajib diisi." in body and "This field is required." not in body
    assert 'value="Tanpa Jabatan"' in body
    client.get("/lang/en")
    body = bo.text(
        client.post(
            "/admin/employee/new/",
            data={"csrf_token": bo.csrf(page), "name": "Tanpa Jabatan", "status": "PNS"},
        )
    )
    assert "This field is required." in body and "Wajib diisi." not in body


def test_hostile_text_in_a_refusal_is_shown_as_text_and_never_read_as_a_template(
    client, session, cast
):
    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/employee/new/"))
    hostile = "<b>x</b>%(id)s%s"
    response = client.post(
        "/admin/employee/new/",
        data={
            "csrf_token": bo.csrf(page),
            "name": "Uji",
            "nip": hostile,
            "position": "Analis",
            "status": "PNS",
            "rank": "III/a",
            "unit": cast.subject_employee.unit_id,
        },
    )
    body = bo.text(response)
    assert response.status_code == 200
    assert "<b>x</b>" not in body  # escaped wherever it is shown
    assert "NIP hanya boleh berisi angka, bukan &#39;&lt;b&gt;x&lt;/b&gt;%(id)s%s&#39;" in body
