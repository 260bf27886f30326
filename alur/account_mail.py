"""Flask-Security's account mails (password reset and its notices) over Flask-Mailman."""

from __future__ import annotations

import smtplib

from flask import current_app
from flask_security.mail_util import MailUtil


class AccountMail(MailUtil):
    """Sends as Flask-Security does; a mail server that fails does not fail the page.

    The failure is logged, and the page says what it says anyway (the same words whether
    or not an account exists); the user may ask again.
    """

    def send_mail(self, template, subject, recipient, sender, body, html, **kwargs):
        try:
            super().send_mail(template, subject, recipient, sender, body, html, **kwargs)
        except (OSError, smtplib.SMTPException) as exc:
            current_app.logger.warning("account mail %s not sent: %s", template, exc)
