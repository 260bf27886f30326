"""The database handle, the declarative base and per-dialect connection set-up."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo

from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import JSON, Constraint, DateTime, Engine, Index, MetaData, Select, event
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.types import TypeDecorator

from workflow import telemetry
from workflow.errors import Busy, Unavailable, WorkflowError

# Named constraints from the first migration on, so later migrations can drop them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The bind of a read replica (``SQLALCHEMY_BINDS``), when one is configured.
REPLICA = "replica"
_ON_REPLICA: ContextVar[bool] = ContextVar("alur_on_replica", default=False)


class RoutingSession(FlaskSession):
    """The session: inside ``replica_reads()`` a SELECT goes to the read replica, if there
    is one; a flush, any other statement and every write transaction go to the primary."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if (
            bind is None
            and _ON_REPLICA.get()
            and not self._flushing
            and isinstance(clause, Select)
            and REPLICA in self._db.engines
            and time.monotonic() >= _replica_down_until[0]
        ):
            return self._db.engines[REPLICA]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


# Until when (time.monotonic) this process leaves the replica alone after it failed: a
# replica that is down costs one failed read per process per REPLICA_REST, not one each.
REPLICA_REST = 30.0
_replica_down_until = [0.0]


def replica_failed() -> None:
    """The replica did not serve: read from the primary for the next ``REPLICA_REST`` s."""
    _replica_down_until[0] = time.monotonic() + REPLICA_REST


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})


def has_replica() -> bool:
    """Whether a read replica is configured."""
    return REPLICA in db.engines


@contextmanager
def replica_reads() -> Iterator[None]:
    """Read from the replica within the block (a list, a report, an export): what it shows
    may lag the primary by the replication delay. Nothing written, or read to decide a
    write, comes from it: ``write_transaction`` reads the primary."""
    token = _ON_REPLICA.set(True)
    try:
        yield
    finally:
        _ON_REPLICA.reset(token)


def only_on(dialect: str, index: Index | Constraint) -> Index | Constraint:
    """``index`` (or a constraint) made on ``dialect`` alone (a PostgreSQL GIN index has no
    SQLite twin; a partitioned table's keys hold its partition key)."""
    index.info["dialect"] = dialect
    return index.ddl_if(dialect=dialect)


def schema_filter(dialect: str):
    """Alembic's ``include_object`` for ``dialect``: leaves out what is made for another."""

    def include(obj, name, type_, reflected, compare_to) -> bool:
        if type_ == "table" and reflected and is_partition(name):
            return False  # a year of the audit log (workflow.audit_partitions), not a model
        return reflected or obj.info.get("dialect", dialect) == dialect

    return include


def is_partition(table: str) -> bool:
    """Whether ``table`` is a partition of the audit log (``audit_log_y2026``, its default)."""
    year = table.removeprefix("audit_log_y")
    return table == "audit_log_default" or (year != table and year.isdigit())


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend.

    SQLite drops the offset, so values come back naive; this puts UTC back and
    refuses naive datetimes on the way in, which would otherwise be ambiguous.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None or value.tzinfo is UTC:
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


LOCAL_ZONE = ZoneInfo("Asia/Jakarta")  # WIB: the calendar the rules' dates are read in


def local_today() -> date:
    """Today's date in Jakarta."""
    return utcnow().astimezone(LOCAL_ZONE).date()


# PostgreSQL's integer, the type of every id and version column: the bound of every id read.
MAX_ID = 2**31 - 1


def is_id(value) -> bool:
    """Whether ``value`` is an int that can be a row's id (a bool is none)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


SQLITE_BEGIN_OPTION = "sqlite_begin"


@dataclass(frozen=True)
class Timeouts:
    """How long a connection waits, in milliseconds (0: no bound, PostgreSQL's default).

    ``lock``: for a row or table lock (PostgreSQL ``lock_timeout``); ``statement``: for
    one statement; ``idle_in_transaction``: a transaction left open and idle is ended
    (so a forgotten one cannot hold its locks for ever); ``sqlite_busy``: SQLite's wait
    for the database's write lock.
    """

    lock: int = 10_000
    statement: int = 300_000
    idle_in_transaction: int = 120_000
    sqlite_busy: int = 30_000

    def postgresql_settings(self) -> dict[str, int]:
        return {
            "lock_timeout": self.lock,
            "statement_timeout": self.statement,
            "idle_in_transaction_session_timeout": self.idle_in_transaction,
        }


# PostgreSQL's SQLSTATEs for a wait that hit its bound: lock_not_available (lock_timeout,
# NOWAIT) and query_canceled (statement_timeout).
_BUSY_SQLSTATES = {"55P03", "57014"}


def is_busy(exc: BaseException) -> bool:
    """Whether a database error is a wait that ran out (lock or statement timeout, SQLite busy).

    The request did nothing (its transaction is rolled back) and may be tried again.
    """
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return False
    original = exc.orig
    if getattr(original, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    return type(original).__name__ == "OperationalError" and "database is locked" in str(original)


# PostgreSQL's answers of a database that does not serve now: a connection exception
# (class 08), a server shutting down or starting (57P01-57P03), out of resources (class
# 53: disk, memory, connections), read only (25006: a standby, or set so by hand).
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53", "25006")
# SQLite's: the file cannot be opened, read or written, or the disk is full.
_UNAVAILABLE_SQLITE = (
    "unable to open database",
    "disk i/o error",
    "database or disk is full",
    "readonly database",
)


def is_unavailable(exc: BaseException) -> bool:
    """Whether a database error is the database not serving: a lost or refused connection,
    a server shutting down, read only, out of disk. Nothing is wrong with the request,
    which may be tried again. Any other error (a bad column, a limit of ours) is not: it
    stays a 500, logged, rather than a 503 nobody looks at."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if not isinstance(exc, DBAPIError) or is_busy(exc):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    message = str(exc.orig).lower()
    if type(exc.orig).__module__.startswith("sqlite3"):
        return any(part in message for part in _UNAVAILABLE_SQLITE)
    # psycopg's own errors of connecting (refused, closed) come without a SQLSTATE
    return isinstance(exc, OperationalError)


def configure_engine(engine: Engine, timeouts: Timeouts | None = None) -> None:
    """Per-dialect set-up that must happen before the first connection is used.

    PostgreSQL: every connection waits for locks and statements within ``timeouts``
    (a lock held by a stuck transaction answers "busy", it does not hang the caller).
    SQLite: foreign keys on, WAL, a busy timeout, and transactions begun by us
    rather than by pysqlite (which defers BEGIN), so that a transition can take
    the write lock up front with ``BEGIN IMMEDIATE``.
    """
    if getattr(engine, "_alur_configured", False):
        return
    engine._alur_configured = True
    timeouts = timeouts or Timeouts()
    if engine.dialect.name == "postgresql":
        _bound_postgresql_waits(engine, timeouts)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(timeouts.sqlite_busy)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def _bound_postgresql_waits(engine: Engine, timeouts: Timeouts) -> None:
    settings = timeouts.postgresql_settings()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Session defaults, set once per pooled connection; SET LOCAL can still narrow
        # them for one transaction. Outside a transaction, so nothing is left open.
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        try:
            with dbapi_connection.cursor() as cursor:
                statements = [f"SET {k} = {int(v)}" for k, v in settings.items()]
                # Timestamps come back in UTC, the zone every column is written in, whatever
                # the server's own: psycopg then gives Python's UTC, which ``UTCDateTime``
                # passes on as it is rather than converting from a named zone.
                statements.append("SET TimeZone = 'UTC'")
                cursor.execute("; ".join(statements))
        finally:
            dbapi_connection.autocommit = autocommit


_WROTE = "alur_wrote"
_READ_ONCE = "alur_read_once"
T = TypeVar("T")


@event.listens_for(Session, "after_flush")
def _remember_write(session, _context):
    session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_transaction(session, transaction):
    if transaction.parent is None:
        session.info.pop(_WROTE, None)
        session.info.pop(_READ_ONCE, None)


def read_once(session: Session, key: tuple, read: Callable[[], T]) -> T:
    """``read()``, kept for the rest of the session's transaction under ``key``.

    For small reads that one request repeats (whom the user acts for): the next
    transaction reads afresh and so sees what was committed meanwhile.
    """
    kept = session.info.setdefault(_READ_ONCE, {})
    if key not in kept:
        # Who acts for whom, whose staff: what the policy decides by, read where it is
        # current (the primary), never from a replica that may lag.
        token = _ON_REPLICA.set(False)
        try:
            kept[key] = read()
        finally:
            _ON_REPLICA.reset(token)
    return kept[key]


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run the block in one write transaction on ``session``; commit or roll back.

    The block owns the whole transaction, so the session must hold no unsaved or
    uncommitted changes (RuntimeError: they would be committed or lost without
    the caller knowing). On SQLite a read-only transaction left open by earlier
    loads is ended first, so the write transaction starts with the write lock
    already taken (which avoids "database is locked" on upgrade). A wait that ran
    out (``is_busy``: a lock or statement timeout, SQLite busy) is rolled back and
    raised as ``Busy``: nothing was done, and the caller may try again.
    """
    if isinstance(session, scoped_session):
        session = session()
    primary = _ON_REPLICA.set(False)  # what a write reads, it reads where it writes
    try:
        yield from _write_transaction(session)
    finally:
        _ON_REPLICA.reset(primary)


def _write_transaction(session: Session) -> Iterator[Session]:
    if session.new or session.dirty or session.deleted or session.info.get(_WROTE):
        raise RuntimeError(
            "a write transaction cannot start while the session holds uncommitted changes"
        )
    try:
        if session.get_bind().dialect.name == "sqlite":
            if session.in_transaction():
                # Nothing is pending (checked above), so what the read loaded is kept, not
                # expired: a write reads what it depends on again under its lock (the
                # engine's locking read refreshes the record), and the actor need not be
                # loaded anew.
                _commit_keeping_state(session)
            session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        # Elsewhere (PostgreSQL, read committed: each statement sees what is committed) the
        # write goes on in the transaction the reads began, without a round trip to end it.
        yield session
        # What was written is what the objects in memory hold: no reload after commit.
        _commit_keeping_state(session)
    except BaseException as exc:
        rollback(session)
        refusal = Busy() if is_busy(exc) else Unavailable() if is_unavailable(exc) else exc
        if isinstance(refusal, WorkflowError):
            telemetry.refused(refusal.code)
        if refusal is not exc:
            raise refusal from exc
        raise


def rollback(session: Session) -> None:
    """Roll back; on a connection already lost, let it go with its transaction (the
    session starts afresh on its next use) rather than raise over the first error."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        session.rollback()
    except SQLAlchemyError:
        session.close()


def _commit_keeping_state(session: Session) -> None:
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def insert_once(session: Session, model, values: dict, *, unique: list[str]) -> int | None:
    """INSERT ``values`` unless a row with the same ``unique`` columns exists.

    Returns the new row's id, or None if the row was already there. One statement
    (``ON CONFLICT DO NOTHING … RETURNING``, PostgreSQL and SQLite ≥ 3.35), so
    concurrent callers cannot both insert; ``rowcount`` cannot tell (it is -1 on
    PostgreSQL for this statement), the returned row can.
    """
    rows = insert_many_once(session, model, [values], unique=unique, returning=(model.id,))
    return rows[0][0] if rows else None


MANY_ROWS = 20  # from this many, a batch's rows go by COPY or arrays; fewer by an executemany


def write_rows(session: Session, table, rows: list[dict]) -> None:
    """Insert ``rows`` (column values, each with the same columns) into ``table`` in the
    session's transaction: by ``COPY`` on PostgreSQL (its bulk path: several times an
    INSERT's rows per second), by one executemany on SQLite or for a few rows."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql" or len(rows) < MANY_ROWS:
        connection.execute(table.insert().inline(), rows)
        return
    import psycopg
    from psycopg.types.json import Jsonb
    from sqlalchemy.exc import DBAPIError

    names = list(rows[0])
    as_json = {name for name in names if _is_json(table.c[name].type)}
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([_copied(row[n], n in as_json, Jsonb) for n in names])
    except psycopg.Error as exc:
        # As SQLAlchemy raises it for an INSERT (IntegrityError, OperationalError …), so
        # ``write_transaction`` tells a busy or unavailable database as it does for any other.
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc
    finally:
        cursor.close()


def _copied(value, is_json: bool, jsonb):
    return jsonb(value) if is_json and value is not None else value


def insert_many_once(
    session: Session, model, rows: list[dict], *, unique: list[str], returning: tuple
) -> list[tuple]:
    """``insert_once`` for many rows (each with the same columns) in one statement;
    ``returning`` of those inserted.

    On PostgreSQL a batch of ``MANY_ROWS`` or more goes as arrays, one per column, joined
    by ``unnest``: one statement text for any number of rows, which SQLAlchemy compiles
    and psycopg parses once, where a VALUES list of hundreds of rows was compiled and
    parsed anew for every batch.
    """
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    if not rows:
        return []
    table = model.__table__
    names = tuple(rows[0])
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql and len(rows) >= MANY_ROWS and not _any_json(table, names):
        statement = _insert_once_from_arrays(
            table, names, tuple(unique), tuple(column.key for column in returning)
        )
        params = {f"_{name}": [row[name] for row in rows] for name in names}
        return [tuple(row) for row in session.connection().execute(statement, params)]
    insert = pg_insert if postgresql else sqlite_insert
    statement = (
        insert(model)
        .values(rows)
        .on_conflict_do_nothing(index_elements=unique)
        .returning(*returning)
    )
    return [tuple(row) for row in session.execute(statement)]


@cache  # by the column's own type object: a few dozen, asked for by every ``among``
def array_of(type_):
    """A PostgreSQL array of ``type_``'s values, without a string's length: the array is cast
    to its type, and a cast to ``varchar(n)`` cuts a longer value short without a word, where
    the column itself refuses it (and a key cut short could match another row's)."""
    from sqlalchemy import String
    from sqlalchemy.dialects.postgresql import ARRAY

    if isinstance(type_, String) and type_.length is not None:
        type_ = type_.copy()
        type_.length = None
    return ARRAY(type_)


@cache
def _insert_once_from_arrays(table, names: tuple[str, ...], unique: tuple, returning: tuple):
    """``INSERT … SELECT * FROM unnest(arrays…) ON CONFLICT DO NOTHING RETURNING …``
    (PostgreSQL); built once per table and set of columns."""
    from sqlalchemy import bindparam, func, select
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    batch = (
        func.unnest(*(bindparam(f"_{n}", type_=array_of(table.c[n].type)) for n in names))
        .table_valued(*names)
        .render_derived("batch")
    )
    return (
        pg_insert(table)
        .from_select(names, select(*(batch.c[n] for n in names)))
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(*(table.c[n] for n in returning))
    )


def _any_json(table, names) -> bool:
    return any(_is_json(table.c[name].type) for name in names)


def _is_json(type_) -> bool:
    """A JSON column (or one decorating JSON): no arrays of it, so its rows go one by one."""
    return isinstance(type_, JSON) or isinstance(getattr(type_, "impl", None), JSON)


@cache
def _versioned_update(mapper, keys: tuple[str, ...]):
    """The UPDATE of ``keys`` guarded by id and version; one per set of columns, kept."""
    from sqlalchemy import and_, bindparam

    table = mapper.local_table
    targets = {key: mapper.attrs[key].columns[0] for key in keys}
    return (
        table.update()
        .where(and_(table.c.id == bindparam("_id"), mapper.version_id_col == bindparam("_version")))
        .values(
            {
                column.name: bindparam(f"_new_{key}", type_=column.type)
                for key, column in targets.items()
            }
        )
    )


@cache
def _has_json(mapper, keys: tuple[str, ...]) -> bool:
    """Whether a column of ``keys`` holds JSON, which goes row by row (no arrays of JSON)."""
    return any(_is_json(mapper.attrs[key].columns[0].type) for key in keys)


@cache
def _versioned_update_from_arrays(mapper, keys: tuple[str, ...]):
    """``_versioned_update`` of many rows in one statement (PostgreSQL): ``UPDATE … FROM
    unnest(ids, versions, new values…)``, each parameter an array. Built once per set of
    columns."""
    from sqlalchemy import and_, bindparam, func

    table = mapper.local_table
    targets = {key: mapper.attrs[key].columns[0] for key in keys}
    rows = (
        func.unnest(
            bindparam("_id", type_=array_of(table.c.id.type)),
            bindparam("_version", type_=array_of(mapper.version_id_col.type)),
            *(
                bindparam(f"_new_{key}", type_=array_of(column.type))
                for key, column in targets.items()
            ),
        )
        .table_valued("id", "version", *(f"new_{key}" for key in targets))
        .render_derived("batch")
    )
    return (
        table.update()
        .where(and_(table.c.id == rows.c.id, mapper.version_id_col == rows.c.version))
        .values({column.name: rows.c[f"new_{key}"] for key, column in targets.items()})
    )


@cache
def _update_with_inserts(mapper, keys: tuple[str, ...], inserts: tuple[tuple[object, tuple], ...]):
    """``_versioned_update`` and single-row INSERTs as one statement (data-modifying CTEs),
    which answers how many rows the UPDATE changed. Built once per shape."""
    from sqlalchemy import bindparam, func, select

    update = _versioned_update(mapper, keys).returning(mapper.local_table.c.id).cte("changed")
    written = [
        table.insert()
        .values({key: bindparam(f"_{n}_{key}", type_=table.c[key].type) for key in columns})
        .cte(f"inserted_{n}")
        for n, (table, columns) in enumerate(inserts)
    ]
    return select(func.count()).select_from(update).add_cte(*written)


def update_with_inserts(session: Session, obj, inserts: list[tuple[object, dict]]) -> None:
    """``update_many([obj])`` and an INSERT of each ``(table, row)``: on PostgreSQL in one
    statement, one round trip where there were 1 + ``len(inserts)``; elsewhere one by one.

    A step's record, its audit entry and its event are written so. The UPDATE is guarded
    by the version as ever: if the row had moved on, StaleDataError, and the INSERTs,
    made in the same statement, are undone with the transaction it rolls back.
    """
    from sqlalchemy import inspect
    from sqlalchemy.orm.attributes import set_committed_value
    from sqlalchemy.orm.exc import StaleDataError

    if session.get_bind().dialect.name != "postgresql":
        update_many(session, [obj])
        for table, row in inserts:
            session.connection().execute(table.insert().inline(), [row])
        return
    state = inspect(obj)
    mapper = state.mapper
    version_attr = mapper.get_property_by_column(mapper.version_id_col).key
    columns = {attr.key for attr in mapper.column_attrs}
    changed = {key: state.dict[key] for key in state.committed_state if key in columns}
    old_version = state.committed_state.get(version_attr, getattr(obj, version_attr))
    changed[version_attr] = mapper.version_id_generator(old_version)
    shape = tuple((table, tuple(row)) for table, row in inserts)
    statement = _update_with_inserts(mapper, tuple(sorted(changed)), shape)
    params = {"_id": obj.id, "_version": old_version}
    params |= {f"_new_{key}": value for key, value in changed.items()}
    for n, (_table, row) in enumerate(inserts):
        params |= {f"_{n}_{key}": value for key, value in row.items()}
    if session.connection().execute(statement, params).scalar() != 1:
        raise StaleDataError(f"{mapper.local_table.name}: the row had changed since it was read")
    for key, value in changed.items():
        set_committed_value(obj, key, value)
    if not state.committed_state:
        state._commit_all(state.dict, session.identity_map)  # as update_many leaves it


def among(session: Session, column, values):
    """``column IN values``, on PostgreSQL as ``= ANY(array)``: one parameter, so one
    statement text for any number of values, which psycopg parses once and then keeps
    (a text with hundreds of placeholders it would parse anew each time)."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    from sqlalchemy import any_, literal

    return column == any_(literal(list(values), array_of(column.type)))


def update_many(session: Session, objects: list) -> None:
    """Write the changed columns of many versioned objects of one model in a few statements.

    SQLAlchemy sends a versioned object's UPDATE one statement at a time (it checks
    each row count); here the objects that changed the same columns share one
    ``executemany`` UPDATE, still guarded by their version (``StaleDataError`` if a
    row had moved on), and are left clean, as a flush would leave them.
    """
    from sqlalchemy import inspect
    from sqlalchemy.orm.attributes import set_committed_value
    from sqlalchemy.orm.exc import StaleDataError

    if not objects:
        return
    mapper = inspect(objects[0]).mapper
    table = mapper.local_table
    version_attr = mapper.get_property_by_column(mapper.version_id_col).key
    groups: dict[tuple[str, ...], list[tuple[object, object, dict, int]]] = {}
    columns = {attr.key for attr in mapper.column_attrs}
    for obj in objects:
        state = inspect(obj)
        # The attributes set since the load are those whose loaded value is kept aside.
        changed = {key: state.dict[key] for key in state.committed_state if key in columns}
        if not changed:
            continue
        old_version = state.committed_state.get(version_attr, getattr(obj, version_attr))
        changed[version_attr] = mapper.version_id_generator(old_version)
        groups.setdefault(tuple(sorted(changed)), []).append((obj, state, changed, old_version))
    postgresql = session.get_bind().dialect.name == "postgresql"
    for keys, members in groups.items():
        if postgresql and len(members) >= MANY_ROWS and not _has_json(mapper, keys):
            # One statement for the batch: its rows' values as arrays, joined by unnest.
            statement = _versioned_update_from_arrays(mapper, keys)
            params = {
                "_id": [obj.id for obj, *_ in members],
                "_version": [old_version for *_, old_version in members],
                **{f"_new_{key}": [changed[key] for _, _, changed, _ in members] for key in keys},
            }
        else:
            statement = _versioned_update(mapper, keys)
            params = [
                {
                    "_id": obj.id,
                    "_version": old_version,
                    **{f"_new_{key}": value for key, value in changed.items()},
                }
                for obj, _, changed, old_version in members
            ]
        result = session.connection().execute(statement, params)
        if result.rowcount != len(members):
            raise StaleDataError(
                f"{table.name}: {len(members) - result.rowcount} of {len(members)} rows "
                "had changed since they were read"
            )
        for obj, state, changed, _ in members:
            for key, value in changed.items():
                set_committed_value(obj, key, value)
            if not state.committed_state:
                # Nothing else pending on it: off the session's list of modified objects,
                # as a flush leaves it, so that the next flush need not look at it.
                # (SQLAlchemy has no public call for this; tests/test_bulk.py checks it.)
                state._commit_all(state.dict, session.identity_map)
