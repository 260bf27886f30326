"""Login and sessions: one answer for bad credentials, logout ends the session, safe redirects."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from admin.base import safe_next
from alur import create_app
from tests import backoffice as bo
from tests.factories import new_record
from tests.workflow_paths import bring_to
from workflow.models import ChangeEntry


def test_unknown_email_and_wrong_password_get_the_same_indonesian_answer(client, session, cast):
    bo.give_password(session, cast.supervisor)
    answers = []
    for email, password in ((cast.supervisor.email, "salah"), ("nobody@x.alur.id", "salah")):
        page = bo.text(client.get("/login"))
        data = {"email": email, "password": password, "csrf_token": bo.csrf(page)}
        answers.append(bo.text(client.post("/login", data=data)))
    assert all("Email atau kata sandi salah." in a for a in answers)
    assert not any("does not exist" in a or "Invalid password" in a for a in answers)


def test_a_cookie_saved_before_logout_no_longer_opens_the_back_office(app, client, session, cast):
    bo.log_in(client, session, cast.supervisor)
    assert client.get("/admin/inbox/").status_code == 200
    saved = client.get_cookie("session").value
    bo.log_out(client)
    client.set_cookie("session", saved)
    assert client.get("/admin/inbox/").status_code == 302  # to the login page
    session.rollback()
    entry = session.scalars(select(ChangeEntry).where(ChangeEntry.model == "users")).all()[-1]
    assert (entry.action, entry.actor_id, entry.row_key) == (
        "end_sessions",
        cast.supervisor.id,
        str(cast.supervisor.id),
    )
    assert "***" not in str(entry.before) + str(entry.after)  # nothing of the uniquifier


def test_a_remember_me_cookie_saved_before_logout_no_longer_logs_in(client, session, cast):
    bo.give_password(session, cast.supervisor)
    page = bo.text(client.get("/login"))
    client.post(
        "/login",
        data={
            "email": cast.supervisor.email,
            "password": bo.PASSWORD,
            "remember": "y",
            "csrf_token": bo.csrf(page),
        },
    )
    remembered = client.get_cookie("remember_token").value
    bo.log_out(client)
    client.delete_cookie("session")
    client.set_cookie("remember_token", remembered)
    assert client.get("/admin/inbox/").status_code == 302


def test_a_password_change_ends_the_other_sessions_and_is_logged(app, client, session, cast):
    bo.log_in(client, session, cast.supervisor)
    elsewhere = app.test_client()
    bo.log_in(elsewhere, session, cast.supervisor)
    page = bo.text(client.get("/change"))
    new = "Baru-sekali-2026!"
    data = {
        "password": bo.PASSWORD,
        "new_password": new,
        "new_password_confirm": new,
        "csrf_token": bo.csrf(page),
    }
    assert client.post("/change", data=data).status_code == 302
    assert client.get("/admin/inbox/").status_code == 200  # this browser stays logged in
    assert elsewhere.get("/admin/inbox/").status_code == 302  # the other one is logged out
    session.rollback()
    entry = session.scalars(select(ChangeEntry).where(ChangeEntry.model == "users")).all()[-1]
    assert (entry.action, entry.actor_id, entry.via) == (
        "change_password",
        cast.supervisor.id,
        "admin",
    )


def test_login_page_cache_control_is_well_formed(client):
    header = client.get("/login").headers["Cache-Control"]
    assert "=True" not in header
    assert {part.strip() for part in header.split(",")} >= {"private", "no-store"}


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "https://evil.example/",
        "/a\nb",
        " /x",
        "javascript:alert(1)",
    ],
)
def test_next_is_a_same_site_path_only(target):
    assert safe_next(target, "/fallback") == "/fallback"


def test_same_site_paths_are_kept():
    assert safe_next("/admin/x/?page=2#top", "/f") == "/admin/x/?page=2#top"


def test_fire_with_an_off_site_next_redirects_on_this_site(client, session, cast):
    appraisal = bring_to(new_record(session, cast, "appraisal"), "submitted")
    bo.log_in(client, session, cast.hr)
    targets = ("//evil.example/", "/\\evil.example", "https://evil.example/", "/%09/evil.example")
    for target in targets:
        response = client.post(
            f"/admin/admin_appraisals/fire/{appraisal.id}", data={"trigger": "zzz", "next": target}
        )
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost") and not location.path.startswith("//")


def test_a_next_with_control_characters_is_refused_before_anything_runs(client, session, cast):
    appraisal = bring_to(new_record(session, cast, "appraisal"), "submitted")
    bo.log_in(client, session, cast.hr)
    for target in ("/\t/evil.example/", "/x\r\nSet-Cookie: a=b"):
        response = client.post(
            f"/admin/admin_appraisals/fire/{appraisal.id}", data={"trigger": "zzz", "next": target}
        )
        assert response.status_code == 400
        assert "Location" not in response.headers


def test_production_refuses_per_process_rate_limit_storage(monkeypatch, tmp_path):
    monkeypatch.setenv("ALUR_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    monkeypatch.setenv("SECURITY_PASSWORD_SALT", "t" * 32)
    monkeypatch.setenv("ALUR_SECRETS_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("ALUR_AUDIT_KEY", "a" * 48)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(RuntimeError, match="memory:// counts per process"):
        create_app()


# -- failed logins are throttled per account and per address ---------------------------


def _attempt(client, email, password, *, addr="127.0.0.1"):
    env = {"REMOTE_ADDR": addr}
    page = bo.text(client.get("/login", environ_overrides=env))
    data = {"email": email, "password": password, "csrf_token": bo.csrf(page)}
    return client.post("/login", data=data, environ_overrides=env)


@pytest.fixture
def limits(app, monkeypatch):
    """Small allowances, so a test reaches them in a few attempts."""
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_LIMIT", "3 per 15 minutes")
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "5 per 15 minutes")


def test_an_account_is_paused_after_its_failed_logins_even_for_the_right_password(
    client, session, cast, limits
):
    bo.give_password(session, cast.supervisor)
    for n in range(3):  # from three addresses: the account's count is its own
        answer = _attempt(client, cast.supervisor.email, "salah", addr=f"10.0.0.{n}")
        assert answer.status_code == 200
    paused = _attempt(client, cast.supervisor.email, bo.PASSWORD, addr="10.0.0.9")
    assert paused.status_code == 429
    assert int(paused.headers["Retry-After"]) > 0
    page = bo.text(paused)
    assert "Terlalu banyak percobaan masuk yang gagal" in page and "menit" in page
    assert client.get("/admin/inbox/").status_code == 302  # not logged in
    # another account from the same address still logs in
    assert bo.log_in(client, session, cast.hr).status_code == 302


def test_an_address_is_paused_after_failed_logins_across_accounts(client, session, cast, limits):
    for n in range(5):
        assert _attempt(client, f"tebak{n}@x.alur.id", "salah", addr="10.1.1.1").status_code == 200
    bo.give_password(session, cast.hr)
    assert _attempt(client, cast.hr.email, bo.PASSWORD, addr="10.1.1.1").status_code == 429
    assert _attempt(client, cast.hr.email, bo.PASSWORD, addr="10.1.1.2").status_code == 302


def test_successful_logins_use_up_no_allowance(client, session, cast, limits):
    bo.give_password(session, cast.supervisor)
    for _ in range(6):
        assert _attempt(client, cast.supervisor.email, bo.PASSWORD).status_code == 302
        bo.log_out(client)
    assert _attempt(client, cast.supervisor.email, "salah").status_code == 200


def test_every_spelling_that_reaches_the_account_shares_its_count(client, session, cast, limits):
    bo.give_password(session, cast.supervisor)
    local, domain = cast.supervisor.email.split("@")
    head, _dot, tail = domain.rpartition(".")
    spellings = (
        cast.supervisor.email.upper(),
        f"{local}@{head}\ufe0f.{tail}",  # a variation selector, which IDNA drops
        f"{local}@{head}\u3002{tail}",  # an ideographic full stop, which IDNA reads as "."
    )
    for spelled in spellings:
        assert _attempt(client, spelled, "salah", addr="10.2.0.1").status_code == 200, spelled
    for spelled in (cast.supervisor.email, *spellings):
        answer = _attempt(client, spelled, bo.PASSWORD, addr="10.2.0.2")
        assert answer.status_code == 429, spelled


def test_a_json_login_naming_the_account_in_a_list_shares_its_count(client, session, cast, limits):
    bo.give_password(session, cast.supervisor)
    email = cast.supervisor.email
    token = bo.csrf(bo.text(client.get("/login")))
    for n in range(3):
        body = {"email": [email, f"pad{n}"], "password": "salah", "csrf_token": token}
        assert client.post("/login", json=body).status_code == 400
    body = {"email": [email, "pad9"], "password": bo.PASSWORD, "csrf_token": token}
    refused = client.post("/login", json=body)
    assert refused.status_code == 429 and refused.json["status"] == 429
    assert "menit" in refused.json["detail"] and int(refused.headers["Retry-After"]) > 0


def test_a_request_that_never_reaches_the_password_is_not_counted(client, session, cast, limits):
    bo.give_password(session, cast.supervisor)
    for _ in range(5):  # no CSRF token: nothing is checked, nothing is counted
        data = {"email": cast.supervisor.email, "password": "salah"}
        assert client.post("/login", data=data).status_code == 200
    assert _attempt(client, cast.supervisor.email, bo.PASSWORD).status_code == 302


def test_concurrent_guesses_all_count(app, session, cast, limits, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "100 per 15 minutes")  # the account's
    bo.give_password(session, cast.supervisor)
    pages = []
    clients = [app.test_client() for _ in range(8)]
    for c in clients:
        pages.append(bo.csrf(bo.text(c.get("/login"))))
    barrier = threading.Barrier(len(clients), timeout=30)
    email = cast.supervisor.email

    def guess(c, token):
        barrier.wait()
        data = {"email": email, "password": "salah", "csrf_token": token}
        return c.post("/login", data=data).status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = list(pool.map(guess, clients, pages, timeout=60))
    assert sorted(statuses) == [200] * 3 + [429] * 5  # three checked, however they raced


def test_re_authentication_and_password_change_are_throttled_too(client, session, cast, limits):
    bo.log_in(client, session, cast.supervisor)
    for path, field in (("/verify", "password"), ("/change", "password")):
        for _ in range(2):
            page = bo.text(client.get(path))
            new = "Baru-sekali-2026!"
            data = {
                field: "salah",
                "new_password": new,
                "new_password_confirm": new,
                "csrf_token": bo.csrf(page),
            }
            last = client.post(path, data=data)
    # the right password at login gave its attempt back; the fourth wrong one is refused
    assert last.status_code == 429
    page = bo.text(client.get("/change"))
    data = {
        "password": bo.PASSWORD,
        "new_password": "Baru-sekali-2026!",
        "new_password_confirm": "Baru-sekali-2026!",
        "csrf_token": bo.csrf(page),
    }
    assert client.post("/change", data=data).status_code == 429


def test_an_api_token_opens_nothing_outside_the_api(client, session, cast, bearer):
    headers = bearer(cast.admin)
    assert client.get("/api/v1/inbox", headers=headers).status_code == 200
    for path in ("/admin/", "/admin/employee/", "/admin/apitoken/", "/change", "/verify"):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], path


def test_the_pause_is_in_english_for_those_who_chose_it(client, session, cast, limits):
    client.get("/lang/en")
    for _ in range(3):
        _attempt(client, cast.supervisor.email, "wrong")
    page = bo.text(_attempt(client, cast.supervisor.email, "wrong"))
    assert "Too many failed sign-in attempts" in page


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(database_url, tmp_path):
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LOGIN_ADDRESS_LIMIT": "1 per 15 minutes",
        "WTF_CSRF_ENABLED": False,
    }
    for proxies, paused in ((0, True), (1, False)):
        app = create_app({**config, "TRUSTED_PROXIES": proxies})
        client = app.test_client()
        for n in range(2):
            answer = client.post(
                "/login",
                data={"email": f"p{n}@x.alur.id", "password": "salah"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            )
        # untrusted, the header is ignored: both attempts came from one address
        assert (answer.status_code == 429) is paused, proxies
