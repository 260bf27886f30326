"""NIP structure (BKN's 18 digits): birth date, TMT, gender digit, sequence."""

from __future__ import annotations

from datetime import date

import pytest

from workflow.models import Employee
from workflow.nip import InvalidNIP, make_nip, parse_nip

TODAY = date(2026, 11, 23)
FULL_WIDTH = "".join(chr(0xFF10 + int(d)) for d in "198503122010012003")


def test_valid_nip_is_parsed_into_its_parts():
    nip = parse_nip("198503122010012003", today=TODAY)
    assert nip.birth_date == date(1985, 3, 12)
    assert (nip.tmt_year, nip.tmt_month) == (2010, 1)
    assert nip.gender == "F"
    assert nip.sequence == 3


def test_spaces_as_printed_on_documents_are_accepted():
    assert parse_nip("19850312 201001 2 003", today=TODAY).value == "198503122010012003"


def test_make_nip_round_trips():
    value = make_nip(date(1990, 7, 1), 2014, 3, "M", 42)
    nip = parse_nip(value, today=TODAY)
    assert (nip.birth_date, nip.tmt_year, nip.tmt_month, nip.gender, nip.sequence) == (
        date(1990, 7, 1),
        2014,
        3,
        "M",
        42,
    )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("19850312201001200", "18 digits, got 17"),
        ("1985031220100120031", "18 digits, got 19"),
        ("", "required"),
        ("19850312201001200A", "digits only"),
        (FULL_WIDTH, "digits only"),
        (198503122010012003, "string"),
        ("198502302010012003", "19850230 is not a valid date"),  # 30 February
        ("198513012010012003", "not a valid date"),  # month 13
        ("190001012010012003", "not plausible"),
        ("203001012050012003", "not plausible"),  # born in the future
        ("198503122010132003", "month 13 is invalid"),
        ("198503122010002003", "month 00 is invalid"),
        ("198503121999012003", "before the holder turned 18"),
        ("198503122030012003", "too far in the future"),
        ("198503122010013003", r"gender \(1 male, 2 female\), got 3"),
        ("198503122010010003", r"gender \(1 male, 2 female\), got 0"),
        ("198503122010012000", "starting at 001"),
    ],
)
def test_invalid_nip_is_refused_with_the_reason(raw, reason):
    with pytest.raises(InvalidNIP, match=reason):
        parse_nip(raw, today=TODAY)


def test_employee_model_refuses_an_invalid_nip():
    with pytest.raises(InvalidNIP, match="gender"):
        Employee(nip="198503122010013003")


def test_employee_rank_must_exist_for_the_status():
    with pytest.raises(ValueError, match="not a PPPK rank"):
        Employee(status="PPPK", rank="III/a")
    with pytest.raises(ValueError, match="not a PNS rank"):
        Employee(rank="IX", status="PNS")
