"""Command-line adapters: ``flask --app wsgi <command>``.

Operators and other programs script these, so names and exit codes are stable:
0 success, 1 the operation failed (the message says why), 2 bad arguments.
"""

from __future__ import annotations

from flask import Flask

from alur.cli.audit import audit
from alur.cli.delegations import delegations
from alur.cli.demo import seed_demo
from alur.cli.doctor import doctor
from alur.cli.imports import import_group
from alur.cli.jp import jp
from alur.cli.periods import periods
from alur.cli.predicates import predicates
from alur.cli.prune import prune
from alur.cli.run_demo import run_demo
from alur.cli.sla import sla
from alur.cli.tokens import tokens
from alur.cli.users import users
from alur.cli.webhooks import outbox, webhooks
from alur.migrations import migrations_group


def register(app: Flask) -> None:
    # Flask-Security's own "users"/"roles" groups are switched off in config:
    # ours links accounts to employees and agencies.
    for group in (
        users,
        audit,
        seed_demo,
        tokens,
        webhooks,
        outbox,
        jp,
        delegations,
        periods,
        sla,
        predicates,
        import_group,
        prune,
        run_demo,
        doctor,
        migrations_group,
    ):
        app.cli.add_command(group)
