"""Bulk import of agencies, units and employees from CSV files.

Every row is checked before anything changes: its form here in Python (a NIP
with BKN's structure, a rank that exists for the status, no over-long text),
its references in SQL against the file and the database together (the agency,
the unit within it, the supervisor's NIP, the parent unit), duplicates within
the file too. The rows go to a temporary staging table first (PostgreSQL
``COPY``; batches of ``executemany`` on SQLite), so the checks and the load are
a few set-based statements rather than one round trip per row.

On PostgreSQL the import's transaction gets memory of its own for its hashes,
sorts and staging indexes (``work_mem``): at the server's default of a few MB
every join over a million rows spills to disk, a tenth to a fifth of the time.

By default a file with any bad row changes nothing (all or nothing); with
``skip_bad`` the good rows are loaded. Either way the bad ones (and those that
lean on them, like the staff of a rejected supervisor) are handed to the
caller, each with its line number and reason, streamed from the staging table
so that a file bad throughout costs no more memory than a good one. Importing
the same file again changes nothing: rows are matched on their natural key
(the agency's code, the unit's code within its agency, the employee's NIP) and
updated in place.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import islice

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from workflow.db import utcnow, write_transaction
from workflow.errors import InvalidPayload
from workflow.nip import InvalidNIP, nip_value
from workflow.ranks import validate_rank

BATCH = 5000  # rows per executemany on SQLite
PROGRESS_EVERY = 100_000
SAMPLE = 20  # rejected rows kept on the result; all of them go to the caller's sink
WORK_MEM = "256MB"  # per hash, sort or index build of the import (PostgreSQL)


@dataclass(frozen=True)
class Kind:
    """How one kind of row is read, checked and loaded."""

    name: str
    columns: tuple[str, ...]  # the CSV header, in this order
    required: tuple[str, ...]
    lengths: dict[str, int]
    check_row: Callable[[dict, date], str | None]  # a reason, or None if fine
    checks: tuple[tuple[str, str], ...]  # (reason, SQL selecting the lines it applies to)
    cascade: str | None  # SQL selecting lines that lean on a rejected line (line, on_line)
    existing: str  # SQL counting the good rows that are already in the database
    apply: tuple[str, ...]  # SQL statements loading the good rows
    table: str = ""  # the table loaded: when empty, built after the load (PostgreSQL)


def _check_agency(row: dict, today: date) -> str | None:
    return None


def _check_unit(row: dict, today: date) -> str | None:
    if row["parent_code"] and row["parent_code"] == row["code"]:
        return "a unit cannot be its own parent"
    return None


@lru_cache(maxsize=256)
def _rank_problem(status: str, rank: str) -> str | None:
    # a file holds a handful of (status, rank) pairs, each checked once
    try:
        validate_rank(status, rank)
    except ValueError as exc:
        return str(exc)
    return None


def _check_employee(row: dict, today: date) -> str | None:
    try:
        row["nip"] = nip_value(row["nip"], today=today)
    except InvalidNIP as exc:
        return str(exc)
    problem = _rank_problem(row["status"], row["rank"])
    if problem:
        return problem
    if row["supervisor_nip"]:
        row["supervisor_nip"] = row["supervisor_nip"].replace(" ", "")
        if row["supervisor_nip"] == row["nip"]:
            return "an employee cannot be their own supervisor"
    return None


AGENCIES = Kind(
    name="agencies",
    columns=("code", "name", "province", "region"),
    required=("code", "name", "province", "region"),
    lengths={"code": 32, "name": 200, "province": 100, "region": 100},
    check_row=_check_agency,
    checks=(
        (
            "the code appears more than once in the file",
            "SELECT line FROM import_rows WHERE code IN "
            "(SELECT code FROM import_rows GROUP BY code HAVING count(*) > 1)",
        ),
    ),
    cascade=None,
    existing="SELECT count(*) FROM import_rows s JOIN agencies a ON a.code = s.code "
    "WHERE s.reason IS NULL",
    apply=(
        "INSERT INTO agencies (code, name, province, region, created_at) "
        "SELECT code, name, province, region, :now FROM import_rows WHERE reason IS NULL "
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
        "province = excluded.province, region = excluded.region",
    ),
)

UNITS = Kind(
    name="units",
    columns=("agency_code", "code", "name", "parent_code"),
    required=("agency_code", "code", "name"),
    lengths={"agency_code": 32, "code": 32, "name": 200, "parent_code": 32},
    check_row=_check_unit,
    checks=(
        (
            "the unit appears more than once in the file",
            "SELECT line FROM import_rows WHERE agency_code || '/' || code IN "
            "(SELECT agency_code || '/' || code FROM import_rows "
            " GROUP BY agency_code, code HAVING count(*) > 1)",
        ),
        (
            "no agency with this agency_code",
            "SELECT s.line FROM import_rows s LEFT JOIN agencies a ON a.code = s.agency_code "
            "WHERE a.id IS NULL",
        ),
        (
            "no unit with this parent_code in the agency (in the file or the database)",
            "SELECT s.line FROM import_rows s JOIN agencies a ON a.code = s.agency_code "
            "WHERE s.parent_code IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM import_rows t WHERE t.agency_code = s.agency_code "
            "                AND t.code = s.parent_code) "
            "AND NOT EXISTS (SELECT 1 FROM units u WHERE u.agency_id = a.id "
            "                AND u.code = s.parent_code)",
        ),
    ),
    cascade="SELECT s.line AS line, min(t.line) AS on_line FROM import_rows s "
    "JOIN import_rows t ON t.agency_code = s.agency_code AND t.code = s.parent_code "
    "JOIN agencies a ON a.code = s.agency_code "
    "WHERE s.reason IS NULL AND t.reason IS NOT NULL AND NOT EXISTS "
    "(SELECT 1 FROM units u WHERE u.agency_id = a.id AND u.code = s.parent_code) "
    "GROUP BY s.line",
    existing="SELECT count(*) FROM import_rows s JOIN agencies a ON a.code = s.agency_code "
    "JOIN units u ON u.agency_id = a.id AND u.code = s.code WHERE s.reason IS NULL",
    apply=(
        "INSERT INTO units (agency_id, code, name) "
        "SELECT a.id, s.code, s.name FROM import_rows s JOIN agencies a ON a.code = s.agency_code "
        "WHERE s.reason IS NULL "
        "ON CONFLICT (agency_id, code) DO UPDATE SET name = excluded.name",
        "UPDATE units SET parent_id = p.id FROM import_rows s "
        "JOIN agencies a ON a.code = s.agency_code "
        "LEFT JOIN units p ON p.agency_id = a.id AND p.code = s.parent_code "
        "WHERE s.reason IS NULL AND units.agency_id = a.id AND units.code = s.code",
    ),
)

EMPLOYEES = Kind(
    name="employees",
    columns=(
        "nip",
        "name",
        "status",
        "rank",
        "position",
        "agency_code",
        "unit_code",
        "supervisor_nip",
    ),
    required=("nip", "name", "status", "rank", "position", "agency_code", "unit_code"),
    lengths={
        "nip": 40,
        "name": 200,
        "status": 4,
        "rank": 8,
        "position": 200,
        "agency_code": 32,
        "unit_code": 32,
        "supervisor_nip": 40,
    },
    check_row=_check_employee,
    checks=(
        (
            "the NIP appears more than once in the file",
            "SELECT line FROM import_rows WHERE nip IN "
            "(SELECT nip FROM import_rows GROUP BY nip HAVING count(*) > 1)",
        ),
        (
            "no unit with this unit_code in the agency agency_code",
            "SELECT s.line FROM import_rows s LEFT JOIN agencies a ON a.code = s.agency_code "
            "LEFT JOIN units u ON u.agency_id = a.id AND u.code = s.unit_code WHERE u.id IS NULL",
        ),
        (
            "no employee with this supervisor_nip (in the file or the database)",
            "SELECT s.line FROM import_rows s WHERE s.supervisor_nip IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM import_rows t WHERE t.nip = s.supervisor_nip) "
            "AND NOT EXISTS (SELECT 1 FROM employees e WHERE e.nip = s.supervisor_nip)",
        ),
    ),
    cascade="SELECT s.line AS line, min(t.line) AS on_line FROM import_rows s "
    "JOIN import_rows t ON t.nip = s.supervisor_nip "
    "WHERE s.reason IS NULL AND t.reason IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM employees e WHERE e.nip = s.supervisor_nip) "
    "GROUP BY s.line",
    existing="SELECT count(*) FROM import_rows s JOIN employees e ON e.nip = s.nip "
    "WHERE s.reason IS NULL",
    apply=(
        "{assign_ids}",
        "INSERT INTO employees (id, nip, name, status, rank, position, agency_id, unit_id, "
        "supervisor_id, created_at) "
        "SELECT i.id, s.nip, s.name, s.status, s.rank, s.position, a.id, u.id, "
        "COALESCE(sup_file.id, sup_db.id), :now "
        "FROM import_rows s JOIN import_ids i ON i.nip = s.nip "
        "JOIN agencies a ON a.code = s.agency_code "
        "JOIN units u ON u.agency_id = a.id AND u.code = s.unit_code "
        "LEFT JOIN import_ids sup_file ON sup_file.nip = s.supervisor_nip "
        "LEFT JOIN employees sup_db ON sup_db.nip = s.supervisor_nip "
        "WHERE s.reason IS NULL "
        "ON CONFLICT (nip) DO UPDATE SET name = excluded.name, status = excluded.status, "
        "rank = excluded.rank, position = excluded.position, agency_id = excluded.agency_id, "
        "unit_id = excluded.unit_id, supervisor_id = excluded.supervisor_id",
        "DROP TABLE import_ids",
    ),
    table="employees",
)

# How the good rows get their ids before they are inserted: the existing one, or a new
# one. A table of its own (nip -> id) rather than an UPDATE of every staging row, which
# costs several times more; made before the insert so that each row's supervisor is known.
ASSIGN_IDS = {
    # the sequence hands out ids that no concurrent insert can take
    "postgresql": (
        "CREATE TEMPORARY TABLE import_ids AS SELECT s.nip, "
        # the sequence looked up once (an init plan), not once per row
        "COALESCE(e.id, nextval((SELECT pg_get_serial_sequence('employees', 'id'))::regclass)) "
        "AS id "
        "FROM import_rows s LEFT JOIN employees e ON e.nip = s.nip WHERE s.reason IS NULL",
        "CREATE UNIQUE INDEX import_ids_nip ON import_ids (nip)",
        "ANALYZE import_ids",
    ),
    # the import holds SQLite's write lock, so the ids above the largest are free
    "sqlite": (
        "CREATE TEMPORARY TABLE import_ids AS SELECT s.nip, COALESCE(e.id, "
        "(SELECT COALESCE(MAX(id), 0) FROM employees) "
        "+ sum(e.id IS NULL) OVER (ORDER BY s.line)) AS id "
        "FROM import_rows s LEFT JOIN employees e ON e.nip = s.nip WHERE s.reason IS NULL",
        "CREATE UNIQUE INDEX import_ids_nip ON import_ids (nip)",
    ),
}


KINDS = {k.name: k for k in (AGENCIES, UNITS, EMPLOYEES)}


@dataclass
class Rejected:
    line: int
    reason: str
    row: dict


@dataclass
class Result:
    kind: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    applied: bool = False
    rejected: int = 0
    first_rejected: list[Rejected] = field(default_factory=list)  # by line, up to SAMPLE
    seconds: dict[str, float] = field(default_factory=dict)


class BadFile(InvalidPayload):
    """The file cannot be read as this kind at all (header, encoding)."""


class BadSetting(ValueError):
    """An import setting the database refuses (nothing was read or changed)."""


def _give_memory(session: Session, work_mem: str) -> None:
    # Local to the transaction: the connection goes back to the pool as it came.
    try:
        for name in ("work_mem", "maintenance_work_mem"):
            session.execute(
                text("SELECT set_config(:name, :value, true)"), {"name": name, "value": work_mem}
            )
    except DBAPIError as exc:
        message = str(exc.orig).splitlines()[0]
        raise BadSetting(f"import work_mem {work_mem!r}: {message}") from None


def _rows(kind: Kind, lines: Iterable[str]) -> Iterator[tuple[int, dict, str | None]]:
    """(line number, row, reason or None) for each data row of the CSV."""
    today = date.today()
    reader = csv.reader(lines, strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
        _check_header(kind, header)
        where = [(c, header.index(c)) for c in kind.columns if c in header]
        absent = dict.fromkeys(c for c in kind.columns if c not in header)
        width = len(header)
        for fields in reader:
            if not fields:
                continue  # a blank line
            line = reader.line_num
            if len(fields) > width:
                yield line, dict.fromkeys(kind.columns), "more fields than the header names"
                continue
            if len(fields) < width:
                fields += [""] * (width - len(fields))
            row = {column: fields[index].strip() or None for column, index in where}
            row.update(absent)
            yield line, row, _reason(kind, row, today)
    except csv.Error as exc:
        raise BadFile(
            f"line {reader.line_num}: not valid CSV ({exc})", {"file": [str(exc)]}
        ) from None
    except UnicodeDecodeError as exc:
        # text is decoded a block at a time, so the line is only approximate
        raise BadFile(
            f"not UTF-8 text (after line {reader.line_num}); save it as UTF-8", {"file": [str(exc)]}
        ) from None


def _check_header(kind: Kind, header: list[str]) -> None:
    missing = [c for c in kind.required if c not in header]
    unknown = [c for c in header if c not in kind.columns]
    if missing or unknown:
        raise BadFile(
            f"the header of a {kind.name} file must be: {','.join(kind.columns)}",
            {
                "header": [
                    f"missing: {', '.join(missing) or '-'}; unknown: {', '.join(unknown) or '-'}"
                ]
            },
        )


def _reason(kind: Kind, row: dict, today: date) -> str | None:
    empty = [c for c in kind.required if row[c] is None]
    if empty:
        return f"required: {', '.join(empty)}"
    for column, limit in kind.lengths.items():
        value = row[column]
        if value is not None and (len(value) > limit or "\x00" in value):
            return f"{column} is longer than {limit} characters or holds a NUL"
    if row.get("status") is not None:
        row["status"] = row["status"].upper()
    return kind.check_row(row, today)


def _create_staging(session: Session, kind: Kind) -> None:
    columns = ", ".join(f"{c} TEXT" for c in kind.columns)
    session.execute(text("DROP TABLE IF EXISTS import_rows"))
    session.execute(text("DROP TABLE IF EXISTS import_ids"))
    session.execute(
        text(
            f"CREATE TEMPORARY TABLE import_rows (line INTEGER PRIMARY KEY, {columns}, reason TEXT)"
        )
    )


def _load_staging(session, kind, rows, progress) -> int:
    """Put every row (the bad ones with their reason) into the staging table."""
    count = 0
    names = ("line", *kind.columns, "reason")
    if session.get_bind().dialect.name == "postgresql":
        cursor = session.connection().connection.driver_connection.cursor()
        with cursor.copy(f"COPY import_rows ({', '.join(names)}) FROM STDIN") as copy:
            for line, row, reason in rows:
                copy.write_row((line, *(row[c] for c in kind.columns), reason))
                count += 1
                if count % PROGRESS_EVERY == 0:
                    progress("read", count)
        return count
    insert = text(
        f"INSERT INTO import_rows ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"
    )
    while batch := list(islice(rows, BATCH)):
        session.execute(
            insert, [{"line": ln, **row, "reason": reason} for ln, row, reason in batch]
        )
        count += len(batch)
        if count // PROGRESS_EVERY != (count - len(batch)) // PROGRESS_EVERY:
            progress("read", count)
    return count


def _index_staging(session: Session, kind: Kind) -> None:
    keys = {
        "agencies": ["code"],
        "units": ["agency_code, code"],
        "employees": ["nip", "supervisor_nip"],
    }[kind.name]
    for n, key in enumerate(keys):
        session.execute(text(f"CREATE INDEX import_rows_{n} ON import_rows ({key})"))
    session.execute(text("ANALYZE import_rows"))


def _mark(session: Session, lines_sql: str, reason: str) -> None:
    session.execute(
        text(
            f"UPDATE import_rows SET reason = :reason WHERE reason IS NULL "
            f"AND line IN ({lines_sql})"
        ),
        {"reason": reason},
    )


def _check(session: Session, kind: Kind) -> None:
    for reason, lines_sql in kind.checks:
        _mark(session, lines_sql, reason)
    if kind.cascade is None:
        return
    # Rows that lean on a rejected row (a supervisor's, a parent unit's) cannot load either;
    # one statement per level of the chain, however many rows a level holds.
    leaning = text(
        "UPDATE import_rows SET reason = 'leans on line ' || c.on_line || ', which was rejected' "
        f"FROM ({kind.cascade}) c WHERE import_rows.line = c.line"
    )
    while session.execute(leaning).rowcount:
        pass


def _rejected(session: Session, kind: Kind, limit: int | None = None) -> Iterator[Rejected]:
    """The rejected rows by line, read a block at a time (a whole file may be bad)."""
    rows = session.execute(
        text(
            f"SELECT line, reason, {', '.join(kind.columns)} FROM import_rows "
            "WHERE reason IS NOT NULL ORDER BY line"
            + ("" if limit is None else f" LIMIT {int(limit)}")
        ),
        execution_options={"yield_per": BATCH},
    )
    for r in rows:
        yield Rejected(r[0], r[1], dict(zip(kind.columns, r[2:], strict=True)))


def import_csv(
    session: Session,
    kind_name: str,
    lines: Iterable[str],
    *,
    skip_bad: bool = False,
    progress: Callable[[str, int], None] = lambda phase, done: None,
    rejects: Callable[[Iterator[Rejected]], None] | None = None,
    work_mem: str = WORK_MEM,
) -> Result:
    """Check every row of a CSV of ``kind_name``, then load the good ones in one transaction.

    Without ``skip_bad`` a single bad row means nothing is loaded (``applied`` False).
    If any row is rejected, ``rejects`` is handed all of them, by line, as an iterator
    read from the database as it goes; the result keeps their count and the first few.
    ``work_mem`` is the memory PostgreSQL may give each of the import's hashes, sorts
    and index builds (``BadSetting`` if it refuses the value).
    Raises ``BadFile`` for a file that is not CSV of this kind at all.
    """
    kind = KINDS[kind_name]
    result = Result(kind=kind.name)
    dialect = session.get_bind().dialect.name
    with write_transaction(session):
        if dialect == "postgresql":
            _give_memory(session, work_mem)
        started = time.perf_counter()
        _create_staging(session, kind)
        result.read = _load_staging(session, kind, _rows(kind, lines), progress)
        progress("read", result.read)
        result.seconds["read"] = time.perf_counter() - started

        started = time.perf_counter()
        _index_staging(session, kind)
        _check(session, kind)
        result.rejected = session.execute(
            text("SELECT count(*) FROM import_rows WHERE reason IS NOT NULL")
        ).scalar_one()
        if result.rejected:
            result.first_rejected = list(_rejected(session, kind, limit=SAMPLE))
            if rejects is not None:
                rejects(_rejected(session, kind))
        result.seconds["check"] = time.perf_counter() - started
        progress("checked", result.read)
        if result.rejected and not skip_bad:
            session.rollback()
            return result

        started = time.perf_counter()
        good = result.read - result.rejected
        with _checked_after(session, kind.table if dialect == "postgresql" else ""):
            # Counted under the first load's lock: rows another connection added meanwhile
            # (an import, a hand-made employee) are updates.
            result.updated = session.execute(text(kind.existing)).scalar_one()
            result.inserted = good - result.updated
            for n, statement in enumerate(kind.apply):
                step = time.perf_counter()
                parts = ASSIGN_IDS[dialect] if statement == "{assign_ids}" else (statement,)
                for part in parts:
                    session.execute(text(part), {"now": utcnow()})
                result.seconds[f"load_{n}"] = time.perf_counter() - step
            step = time.perf_counter()
        result.seconds["built_after"] = time.perf_counter() - step
        session.execute(text("DROP TABLE import_rows"))
        result.applied = True
        result.seconds["load"] = time.perf_counter() - started
    progress("loaded", good)
    return result


@contextmanager
def _checked_after(session: Session, table: str) -> Iterator[None]:
    """A load into an empty ``table`` (a first load, such as the nation's): its foreign keys
    are checked and its secondary indexes built once the rows are in, each by one
    statement, instead of row by row, which costs three times the load itself (the
    PostgreSQL manual, "Populating a Database": remove indexes and foreign keys, load,
    re-create them). In the import's transaction, so a failure undoes it all; the table
    is locked meanwhile, which on an empty table keeps nobody from anything. A table
    with rows is loaded as it is.
    """
    if not table or not _empty(session, table):
        yield
        return
    # Bounded by the connection's lock_timeout (``workflow.db.Timeouts``).
    session.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
    if not _empty(session, table):  # filled while the lock was awaited
        yield
        return
    constraints = session.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(:table AS regclass) AND contype = 'f' ORDER BY conname"
        ),
        {"table": table},
    ).all()
    indexes = session.execute(
        text(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = CAST(:table AS regclass) AND NOT i.indisunique "
            "ORDER BY c.relname"
        ),
        {"table": table},
    ).all()
    for name, _ in constraints:
        session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _ in indexes:
        session.execute(text(f'DROP INDEX "{name}"'))
    yield
    for _, definition in indexes:
        session.execute(text(definition))
    for name, definition in constraints:
        session.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))


def _empty(session: Session, table: str) -> bool:
    return not session.execute(text(f"SELECT EXISTS (SELECT 1 FROM {table})")).scalar_one()


def write_rejected(kind_name: str, rejected: Iterable[Rejected], stream) -> None:
    """Rejected rows as CSV: their line, the reason, then the row as read."""
    kind = KINDS[kind_name]
    writer = csv.writer(stream)
    writer.writerow(["line", "reason", *kind.columns])
    for r in rejected:
        writer.writerow([r.line, r.reason, *(r.row.get(c) or "" for c in kind.columns)])
