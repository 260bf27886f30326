"""The login, password and error pages: Indonesian by default, English when chosen, styled."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from alur import create_app
from tests import backoffice as bo

ALUR = Path(__file__).resolve().parent.parent / "alur"


def visible(page: str) -> str:
    """The page's text as a reader sees it: no tags, styles or attributes."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def choose(client, language: str) -> None:
    client.get(f"/lang/{language}")


def wrong_password(client, email: str):
    page = bo.text(client.get("/login"))
    data = {"email": email, "password": "salah-sekali", "csrf_token": bo.csrf(page)}
    return client.post("/login", data=data)


# -- the login page ------------------------------------------------------------------------


def test_the_login_page_is_indonesian_by_default_and_fits_a_phone(client):
    page = bo.text(client.get("/login"))
    text = visible(page)
    assert '<html lang="id">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    for indonesian in ("Alamat email", "Kata sandi", "Ingat saya", "Masuk", "Alur"):
        assert indonesian in text, indonesian
    for english in ("Email Address", "Remember Me", "Password", "Login", "Sign in"):
        assert english not in text, english
    # The back office's look: its Bootstrap, a card, 44 px controls, labels tied to fields.
    assert "/admin/static/bootstrap/bootstrap4/css/bootstrap.min.css" in page
    assert 'class="card alur-card' in page and "form-control-lg" in page
    assert '<label class="font-weight-bold" for="email">' in page
    # English is one click away before logging in.
    assert 'href="/lang/en"' in page


def test_the_login_page_is_english_when_chosen(client):
    choose(client, "en")
    page = bo.text(client.get("/login"))
    text = visible(page)
    assert '<html lang="en">' in page
    for english in ("Email Address", "Password", "Remember Me", "Login"):
        assert english in text, english
    assert "Kata sandi" not in text and "Ingat saya" not in text


def test_a_wrong_password_is_told_in_indonesian_and_keeps_the_email(client, session, cast):
    bo.give_password(session, cast.supervisor)
    response = wrong_password(client, cast.supervisor.email)
    assert response.status_code == 200
    page = bo.text(response)
    assert "Email atau kata sandi salah." in visible(page)
    assert re.search(r'<div class="alert alert-danger" role="alert" id="form-errors">', page)
    email = re.search(r'<input[^>]*id="email"[^>]*>', page).group(0)
    assert f'value="{cast.supervisor.email}"' in email
    password = re.search(r'<input[^>]*id="password"[^>]*>', page).group(0)
    assert 'value=""' in password  # the password is never sent back


def test_a_wrong_password_is_told_in_english_when_chosen(client, session, cast):
    bo.give_password(session, cast.supervisor)
    choose(client, "en")
    text = visible(bo.text(wrong_password(client, cast.supervisor.email)))
    assert "Authentication failed - identity or password/passcode invalid" in text
    assert "Email atau kata sandi salah." not in text


def test_a_stale_form_is_told_in_indonesian(client):
    client.get("/login")
    data = {"email": "siapa@x.alur.id", "password": "salah-sekali", "csrf_token": "basi"}
    text = visible(bo.text(client.post("/login", data=data)))
    assert "Formulir kedaluwarsa; silakan coba lagi." in text and "CSRF" not in text


def test_a_page_that_needs_a_login_says_so_in_indonesian(client):
    response = client.get("/change")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    text = visible(bo.text(client.get(response.headers["Location"])))
    assert "Silakan masuk untuk membuka halaman ini." in text


# -- the password change page ----------------------------------------------------------------


def test_the_password_change_page_is_in_the_back_office_in_both_languages(client, session, cast):
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get("/change"))
    text = visible(page)
    for indonesian in (
        "Ubah kata sandi",
        "Kata sandi saat ini",
        "Kata sandi baru",
        "Ulangi kata sandi baru",
    ):
        assert indonesian in text, indonesian
    for english in ("Change Password", "New Password", "Retype Password", "Password"):
        assert english not in text, english
    assert 'id="logout-form"' in page  # the back office's bar, with its menu and log out
    assert 'href="/admin/"' in page
    choose(client, "en")
    text = visible(bo.text(client.get("/change")))
    for english in ("Change Password", "Current password", "New Password", "Retype Password"):
        assert english in text, english


@pytest.mark.parametrize(
    ("current", "new", "again", "field", "message"),
    [
        ("salah-sekali", "Baru-sekali-2026!", "Baru-sekali-2026!", "password", "Kata sandi salah"),
        (
            bo.PASSWORD,
            "Baru-sekali-2026!",
            "Lain-sekali-2026!",
            "new_password_confirm",
            "tidak sama",
        ),
        (bo.PASSWORD, "pendek", "pendek", "new_password", "paling sedikit 8 karakter"),
        (bo.PASSWORD, bo.PASSWORD, bo.PASSWORD, "password", "harus berbeda"),
    ],
)
def test_a_refused_password_change_says_why_under_the_field(
    client, session, cast, current, new, again, field, message
):
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get("/change"))
    data = {
        "password": current,
        "new_password": new,
        "new_password_confirm": again,
        "csrf_token": bo.csrf(page),
    }
    response = client.post("/change", data=data)
    assert response.status_code == 200
    errors = re.search(
        rf'<div class="invalid-feedback" id="{field}-error">(.*?)</div>\s*</div>',
        bo.text(response),
        re.S,
    )
    assert errors and message in visible(errors.group(1)), bo.text(response)[:3000]


def test_reauthentication_and_the_logout_confirmation_are_indonesian(client, session, cast):
    bo.log_in(client, session, cast.supervisor)
    page = bo.text(client.get("/verify"))
    text = visible(page)
    assert "Autentikasi ulang" in text and "Verifikasi kata sandi" in text
    assert "Reauthenticate" not in text and "Verify Password" not in text
    data = {"password": "salah-sekali", "csrf_token": bo.csrf(page)}
    assert "Kata sandi salah" in visible(bo.text(client.post("/verify", data=data)))
    # A logout without its token (an old page) is asked again, in the same language.
    text = visible(bo.text(client.post("/logout")))
    assert "Konfirmasi keluar" in text and "Keluar dari Alur?" in text
    assert client.get("/admin/inbox/").status_code == 200  # still signed in


# -- error pages ----------------------------------------------------------------------------


def test_an_employee_is_refused_the_employee_list_with_an_indonesian_page(client, session, cast):
    bo.log_in(client, session, cast.subject)
    response = client.get("/admin/employee/")
    assert response.status_code == 403
    assert response.content_type.startswith("text/html")
    page = bo.text(response)
    text = visible(page)
    assert "Akses ditolak" in text and "Forbidden" not in text
    assert 'href="/admin/"' in page
    assert 'id="logout-form"' in page  # still in the back office, with its menu
    assert '<html lang="id">' in page
    choose(client, "en")
    text = visible(bo.text(client.get("/admin/employee/")))
    assert "Access denied" in text and "Akses ditolak" not in text


def test_an_unknown_path_is_an_indonesian_404_with_the_way_back(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    page = bo.text(response)
    text = visible(page)
    assert "Halaman tidak ditemukan" in text and "Not Found" not in text
    assert 'href="/admin/"' in page and 'href="/login"' in page  # not signed in
    assert "/admin/static/bootstrap/bootstrap4/css/bootstrap.min.css" in page
    choose(client, "en")
    assert "Page not found" in visible(bo.text(client.get("/no-such-page")))


def test_a_wrong_method_keeps_its_allow_header(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]
    assert "Permintaan tidak diizinkan" in visible(bo.text(response))


def test_the_api_keeps_problem_json_even_for_a_browser(client):
    response = client.get("/api/v1/nowhere", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.get_json()["status"] == 404


def test_a_fault_is_a_500_page_and_a_500_problem_in_the_api(app, database_url):  # app: schema
    faulty = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "PROPAGATE_EXCEPTIONS": False}
    )

    @faulty.get("/boom")
    @faulty.get("/api/v1/boom")
    def boom():
        raise RuntimeError("a fault of ours")

    client = faulty.test_client()
    page = client.get("/boom")
    assert page.status_code == 500 and page.content_type.startswith("text/html")
    assert "Terjadi kesalahan" in visible(page.get_data(as_text=True))
    assert 'href="/admin/"' in page.get_data(as_text=True)
    problem = client.get("/api/v1/boom")
    assert problem.status_code == 500
    assert problem.content_type == "application/problem+json"


# -- the catalogues --------------------------------------------------------------------------

# The Flask-Security messages our configuration can show (SECURITY_MSG_<key>), and the
# labels of the fields of its login, re-authentication and password change forms.
MESSAGES = [
    "GENERIC_AUTHN_FAILED",
    "USER_DOES_NOT_EXIST",
    "INVALID_PASSWORD",
    "DISABLED_ACCOUNT",
    "EMAIL_NOT_PROVIDED",
    "INVALID_EMAIL_ADDRESS",
    "INVALID_INPUT",
    "API_ERROR",
    "PASSWORD_NOT_PROVIDED",
    "PASSWORD_INVALID_LENGTH",
    "PASSWORD_TOO_SIMPLE",
    "PASSWORD_BREACHED",
    "PASSWORD_BREACHED_SITE_ERROR",
    "PASSWORD_MISMATCH",
    "RETYPE_PASSWORD_MISMATCH",
    "PASSWORD_IS_THE_SAME",
    "PASSWORD_CHANGE",
    "INVALID_REDIRECT",
    "LOGIN",
    "UNAUTHENTICATED",
    "UNAUTHORIZED",
    "REFRESH",
    "REAUTHENTICATION_REQUIRED",
    "REAUTHENTICATION_SUCCESSFUL",
    "ANONYMOUS_USER_REQUIRED",
]
FIELDS = [
    "email",
    "password",
    "remember_me",
    "login",
    "new_password",
    "retype_password",
    "change_password",
    "verify_password",
    "submit",
]


def test_every_flask_security_text_of_our_pages_is_translated(app):
    import flask_security
    from flask_security.forms import _default_field_labels

    from admin.i18n_id import FLASK_SECURITY, catalogues

    pot = Path(flask_security.__file__).parent / "translations" / "flask_security.pot"
    with open(pot, "rb") as file:
        known = {m.id for m in read_po(file) if m.id}
    templates = {
        m[2]
        for m in extract_from_dir(
            str(ALUR / "templates" / "security"),
            [("**.html", "jinja2")],
            keywords={"_fsdomain": None},
        )
    }
    used = (
        templates
        | {app.config[f"SECURITY_MSG_{key}"][0] for key in MESSAGES}
        | {_default_field_labels[key] for key in FIELDS}
    )
    assert sorted(used - known) == [], "not Flask-Security's msgids"
    assert sorted(set(FLASK_SECURITY) - known) == [], "not Flask-Security's msgids"
    assert sorted(used - set(FLASK_SECURITY)) == [], "add them to admin/i18n_id.py"
    assert all(FLASK_SECURITY.values())
    assert {m.id for m in catalogues()["flask_security"] if m.id} == set(FLASK_SECURITY)


def test_every_text_of_ours_in_alur_is_translated():
    from admin.i18n_id import catalogues

    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
    found = {
        m[2] if isinstance(m[2], str) else m[2][0]
        for m in extract_from_dir(
            str(ALUR), [("**.py", "python"), ("templates/**.html", "jinja2")], keywords=keywords
        )
    }
    found.discard("")
    ours = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogues()["messages"] if m.id}
    assert sorted(found - ours) == []


# -- password reset (lupa kata sandi), mailed over a real SMTP server ----------------------


def _reset_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    (link,) = re.findall(r"https?://\S+/reset/\S+", text)
    return link.rstrip(".")


def test_a_forgotten_password_is_reset_from_a_mailed_link_in_indonesian(
    client, session, cast, mails
):
    user = cast.subject
    bo.give_password(session, user)
    login = bo.text(client.get("/login"))
    assert 'id="forgot-password"' in login and "Lupa kata sandi?" in login
    page = bo.text(client.get("/reset"))
    assert "Kirim petunjuk mengatur ulang kata sandi" in page
    answer = client.post(
        "/reset", data={"email": user.email, "csrf_token": bo.csrf(page)}, follow_redirects=True
    )
    assert "Petunjuk mengatur ulang kata sandi telah dikirim ke" in bo.text(answer)
    (mail,) = mails.to(user.email)
    assert str(mail["Subject"]).strip() == "Petunjuk mengatur ulang kata sandi"
    assert "untuk mengatur ulang kata sandi Anda" in mail.get_body(("plain",)).get_content()

    link = _reset_link(mail)
    form = bo.text(client.get(link.split("localhost", 1)[-1]))
    assert "Atur ulang kata sandi" in form
    new = "kata-sandi-baru-2026"
    done = client.post(
        link.split("localhost", 1)[-1],
        data={"password": new, "password_confirm": new, "csrf_token": bo.csrf(form)},
        follow_redirects=True,
    )
    assert done.request.path == "/login"
    assert "Kata sandi Anda berhasil diatur ulang" in bo.flash_text(bo.text(done))
    page = bo.text(done)
    answer = client.post(
        "/login", data={"email": user.email, "password": new, "csrf_token": bo.csrf(page)}
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/")
    notices = [m for m in mails.to(user.email) if "diatur ulang" in str(m["Subject"])]
    assert notices, "a notice that the password was reset"


def test_an_unknown_address_is_answered_the_same_and_no_mail_goes_out(client, mails):
    page = bo.text(client.get("/reset"))
    answer = client.post(
        "/reset",
        data={"email": "tidak-ada@test.alur.id", "csrf_token": bo.csrf(page)},
        follow_redirects=True,
    )
    assert "Petunjuk mengatur ulang kata sandi telah dikirim ke" in bo.text(answer)
    assert mails.messages == []


def test_a_mail_server_that_is_down_does_not_fail_the_page(client, session, cast, mails, app):
    from tests.mail import free_port

    bo.give_password(session, cast.subject)
    state = app.extensions["mailman"]
    port, state.port = state.port, free_port()
    try:
        page = bo.text(client.get("/reset"))
        answer = client.post(
            "/reset",
            data={"email": cast.subject.email, "csrf_token": bo.csrf(page)},
            follow_redirects=True,
        )
    finally:
        state.port = port
    assert answer.status_code == 200
    assert "Petunjuk mengatur ulang kata sandi telah dikirim ke" in bo.text(answer)
