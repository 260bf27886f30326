"""Rule settings an operator may change (the app passes its ``config`` here at start).

The core reads no Flask config itself: ``configure(app.config)`` copies the
values it knows, so tests and the CLI see the same rules as the server.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from workflow import audit_keys, sealing

# Working days a record may wait in a state before its official is reminded (a day
# before) and the wait is escalated (after): "<workflow>.<state>", or "*.<state>".
DEFAULT_SLA = {"*.submitted": 5, "*.reviewed": 5}


@dataclass(frozen=True)
class Rules:
    max_active_mentees: int = 5  # per mentor, approved or active assignments
    appeal_window_days: int = 14  # after an appraisal's approval, for an objection (keberatan)
    follow_up_program_code: str | None = None  # the program a weak appraisal's nomination is for
    follow_up_mentoring_jp: int = 10  # JP of the guidance a weak appraisal's mentoring plans
    sla_working_days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_SLA))
    # Subscriptions may reach loopback, private, link-local … addresses (a demo receiver).
    webhook_allow_private: bool = False
    # Days an API token lasts unless its maker says otherwise; 0: tokens do not expire.
    api_token_days: int = 90

    def __post_init__(self) -> None:
        if self.api_token_days < 0:
            raise ValueError("API_TOKEN_DAYS is a number of days, 0 (no expiry) or more")

    def sla_days(self, workflow: str, state: str) -> int | None:
        """Working days allowed in ``state`` of ``workflow``, or None: no deadline."""
        days = self.sla_working_days
        return days.get(f"{workflow}.{state}", days.get(f"*.{state}"))


RULES = Rules()
CONFIG_NAMES = {
    "max_active_mentees": "MENTORING_MAX_ACTIVE_MENTEES",
    "appeal_window_days": "APPRAISAL_APPEAL_WINDOW_DAYS",
    "follow_up_program_code": "FOLLOW_UP_PROGRAM_CODE",
    "follow_up_mentoring_jp": "FOLLOW_UP_MENTORING_JP",
    "sla_working_days": "SLA_WORKING_DAYS",
    "webhook_allow_private": "WEBHOOK_ALLOW_PRIVATE",
    "api_token_days": "API_TOKEN_DAYS",
}
TRUE = {"1", "true", "yes", "on"}


def configure(config: Mapping) -> Rules:
    """Take the rule settings from ``config`` (absent ones keep their defaults).

    ``SECRETS_KEY``, when given, becomes the key of the secrets kept encrypted
    (``workflow.sealing``), and ``AUDIT_KEY`` with ``AUDIT_OLD_KEYS`` the audit log's
    keys (``workflow.audit_keys``); a malformed one raises ValueError.
    """
    global RULES
    if config.get("SECRETS_KEY"):
        sealing.use_key(config["SECRETS_KEY"])
    if config.get("AUDIT_KEY"):
        audit_keys.use(audit_keys.ring(config["AUDIT_KEY"], config.get("AUDIT_OLD_KEYS")))
    values = {}
    for f in fields(Rules):
        name = CONFIG_NAMES[f.name]
        value = config.get(name)
        if value is None:
            continue
        if f.type == "bool":
            values[f.name] = value if isinstance(value, bool) else str(value).lower() in TRUE
        elif f.type == "str | None":
            values[f.name] = str(value)
        elif f.type == "Mapping[str, int]":
            mapping = json.loads(value) if isinstance(value, str) else value
            values[f.name] = {str(k): int(v) for k, v in dict(mapping).items()}
        else:
            values[f.name] = int(value)
    RULES = replace(Rules(), **values)
    return RULES


def rules() -> Rules:
    return RULES
