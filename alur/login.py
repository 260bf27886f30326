"""Password checks throttled: failed attempts counted per account and per client address.

Flask-Security-Too checks passwords in three forms (login, re-authentication, change of
password) and has no throttle of its own. These subclasses count an attempt once its
form is otherwise sound (CSRF token, an e-mail address) and before the password is
checked, in the store every process shares (Redis in production); an attempt whose
password was right is given back, so only failures use up the allowance. Counting first
makes concurrent guesses count too. The account is the address as Flask-Security looks
it up (normalised, case folded), so no respelling reaches it with a fresh count.
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import current_app, request
from flask_login import current_user
from flask_security.forms import ChangePasswordForm, LoginForm, VerifyForm
from limits import parse
from werkzeug.exceptions import HTTPException

from alur.extensions import limiter


class TooManyAttempts(HTTPException):
    """A password check refused before it is made: the allowance is used up."""

    code = 429
    description = "Too many failed sign-in attempts."

    def __init__(self, retry_after: int):
        super().__init__()
        self.retry_after = retry_after


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _allowances(account: str) -> list[tuple]:
    config = current_app.config
    prefix = [config["RATELIMIT_KEY_PREFIX"]] if config.get("RATELIMIT_KEY_PREFIX") else []
    address = request.remote_addr or "unknown"
    return [
        (parse(config["LOGIN_ACCOUNT_LIMIT"]), (*prefix, "login-account", _digest(account))),
        (parse(config["LOGIN_ADDRESS_LIMIT"]), (*prefix, "login-address", address)),
    ]


def count_attempt(account: str) -> list[tuple]:
    """Count an attempt on ``account`` from this address; TooManyAttempts past either limit."""
    if not limiter.enabled:
        return []
    strategy = limiter.limiter
    allowances = _allowances(account.casefold())
    over = [(item, ids) for item, ids in allowances if not strategy.hit(item, *ids)]
    if over:
        reset = max(strategy.get_window_stats(item, *ids).reset_time for item, ids in over)
        raise TooManyAttempts(max(1, math.ceil(reset - time.time())))
    return allowances


def give_back(allowances: list[tuple]) -> None:
    """The password was right: the attempt does not count."""
    for item, ids in allowances:
        limiter.limiter.hit(item, *ids, cost=-1)


class _Throttled:
    """Put ahead of a Flask-Security form whose ``validate`` checks a password."""

    checks: type  # the Flask-Security form

    def account(self) -> str:
        return current_user.email

    def password_was_right(self, valid: bool) -> bool:
        return not self.password.errors

    def validate(self, **kwargs) -> bool:
        # The form's own fields first (CSRF, the address): nothing is counted for a
        # request that would not have reached the password.
        if not super(self.checks, self).validate(**kwargs):
            return False
        counted = count_attempt(self.account())
        valid = self.checks.validate(self, **kwargs)
        if self.password_was_right(valid):
            give_back(counted)
        return valid


class ThrottledLoginForm(_Throttled, LoginForm):
    checks = LoginForm

    def account(self) -> str:
        return self.email.data or ""  # as Flask-Security's e-mail field normalised it

    def password_was_right(self, valid: bool) -> bool:
        return self.user_authenticated


class ThrottledVerifyForm(_Throttled, VerifyForm):
    checks = VerifyForm


class ThrottledChangePasswordForm(_Throttled, ChangePasswordForm):
    checks = ChangePasswordForm


FORMS = {
    "login_form": ThrottledLoginForm,
    "verify_form": ThrottledVerifyForm,
    "change_password_form": ThrottledChangePasswordForm,
}
