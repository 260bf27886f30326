"""API authentication: bearer tokens, shown once, stored hashed, revocable."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from workflow import tokens
from workflow.models import ApiToken

INBOX = "/api/v1/inbox"


def test_no_token_gets_401_problem_with_the_scheme(client):
    response = client.get(INBOX)
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["status"] == 401


def test_a_valid_token_authenticates(client, cast, bearer):
    assert client.get(INBOX, headers=bearer(cast.supervisor)).status_code == 200


def test_token_is_stored_only_as_a_hash(session, cast):
    _row, token = tokens.issue(session, cast.subject, "laptop")
    session.commit()
    stored = session.scalars(select(ApiToken)).one()
    assert token not in (stored.token_hash, stored.prefix)
    assert token.startswith(stored.prefix)
    assert len(stored.token_hash) == 64


def test_bad_revoked_expired_or_deactivated_tokens_get_401(session, client, cast):
    row, token = tokens.issue(session, cast.subject, "x")
    _row2, expired = tokens.issue(session, cast.subject, "x", valid_for=timedelta(seconds=-1))
    session.commit()
    for header in (
        "Bearer alur_nonsense",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        f"Token {token}",
        f"Bearer {expired}",
    ):
        assert client.get(INBOX, headers={"Authorization": header}).status_code == 401, header
    good = {"Authorization": f"Bearer {token}"}
    assert client.get(INBOX, headers=good).status_code == 200
    tokens.revoke(session, None, row.id, via="cli")
    assert client.get(INBOX, headers=good).status_code == 401
    _row3, fresh = tokens.issue(session, cast.subject, "y")
    cast.subject.active = False
    session.commit()
    assert client.get(INBOX, headers={"Authorization": f"Bearer {fresh}"}).status_code == 401


def test_a_logged_in_browser_session_does_not_authenticate_the_api(session, client, cast):
    # The API takes tokens only, so there is no cross-site request to forge.
    import re

    from flask_security import hash_password

    cast.supervisor.password = hash_password("Rahasia-2026!")
    session.commit()
    form = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    login = client.post(
        "/login",
        data={"email": cast.supervisor.email, "password": "Rahasia-2026!", "csrf_token": csrf},
    )
    assert login.status_code == 302, login.get_data(as_text=True)[:300]
    assert client.get(INBOX).status_code == 401


class TestTokensCommand:
    def test_create_prints_the_token_alone_on_the_last_line(self, client, cli, cast):
        result = cli("tokens", "create", cast.supervisor.email, "--name", "curl", "--days", "7")
        assert result.exit_code == 0, result.output
        token = result.output.strip().splitlines()[-1]
        assert token.startswith("alur_") and " " not in token
        assert client.get(INBOX, headers={"Authorization": f"Bearer {token}"}).status_code == 200

    def test_revoke_ends_the_token(self, session, client, cli, cast):
        token = cli("tokens", "create", cast.hr.email).output.strip().splitlines()[-1]
        token_id = session.scalars(select(ApiToken.id)).one()
        listed = cli("tokens", "list", cast.hr.email)
        assert f"{token_id:>6}  {token[:11]}…  active" in listed.output
        result = cli("tokens", "revoke", str(token_id))
        assert result.exit_code == 0, result.output
        assert client.get(INBOX, headers={"Authorization": f"Bearer {token}"}).status_code == 401
        assert "revoked" in cli("tokens", "list", cast.hr.email).output

    def test_bad_arguments_are_refused(self, cli, cast):
        assert cli("tokens", "create", "nobody@alur.id").exit_code == 2
        assert cli("tokens", "revoke", "999").exit_code == 2
        assert cli("tokens", "revoke", "abc").exit_code == 2
        assert cli("tokens", "create", cast.hr.email, "--days", "0").exit_code == 2
