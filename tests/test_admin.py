"""The back office through the test client: who sees and does what, CSRF, flashes, exports."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from tests import backoffice as bo
from tests import factories
from tests.factories import new_record
from tests.workflow_paths import RATINGS, RATINGS_FORM, bring_to
from workflow.models import Appraisal, AuditEntry, Employee, TrainingNomination


@pytest.fixture
def appraisal(session, cast):
    return bring_to(new_record(session, cast, "appraisal"), "submitted")


def reload(session, record):
    session.rollback()
    return session.get(type(record), record.id)


# -- login and access ------------------------------------------------------------------


def test_the_back_office_asks_for_a_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/admin/admin_appraisals/").status_code == 302


def test_login_with_a_wrong_password_is_refused(client, session, cast):
    bo.give_password(session, cast.supervisor)
    page = bo.text(client.get("/login"))
    wrong = {"email": cast.supervisor.email, "password": "salah", "csrf_token": bo.csrf(page)}
    response = client.post("/login", data=wrong)
    assert response.status_code == 200  # the form again, with its error
    assert client.get("/admin/").status_code == 302


def test_login_without_the_csrf_token_is_refused(client, session, cast):
    bo.give_password(session, cast.supervisor)
    client.post("/login", data={"email": cast.supervisor.email, "password": bo.PASSWORD})
    assert client.get("/admin/").status_code == 302


def test_supervisors_land_on_their_inbox_and_can_log_out(client, session, cast, appraisal):
    assert bo.log_in(client, session, cast.supervisor).headers["Location"].endswith("/admin/")
    landing = client.get("/admin/", follow_redirects=True)
    page = bo.text(landing)
    assert landing.request.path == "/admin/inbox/"
    assert "Perlu tindakan saya" in page  # Indonesian by default
    assert f'data-id="{appraisal.id}"' in page
    assert client.get("/change").status_code == 200  # the password change page
    token = bo.logout_token(page)
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/admin/inbox/").status_code == 302  # to the login page again


def test_admins_and_hr_land_on_the_dashboard(client, session, cast, appraisal):
    bo.log_in(client, session, cast.hr)
    landing = client.get("/admin/", follow_redirects=True)
    assert landing.request.path == "/admin/dashboard"
    page = bo.text(landing)
    assert 'id="dashboard"' in page and 'data-state="submitted"' in page


@pytest.mark.parametrize(
    ("persona", "allowed", "refused"),
    [
        (
            "subject",
            ["/admin/admin_appraisals/", "/admin/inbox/"],
            ["/admin/employee/", "/admin/user/", "/admin/webhookclient/", "/admin/auditentry/"],
        ),
        (
            "supervisor",
            ["/admin/admin_training_nominations/"],
            ["/admin/unit/", "/admin/outboxdelivery/"],
        ),
        (
            "hr",
            [
                "/admin/employee/",
                "/admin/unit/",
                "/admin/trainingprogram/",
                "/admin/jpledgerentry/",
                "/admin/apitoken/",  # their own tokens
            ],
            ["/admin/user/", "/admin/subscription/", "/admin/webhookreceipt/"],
        ),
        (
            "admin",
            [
                "/admin/user/",
                "/admin/webhookclient/",
                "/admin/outboxdelivery/",
                "/admin/subscription/",
                "/admin/auditentry/",
                "/admin/webhookreceipt/",
                "/admin/apitoken/",
                "/admin/role/",
                "/admin/outboxevent/",
                "/admin/jpledgerentry/",
                "/admin/developmentbudget/",
                "/admin/followup/",
                "/admin/holiday/",
                "/admin/slanotice/",
                "/admin/delegation/",
            ],
            [],
        ),
    ],
)
def test_each_role_opens_its_views_and_no_others(client, session, cast, persona, allowed, refused):
    bo.log_in(client, session, getattr(cast, persona))
    for url in allowed:
        assert client.get(url).status_code == 200, url
    for url in refused:
        assert client.get(url).status_code == 403, url


def test_an_employee_sees_only_their_own_records(client, session, cast, appraisal):
    from tests import factories

    other = factories.employee(
        session, factories.unit(session, cast.agency), supervisor=cast.supervisor.employee
    )
    session.commit()
    theirs = new_record(session, cast, "appraisal", employee_id=other.id)
    bo.log_in(client, session, cast.colleague)
    page = bo.text(client.get("/admin/admin_appraisals/"))
    assert f"details/?id={appraisal.id}" not in page and f"details/?id={theirs.id}" not in page
    missing = client.get(bo.details_url("appraisal", appraisal.id), follow_redirects=True)
    assert "Data tidak ditemukan" in bo.text(missing)


@pytest.mark.parametrize("bad_id", ["abc", "99999999999", "-1", "1.5"])
def test_an_id_that_is_no_id_is_not_found_not_an_error(client, session, cast, bad_id):
    bo.log_in(client, session, cast.admin)
    for view in ("agency", "employee", "admin_appraisals", "outboxdelivery"):
        answer = client.get(f"/admin/{view}/details/?id={bad_id}", follow_redirects=True)
        assert answer.status_code == 200 and "Data tidak ditemukan" in bo.text(answer), view


def test_hr_of_another_agency_cannot_open_the_record(client, session, cast, appraisal):
    bo.log_in(client, session, cast.hr_other)
    page = bo.text(client.get(bo.details_url("appraisal", appraisal.id), follow_redirects=True))
    assert "Data tidak ditemukan" in page


# -- steps -----------------------------------------------------------------------------


def test_a_supervisor_reviews_with_ratings_and_the_predikat_follows(
    client, session, cast, appraisal
):
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get(bo.details_url("appraisal", appraisal.id)))
    assert 'name="work_result_rating"' in page and "predicate-matrix" in page

    response = bo.fire(client, "appraisal", appraisal, "review", comment="Bagus", **RATINGS_FORM)

    assert "Penilaian kinerja" in bo.flash_text(bo.text(response))
    record = reload(session, appraisal)
    assert (record.state, record.predicate) == ("reviewed", "Baik")
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.trigger, last.via, last.actor_id, last.comment) == (
        "review",
        "admin",
        cast.supervisor.id,
        "Bagus",
    )


def test_the_next_level_supervisor_approves(client, session, cast, appraisal):
    from workflow import fire

    fire(appraisal, "review", cast.supervisor, via="api", payload=RATINGS)
    bo.log_in(client, session, cast.manager)
    inbox = bo.text(client.get("/admin/inbox/"))
    assert f'data-id="{appraisal.id}"' in inbox and "step-approve" in inbox
    bo.fire(client, "appraisal", reload(session, appraisal), "approve")
    assert reload(session, appraisal).state == "approved"


def test_an_engine_refusal_is_a_flash_and_changes_nothing(client, session, cast, appraisal):
    bo.log_in(client, session, cast.supervisor)
    response = bo.fire(client, "appraisal", appraisal, "review", comment="x")  # no ratings
    assert "Data untuk “Periksa” tidak valid" in bo.flash_text(bo.text(response))
    assert reload(session, appraisal).state == "submitted"

    response = bo.fire(client, "appraisal", appraisal, "approve")  # not from submitted
    assert "tidak dapat dilakukan selama" in bo.flash_text(bo.text(response))
    response = bo.fire(client, "appraisal", appraisal, "return")  # needs a reason
    assert "“Kembalikan” memerlukan alasan (Catatan: Alasan wajib diisi.)" in bo.flash_text(
        bo.text(response)
    )
    assert reload(session, appraisal).version == appraisal.version


def test_a_stale_version_is_refused(client, session, cast, appraisal):
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get(bo.details_url("appraisal", appraisal.id)))
    token, seen = bo.csrf(page), appraisal.version
    from workflow import fire

    fire(reload(session, appraisal), "return", cast.admin, via="api", comment="Lengkapi")
    response = client.post(
        f"/admin/admin_appraisals/fire/{appraisal.id}",
        follow_redirects=True,
        data={"trigger": "reject", "version": seen, "comment": "Tidak", "csrf_token": token},
    )
    assert "telah berubah sejak Anda membukanya" in bo.flash_text(bo.text(response))
    assert reload(session, appraisal).state == "returned"


def test_a_step_without_the_csrf_token_is_refused(client, session, cast, appraisal):
    bo.log_in(client, session, cast.supervisor)
    for token in ("", "forged"):
        response = bo.fire(client, "appraisal", appraisal, "reject", token=token, comment="x")
        assert "kedaluwarsa" in bo.flash_text(bo.text(response))
    assert reload(session, appraisal).state == "submitted"


def test_bulk_approval_reports_each_item(client, session, cast):
    nominations = []
    for _ in range(3):
        program = factories.program(session)
        session.commit()
        record = new_record(session, cast, "training_nomination", program_id=program.id)
        nominations.append(bring_to(record, "reviewed"))
    draft = new_record(session, cast, "training_nomination")
    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/admin_training_nominations/"))
    ids = [n.id for n in nominations] + [draft.id]

    response = client.post(
        "/admin/admin_training_nominations/action/",
        follow_redirects=True,
        data={
            "action": "approve",
            "rowid": ids,
            "csrf_token": bo.csrf(page),
            "url": "/admin/admin_training_nominations/",
        },
    )

    flashes = bo.flash_text(bo.text(response))
    assert "Setujui berhasil untuk 3" in flashes, flashes
    assert f"#{draft.id}" in flashes and "Tidak dilakukan" in flashes
    session.rollback()
    states = session.scalars(select(TrainingNomination.state).order_by(TrainingNomination.id))
    assert list(states) == ["approved", "approved", "approved", "draft"]


def test_bulk_approval_of_another_agencys_record_is_not_found_and_changes_nothing(
    client, session, cast
):
    mine = bring_to(new_record(session, cast, "training_nomination"), "reviewed")
    bo.log_in(client, session, cast.hr_other)  # HR of the other agency
    page = bo.text(client.get("/admin/admin_training_nominations/"))
    response = client.post(
        "/admin/admin_training_nominations/action/",
        follow_redirects=True,
        data={"action": "approve", "rowid": [mine.id], "csrf_token": bo.csrf(page)},
    )
    assert f"#{mine.id}: Data tidak ditemukan" in bo.flash_text(bo.text(response))
    assert reload(session, mine).state == "reviewed"


def test_bulk_return_takes_its_reason_and_needs_the_csrf_token(client, session, cast):
    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    bo.log_in(client, session, cast.supervisor)
    data = {"action": "return", "rowid": [record.id], "comment": "Lengkapi berkas"}
    client.post("/admin/admin_training_nominations/action/", data=data)
    assert reload(session, record).state == "submitted"  # no token, nothing done

    page = bo.text(client.get("/admin/admin_training_nominations/"))
    client.post(
        "/admin/admin_training_nominations/action/", data={**data, "csrf_token": bo.csrf(page)}
    )
    assert reload(session, record).state == "returned"
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last.comment == "Lengkapi berkas" and last.via == "admin"


def test_details_show_the_history_and_the_state_diagram(client, session, cast, appraisal):
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get(bo.details_url("appraisal", appraisal.id)))
    assert 'id="history"' in page and page.count("<tr>") >= 3
    drawn = page.split('id="state-diagram"', 1)[1].split("</div>", 1)[0]
    assert "<svg" in drawn and "submitted" in drawn  # drawn by Graphviz, inline
    # nothing loaded from elsewhere (a CDN): the page works offline. Not a search for "cdn",
    # which a random CSRF token in the page can spell.
    assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", page)


def test_the_history_says_whether_the_records_chain_verifies(client, session, cast, appraisal):
    bo.log_in(client, session, cast.supervisor)
    url = bo.details_url("appraisal", appraisal.id)
    page = bo.text(client.get(url))
    assert 'id="chain-status" data-verified="true"' in page
    assert "Riwayat terverifikasi" in page
    session.execute(
        text("UPDATE appraisals SET predicate = 'Sangat Baik' WHERE id = :id"), {"id": appraisal.id}
    )
    session.commit()
    page = bo.text(client.get(url))
    assert 'id="chain-status" data-verified="false"' in page
    assert "Riwayat ini tidak lolos verifikasi" in page
    assert f"appraisal #{appraisal.id}: its fields are not those" in page


def test_the_dashboard_shows_admins_the_last_checkpoint_and_verify(client, session, cast, cli):
    bring_to(new_record(session, cast, "appraisal"), "submitted")
    session.commit()
    bo.log_in(client, session, cast.admin)
    page = bo.text(client.get("/admin/dashboard"))
    assert 'id="audit-status"' in page and "belum ada" in page and "belum pernah" in page
    assert cli("audit", "checkpoint").exit_code == 0
    assert cli("audit", "verify").exit_code == 0
    page = bo.text(client.get("/admin/dashboard"))
    assert "#1," in page and "2 entri audit" in page and 'data-ok="true"' in page
    session.execute(text("UPDATE audit_log SET comment = 'x'"))
    session.commit()
    assert cli("audit", "verify").exit_code == 1
    page = bo.text(client.get("/admin/dashboard"))
    assert 'data-ok="false"' in page and "was altered" in page
    bo.log_out(client)
    bo.log_in(client, session, cast.hr)  # the log is everyone's: an admin's to watch
    assert 'id="audit-status"' not in bo.text(client.get("/admin/dashboard"))


# -- forms: create and edit go through the engine ----------------------------------------


def test_an_edit_with_a_stale_version_is_refused(client, session, cast):
    record = new_record(session, cast, "training_nomination")
    bo.log_in(client, session, cast.hr)
    url = f"/admin/admin_training_nominations/edit/?id={record.id}"
    token, seen = bo.csrf(bo.text(client.get(url))), record.version
    from workflow import edit

    edit(reload(session, record), cast.hr, {"justification": "Versi lain"}, via="api")
    response = client.post(
        url,
        follow_redirects=True,
        data={"justification": "Versi saya", "version_seen": seen, "csrf_token": token},
    )
    assert "telah berubah sejak Anda membukanya" in bo.flash_text(bo.text(response))
    assert reload(session, record).justification == "Versi lain"


def test_bad_input_in_a_form_is_a_flash_and_nothing_is_created(client, session, cast):
    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/employee/new/"))
    before = session.scalar(select(func.count()).select_from(Employee))
    response = client.post(
        "/admin/employee/new/",
        follow_redirects=True,
        data={
            "nip": "12345",
            "name": "Pegawai Baru",
            "status": "PNS",
            "rank": "III/a",
            "position": "Analis",
            "csrf_token": bo.csrf(page),
        },
    )
    assert response.status_code == 200
    assert session.scalar(select(func.count()).select_from(Employee)) == before


# -- exports and language --------------------------------------------------------------


def test_lists_export_to_csv_and_xlsx_with_only_visible_rows(client, session, cast, appraisal):
    bo.log_in(client, session, cast.hr_other)
    csv = bo.text(client.get("/admin/admin_appraisals/export/csv/"))
    assert csv.splitlines()[0].startswith("ID,Pegawai,") and len(csv.splitlines()) == 1  # header
    bo.log_out(client)
    bo.log_in(client, session, cast.hr)
    csv = bo.text(client.get("/admin/admin_appraisals/export/csv/"))
    assert len(csv.splitlines()) == 2 and ",diajukan," in csv.splitlines()[1]  # the label
    xlsx = client.get("/admin/admin_appraisals/export/xlsx/")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 2 and sheet.cell(2, 1).value in (appraisal.id, str(appraisal.id))
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    employee = cast.subject_employee
    assert row["Pegawai"] == employee.name and row["NIP (Pegawai)"] == employee.nip
    assert row["Periode"] == f"Tahunan {appraisal.year}"


def test_english_can_be_chosen(client, session, cast, appraisal):
    bo.log_in(client, session, cast.supervisor)
    assert "Perlu tindakan saya" in bo.text(client.get("/admin/inbox/"))
    client.get("/lang/en")
    assert "Awaiting my action" in bo.text(client.get("/admin/inbox/"))
    client.get("/lang/xx")  # unknown: no change
    assert "Awaiting my action" in bo.text(client.get("/admin/inbox/"))


def test_the_indonesian_catalogues_cover_every_text_of_the_back_office():
    from babel.messages.extract import extract_from_dir
    from babel.messages.mofile import read_mo

    from admin.i18n_id import HERE, catalogues, our_texts

    root = HERE.parents[2]
    method_map = [
        ("**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),  # the mails' plain-text parts
    ]
    keywords = {"_": None, "_l": None, "lazy_gettext": None}
    found = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]  # (singular, plural)
        for msg in extract_from_dir(str(root), method_map, keywords=keywords)
    }
    found.discard("")
    assert sorted(found - set(our_texts())) == []
    for domain, catalog in catalogues().items():
        with open(HERE / f"{domain}.mo", "rb") as mo:
            compiled = _texts(read_mo(mo))
        assert compiled == _texts(catalog), f"run python -m admin.i18n_id ({domain})"


def _texts(catalog) -> dict:
    def key(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {key(m.id): key(m.string) for m in catalog if m.id}


# -- refused actions and CSRF everywhere -------------------------------------------------


def test_steps_the_user_may_not_take_are_refused(client, session, cast, appraisal):
    bo.log_in(client, session, cast.subject)
    response = bo.fire(
        client, "appraisal", appraisal, "review", comment="Saya sendiri", **RATINGS_FORM
    )
    assert "hanya dapat dilakukan oleh" in bo.flash_text(bo.text(response))
    page = bo.text(client.get("/admin/admin_appraisals/"))
    client.post(
        "/admin/admin_appraisals/action/",
        data={"action": "approve", "rowid": [appraisal.id], "csrf_token": bo.csrf(page)},
    )
    assert reload(session, appraisal).state == "submitted"


def _no_token_posts(cast, appraisal, delivery_id):
    return [
        ("/admin/webhookclient/new/", {"name": "lms", "grants": "appraisal.submit"}),
        ("/admin/subscription/new/", {"url": "https://x.example.id/h", "event_types": "*"}),
        (f"/admin/outboxdelivery/redeliver/{delivery_id}", {}),
        ("/admin/outboxdelivery/action/", {"action": "redeliver", "rowid": [delivery_id]}),
        (
            f"/admin/admin_appraisals/edit/?id={appraisal.id}",
            {"assessor": cast.manager.employee_id, "version_seen": appraisal.version},
        ),
        (
            "/admin/admin_appraisals/new/",
            {"employee": cast.subject_employee.id, "year": 2023, "period": "annual"},
        ),
    ]


def test_every_state_changing_post_needs_the_csrf_token(client, session, cast, receiver):
    from workflow import delivery, outbox, webhooks
    from workflow.db import write_transaction
    from workflow.models import OutboxDelivery, Subscription, WebhookClient

    sink = receiver(script=lambda _i, _n: (500, {}, 0.0))
    with write_transaction(session):
        webhooks.add_subscription(session, sink.url, ["*"])
    draft = new_record(session, cast, "appraisal")
    delivery.Worker(session, outbox.Settings(schedule=(300.0,))).once()
    session.rollback()
    delivery = session.scalars(select(OutboxDelivery)).first()
    before = (delivery.status, delivery.next_attempt_at, delivery.attempts)
    bo.log_in(client, session, cast.admin)

    for url, data in _no_token_posts(cast, draft, delivery.id):
        client.post(url, data=data)

    session.rollback()
    assert session.scalar(select(WebhookClient)) is None
    assert len(session.scalars(select(Subscription)).all()) == 1
    row = session.get(OutboxDelivery, delivery.id)
    assert (row.status, row.next_attempt_at, row.attempts) == before
    assert session.scalar(select(func.count()).select_from(Appraisal)) == 1
    assert reload(session, draft).version == draft.version
    client.post("/logout")  # without a token: a confirmation page, still logged in
    assert client.get("/admin/dashboard").status_code == 200


# -- webhooks in the back office ---------------------------------------------------------


def test_admins_create_webhook_clients_and_see_the_secret_once(client, session, cast):
    from workflow.models import WebhookClient

    bo.log_in(client, session, cast.admin)
    page = bo.text(client.get("/admin/webhookclient/new/"))
    assert "appraisal.submit" in page and "appraisal.approve" not in page  # only grantable steps
    response = client.post(
        "/admin/webhookclient/new/",
        follow_redirects=True,
        data={
            "name": "lms",
            "grants": ["training_nomination.complete"],
            "active": "y",
            "agency_code": cast.agency.code,
            "csrf_token": bo.csrf(page),
        },
    )
    session.rollback()
    client_row = session.scalar(select(WebhookClient))
    assert client_row.grants == ["training_nomination.complete"]
    assert client_row.user.agency_id == cast.agency.id
    assert client_row.secret in bo.text(response)
    listing = bo.text(client.get("/admin/webhookclient/"))
    assert "lms" in listing and client_row.secret not in listing

    bad = client.post(
        "/admin/webhookclient/new/",
        follow_redirects=True,
        data={
            "name": "Bad Name",
            "grants": ["appraisal.submit"],
            "csrf_token": bo.csrf(bo.text(client.get("/admin/webhookclient/new/"))),
        },
    )
    assert "huruf kecil" in bo.flash_text(bo.text(bad))


def test_admins_redeliver_a_dead_delivery_from_its_page(client, session, cast, receiver):
    from workflow import delivery, outbox, webhooks
    from workflow.db import write_transaction
    from workflow.models import OutboxDelivery

    sink = receiver(script=lambda _i, _n: (500, {}, 0.0))
    with write_transaction(session):
        sink.secret = webhooks.add_subscription(session, sink.url, ["appraisal.*"]).secret
    new_record(session, cast, "appraisal")
    worker = delivery.Worker(session, outbox.Settings(schedule=(0.01,), jitter=0.0))
    worker.once()
    import time

    time.sleep(0.05)
    worker.once()
    session.rollback()
    delivery = session.scalars(select(OutboxDelivery)).one()
    assert delivery.status == "dead"
    bo.log_in(client, session, cast.admin)
    page = bo.text(client.get(f"/admin/outboxdelivery/details/?id={delivery.id}"))
    assert 'id="attempts"' in page and page.count("500") >= 2

    response = client.post(
        f"/admin/outboxdelivery/redeliver/{delivery.id}",
        follow_redirects=True,
        data={"csrf_token": bo.csrf(page), "next": ""},
    )

    assert f"#{delivery.id}" in bo.flash_text(bo.text(response))
    session.rollback()
    assert session.get(OutboxDelivery, delivery.id).status == "pending"


def test_the_back_office_refuses_redelivery_to_a_disabled_subscription_as_the_api_does(
    client, session, cast
):
    from workflow import outbox, webhooks
    from workflow.db import write_transaction
    from workflow.models import DeliveryStatus, OutboxDelivery

    with write_transaction(session):
        sub = webhooks.add_subscription(session, "https://example.org/hook", ["appraisal.*"])
    new_record(session, cast, "appraisal")
    outbox.fan_out(session)
    with write_transaction(session):
        row = session.scalars(select(OutboxDelivery)).one()
        row.status = DeliveryStatus.DEAD
        sub = session.merge(sub)
        sub.active, sub.disabled_reason = False, "410 Gone"
    delivery_id, sub_id = row.id, sub.id
    bo.log_in(client, session, cast.admin)
    page = bo.text(client.get(f"/admin/outboxdelivery/details/?id={delivery_id}"))

    one = client.post(
        f"/admin/outboxdelivery/redeliver/{delivery_id}",
        follow_redirects=True,
        data={"csrf_token": bo.csrf(page), "next": ""},
    )
    dead = client.post(
        "/admin/subscription/action/",
        follow_redirects=True,
        data={"action": "redeliver_dead", "rowid": [sub_id], "csrf_token": bo.csrf(page)},
    )

    assert "nonaktif" in bo.flash_text(bo.text(one))
    assert "nonaktif" in bo.flash_text(bo.text(dead))
    session.rollback()
    assert session.get(OutboxDelivery, delivery_id).status == DeliveryStatus.DEAD


def test_admins_revoke_api_tokens_from_the_back_office(client, session, cast, bearer):
    from workflow.models import ApiToken

    headers = bearer(cast.hr)
    assert client.get("/api/v1/inbox", headers=headers).status_code == 200
    token = session.scalars(select(ApiToken)).one()
    bo.log_in(client, session, cast.admin)
    page = bo.text(client.get("/admin/apitoken/"))
    assert token.prefix in page
    client.post(
        "/admin/apitoken/action/",
        data={"action": "revoke", "rowid": [token.id], "csrf_token": bo.csrf(page)},
    )
    assert client.get("/api/v1/inbox", headers=headers).status_code == 401


def test_only_drafts_and_returned_records_offer_the_edit_button(client, session, cast, appraisal):
    draft = new_record(session, cast, "appraisal", year=2024)
    bo.log_in(client, session, cast.admin)
    page = bo.text(client.get("/admin/admin_appraisals/"))
    assert f"/admin/admin_appraisals/edit/?id={draft.id}" in page
    assert f"/admin/admin_appraisals/edit/?id={appraisal.id}" not in page
    refused = client.get(f"/admin/admin_appraisals/edit/?id={appraisal.id}", follow_redirects=True)
    assert "hanya dapat diubah" in bo.flash_text(bo.text(refused))


def test_hr_reads_the_jp_report_of_their_agency(client, session, cast):
    from workflow import jp

    jp.credit(
        session,
        employee_id=cast.subject_employee.id,
        year=2026,
        jp=24,
        source="manual",
        source_id=1,
    )
    session.commit()
    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/jp-report/?year=2026"))
    assert 'id="jp-totals"' in page and "Di bawah 20 JP" in page
    assert cast.subject_employee.nip not in page  # 24 JP: not below
    assert cast.supervisor.employee.nip in page  # nothing credited
    bo.log_out(client)
    bo.log_in(client, session, cast.subject)
    assert client.get("/admin/jp-report/").status_code == 403


def test_admins_keep_the_holiday_calendar_in_the_back_office(client, session, cast):
    from datetime import date

    from workflow.models import Holiday

    bo.log_in(client, session, cast.admin)
    page = bo.text(client.get("/admin/holiday/new/"))
    client.post(
        "/admin/holiday/new/",
        data={"day": "2026-12-25", "name": "Hari Raya Natal", "csrf_token": bo.csrf(page)},
    )
    session.rollback()
    assert session.get(Holiday, date(2026, 12, 25)).name == "Hari Raya Natal"
    assert "Hari Raya Natal" in bo.text(client.get("/admin/holiday/"))
    assert "Hari Raya Natal" in bo.text(client.get("/admin/holiday/details/?id=2026-12-25"))
    missing = client.get("/admin/holiday/details/?id=not-a-date", follow_redirects=True)
    assert "Data tidak ditemukan" in bo.text(missing)
    bo.log_out(client)
    bo.log_in(client, session, cast.hr)
    assert client.get("/admin/holiday/").status_code == 200
    assert client.get("/admin/slanotice/").status_code == 403
    assert client.post(
        "/admin/holiday/new/", data={"day": "2026-12-26", "name": "x"}
    ).status_code in (302, 200)
    session.rollback()
    assert session.get(Holiday, date(2026, 12, 26)) is None  # HR may read, not add


@pytest.mark.parametrize(
    ("view", "action"),
    [
        ("outboxdelivery", "redeliver"),
        ("apitoken", "revoke"),
        ("subscription", "redeliver_dead"),
        ("webhookclient", "rotate"),
        ("delegation", "revoke"),
        ("performanceperiod", "open"),
        ("admin_appraisals", "approve"),
    ],
)
def test_a_forged_bulk_action_with_junk_ids_changes_nothing_and_does_not_fail(
    client, session, cast, view, action
):
    bo.log_in(client, session, cast.admin)
    page = bo.text(client.get(f"/admin/{view}/"))
    junk = {"action": action, "rowid": ["abc", "99999999999", "-3"], "csrf_token": bo.csrf(page)}
    answer = client.post(f"/admin/{view}/action/", follow_redirects=True, data=junk)
    assert answer.status_code == 200


def test_a_programs_coded_fields_are_chosen_by_their_indonesian_names(client, session, cast):
    from workflow.models import TrainingProgram

    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/trainingprogram/new/"))
    assert '<option value="tatap_muka">Tatap muka</option>' in page
    assert '<option value="bimtek">Bimbingan teknis</option>' in page
    form = {
        "csrf_token": bo.csrf(page),
        "code": "PKP-TEST",
        "name": "Pelatihan Kepemimpinan Pengawas",
        "form": "pelatihan",
        "delivery_mode": "Tatap Muka",  # what a person would type: not a code
        "organiser": "BPSDM",
        "agency": str(cast.agency.id),
        "jp": "40",
        "start_date": "2026-03-02",
        "end_date": "2026-03-13",
        "seat_quota": "30",
        "cost_per_participant": "7500000",
    }

    refused = bo.text(client.post("/admin/trainingprogram/new/", data=form))

    assert "CHECK" not in refused and "constraint" not in refused.lower()
    assert 'value="Pelatihan Kepemimpinan Pengawas"' in refused  # what was typed is kept
    assert session.scalar(select(TrainingProgram).filter_by(code="PKP-TEST")) is None
    saved = client.post("/admin/trainingprogram/new/", data={**form, "delivery_mode": "tatap_muka"})
    assert saved.status_code == 302, bo.flash_text(bo.text(saved))
    listed = bo.text(client.get("/admin/trainingprogram/?search=PKP-TEST"))
    assert "Tatap muka" in listed and "Pelatihan" in listed


def test_the_core_names_the_field_of_a_program_the_table_would_refuse(session, cast):
    from workflow import InvalidPayload, changes
    from workflow.models import TrainingProgram

    values = {
        "code": "X-1",
        "name": "X",
        "form": "pelatihan",
        "delivery_mode": "Tatap Muka",
        "organiser": "BPSDM",
        "jp": 0,
        "start_date": date(2026, 3, 13),
        "end_date": date(2026, 3, 2),
        "seat_quota": 30,
        "cost_per_participant": -1,
    }
    with pytest.raises(InvalidPayload) as refused:
        changes.save(session, cast.hr, TrainingProgram(), values, via="api")
    assert set(refused.value.errors) == {"delivery_mode", "jp", "end_date", "cost_per_participant"}
    session.rollback()
    assert session.scalar(select(TrainingProgram).filter_by(code="X-1")) is None


@pytest.mark.parametrize(
    ("province", "zone", "abbreviation"),
    [
        ("Maluku", "Asia/Jayapura", "WIT"),
        ("Sulawesi Selatan", "Asia/Makassar", "WITA"),
        ("Sumatera Selatan", "Asia/Jakarta", "WIB"),
    ],
)
def test_times_are_shown_in_the_zone_of_the_users_agency(
    client, session, cast, appraisal, province, zone, abbreviation
):
    from babel.dates import format_datetime, get_timezone

    from workflow.db import write_transaction

    with write_transaction(session):
        session.merge(cast.agency).province = province
    record = session.get(Appraisal, appraisal.id)
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get("/admin/inbox/"))
    local = format_datetime(
        record.state_changed_at, "d MMM y HH.mm", tzinfo=get_timezone(zone), locale="id"
    )
    assert f"{local} {abbreviation}" in page
    client.get("/lang/en")
    english = format_datetime(
        record.state_changed_at, "d MMM y HH.mm", tzinfo=get_timezone(zone), locale="en"
    )
    assert f"{english} {abbreviation}" in bo.text(client.get("/admin/inbox/"))


def test_records_are_named_by_who_and_what_in_the_inbox_and_bulk_results(
    client, session, cast, appraisal
):
    employee = cast.subject_employee
    nomination = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get("/admin/inbox/"))
    assert f"{employee.name} (NIP {employee.nip}) · Tahunan {appraisal.year}" in page
    program = session.get(type(nomination), nomination.id).program
    assert f"{employee.name} (NIP {employee.nip}) · {program.name}" in page

    listing = bo.text(client.get("/admin/admin_training_nominations/"))
    done = client.post(
        "/admin/admin_training_nominations/action/",
        data={"action": "approve", "rowid": [nomination.id], "csrf_token": bo.csrf(listing)},
        follow_redirects=True,
    )
    flashed = bo.flash_text(bo.text(done))
    assert f"#{nomination.id} {employee.name} (NIP {employee.nip})" in flashed  # named, refused


def test_an_appraisals_period_reads_as_people_say_it(app):
    from admin.views.workflows import period_label

    with app.test_request_context():
        assert period_label(2025, "annual") == "Tahunan 2025"
        assert period_label(2025, "Q2") == "Triwulan II 2025"
        assert period_label(2025, "M03") == "Maret 2025"


def test_every_workflow_list_finds_records_by_the_employees_name_or_nip(
    client, session, cast, appraisal
):
    employee = cast.subject_employee
    bo.log_in(client, session, cast.hr)
    for search in (employee.nip[:8], employee.name.split()[0], employee.nip):
        page = bo.text(client.get("/admin/admin_appraisals/", query_string={"search": search}))
        assert f'data-id="{appraisal.id}"' in page or f"/details/?id={appraisal.id}" in page, search
    nobody = bo.text(client.get("/admin/admin_appraisals/", query_string={"search": "Zzyzx Qq"}))
    assert f"/details/?id={appraisal.id}" not in nobody
    for url in ("/admin/admin_training_nominations/", "/admin/admin_mentoring_assignments/"):
        assert client.get(url, query_string={"search": employee.nip[:6]}).status_code == 200


def test_flask_admins_own_words_and_related_rows_read_in_indonesian(client, session, cast):
    from workflow import outbox, webhooks
    from workflow.db import write_transaction

    with write_transaction(session):
        webhooks.add_subscription(session, "https://example.org/hook", ["*"], name="Arsip BKD")
    new_record(session, cast, "appraisal")
    outbox.fan_out(session)
    bo.log_in(client, session, cast.admin)
    listing = bo.text(client.get("/admin/outboxdelivery/"))
    assert "Arsip BKD (https://example.org/hook)" in listing
    assert "&lt;Subscription" not in listing and "<Subscription" not in listing
    sizes = {t.strip() for t in re.findall(r'page_size=\d+">([^<]*)</a>', listing)}
    assert {"20 butir", "50 butir", "100 butir"} <= sizes and "50 items" not in sizes, sizes
    new_employee = bo.text(client.get("/admin/employee/new/"))
    assert "Please select model" not in new_employee


def test_a_refused_review_keeps_what_the_supervisor_typed_and_says_which_field(
    client, session, cast, appraisal
):
    bo.log_in(client, session, cast.supervisor)
    typed = "Capaian melampaui target; dokumentasi rapi dan tepat waktu."
    refused = bo.fire(
        client,
        "appraisal",
        appraisal,
        "review",
        work_result_rating="di_atas_ekspektasi",
        behaviour_rating="di_atas_ekspektasi",  # above expectations names a BerAKHLAK value
        feedback=typed,
    )
    page = bo.text(refused)
    assert refused.status_code == 200 and "BerAKHLAK" in bo.flash_text(page)
    assert typed in page  # the feedback survives
    review = page.split("step-full-review", 1)[1].split("</form>", 1)[0]
    assert review.count('<option selected value="di_atas_ekspektasi">') == 2  # both ratings too
    assert "field-error" in review and "BerAKHLAK" in review.split("field-error", 1)[1]
    assert reload(session, appraisal).state == "submitted"


def test_an_hr_officer_who_leaves_the_agency_empty_is_told_to_choose_it(client, session, cast):
    from workflow.models import TrainingProgram

    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/trainingprogram/new/"))
    form = {
        "csrf_token": bo.csrf(page),
        "code": "PKA-EMPTY",
        "name": "Pelatihan Kepemimpinan Administrator",
        "form": "pelatihan",
        "delivery_mode": "daring",
        "organiser": "BPSDM",
        "jp": "40",
        "start_date": "2026-03-02",
        "end_date": "2026-03-13",
        "seat_quota": "30",
        "cost_per_participant": "0",
    }
    refused = bo.text(client.post("/admin/trainingprogram/new/", data=form))
    flashed = bo.flash_text(refused)
    assert "agency" in flashed.lower() or "instansi" in flashed.lower(), flashed
    assert "only admins" not in flashed
    assert 'value="Pelatihan Kepemimpinan Administrator"' in refused
    assert session.scalar(select(TrainingProgram).filter_by(code="PKA-EMPTY")) is None


def test_hr_exports_the_jp_report_and_nominates_from_it_within_seats_and_budget(
    client, session, cast
):
    from workflow.models import TrainingNomination

    below = [cast.supervisor.employee, cast.colleague.employee]
    roomy = factories.program(session, seats=5, cost=1_000_000)
    tight = factories.program(session, seats=1, cost=1_000_000)
    session.commit()
    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/jp-report/?year=2026"))
    assert 'id="jp-export"' in page and f'value="{roomy.id}"' in page

    exported = bo.text(client.get(f"/admin/jp-report/export.csv?year=2026&agency={cast.agency.id}"))
    lines = exported.splitlines()
    assert lines[0] == "NIP,Nama,Unit kerja,JP"
    assert any(line.startswith(f"{below[0].nip},") for line in lines[1:])

    form = {"csrf_token": bo.csrf(page), "year": "2026", "agency": str(cast.agency.id)}
    chosen = [str(e.id) for e in below]
    refused = client.post(
        "/admin/jp-report/nominate",
        data={**form, "program": str(tight.id), "employee": chosen},
        follow_redirects=True,
    )
    assert "tinggal 1 kursi, tidak cukup untuk 2" in bo.flash_text(bo.text(refused))
    session.rollback()  # read what the server wrote, not this session's snapshot
    assert session.scalar(select(func.count()).select_from(TrainingNomination)) == 0

    done = client.post(
        "/admin/jp-report/nominate",
        data={**form, "program": str(roomy.id), "employee": chosen},
        follow_redirects=True,
    )
    flashed = bo.flash_text(bo.text(done))
    assert all(f"(NIP {e.nip})" in flashed for e in below), flashed
    session.rollback()
    made = session.scalars(select(TrainingNomination)).all()
    assert {n.employee_id for n in made} == {e.id for e in below}
    assert {n.state for n in made} == {"draft"} and {n.program_id for n in made} == {roomy.id}


def test_another_agencys_officer_cannot_nominate_through_the_jp_report(client, session, cast):
    from workflow.models import TrainingNomination

    roomy = factories.program(session, seats=5, cost=0)
    session.commit()
    bo.log_in(client, session, cast.hr_other)
    page = bo.text(client.get("/admin/jp-report/?year=2026"))
    client.post(
        "/admin/jp-report/nominate",
        data={
            "csrf_token": bo.csrf(page),
            "year": "2026",
            "agency": str(cast.agency.id),  # not theirs: the report is of their own agency
            "program": str(roomy.id),
            "employee": [str(cast.subject_employee.id)],
        },
    )
    session.rollback()  # read what the server wrote, not this session's snapshot
    assert session.scalar(select(func.count()).select_from(TrainingNomination)) == 0


def test_a_records_page_reads_its_codes_by_their_names(client, session, cast, appraisal):
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get(bo.details_url("appraisal", appraisal.id)))
    details = page.split('class="table', 1)[1].split("</table>", 1)[0]
    assert f"Tahunan {appraisal.year}" in details and "annual" not in details
    assert "diajukan" in details and ">submitted<" not in details
    assert "Aturan predikat" in details and "Predicate Rule" not in details


def test_the_state_diagram_speaks_the_users_language(client, session, cast, appraisal):
    from admin import diagram

    assert diagram.available(), "Graphviz (dot) is needed for the diagram"
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get(bo.details_url("appraisal", appraisal.id)))
    drawn = page.split('id="state-diagram"', 1)[1].split("</svg>", 1)[0]
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", drawn)
    assert "diajukan" in texts and "Periksa" in " ".join(texts)
    assert "submitted" not in texts and "review" not in texts
    client.get("/lang/en")
    english = bo.text(client.get(bo.details_url("appraisal", appraisal.id)))
    assert ">submitted<" in english.split('id="state-diagram"', 1)[1]


def test_an_employee_is_not_shown_bulk_decisions_they_can_never_take(client, session, cast):
    bo.log_in(client, session, cast.subject)
    page = bo.text(client.get("/admin/admin_appraisals/"))
    assert "Setujui yang dipilih" not in page and 'name="action"' not in page
    bo.log_out(client)
    bo.log_in(client, session, cast.supervisor)
    assert "Setujui yang dipilih" in bo.text(client.get("/admin/admin_appraisals/"))


def test_a_replayed_nomination_from_the_jp_report_makes_nothing_twice(client, session, cast):
    from workflow.models import TrainingNomination

    roomy = factories.program(session, seats=5, cost=0)
    session.commit()
    bo.log_in(client, session, cast.hr)
    page = bo.text(client.get("/admin/jp-report/?year=2026"))
    data = {
        "csrf_token": bo.csrf(page),
        "year": "2026",
        "agency": str(cast.agency.id),
        "program": str(roomy.id),
        "employee": [str(cast.colleague.employee.id)],
    }
    client.post("/admin/jp-report/nominate", data=data)
    again = client.post("/admin/jp-report/nominate", data=data, follow_redirects=True)
    assert "Tidak diusulkan" in bo.flash_text(bo.text(again))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(TrainingNomination)) == 1


def test_another_agencys_officer_exports_only_their_own_jp_report(client, session, cast):
    bo.log_in(client, session, cast.hr_other)
    url = f"/admin/jp-report/export.csv?year=2026&agency={cast.agency.id}"
    exported = bo.text(client.get(url))  # the agency asked for is not theirs: their own
    assert cast.subject_employee.nip not in exported
    assert exported.splitlines()[0] == "NIP,Nama,Unit kerja,JP"


@pytest.mark.parametrize("province", ["", "\x00", "Papua\u200b", "x" * 500, "MALUKU  utara"])
def test_a_province_edited_by_hand_still_gives_a_time_zone(province):
    from workflow import zones

    assert zones.zone_of(province) in (zones.WIB, zones.WITA, zones.WIT)
    assert zones.zone_of("MALUKU  utara") == zones.WIT


def test_the_employee_sees_until_when_they_may_object_and_then_why_they_objected(
    client, session, cast
):
    from workflow import fire

    record = bring_to(new_record(session, cast, "appraisal"), "approved")
    bo.log_in(client, session, cast.subject)
    page = bo.text(client.get(bo.details_url("appraisal", record.id)))
    assert "Pegawai dapat mengajukan keberatan sampai" in page
    fire(reload(session, record), "appeal", cast.subject, via="api", comment="Bukti kinerja Q3")
    page = bo.text(client.get(bo.details_url("appraisal", record.id)))
    assert "Keberatan diajukan: Bukti kinerja Q3" in page


def test_after_the_window_the_employee_reads_that_the_time_to_object_ended(client, session, cast):
    from datetime import timedelta

    record = bring_to(new_record(session, cast, "appraisal"), "approved")
    record.state_changed_at -= timedelta(days=60)
    session.commit()
    bo.log_in(client, session, cast.subject)
    page = bo.text(client.get(bo.details_url("appraisal", record.id)))
    assert "Batas waktu keberatan berakhir" in page
    assert "Pegawai dapat mengajukan" not in page


def test_an_accounts_page_never_shows_its_password_hash_or_session_key(client, session, cast):
    bo.log_in(client, session, cast.admin)
    user = cast.hr
    bo.give_password(session, user)
    page = bo.text(client.get(f"/admin/user/details/?id={user.id}"))
    export = bo.text(client.get("/admin/user/export/csv/"))
    session.rollback()
    hashed, key = session.get(type(user), user.id).password, user.fs_uniquifier
    for shown in (page, export):
        assert user.email in shown
        assert hashed not in shown and key not in shown and "argon2" not in shown
    form = bo.text(client.get(f"/admin/user/edit/?id={user.id}"))
    assert "Petugas kepegawaian (BKPSDM)" in form and ">hr_officer<" not in form


def test_create_is_offered_only_to_roles_that_make_such_records(client, session, cast):
    mentoring = "/admin/admin_mentoring_assignments/"
    bo.log_in(client, session, cast.subject)  # an employee proposes training, not mentoring
    assert f"{mentoring}new/" not in bo.text(client.get(mentoring))
    assert client.get(f"{mentoring}new/").status_code == 302
    assert "/admin/admin_training_nominations/new/" in bo.text(
        client.get("/admin/admin_training_nominations/")
    )
    bo.log_out(client)
    bo.log_in(client, session, cast.supervisor)
    assert f"{mentoring}new/" in bo.text(client.get(mentoring))
