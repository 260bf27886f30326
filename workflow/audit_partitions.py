"""The audit log by year, on PostgreSQL: one partition per year of ``created_at``, so an
appraisal season adds a partition rather than growing one table. SQLite keeps one table.

Each year's partition is made ahead of its first entry (``ensure``: the outbox worker
does it daily, ``flask audit partitions`` on demand, migration 0020 for the years already
written). A ``audit_log_default`` partition takes any entry whose year has none yet;
``ensure`` moves such entries into their year's partition when it makes it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from workflow.db import is_partition, utcnow, write_transaction

PARENT = "audit_log"
DEFAULT = "audit_log_default"


def name(year: int) -> str:
    return f"audit_log_y{year}"


def partitioned(session: Session) -> bool:
    """Whether the audit log is partitioned here (PostgreSQL, migrated to 0020)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    return bool(
        session.scalar(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table "
                "WHERE partrelid = CAST(:t AS regclass))"
            ),
            {"t": PARENT},
        )
    )


def years(session: Session) -> list[int]:
    """The years that have a partition of their own."""
    names = session.scalars(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = CAST(:t AS regclass)"
        ),
        {"t": PARENT},
    )
    prefix = name(0)[:-1]
    # a table attached by hand under another name is no year of ours
    return sorted(int(n[len(prefix) :]) for n in names if is_partition(n) and n != DEFAULT)


def ensure(session: Session, wanted: Iterable[int] | None = None) -> list[int]:
    """Make the partitions of ``wanted`` years (default: this year and the next) that are
    missing; return the years made. One short transaction per year.

    The new table is filled from the default partition and attached: the log itself is
    locked SHARE UPDATE EXCLUSIVE (entries of other years go on being written), the default
    partition against writes for the few moments of the move (an entry of that year
    written between the move and the attachment would make the attachment fail).
    """
    if not partitioned(session):
        return []
    if wanted is None:
        this = utcnow().year
        wanted = (this, this + 1)
    made = []
    for year in sorted(set(wanted) - set(years(session))):
        if not 1900 < year < 10000:
            raise ValueError(f"no audit partition for the year {year}")
        bounds = {"start": f"{year}-01-01 00:00:00+00", "end": f"{year + 1}-01-01 00:00:00+00"}
        with write_transaction(session):
            table = name(year)
            # Several workers may ensure at once: one makes the year, the others find it.
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext('alur:audit_log'))"))
            if session.scalar(text("SELECT to_regclass(:t)"), {"t": table}) is not None:
                continue
            session.execute(text(f"LOCK TABLE {DEFAULT} IN SHARE ROW EXCLUSIVE MODE"))
            session.execute(
                text(
                    f"CREATE TABLE {table} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                )
            )
            session.execute(
                text(
                    f"WITH moved AS (DELETE FROM {DEFAULT} WHERE created_at >= :start "
                    f"AND created_at < :end RETURNING *) INSERT INTO {table} SELECT * FROM moved"
                ),
                bounds,
            )
            session.execute(
                text(
                    f"ALTER TABLE {PARENT} ATTACH PARTITION {table} "
                    f"FOR VALUES FROM ('{bounds['start']}') TO ('{bounds['end']}')"
                )
            )
        made.append(year)
    return made
