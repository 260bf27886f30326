"""The back office in a real browser: Debian's Chromium, headless, driven by Playwright.

On a failure the page is saved to ``test-output/<test name>.png``.
"""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from tests import backoffice as bo
from tests.factories import new_record, program
from tests.workflow_paths import bring_to
from workflow import fire
from workflow.models import Appraisal, TrainingNomination


def log_in(page, live_server, session, user) -> None:
    bo.give_password(session, user)
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", bo.PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/.*"))


def state_of(session, model, record_id) -> str:
    session.rollback()
    return session.scalar(select(model.state).where(model.id == record_id))


def test_a_supervisor_reviews_from_the_inbox_and_the_manager_approves(
    page, live_server, session, cast
):
    appraisal = bring_to(new_record(session, cast, "appraisal"), "submitted")
    log_in(page, live_server, session, cast.supervisor)

    # The landing page is the inbox, in Indonesian; the appraisal waits there.
    assert page.locator("h4").inner_text().strip() == "Perlu tindakan saya"
    row = page.locator(f"tr.inbox-row[data-workflow=appraisal][data-id='{appraisal.id}']")
    row.locator("a.step-link-review").click()

    # Review needs ratings: the form shows the predikat they lead to before saving.
    form = page.locator("form.step-full-review")
    form.locator("select[name=work_result_rating]").select_option("di_atas_ekspektasi")
    form.locator("select[name=behaviour_rating]").select_option("di_atas_ekspektasi")
    assert page.locator("#predicate-preview").inner_text().endswith("Sangat Baik")
    form.locator("textarea[name=feedback]").fill("Capaian melampaui target")
    # A behaviour rating above expectations names the BerAKHLAK value(s) it is about.
    form.locator("textarea[name=behaviour_feedback-kolaboratif]").fill("Menggerakkan kerja tim")
    form.locator("button.step-submit").click()

    assert "berhasil" in page.locator(".alert-success").inner_text()
    assert page.locator(".state-badge").first.get_attribute("data-state") == "reviewed"
    details = page.locator("table.searchable").inner_text()
    assert "Sangat Baik" in details and "Menggerakkan kerja tim" in details
    assert state_of(session, Appraisal, appraisal.id) == "reviewed"

    # The next-level supervisor approves it from their inbox in one click.
    page.locator("#logout").click()
    log_in(page, live_server, session, cast.manager)
    page.locator(f"tr.inbox-row[data-id='{appraisal.id}'] button.step-approve").click()
    assert "berhasil" in page.locator(".alert-success").inner_text()
    assert state_of(session, Appraisal, appraisal.id) == "approved"


def test_a_refused_review_keeps_what_was_typed_and_is_put_right_in_place(
    page, live_server, session, cast
):
    appraisal = bring_to(new_record(session, cast, "appraisal"), "submitted")
    log_in(page, live_server, session, cast.supervisor)
    page.goto(f"{live_server.url}{bo.details_url('appraisal', appraisal.id)}")
    form = page.locator("form.step-full-review")
    form.locator("select[name=work_result_rating]").select_option("di_atas_ekspektasi")
    form.locator("select[name=behaviour_rating]").select_option("di_atas_ekspektasi")
    # The predikat the ratings give shows beside them, in the form, as they change.
    assert form.locator("#predicate-preview").inner_text().endswith("Sangat Baik")
    form.locator("textarea[name=feedback]").fill("Capaian melampaui target")
    form.locator("button.step-submit").click()  # no BerAKHLAK value named: refused

    form = page.locator("form.step-full-review")
    assert "BerAKHLAK" in page.locator(".alert-danger").inner_text()
    assert "BerAKHLAK" in form.locator(".field-error").first.inner_text()
    assert form.locator("textarea[name=feedback]").input_value() == "Capaian melampaui target"
    assert form.locator("select[name=behaviour_rating]").input_value() == "di_atas_ekspektasi"
    assert form.locator("#predicate-preview").inner_text().endswith("Sangat Baik")  # kept too
    assert state_of(session, Appraisal, appraisal.id) == "submitted"

    form.locator("textarea[name=behaviour_feedback-kolaboratif]").fill("Menggerakkan kerja tim")
    form.locator("button.step-submit").click()
    assert "berhasil" in page.locator(".alert-success").inner_text()
    assert state_of(session, Appraisal, appraisal.id) == "reviewed"


def test_hr_bulk_approves_nominations_and_sees_each_result(page, live_server, session, cast):
    ids = []
    for _ in range(3):
        extra = program(session)
        session.commit()
        record = new_record(session, cast, "training_nomination", program_id=extra.id)
        ids.append(bring_to(record, "reviewed").id)
    log_in(page, live_server, session, cast.hr)
    page.goto(f"{live_server.url}/admin/admin_training_nominations/")
    for record_id in ids:
        page.check(f"input.action-checkbox[value='{record_id}']")
    page.once("dialog", lambda dialog: dialog.accept())  # "Setujui data yang dipilih?"
    page.click("text=Untuk yang dipilih")
    page.click("text=Setujui yang dipilih")

    assert "Setujui berhasil untuk 3" in page.locator(".alert-success").inner_text()
    assert {state_of(session, TrainingNomination, i) for i in ids} == {"approved"}


def test_a_record_shows_its_history_and_its_state_diagram(page, live_server, session, cast):
    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    fire(record, "return", cast.supervisor, via="api", comment="Lengkapi surat tugas")
    log_in(page, live_server, session, cast.hr)
    page.goto(f"{live_server.url}/admin/admin_training_nominations/details/?id={record.id}")

    history = page.locator("#history tbody tr")
    assert history.count() == 3
    assert "Lengkapi surat tugas" in history.nth(2).inner_text()
    status = page.locator("#chain-status")
    assert status.is_visible() and status.get_attribute("data-verified") == "true"
    assert "Riwayat terverifikasi" in status.inner_text()
    diagram = page.locator("#state-diagram svg")
    assert diagram.is_visible()
    box = diagram.bounding_box()
    assert box["width"] > 200 and box["height"] > 100  # really drawn, not an empty element
    # The current state is highlighted in the drawing.
    current = page.locator("#state-diagram g.node", has_text="returned")
    assert current.locator("[fill]:not([fill='none'])").count() >= 1


def test_english_is_one_click_away(page, live_server, session, cast):
    log_in(page, live_server, session, cast.supervisor)
    page.click("text=Bahasa")
    page.click("text=English")
    assert page.locator("h4").inner_text().strip() == "Awaiting my action"


def _tab(browser, request, **context):
    """A tab of a fresh browser context; on a failure its page is saved to test-output/."""
    # Reduced motion: no control is caught by a check halfway through a colour transition.
    made = browser.new_context(locale="id-ID", reduced_motion="reduce", **context)
    tab = made.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        from pathlib import Path

        out = Path(__file__).resolve().parent.parent / "test-output"
        out.mkdir(exist_ok=True)
        tab.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    made.close()


@pytest.fixture
def page(browser, request):
    yield from _tab(browser, request, viewport={"width": 1366, "height": 900})


@pytest.fixture
def phone(browser, request):
    """A phone-sized tab (390 x 844, touch), failures saved like the desktop tab's."""
    yield from _tab(
        browser, request, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )


def _no_sideways_scroll(tab, where: str) -> None:
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{where}: the page is {width} px wide on a 390 px screen"


def test_on_a_phone_login_inbox_list_and_record_fit_the_screen(phone, live_server, session, cast):
    appraisal = bring_to(new_record(session, cast, "appraisal"), "submitted")
    bo.give_password(session, cast.supervisor)
    phone.goto(f"{live_server.url}/login")
    _no_sideways_scroll(phone, "login")
    phone.fill("input[name=email]", cast.supervisor.email)
    phone.fill("input[name=password]", bo.PASSWORD)
    phone.click("[type=submit]")
    phone.wait_for_url(re.compile(r".*/admin/.*"))
    _no_sideways_scroll(phone, "inbox")
    phone.goto(f"{live_server.url}/admin/admin_appraisals/")
    _no_sideways_scroll(phone, "list")
    phone.goto(f"{live_server.url}{bo.details_url('appraisal', appraisal.id)}")
    _no_sideways_scroll(phone, "record")
    if os.environ.get("ALUR_SCREENSHOTS"):  # for a person to look at (make screenshots)
        phone.screenshot(path=os.environ["ALUR_SCREENSHOTS"] + "/phone-record.png", full_page=True)
    button = phone.locator("form.step-full-review button.step-submit")
    assert button.bounding_box()["height"] >= 44


def _serious_violations(tab) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    tab.wait_for_load_state("load")  # a page just submitted is checked once it has come
    results = Axe().run(tab)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(str(n["target"]) + " " + n.get("failureSummary", "")[:160] for n in v["nodes"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_no_serious_violation_on_login_inbox_list_and_record(
    page, live_server, session, cast
):
    appraisal = bring_to(new_record(session, cast, "appraisal"), "submitted")
    found = {}
    page.goto(f"{live_server.url}/login")
    found["login"] = _serious_violations(page)
    log_in(page, live_server, session, cast.supervisor)
    found["inbox"] = _serious_violations(page)
    page.goto(f"{live_server.url}/admin/admin_appraisals/")
    found["list"] = _serious_violations(page)
    page.goto(f"{live_server.url}{bo.details_url('appraisal', appraisal.id)}")
    found["record"] = _serious_violations(page)
    assert not any(found.values()), found


def test_on_a_phone_the_login_page_fits_and_its_controls_take_a_finger(
    phone, live_server, session, cast
):
    bo.give_password(session, cast.supervisor)
    phone.goto(f"{live_server.url}/login")
    assert phone.locator("html").get_attribute("lang") == "id"
    assert phone.locator("h1").inner_text().strip() == "Masuk"
    _no_sideways_scroll(phone, "login")
    for control in ("[type=submit]", "input[name=email]", "input[name=password]"):
        assert phone.locator(control).bounding_box()["height"] >= 44, control
    # A wrong password: the message in Indonesian, the e-mail kept, the page still fits.
    phone.fill("input[name=email]", cast.supervisor.email)
    phone.fill("input[name=password]", "salah-sekali")
    phone.click("[type=submit]")
    assert "Email atau kata sandi salah." in phone.locator("#form-errors").inner_text()
    assert phone.input_value("input[name=email]") == cast.supervisor.email
    _no_sideways_scroll(phone, "login refused")
    if os.environ.get("ALUR_SCREENSHOTS"):
        phone.screenshot(path=os.environ["ALUR_SCREENSHOTS"] + "/phone-login.png", full_page=True)
    # English before logging in, from the page's own bar.
    phone.click("a[lang=en]")
    assert phone.locator("h1").inner_text().strip() == "Login"
    assert phone.locator("label[for=email]").inner_text().strip() == "Email Address"


def test_axe_finds_no_serious_violation_on_the_password_and_error_pages(
    page, live_server, session, cast
):
    found = {}
    page.goto(f"{live_server.url}/no-such-page")
    found["404"] = _serious_violations(page)
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=email]", "nobody@x.alur.id")
    page.fill("input[name=password]", "salah-sekali")
    page.click("[type=submit]")
    page.wait_for_selector("#form-errors")
    found["login refused"] = _serious_violations(page)
    log_in(page, live_server, session, cast.subject)
    page.goto(f"{live_server.url}/change")
    found["change"] = _serious_violations(page)
    # Nothing typed: each field says what it needs (the bar's log out is a submit too).
    page.click("form[name=change_password_form] [type=submit]")
    found["change refused"] = _serious_violations(page)
    page.goto(f"{live_server.url}/admin/employee/")
    assert "Akses ditolak" in page.locator("#error-page").inner_text()
    found["403"] = _serious_violations(page)
    assert not any(found.values()), found


def test_on_a_phone_a_supervisor_reviews_and_the_manager_approves_without_sideways_scroll(
    phone, live_server, session, cast
):
    appraisal = bring_to(new_record(session, cast, "appraisal"), "submitted")
    bo.give_password(session, cast.supervisor)
    phone.goto(f"{live_server.url}/login")
    _no_sideways_scroll(phone, "login")
    log_in(phone, live_server, session, cast.supervisor)
    _no_sideways_scroll(phone, "inbox")
    phone.locator(f"tr.inbox-row[data-id='{appraisal.id}'] a.step-link-review").click()
    _no_sideways_scroll(phone, "review form")
    form = phone.locator("form.step-full-review")
    form.locator("select[name=work_result_rating]").select_option("sesuai_ekspektasi")
    form.locator("select[name=behaviour_rating]").select_option("sesuai_ekspektasi")
    form.locator("textarea[name=feedback]").fill("Target tercapai")
    assert form.locator("button.step-submit").bounding_box()["height"] >= 44
    with phone.expect_navigation():
        form.locator("button.step-submit").click()
    assert "berhasil" in phone.locator(".alert-success").inner_text()
    _no_sideways_scroll(phone, "record after review")
    assert state_of(session, Appraisal, appraisal.id) == "reviewed"

    phone.locator(".navbar-toggler").click()  # on a phone the menu folds away
    phone.locator("#logout").click()
    _no_sideways_scroll(phone, "login again")
    log_in(phone, live_server, session, cast.manager)
    _no_sideways_scroll(phone, "manager's inbox")
    approve = phone.locator(f"tr.inbox-row[data-id='{appraisal.id}'] button.step-approve")
    assert approve.bounding_box()["height"] >= 44
    with phone.expect_navigation():
        approve.click()
    assert "berhasil" in phone.locator(".alert-success").inner_text()
    _no_sideways_scroll(phone, "inbox after approval")
    assert state_of(session, Appraisal, appraisal.id) == "approved"


def test_a_forgotten_password_is_reset_in_the_browser_from_the_mailed_link(
    page, live_server, session, cast, mails
):
    user = cast.subject
    bo.give_password(session, user)
    page.goto(f"{live_server.url}/login")
    page.click("#forgot-password")
    page.fill("input[name=email]", user.email)
    page.click("[type=submit]")
    assert "Petunjuk mengatur ulang kata sandi telah dikirim" in page.locator(".alert").inner_text()
    (mail,) = mails.to(user.email)
    text = mail.get_body(("plain",)).get_content()
    (link,) = re.findall(r"https?://\S+/reset/\S+", text)
    page.goto(link.rstrip("."))
    new = "kata-sandi-baru-2026"
    page.fill("input[name=password]", new)
    page.fill("input[name=password_confirm]", new)
    page.click("[type=submit]")
    page.wait_for_url(re.compile(r".*/login.*"))
    assert "berhasil diatur ulang" in page.locator(".alert").inner_text()
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", new)
    page.click("[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/.*"))


def test_the_rhk_page_and_the_cascade_tree_pass_axe_and_fit_a_phone(
    page, phone, live_server, session, cast
):
    from workflow.models import RhkItem, SkpPlan

    plan = new_record(session, cast, "skp_plan")
    plan_id, item_id, parent_id = plan.id, plan.items[0].id, plan.items[0].parent_id
    session.commit()
    found = {}
    log_in(page, live_server, session, cast.subject)
    page.goto(f"{live_server.url}/admin/admin_skp_plans/rhk/?id={plan_id}")
    found["rhk"] = _serious_violations(page)
    page.fill("#items-1-text", "Inovasi layanan daring")
    page.select_option("#items-1-parent_id", index=1)
    page.select_option("#items-1-indicators-0-aspect", "kualitas")
    page.fill("#items-1-indicators-0-indicator", "Kepuasan pengguna")
    page.fill("#items-1-indicators-0-target", "90%")
    page.click("#rhk-form [type=submit]")
    page.wait_for_url(re.compile(r".*/details/.*"))
    session.rollback()
    texts = [i.text for i in session.get(SkpPlan, plan_id).items]
    assert texts == ["Laporan layanan", "Inovasi layanan daring"]
    page.goto(f"{live_server.url}/admin/admin_skp_plans/cascade/?item={item_id}")
    found["cascade"] = _serious_violations(page)
    assert page.locator("#cascade-up .cascade-rhk").count() == 3  # supervisor, manager, head
    if os.environ.get("ALUR_SCREENSHOTS"):
        page.screenshot(path=os.environ["ALUR_SCREENSHOTS"] + "/cascade-up.png", full_page=True)
    assert not any(found.values()), found
    # The manager's plan is not the subject's to open: named in the chain, not linked.
    assert page.locator("#cascade-up a[href*='details']").count() == 0
    page.locator("#logout").click()
    log_in(page, live_server, session, cast.hr)
    head_rhk = session.get(RhkItem, session.get(RhkItem, parent_id).parent_id).parent_id
    page.goto(f"{live_server.url}/admin/admin_skp_plans/cascade/?item={head_rhk}")
    assert page.locator(".cascade-down .cascade-rhk").count() == 4  # down to both RHK
    if os.environ.get("ALUR_SCREENSHOTS"):
        page.screenshot(path=os.environ["ALUR_SCREENSHOTS"] + "/cascade-down.png", full_page=True)
    log_in(phone, live_server, session, cast.subject)
    phone.goto(f"{live_server.url}/admin/admin_skp_plans/rhk/?id={plan_id}")
    _no_sideways_scroll(phone, "rhk")
    phone.goto(f"{live_server.url}/admin/admin_skp_plans/cascade/?item={item_id}")
    _no_sideways_scroll(phone, "cascade")
