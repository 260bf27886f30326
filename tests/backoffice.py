"""Driving the back office through the Flask test client: log in, read tokens, post forms."""

from __future__ import annotations

import html
import re
from functools import cache

from flask_security import hash_password

PASSWORD = "rahasia-uji-2026"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@cache
def hashed() -> str:
    """PASSWORD, hashed once per run (argon2 is slow by design)."""
    return hash_password(PASSWORD)


def give_password(session, user) -> None:
    """Let ``user`` log in with PASSWORD (hashed once per run: argon2 is slow by design).

    What the test's session read before is committed first: on SQLite a read begun
    before a request wrote (a logout writes) could not become a write.
    """
    session.commit()
    user.password = hashed()
    session.commit()


def csrf(page: str) -> str:
    match = CSRF.search(page)
    assert match, "the page carries a CSRF token"
    return match.group(1)


def log_in(client, session, user):
    """Log ``user`` in through Flask-Security's login form; return the response."""
    give_password(session, user)
    page = client.get("/login").get_data(as_text=True)
    return client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(page)}
    )


def logout_token(page: str) -> str:
    match = re.search(
        r'id="logout-form">\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page
    )
    assert match, "the page has the logout form"
    return match.group(1)


def log_out(client) -> None:
    page = text(client.get("/admin/inbox/"))
    client.post("/logout", data={"csrf_token": logout_token(page)})


def text(response) -> str:
    return response.get_data(as_text=True)


def flash_text(page: str) -> str:
    """The flash messages shown on a page, as plain text."""
    found = re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', page, re.S)
    plain = (html.unescape(re.sub(r"<[^>]+>|&times;", " ", body)) for body in found)
    return " ".join(" ".join(body.split()) for body in plain)


def details_url(workflow: str, record_id: int) -> str:
    return f"/admin/admin_{workflow}s/details/?id={record_id}"


def fire(client, workflow: str, record, trigger: str, *, token: str | None = None, **fields):
    """Post one step from the record's details page, as the browser's form would."""
    page = text(client.get(details_url(workflow, record.id)))
    data = {
        "trigger": trigger,
        "version": record.version,
        "next": "",
        "csrf_token": token if token is not None else csrf(page),
        **fields,
    }
    return client.post(
        f"/admin/admin_{workflow}s/fire/{record.id}", data=data, follow_redirects=True
    )
