"""Fixtures: the app on SQLite (default) or PostgreSQL (``TEST_DATABASE_URL``).

The schema is built once per run by the migrations themselves; after each test
every table is emptied, so tests are isolated and real commits can be used.
"""

from __future__ import annotations

import contextvars
import os

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from alur import create_app
from alur.config import normalise_database_url
from alur.extensions import cache, limiter
from alur.migrations import init_migrations
from tests import factories
from workflow.db import db
from workflow.settings import configure as configure_rules

KEEP = {"roles", "alembic_version"}  # reference data inserted by the migrations


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'alur-test.db'}"


def pytest_report_header(config):
    url = os.environ.get("TEST_DATABASE_URL")
    return f"database: {'PostgreSQL ' + url if url else 'SQLite (embedded default)'}"


def _reset_postgresql(url: str) -> None:
    # A connection failure here fails the run: the PostgreSQL leg never skips.
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        _reset_postgresql(url)
    return url


class IsolatedClient(FlaskClient):
    """Each request gets its own app context and database session, as in production.

    Without this, a request would reuse the test's app context: its session
    and the user Flask-Login caches in ``g`` would leak from request to request.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(self._open_and_read, *args, **kwargs)

    def _open_and_read(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.get_data()  # a streamed body (an export) is made inside its request's context
        return response


@pytest.fixture(scope="session")
def smtp_sink():
    """A real SMTP server for the whole run; every app of the tests mails to it."""
    from tests.mail import SmtpSink

    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def mails(smtp_sink):
    """The SMTP server, emptied for this test (and accepting again)."""
    smtp_sink.clear()
    yield smtp_sink
    smtp_sink.clear()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory, smtp_sink):
    config = {
        # Mail goes over SMTP to the tests' own server, not to Flask-Mailman's memory.
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_sink.port,
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "SECURITY_PASSWORD_SALT": "test-salt",
        # Tests walk one mentor through many assignments; the limit has tests of its own.
        "MENTORING_MAX_ACTIVE_MENTEES": 1000,
        # The tests' receivers listen on 127.0.0.1; the refusal has tests of its own.
        "WEBHOOK_ALLOW_PRIVATE": True,
        "EVIDENCE_DIR": str(tmp_path_factory.mktemp("evidence")),
    }
    if database_url.startswith("postgresql"):
        # Commits need not wait for the disk in tests; visibility and locking are unchanged.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            "connect_args": {"options": "-c synchronous_commit=off"},
        }
    app = create_app(config)
    app.test_client_class = IsolatedClient
    init_migrations(app)
    with app.app_context():
        upgrade()
        db.session.remove()
    return app


@pytest.fixture
def app_ctx(app):
    # The rules are the process's; a test that made an app of its own may have changed them.
    configure_rules(app.config)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        cache.clear()  # counts kept by one test must not show in the next
        limiter.reset()  # and so must the failed logins and requests it counted


def _empty_tables() -> None:
    tables = [t.name for t in db.metadata.sorted_tables if t.name not in KEEP]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def session(app_ctx):
    """The app's database session, inside an app context, emptied after the test."""
    return db.session


@pytest.fixture
def cast(session) -> factories.Cast:
    """An agency with a supervisor chain and a user for every role (the auth helper)."""
    return factories.cast(session)


@pytest.fixture
def cli(app, app_ctx):
    """Run ``flask`` commands against the test app: ``cli("audit", "verify")``."""
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(args=list(args), input=input)

    return invoke


@pytest.fixture
def client(app, app_ctx):
    return app.test_client()


@pytest.fixture
def bearer(session):
    """The auth helper: ``bearer(user)`` gives headers carrying a new API token of ``user``."""
    from workflow import tokens

    def headers(user) -> dict:
        if user is None:
            return {}
        # End the test's read transaction first: on SQLite a write cannot follow a read
        # whose snapshot another connection (a request) has since moved past.
        session.commit()
        _row, token = tokens.issue(session, user, "test")
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture(scope="session")
def live_server(app):
    """The app served over real HTTP on 127.0.0.1 (a thread per request)."""
    from tests.http import LiveServer

    with LiveServer(app) as server:
        yield server


@pytest.fixture
def receiver(app_ctx):
    """``receiver(secret, script)``: a subscriber's endpoint on 127.0.0.1, closed after the test."""
    from tests.http import Receiver, always

    made = []

    def make(secret: str = "", script=None):
        made.append(Receiver(secret=secret, script=script or always()))
        return made[-1]

    yield make
    for r in made:
        r.close()


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, through Playwright (a missing browser fails the run)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, for fixtures that act on failures."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def cluster(app):
    """A PostgreSQL cluster of the test's own (``tests.clusters``), on either leg; dropped
    after, and the process's evidence store and rules are the suite's again."""
    from tests.clusters import Cluster
    from workflow import evidence_store

    made = Cluster()
    kept = evidence_store.store()
    try:
        yield made.create()
    finally:
        evidence_store.use(kept)
        configure_rules(app.config)
        made.drop()
