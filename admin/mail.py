"""The mails of notifications, in the recipient's language, sent by Flask-Mailman.

``sender(app)`` keeps a few SMTP connections open for a run of the mail queue
(``workflow.mailing.drain``) and sends its batches: each mail with a subject naming the
record as people name it, a plain-text and an HTML part, a link to the record and to
one's notification settings, and a ``Message-ID`` that is the same on every resend.
"""

from __future__ import annotations

import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager

from flask import render_template, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from admin.labels import STATE_LABELS, TITLES, WORKFLOW_ENDPOINTS
from workflow.db import db
from workflow.mailing import DigestClaim, MailClaim
from workflow.models import AuditVerifyRun, Delegation, OutboxDelivery
from workflow.workflows import WORKFLOWS


def _acting(mail: MailClaim) -> tuple[str, str]:
    row = db.session.get(Delegation, mail.record_id)
    sentence = (
        _(
            "You act for %(who)s as %(kind)s from %(start)s to %(end)s",
            who=row.principal.name,
            kind=row.kind,
            start=format_date(row.starts_on, "d MMM y"),
            end=format_date(row.ends_on, "d MMM y"),
        )
        if row is not None
        else _("You were named an acting official (Plt/Plh)")
    )
    return sentence, url_for("my_inbox.index", _external=True)


def _dead_delivery(mail: MailClaim) -> tuple[str, str]:
    row = db.session.get(OutboxDelivery, mail.record_id)
    url = row.subscription.url if row is not None else "?"
    sentence = _(
        "A webhook delivery failed for good: %(url)s (delivery %(id)s)", url=url, id=mail.record_id
    )
    return sentence, url_for("outboxdelivery.details_view", id=mail.record_id, _external=True)


def _audit_failed(mail: MailClaim) -> tuple[str, str]:
    run = db.session.get(AuditVerifyRun, mail.record_id) if mail.record_id else None
    if run is not None:
        sentence = _(
            "The audit log verify found %(n)d problems; the first: %(problem)s",
            n=run.problem_count,
            problem=(run.first_problem or "")[:300],
        )
    else:
        sentence = _(
            "An audit checkpoint could not be written: the logs or the archive changed; "
            "run 'flask audit verify'"
        )
    return sentence, url_for("admin.index", _external=True)


def _links(sentence: str, link: str, name: str) -> dict:
    return {
        "name": name,
        "sentence": sentence,
        "link": link,
        "settings": url_for("notifications.settings", _external=True),
        "all": url_for("notifications.index", _external=True),
    }


# What is told outside the workflows' table (workflow.notify.KINDS).
OTHER_KINDS = {"acting": _acting, "dead_delivery": _dead_delivery, "audit_failed": _audit_failed}


def configured(app) -> bool:
    """Whether a mail server is set (``ALUR_MAIL_SERVER``): without one nothing is sent."""
    return bool(app.config.get("MAIL_SERVER"))


# What a notification of each kind says about a workflow's record.
SENTENCES = {
    "waiting": _l("%(what)s awaits your action: %(who)s"),
    "returned": _l("%(what)s was returned for revision: %(who)s"),
    "decided": _l("%(what)s is %(state)s: %(who)s"),
    "due_soon": _l("%(what)s is due soon: %(who)s"),
    "escalated": _l("%(what)s has waited too long: %(who)s"),
}


def sentence_and_link(mail: MailClaim) -> tuple[str, str]:
    """What the notification says, in the current language, and the link to its record."""
    from admin.views.workflows import record_label

    if mail.kind in OTHER_KINDS:
        return OTHER_KINDS[mail.kind](mail)
    wf = WORKFLOWS.get(mail.workflow or "")
    record = db.session.get(wf.model, mail.record_id) if wf is not None else None
    what = str(TITLES.get(mail.workflow, mail.workflow or ""))
    who = record_label(record) if record is not None else f"#{mail.record_id}"
    state = str(STATE_LABELS.get(mail.state, mail.state or ""))
    template = SENTENCES.get(mail.kind)
    sentence = (
        str(template) % {"what": what, "who": who, "state": state}
        if template is not None
        else f"{what}: {who}"
    )
    link = (
        url_for(
            f"{WORKFLOW_ENDPOINTS[mail.workflow]}.details_view", id=mail.record_id, _external=True
        )
        if mail.workflow in WORKFLOW_ENDPOINTS
        else url_for("admin.index", _external=True)
    )
    return sentence, link


def subject_and_body(mail: MailClaim) -> tuple[str, dict]:
    """The mail's subject and what its templates say, in the current language."""
    sentence, link = sentence_and_link(mail)
    return sentence, _links(sentence, link, mail.name)


class Sender:
    """Mails a batch of notifications or digests over a few SMTP connections kept open for
    the run (see ``sender``): composed here, one request context per language, then sent
    by the connections side by side, so one server's round trips overlap."""

    def __init__(self, app, connections, pool: ThreadPoolExecutor):
        self.app, self.connections, self.pool = app, connections, pool

    def mails(self, claims: list[MailClaim]) -> list[str | None]:
        """Send each notification's mail; what went wrong with each (None: sent)."""
        loaded = _load_records(claims)  # held: the identity map keeps only what is referenced
        messages = self._compose(claims, self._notification)
        del loaded
        return self._send_all(messages)

    def digests(self, claims: list[DigestClaim]) -> list[str | None]:
        """Send each day's digest: its notifications as lines with their links, in one mail."""
        loaded = _load_records([item for claim in claims for item in claim.items])
        messages = self._compose(claims, self._digest)
        del loaded
        return self._send_all(messages)

    def _compose(self, claims, compose) -> list:
        """Each claim's message, or the error that kept it from being written."""
        messages: list = [None] * len(claims)
        by_language: dict[str, list[int]] = {}
        for i, claim in enumerate(claims):
            by_language.setdefault(claim.locale, []).append(i)
        base = self.app.config["BASE_URL"]
        for locale, indexes in by_language.items():
            with self.app.test_request_context("/", base_url=base), force_locale(locale):
                for i in indexes:
                    try:
                        messages[i] = compose(claims[i])
                    except Exception as exc:  # one mail that cannot be written is that mail's
                        messages[i] = _error(exc)
        return messages

    def _notification(self, claim: MailClaim) -> EmailMultiAlternatives:
        subject, context = subject_and_body(claim)
        return _message(claim.to, subject, context, "notification", claim.message_id)

    def _digest(self, digest: DigestClaim) -> EmailMultiAlternatives:
        lines = []
        for item in digest.items:
            claim = MailClaim(
                0,
                "",
                digest.to,
                digest.name,
                digest.locale,
                item.kind,
                item.workflow,
                item.record_id,
                item.state,
                "",
            )
            sentence, link = sentence_and_link(claim)
            lines.append({"sentence": sentence, "link": link})
        subject = _("Your daily digest: %(n)d items", n=len(lines))
        context = {
            "name": digest.name,
            "lines": lines,
            "settings": url_for("notifications.settings", _external=True),
            "all": url_for("notifications.index", _external=True),
        }
        return _message(digest.to, subject, context, "digest", digest.message_id)

    def _send_all(self, messages: list) -> list[str | None]:
        """Send the messages round robin over the connections, side by side.

        Each send is bounded by the socket timeout; a lane is given that for every step of
        every mail (connect, greet, envelope, data). Past the bound the lanes start no
        other mail: those not begun are reported unsent (tried again later), and one still
        on the wire as failed, so it may come twice, with its one ``Message-ID``.
        """
        errors: list[str | None] = [m if isinstance(m, str) else None for m in messages]
        done = [isinstance(m, str) for m in messages]
        stop = threading.Event()
        lanes = [
            (connection, list(range(n, len(messages), len(self.connections))))
            for n, connection in enumerate(self.connections)
        ]

        def lane(connection, indexes: list[int]) -> None:
            with self.app.app_context():  # Flask-Mailman reads its settings from the app
                for i in indexes:
                    if stop.is_set():
                        return
                    if not done[i]:
                        errors[i], done[i] = _sent(connection, messages[i]), True

        per_mail = 6 * float(self.app.config.get("MAIL_TIMEOUT") or 10)
        running = [self.pool.submit(lane, *each) for each in lanes if each[1]]
        wait(running, timeout=per_mail * (len(messages) // len(self.connections) + 1))
        stop.set()
        return [
            error if finished else "TimeoutError: not sent in time"
            for error, finished in zip(list(errors), list(done), strict=True)
        ]


def _one_line(text: str) -> str:
    """``text`` as a header may carry it: control characters and line breaks (a name typed
    with one) become spaces, or the mail would be refused on every try."""
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


def _message(to: str, subject: str, context: dict, template: str, message_id: str):
    message = EmailMultiAlternatives(
        subject=_one_line(f"[Alur] {subject}"),
        body=render_template(f"mail/{template}.txt", **context),
        to=[to],
        headers={"Message-ID": message_id},
    )
    message.attach_alternative(render_template(f"mail/{template}.html", **context), "text/html")
    return message


def _sent(connection, message) -> str | None:
    """Send one message over ``connection``, (re)opened as needed; the error, if any.

    A failed send closes the connection, so the next mail starts on a fresh one rather
    than on a session the server may have dropped.
    """
    try:
        connection.open()  # a no-op while it is open
        connection.send_messages([message])
    except Exception as exc:  # any failure of one mail is that mail's, tried again
        connection.close()
        return _error(exc)
    return None


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def _load_records(claims) -> list:
    """The batch's records, each workflow's in one query with what their names are made of,
    so composing a mail asks the database nothing more."""
    ids: dict[str, set[int]] = {}
    for claim in claims:
        if claim.workflow in WORKFLOWS and claim.record_id is not None:
            ids.setdefault(claim.workflow, set()).add(claim.record_id)
    loaded = []
    for name, record_ids in ids.items():
        model = WORKFLOWS[name].model
        related = [
            selectinload(getattr(model, attr))
            for attr in ("employee", "mentee", "mentor", "program")
            if attr in model.__mapper__.relationships
        ]
        loaded += db.session.scalars(
            select(model).where(model.id.in_(record_ids)).options(*related)
        ).all()
    return loaded


@contextmanager
def sender(app):
    """What sends a run of the mail queue: ``MAIL_CONNECTIONS`` connections to the server,
    opened on first use and kept for the whole run."""
    mailman = app.extensions["mailman"]
    count = max(1, int(app.config.get("MAIL_CONNECTIONS") or 1))
    connections = [mailman.get_connection() for _ in range(count)]
    pool = ThreadPoolExecutor(count, thread_name_prefix="mail")
    try:
        yield Sender(app, connections, pool)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # a lane past its bound is not awaited
        for connection in connections:
            connection.close()
