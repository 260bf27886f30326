"""Notifications: what each user is told (in the back office, by mail), and how they wish it.

Creates ``notifications`` (one per event and user, with its mail's status, attempts and
lease, as webhook deliveries have), ``notification_settings`` (a mode per user and
kind: at once, daily digest, off) and ``notification_digests`` (at most one a day per
user), and gives ``users`` the language they chose
(``locale``), in which their mails are written.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 00:50:00

"""
import sqlalchemy as sa
from alembic import op

from workflow.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

MAIL_STATUSES = "mail_status IN ('pending', 'sent', 'dead', 'digest', 'none')"
MODES = "mode IN ('now', 'digest', 'off')"


def upgrade():
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('workflow', sa.String(length=32), nullable=True),
        sa.Column('record_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=24), nullable=True),
        sa.Column('event_id', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('read_at', UTCDateTime(), nullable=True),
        sa.Column('mail_status', sa.String(length=8), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(), nullable=True),
        sa.Column('lease_token', sa.String(length=32), nullable=True),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.CheckConstraint(MAIL_STATUSES, name=op.f('ck_notifications_mail_status')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
        sa.UniqueConstraint('event_id', 'user_id', name='uq_notifications_event_user'),
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_page', ['user_id', 'id'], unique=False)
        batch_op.create_index('ix_notifications_mail_due', ['mail_status', 'next_attempt_at'], unique=False)

    op.create_table(
        'notification_settings',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('mode', sa.String(length=8), nullable=False),
        sa.CheckConstraint(MODES, name=op.f('ck_notification_settings_mode')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_settings')),
    )
    op.create_table(
        'notification_digests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('upto_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(), nullable=True),
        sa.Column('lease_token', sa.String(length=32), nullable=True),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'dead')", name=op.f('ck_notification_digests_status')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_digests_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_digests')),
        sa.UniqueConstraint('user_id', 'day', name='uq_notification_digests_user_day'),
    )
    with op.batch_alter_table('notification_digests', schema=None) as batch_op:
        batch_op.create_index('ix_notification_digests_due', ['status', 'next_attempt_at'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locale')
    with op.batch_alter_table('notification_digests', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_digests_due')
    op.drop_table('notification_digests')
    op.drop_table('notification_settings')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_mail_due')
        batch_op.drop_index('ix_notifications_user_page')
    op.drop_table('notifications')
