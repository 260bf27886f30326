"""API tokens: expiring by default, listed and revoked by their owner, every change logged."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import backoffice as bo
from workflow import tokens
from workflow.db import utcnow
from workflow.errors import InvalidPayload, NotFound
from workflow.models import ApiToken, ChangeEntry

TOKENS = "/api/v1/tokens"


def _entries(session, action: str) -> list[ChangeEntry]:
    session.rollback()
    stmt = select(ChangeEntry).where(
        ChangeEntry.model == "api_tokens", ChangeEntry.action == action
    )
    return session.scalars(stmt.order_by(ChangeEntry.id)).all()


def _about(when, days: int) -> bool:
    return abs(when - (utcnow() + timedelta(days=days))) < timedelta(minutes=5)


def test_a_token_expires_after_the_operators_default(session, cast):
    row, _token = tokens.create(session, None, cast.subject, "laptop", via="cli")
    assert _about(row.expires_at, 90)


def test_the_command_line_makes_a_token_with_the_default_a_chosen_or_no_expiry(cli, session, cast):
    plain = cli("tokens", "create", cast.subject.email, "--name", "laptop")
    assert plain.exit_code == 0, plain.output
    short = cli("tokens", "create", cast.subject.email, "--days", "7")
    forever = cli("tokens", "create", cast.external.email, "--no-expiry", "--name", "siasn")
    both = cli("tokens", "create", cast.subject.email, "--days", "7", "--no-expiry")
    assert both.exit_code == 2 and "exclude each other" in both.output
    rows = {r.name: r for r in session.scalars(select(ApiToken)).all()}
    assert _about(rows["laptop"].expires_at, 90) and rows["siasn"].expires_at is None
    assert short.exit_code == forever.exit_code == 0
    made = _entries(session, "create")
    assert len(made) == 3 and {e.via for e in made} == {"cli"} and made[0].actor_id is None
    assert all(e.after["token_hash"] == "***" for e in made)  # never the hash, let alone the token
    listing = cli("tokens", "list", cast.subject.email).output
    assert "active" in listing and "laptop" in listing


def test_a_token_name_must_be_printable(cli, session, cast):
    for name in ("", " ", "a\x00b", "x" * 101, "a\nb", "a\u202eb", "a\u2028b", "a\x85b"):
        with pytest.raises(InvalidPayload):
            tokens.create(session, None, cast.subject, name, via="cli")
    answer = cli("tokens", "create", cast.subject.email, "--name", "a\tb")
    assert answer.exit_code == 2 and "printable" in answer.output
    assert session.scalars(select(ApiToken)).all() == []


def test_an_operator_set_default_lifetime_applies(app, session, cast, monkeypatch):
    from workflow.settings import configure

    configure({**app.config, "API_TOKEN_DAYS": 7})
    assert _about(tokens.create(session, None, cast.subject, "x", via="cli")[0].expires_at, 7)
    configure({**app.config, "API_TOKEN_DAYS": 0})
    assert tokens.create(session, None, cast.subject, "y", via="cli")[0].expires_at is None
    with pytest.raises(ValueError, match="API_TOKEN_DAYS"):
        configure({**app.config, "API_TOKEN_DAYS": -1})


def test_owners_list_make_and_revoke_their_own_tokens_over_the_api(client, session, cast, bearer):
    mine = bearer(cast.subject)
    made = client.post(TOKENS, json={"name": "skrip laporan", "days": 30}, headers=mine)
    assert made.status_code == 201, made.json
    assert made.headers["Cache-Control"] == "no-store"
    new = made.json
    assert new["token"].startswith(new["prefix"]) and _about_iso(new["expires_at"], 30)
    fresh = {"Authorization": f"Bearer {new['token']}"}
    assert client.get("/api/v1/inbox", headers=fresh).status_code == 200
    listed = client.get(TOKENS, headers=mine).json["items"]
    assert [t["name"] for t in listed] == ["test", "skrip laporan"]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    assert client.get(f"{TOKENS}/{new['id']}", headers=mine).json["status"] == "active"
    revoked = client.delete(f"{TOKENS}/{new['id']}", headers=mine)
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"
    assert client.get("/api/v1/inbox", headers=fresh).status_code == 401
    again = client.delete(f"{TOKENS}/{new['id']}", headers=mine)
    assert again.status_code == 200
    assert [(e.action, e.actor_id, e.via) for e in _entries(session, "create")][-1] == (
        "create",
        cast.subject.id,
        "api",
    )
    assert [(e.actor_id, e.via) for e in _entries(session, "revoke")] == [(cast.subject.id, "api")]


def _about_iso(text: str, days: int) -> bool:
    from datetime import datetime

    return _about(datetime.fromisoformat(text), days)


def test_a_token_lives_no_longer_than_the_operator_allows(client, cast, bearer):
    mine = bearer(cast.subject)
    too_long = client.post(TOKENS, json={"name": "x", "days": 91}, headers=mine)
    assert too_long.status_code == 422 and "days" in too_long.json["errors"]
    for days in (10**30, 1.5, "90", "\u0669\u0660", "1_0", 0, -5, None, True):
        answer = client.post(TOKENS, json={"name": "x", "days": days}, headers=mine)
        assert answer.status_code == 422 and "days" in answer.json["errors"], days
    default = client.post(TOKENS, json={"name": "x"}, headers=mine)
    assert _about_iso(default.json["expires_at"], 90)
    for body in ({"name": ""}, {"name": "x" * 101}, {"name": "a\u0000b"}, {}, {"name": 5}):
        answer = client.post(TOKENS, json=body, headers=mine)
        assert answer.status_code == 422 and answer.json["errors"], body


def test_nobody_reads_or_revokes_anyone_elses_token(client, session, cast, bearer):
    theirs, their_token = tokens.create(session, None, cast.subject, "theirs", via="cli")
    for who in (cast.colleague, cast.supervisor, cast.hr, cast.hr_other):
        headers = bearer(who)
        assert client.get(f"{TOKENS}/{theirs.id}", headers=headers).status_code == 404
        assert client.delete(f"{TOKENS}/{theirs.id}", headers=headers).status_code == 404
        missing = client.delete(f"{TOKENS}/{theirs.id + 1000}", headers=headers)
        assert missing.status_code == 404 and missing.json["detail"].endswith("does not exist")
        assert "theirs" not in str(client.get(TOKENS, headers=headers).json)
        asked = client.get(f"{TOKENS}?user_id={cast.subject.id}", headers=headers)
        assert asked.status_code == 422 and "user_id" in asked.json["errors"]
    assert (
        client.get("/api/v1/inbox", headers={"Authorization": f"Bearer {their_token}"}).status_code
        == 200
    )
    assert _entries(session, "revoke") == []


def test_admins_list_and_revoke_anyones_tokens(client, session, cast, bearer):
    theirs, _token = tokens.create(session, None, cast.subject, "theirs", via="cli")
    admin = bearer(cast.admin)
    listed = client.get(f"{TOKENS}?user_id={cast.subject.id}", headers=admin).json["items"]
    assert [t["name"] for t in listed] == ["theirs"]
    assert client.delete(f"{TOKENS}/{theirs.id}", headers=admin).json["status"] == "revoked"
    assert [e.actor_id for e in _entries(session, "revoke")] == [cast.admin.id]


def test_revoking_through_the_core_refuses_what_one_may_not_see(session, cast):
    theirs, _token = tokens.create(session, None, cast.subject, "theirs", via="cli")
    with pytest.raises(NotFound):
        tokens.revoke(session, cast.hr, theirs.id, via="api")
    assert session.get(ApiToken, theirs.id).revoked_at is None


def test_minting_more_tokens_buys_no_more_requests(app, database_url, session, cast):
    from alur import create_app

    limited = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "API_RATE_LIMIT": "3/minute"}
    )
    _row, first = tokens.create(session, None, cast.subject, "first", via="cli")
    http = limited.test_client()
    mine = {"Authorization": f"Bearer {first}"}
    assert http.get("/api/v1/inbox", headers=mine).status_code == 200
    made = http.post(TOKENS, json={"name": "second"}, headers=mine)
    assert made.status_code == 201
    assert http.get("/api/v1/inbox", headers=mine).status_code == 200
    second = {"Authorization": f"Bearer {made.json['token']}"}
    assert http.get("/api/v1/inbox", headers=second).status_code == 429  # one user, one allowance
    other = {
        "Authorization": f"Bearer {tokens.create(session, None, cast.colleague, 'x', via='cli')[1]}"
    }
    assert http.get("/api/v1/inbox", headers=other).status_code == 200


def test_the_back_office_never_shows_a_tokens_hash(client, session, cast):
    row, _token = tokens.create(session, None, cast.subject, "ponsel", via="cli")
    bo.log_in(client, session, cast.subject)
    page = bo.text(client.get(f"/admin/apitoken/details/?id={row.id}"))
    assert "ponsel" in page and row.token_hash not in page and "Hash" not in page


def test_each_user_sees_and_revokes_only_their_own_tokens_in_the_back_office(client, session, cast):
    mine, _ = tokens.create(session, None, cast.subject, "ponsel saya", via="cli")
    theirs, _ = tokens.create(session, None, cast.colleague, "milik rekan", via="cli")
    bo.log_in(client, session, cast.subject)
    page = bo.text(client.get("/admin/apitoken/"))
    assert "ponsel saya" in page and "milik rekan" not in page and "berlaku" in page
    assert client.get(f"/admin/apitoken/details/?id={theirs.id}").status_code == 302
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    for row in (theirs, mine):  # a forged post for the colleague's, then one's own
        client.post(
            "/admin/apitoken/action/",
            data={"action": "revoke", "rowid": row.id, "csrf_token": token},
        )
    session.rollback()
    assert session.get(ApiToken, theirs.id).revoked_at is None
    assert session.get(ApiToken, mine.id).revoked_at is not None
    assert "dicabut" in bo.text(client.get("/admin/apitoken/"))
    assert [(e.actor_id, e.via) for e in _entries(session, "revoke")] == [
        (cast.subject.id, "admin")
    ]
