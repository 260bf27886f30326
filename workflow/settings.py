"""Rule settings an operator may change (the app passes its ``config`` here at start).

The core reads no Flask config itself: ``configure(app.config)`` copies the
values it knows, so tests and the CLI see the same rules as the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Rules:
    max_active_mentees: int = 5  # per mentor, approved or active assignments
    appeal_window_days: int = 14  # after an appraisal's approval, for an objection (keberatan)
    follow_up_program_code: str | None = None  # the program a weak appraisal's nomination is for
    follow_up_mentoring_jp: int = 10  # JP of the guidance a weak appraisal's mentoring plans


RULES = Rules()
CONFIG_NAMES = {
    "max_active_mentees": "MENTORING_MAX_ACTIVE_MENTEES",
    "appeal_window_days": "APPRAISAL_APPEAL_WINDOW_DAYS",
    "follow_up_program_code": "FOLLOW_UP_PROGRAM_CODE",
    "follow_up_mentoring_jp": "FOLLOW_UP_MENTORING_JP",
}


def configure(config: Mapping) -> Rules:
    """Take the rule settings from ``config`` (absent ones keep their defaults)."""
    global RULES
    values = {}
    for f in fields(Rules):
        name = CONFIG_NAMES[f.name]
        if config.get(name) is not None:
            values[f.name] = str(config[name]) if f.type == "str | None" else int(config[name])
    RULES = replace(Rules(), **values)
    return RULES


def rules() -> Rules:
    return RULES
