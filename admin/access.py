"""Who may open which back-office view: logged in, active, and holding one of its roles."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_security import current_user

from workflow.models import RoleName

STAFF = frozenset({RoleName.ADMIN, RoleName.HR_OFFICER, RoleName.SUPERVISOR, RoleName.EMPLOYEE})
ADMIN_ONLY = frozenset({RoleName.ADMIN})
ADMIN_AND_HR = frozenset({RoleName.ADMIN, RoleName.HR_OFFICER})


def me():
    """The logged-in user object (not the proxy)."""
    return current_user._get_current_object()


def is_admin() -> bool:
    return current_user.is_authenticated and current_user.has_role(RoleName.ADMIN)


class Guarded:
    """Mixin for every view: ``roles`` may open it; others are sent to log in, or refused."""

    roles: frozenset[str] = STAFF

    def is_accessible(self) -> bool:
        return (
            current_user.is_authenticated
            and current_user.active
            and bool(self.roles & current_user.role_names)
        )

    def is_visible(self) -> bool:
        return self.is_accessible()

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("security.login", next=request.full_path.rstrip("?")))
        abort(403)
