"""Login and sessions: one answer for bad credentials, logout ends the session, safe redirects."""

from __future__ import annotations

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
        "end_sessions", cast.supervisor.id, str(cast.supervisor.id))  # fmt: skip
    assert "***" not in str(entry.before) + str(entry.after)  # nothing of the uniquifier


def test_a_remember_me_cookie_saved_before_logout_no_longer_logs_in(client, session, cast):
    bo.give_password(session, cast.supervisor)
    page = bo.text(client.get("/login"))
    client.post("/login", data={"email": cast.supervisor.email, "password": bo.PASSWORD,
                                "remember": "y", "csrf_token": bo.csrf(page)})  # fmt: skip
    remembered = client.get_cookie("remember_token").value
    bo.log_out(client)
    client.delete_cookie("session")
    client.set_cookie("remember_token", remembered)
    assert client.get("/admin/inbox/").status_code == 302


def test_login_page_cache_control_is_well_formed(client):
    header = client.get("/login").headers["Cache-Control"]
    assert "=True" not in header
    assert {part.strip() for part in header.split(",")} >= {"private", "no-store"}


@pytest.mark.parametrize(
    "target", ["/\t/evil.example/", "//evil.example/", "/\\evil.example", "https://evil.example/",
               "/a\nb", " /x", "javascript:alert(1)"],
)  # fmt: skip
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


def test_the_account_key_folds_case_and_spaces(client, session, cast, limits):
    bo.give_password(session, cast.supervisor)
    email = cast.supervisor.email
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isalpha() else c for c in email)  # fullwidth letters
    for spelled in (email.upper(), f"  {email} ", wide):
        assert _attempt(client, spelled, "salah", addr="10.2.0.1").status_code == 200
    assert _attempt(client, email, bo.PASSWORD, addr="10.2.0.2").status_code == 429


def test_the_pause_is_in_english_for_those_who_chose_it(client, session, cast, limits):
    client.get("/lang/en")
    for _ in range(3):
        _attempt(client, cast.supervisor.email, "wrong")
    page = bo.text(_attempt(client, cast.supervisor.email, "wrong"))
    assert "Too many failed sign-in attempts" in page


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(database_url, tmp_path):
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
              "LOGIN_ADDRESS_LIMIT": "1 per 15 minutes", "WTF_CSRF_ENABLED": False}  # fmt: skip
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
