"""The mails of notifications, in the recipient's language, sent by Flask-Mailman.

``sender(app)`` opens one SMTP connection for a run of the mail queue
(``workflow.mailing.drain``) and gives the function that sends one notification's mail:
a subject naming the record as people name it, a plain-text and an HTML part, a link
to the record and to one's notification settings, and a ``Message-ID`` that is the same
on every resend.
"""

from __future__ import annotations

from contextlib import contextmanager

from flask import render_template, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_mailman import EmailMultiAlternatives

from admin.labels import STATE_LABELS, TITLES, WORKFLOW_ENDPOINTS
from workflow.db import db
from workflow.mailing import DigestClaim, MailClaim
from workflow.models import Delegation, OutboxDelivery
from workflow.workflows import WORKFLOWS


def _acting(mail: MailClaim) -> tuple[str, dict]:
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
    return sentence, _links(sentence, url_for("my_inbox.index", _external=True), mail.name)


def _dead_delivery(mail: MailClaim) -> tuple[str, dict]:
    row = db.session.get(OutboxDelivery, mail.record_id)
    url = row.subscription.url if row is not None else "?"
    sentence = _(
        "A webhook delivery failed for good: %(url)s (delivery %(id)s)", url=url, id=mail.record_id
    )
    link = url_for("outboxdelivery.details_view", id=mail.record_id, _external=True)
    return sentence, _links(sentence, link, mail.name)


def _links(sentence: str, link: str, name: str) -> dict:
    return {
        "name": name,
        "sentence": sentence,
        "link": link,
        "settings": url_for("notifications.settings", _external=True),
        "all": url_for("notifications.index", _external=True),
    }


# What is told outside the workflows' table (workflow.notify.KINDS).
OTHER_KINDS = {"acting": _acting, "dead_delivery": _dead_delivery}


def configured(app) -> bool:
    """Whether a mail server is set (``ALUR_MAIL_SERVER``): without one nothing is sent."""
    return bool(app.config.get("MAIL_SERVER"))


def subject_and_body(mail: MailClaim) -> tuple[str, dict]:
    """The mail's subject and what its templates say, in the current language."""
    from admin.views.workflows import record_label

    if mail.kind in OTHER_KINDS:
        return OTHER_KINDS[mail.kind](mail)
    wf = WORKFLOWS.get(mail.workflow or "")
    record = db.session.get(wf.model, mail.record_id) if wf is not None else None
    what = str(TITLES.get(mail.workflow, mail.workflow or ""))
    who = record_label(record) if record is not None else f"#{mail.record_id}"
    state = str(STATE_LABELS.get(mail.state, mail.state or ""))
    sentences = {
        "waiting": _("%(what)s awaits your action: %(who)s", what=what, who=who),
        "returned": _("%(what)s was returned for revision: %(who)s", what=what, who=who),
        "decided": _("%(what)s is %(state)s: %(who)s", what=what, state=state, who=who),
        "due_soon": _("%(what)s is due soon: %(who)s", what=what, who=who),
        "escalated": _("%(what)s has waited too long: %(who)s", what=what, who=who),
    }
    sentence = sentences.get(mail.kind, f"{what}: {who}")
    link = (
        url_for(
            f"{WORKFLOW_ENDPOINTS[mail.workflow]}.details_view", id=mail.record_id, _external=True
        )
        if mail.workflow in WORKFLOW_ENDPOINTS
        else url_for("admin.index", _external=True)
    )
    return sentence, _links(sentence, link, mail.name)


class Sender:
    """Mails notifications and digests over one SMTP connection (see ``sender``)."""

    def __init__(self, app, connection):
        self.app, self.connection = app, connection

    def _send(self, to: str, subject: str, context: dict, template: str, message_id: str):
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
        message = EmailMultiAlternatives(
            subject=f"[Alur] {subject}",
            body=text,
            to=[to],
            connection=self.connection,
            headers={"Message-ID": message_id},
        )
        message.attach_alternative(html, "text/html")
        message.send()

    def _context(self, locale: str):
        base = self.app.config["BASE_URL"]
        return self.app.test_request_context("/", base_url=base), force_locale(locale)

    def mail(self, mail: MailClaim) -> None:
        """One notification's mail."""
        request, language = self._context(mail.locale)
        with request, language:
            subject, context = subject_and_body(mail)
            self._send(mail.to, subject, context, "notification", mail.message_id)

    def digest(self, digest: DigestClaim) -> None:
        """A day's digest: each notification as a line with its link, in one mail."""
        request, language = self._context(digest.locale)
        with request, language:
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
                sentence, context = subject_and_body(claim)
                lines.append({"sentence": sentence, "link": context["link"]})
            subject = _("Your daily digest: %(n)d items", n=len(lines))
            context = {
                "name": digest.name,
                "lines": lines,
                "settings": url_for("notifications.settings", _external=True),
                "all": url_for("notifications.index", _external=True),
            }
            self._send(digest.to, subject, context, "digest", digest.message_id)


@contextmanager
def sender(app):
    """What sends a run of the mail queue, over one connection for the whole run."""
    connection = app.extensions["mailman"].get_connection()
    try:
        yield Sender(app, connection)
    finally:
        connection.close()
