"""NIP (Nomor Induk Pegawai): the 18-digit national identity number of an ASN.

Layout (BKN): birth date ``YYYYMMDD`` + TMT CPNS/PPPK ``YYYYMM`` + gender digit
(1 male, 2 female) + a 3-digit sequence number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflow.errors import Text

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
        raise InvalidNIP(Text("NIP must be a string of 18 digits"))
    value = raw.replace(" ", "")
    if not value:
        raise InvalidNIP(Text("NIP is required: 18 digits"))
    if not value.isascii() or not value.isdigit():
        raise InvalidNIP(Text("NIP must contain digits only, got %(raw)r", raw=raw))
    if len(value) != NIP_LENGTH:
        raise InvalidNIP(Text("NIP must have 18 digits, got %(n)s", n=len(value)))

    try:
        birth = date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise InvalidNIP(
            Text(
                "NIP digits 1-8 must be a birth date YYYYMMDD; %(digits)s is not a valid date",
                digits=value[0:8],
            )
        ) from None
    if birth.year < EARLIEST_BIRTH_YEAR or birth > today:
        raise InvalidNIP(Text("NIP birth date %(born)s is not plausible", born=birth.isoformat()))

    tmt_year, tmt_month = int(value[8:12]), int(value[12:14])
    if not 1 <= tmt_month <= 12:
        raise InvalidNIP(
            Text(
                "NIP digits 9-14 must be the TMT as YYYYMM; month %(month)s is invalid",
                month=f"{tmt_month:02d}",
            )
        )
    if (tmt_year, tmt_month) < (birth.year + MIN_ENTRY_AGE, birth.month):
        raise InvalidNIP(
            Text(
                "NIP TMT %(tmt)s is before the holder turned %(age)s (born %(born)s)",
                tmt=f"{tmt_year}-{tmt_month:02d}",
                age=MIN_ENTRY_AGE,
                born=birth.isoformat(),
            )
        )
    if (tmt_year, tmt_month) > (today.year + 1, today.month):
        raise InvalidNIP(
            Text("NIP TMT %(tmt)s lies too far in the future", tmt=f"{tmt_year}-{tmt_month:02d}")
        )

    gender_digit = value[14]
    if gender_digit not in "12":
        raise InvalidNIP(
            Text("NIP digit 15 is the gender (1 male, 2 female), got %(digit)s", digit=gender_digit)
        )

    if value[15:18] == "000":
        raise InvalidNIP(Text("NIP digits 16-18 are a sequence number starting at 001, got 000"))
    return value


def make_nip(birth: date, tmt_year: int, tmt_month: int, gender: str, sequence: int) -> str:
    """Compose a NIP from its parts (used by the demo data and the factories)."""
    digit = {"M": "1", "F": "2"}[gender]
    return f"{birth:%Y%m%d}{tmt_year:04d}{tmt_month:02d}{digit}{sequence:03d}"
