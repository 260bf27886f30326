"""NIP (Nomor Induk Pegawai): the 18-digit national identity number of an ASN.

Layout (BKN): birth date ``YYYYMMDD`` + TMT CPNS/PPPK ``YYYYMM`` + gender digit
(1 male, 2 female) + a 3-digit sequence number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NIP_LENGTH = 18
MIN_ENTRY_AGE = 18  # the youngest age at which one may be appointed CPNS/PPPK
EARLIEST_BIRTH_YEAR = 1930


class InvalidNIP(ValueError):
    """A NIP that does not have the structure BKN assigns."""


@dataclass(frozen=True)
class NIP:
    value: str
    birth_date: date
    tmt_year: int
    tmt_month: int
    gender: str  # "M" or "F"
    sequence: int

    def __str__(self) -> str:
        return self.value

    @property
    def tmt(self) -> date:
        """First day of the TMT (start of service) month."""
        return date(self.tmt_year, self.tmt_month, 1)


def parse_nip(raw: object, *, today: date | None = None) -> NIP:
    """Parse and validate a NIP; raise ``InvalidNIP`` with a clear reason."""
    value = nip_value(raw, today=today or date.today())
    return NIP(
        value=value,
        birth_date=date(int(value[0:4]), int(value[4:6]), int(value[6:8])),
        tmt_year=int(value[8:12]),
        tmt_month=int(value[12:14]),
        gender="M" if value[14] == "1" else "F",
        sequence=int(value[15:18]),
    )


def nip_value(raw: object, *, today: date) -> str:
    """The NIP's 18 digits (spaces removed) if it is valid; raise ``InvalidNIP`` otherwise.

    ``parse_nip`` without building its parts: the bulk import checks a million of them.
    """
    if not isinstance(raw, str):
        raise InvalidNIP("NIP must be a string of 18 digits")
    value = raw.replace(" ", "")
    if not value:
        raise InvalidNIP("NIP is required: 18 digits")
    if not value.isascii() or not value.isdigit():
        raise InvalidNIP(f"NIP must contain digits only, got {raw!r}")
    if len(value) != NIP_LENGTH:
        raise InvalidNIP(f"NIP must have 18 digits, got {len(value)}")

    try:
        birth = date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise InvalidNIP(
            f"NIP digits 1-8 must be a birth date YYYYMMDD; {value[0:8]} is not a valid date"
        ) from None
    if birth.year < EARLIEST_BIRTH_YEAR or birth > today:
        raise InvalidNIP(f"NIP birth date {birth.isoformat()} is not plausible")

    tmt_year, tmt_month = int(value[8:12]), int(value[12:14])
    if not 1 <= tmt_month <= 12:
        raise InvalidNIP(
            f"NIP digits 9-14 must be the TMT as YYYYMM; month {tmt_month:02d} is invalid"
        )
    if (tmt_year, tmt_month) < (birth.year + MIN_ENTRY_AGE, birth.month):
        raise InvalidNIP(
            f"NIP TMT {tmt_year}-{tmt_month:02d} is before the holder turned {MIN_ENTRY_AGE} "
            f"(born {birth.isoformat()})"
        )
    if (tmt_year, tmt_month) > (today.year + 1, today.month):
        raise InvalidNIP(f"NIP TMT {tmt_year}-{tmt_month:02d} lies too far in the future")

    gender_digit = value[14]
    if gender_digit not in "12":
        raise InvalidNIP(f"NIP digit 15 is the gender (1 male, 2 female), got {gender_digit}")

    if value[15:18] == "000":
        raise InvalidNIP("NIP digits 16-18 are a sequence number starting at 001, got 000")
    return value


def make_nip(birth: date, tmt_year: int, tmt_month: int, gender: str, sequence: int) -> str:
    """Compose a NIP from its parts (used by the demo data and the factories)."""
    digit = {"M": "1", "F": "2"}[gender]
    return f"{birth:%Y%m%d}{tmt_year:04d}{tmt_month:02d}{digit}{sequence:03d}"
