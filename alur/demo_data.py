"""The demo's data: five regions, their agencies, units, staff and programs, and the paths
that bring records to every state of every workflow (seeded by ``alur.demo``).

The tables are in ``demo_data.json``; each row is a list in the order named below, and a
path is a list of steps (trigger, actor key, comment, data).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

DEMO_PASSWORD = "alur-demo-2026"
# The demo's subscriber (``flask webhooks demo-receiver``) and its webhook clients.
DEMO_RECEIVER = ("demo-receiver", "http://127.0.0.1:5001/events")
DEMO_CLIENTS = {
    "ekinerja": ["appraisal.submit"],  # e-Kinerja submits the self-assessment
    "lms": ["training_nomination.complete"],  # the learning platform reports completion
}
DEMO_DOMAIN = "demo.alur.id"
YEAR = 2026

_TABLES = json.loads((Path(__file__).with_name("demo_data.json")).read_text(encoding="utf-8"))

# A step: (trigger, actor key, comment, data).
Step = tuple[str, str, str | None, dict | None]


def _rows(name: str, dates: tuple[int, ...] = ()) -> list[tuple]:
    """The table's rows as tuples, with the ISO dates at ``dates`` read as dates."""
    rows = []
    for row in _TABLES[name]:
        values = [date.fromisoformat(v) if i in dates else v for i, v in enumerate(row)]
        if name in _PATHS:
            values[-1] = [tuple(step) for step in values[-1]]
        rows.append(tuple(values))
    return rows


_PATHS = {"nominations", "mentorings", "appraisals", "other_appraisals", "other_nominations"}

# (code, agency name, province, region, email slug, staff names in TEMPLATE order)
REGIONS = _rows("regions")
# (unit code, name, parent code)
UNITS = _rows("units")
# (key, position, unit, status, rank, supervisor key, birth year, TMT year, gender, login)
TEMPLATE = _rows("template")
HR_KEYS = {"analis"}
# (code, name, form, delivery mode, organiser, JP, start, end, seats, cost in rupiah)
PROGRAMS = _rows("programs", dates=(6, 7))
# Training nominations: (subject, program, creator, path); every state appears.
NOMINATIONS = _rows("nominations")
# Mentoring: (mentor, mentee, start, path); the mentor is senior to the mentee.
MENTORINGS = _rows("mentorings", dates=(2,))
# Appraisals: (subject, year, period, path); assessor and approver from the chain.
APPRAISALS = _rows("appraisals")
# In the other regions, a few records so every supervisor has something waiting.
OTHER_APPRAISALS = _rows("other_appraisals")
OTHER_NOMINATIONS = _rows("other_nominations")
