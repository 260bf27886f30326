"""Webhook secrets encrypted at rest: clients' and subscriptions' ``whsec_`` secrets.

Widens ``secret`` and ``previous_secret`` of ``webhook_clients`` and
``subscriptions`` to hold a Fernet token (164 characters for a ``whsec_``
secret), then encrypts every secret still kept in plain text. The key is the
app's ``SECRETS_KEY``: ``ALUR_SECRETS_KEY`` from the environment, read as the
app reads it (``flask db upgrade`` runs inside the app, which refuses a missing
or malformed key outside development). Downgrading decrypts them again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:30:00

"""
import os

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TABLES = ('webhook_clients', 'subscriptions')
COLUMNS = ('secret', 'previous_secret')
PLAIN = 'whsec_'  # a secret not yet encrypted (a Fernet token starts with 'gAAAAA')


def _fernet() -> Fernet:
    try:
        from flask import current_app

        key = current_app.config['SECRETS_KEY']
    except (ImportError, RuntimeError, KeyError):
        # Run outside the app (plain ``alembic``): the same variable, no development default.
        key = os.environ.get('ALUR_SECRETS_KEY')
    if not key:
        raise RuntimeError('ALUR_SECRETS_KEY must be set to encrypt the webhook secrets')
    return Fernet(key)


def _rewrite(change) -> None:
    conn = op.get_bind()
    for name in TABLES:
        table = sa.table(name, sa.column('id', sa.Integer), *(sa.column(c, sa.String) for c in COLUMNS))
        for row in conn.execute(sa.select(table)).all():
            values = {c: change(getattr(row, c)) for c in COLUMNS if getattr(row, c)}
            values = {c: v for c, v in values.items() if v != getattr(row, c)}
            if values:
                conn.execute(table.update().where(table.c.id == row.id).values(**values))


def _resize(length: int) -> None:
    for name in TABLES:
        with op.batch_alter_table(name) as batch:
            batch.alter_column('secret', existing_type=sa.String(), type_=sa.String(length),
                               existing_nullable=False)
            batch.alter_column('previous_secret', existing_type=sa.String(),
                               type_=sa.String(length), existing_nullable=True)


def upgrade():
    fernet = _fernet()
    _resize(255)
    _rewrite(lambda v: fernet.encrypt(v.encode()).decode() if v.startswith(PLAIN) else v)


def downgrade():
    fernet = _fernet()
    _rewrite(lambda v: v if v.startswith(PLAIN) else fernet.decrypt(v.encode()).decode())
    _resize(100)
