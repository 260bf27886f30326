"""The SQL the app sends, for the tests that count or read its statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from sqlalchemy import event


class Sent(NamedTuple):
    """One statement as the driver was given it."""

    statement: str
    parameters: object

    @property
    def is_select(self) -> bool:
        return self.statement.lstrip().upper().startswith("SELECT")


@contextmanager
def sent(engine=None) -> Iterator[list[Sent]]:
    """Every statement ``engine`` (the app's, by default) runs meanwhile, in order."""
    if engine is None:
        from workflow.db import db

        engine = db.engine
    seen: list[Sent] = []

    def keep(_conn, _cursor, statement, parameters, _context, _executemany):
        seen.append(Sent(statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", keep)
