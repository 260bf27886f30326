"""The audit log partitioned by year on PostgreSQL (SQLite: unchanged).

The table is rebuilt as ``PARTITION BY RANGE (created_at)``: a partition per year that
has entries, this year's and the next (``audit_log_y<year>``), and ``audit_log_default``
for any other. The rows are copied in one statement: at national size (tens of millions
of entries) this is minutes, in the release's maintenance window.

A partitioned table's primary key and unique constraints must hold the partition key, so
they become ``(id, created_at)`` and ``(workflow, record_id, seq, created_at)``: the
database no longer refuses a second entry of a record's seq by itself (its time would
differ). The engine gives each seq once, numbering a record's entries under the
record's lock, and ``flask audit verify`` reports any break of a chain, a doubled seq
among them.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 10:30:00

"""
from datetime import UTC, datetime

from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

COLUMNS = """
    id integer NOT NULL DEFAULT nextval('audit_log_id_seq'::regclass),
    workflow varchar(32) NOT NULL,
    record_id integer NOT NULL,
    seq integer NOT NULL,
    trigger varchar(32) NOT NULL,
    from_state varchar(16),
    to_state varchar(16) NOT NULL,
    actor_id integer,
    via varchar(16) NOT NULL,
    comment text,
    payload_digest varchar(64),
    created_at timestamp with time zone NOT NULL,
    prev_hash varchar(64),
    hash varchar(64) NOT NULL,
    on_behalf_of_id integer,
    record_digest varchar(64),
    key_id varchar(16) NOT NULL
"""
NAMES = (
    "id, workflow, record_id, seq, trigger, from_state, to_state, actor_id, via, comment, "
    "payload_digest, created_at, prev_hash, hash, on_behalf_of_id, record_digest, key_id"
)
FOREIGN_KEYS = """
    ALTER TABLE audit_log ADD CONSTRAINT fk_audit_log_actor_id_users
        FOREIGN KEY (actor_id) REFERENCES users (id);
    ALTER TABLE audit_log ADD CONSTRAINT fk_audit_log_on_behalf_of_id_employees
        FOREIGN KEY (on_behalf_of_id) REFERENCES employees (id);
    CREATE INDEX ix_audit_log_actor_id ON audit_log (actor_id);
    ALTER SEQUENCE audit_log_id_seq OWNED BY audit_log.id;
"""


def _rebuild(create: str, keys: str, partitions) -> None:
    op.execute("LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE")
    op.execute("ALTER SEQUENCE audit_log_id_seq OWNED BY NONE")
    op.execute("ALTER TABLE audit_log RENAME TO audit_log_before")
    for old in ("pk_audit_log", "ix_audit_log_actor_id", "uq_audit_log_workflow_record_id_seq"):
        op.execute(f"ALTER INDEX IF EXISTS {old} RENAME TO {old}_before")
    op.execute(f"CREATE TABLE audit_log ({COLUMNS}, {keys}) {create}")
    for statement in partitions:
        op.execute(statement)
    op.execute(FOREIGN_KEYS)
    op.execute(f"INSERT INTO audit_log ({NAMES}) SELECT {NAMES} FROM audit_log_before")
    op.execute("DROP TABLE audit_log_before")


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    bind = op.get_bind()
    first = bind.exec_driver_sql(
        "SELECT extract(year FROM min(created_at) AT TIME ZONE 'UTC')::int FROM audit_log"
    ).scalar()
    this = datetime.now(UTC).year
    # A partition for each of the last ten years at most; entries older than that (or
    # dated oddly by hand) wait in the default partition, not in a thousand tables.
    years = range(max(min(first or this, this), this - 10), this + 2)
    partitions = [
        f"CREATE TABLE audit_log_y{y} PARTITION OF audit_log "
        f"FOR VALUES FROM ('{y}-01-01 00:00:00+00') TO ('{y + 1}-01-01 00:00:00+00')"
        for y in years
    ]
    partitions.append("CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT")
    _rebuild(
        "PARTITION BY RANGE (created_at)",
        "CONSTRAINT pk_audit_log PRIMARY KEY (id, created_at), "
        "CONSTRAINT uq_audit_log_workflow_record_id_seq_created_at "
        "UNIQUE (workflow, record_id, seq, created_at)",
        partitions,
    )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    _rebuild(
        "",
        "CONSTRAINT pk_audit_log PRIMARY KEY (id), "
        "CONSTRAINT uq_audit_log_workflow_record_id_seq UNIQUE (workflow, record_id, seq)",
        [],
    )
