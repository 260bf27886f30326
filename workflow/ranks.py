"""Ranks of ASN: golongan/ruang for PNS, grades for PPPK, with their seniority order."""

from __future__ import annotations

from enum import StrEnum

from workflow.errors import Text


class EmploymentStatus(StrEnum):
    PNS = "PNS"  # Pegawai Negeri Sipil
    PPPK = "PPPK"  # Pegawai Pemerintah dengan Perjanjian Kerja


PNS_RANKS: tuple[str, ...] = (
    *(f"I/{r}" for r in "abcd"),
    *(f"II/{r}" for r in "abcd"),
    *(f"III/{r}" for r in "abcd"),
    *(f"IV/{r}" for r in "abcde"),
)
PPPK_GRADES: tuple[str, ...] = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
)

RANKS_BY_STATUS: dict[EmploymentStatus, tuple[str, ...]] = {
    EmploymentStatus.PNS: PNS_RANKS,
    EmploymentStatus.PPPK: PPPK_GRADES,
}


def validate_rank(status: str, rank: str) -> str:
    """Return ``rank`` if it exists for ``status``; raise ValueError naming the valid ones."""
    try:
        valid = RANKS_BY_STATUS[EmploymentStatus(status)]
    except ValueError:
        raise ValueError(
            Text("status must be one of PNS, PPPK; got %(status)r", status=status)
        ) from None
    if rank not in valid:
        raise ValueError(
            Text(
                "%(rank)r is not a %(status)s rank; valid: %(valid)s",
                rank=rank,
                status=status,
                valid=tuple(valid),
            )
        )
    return rank


def rank_level(status: str, rank: str) -> int:
    """Seniority position of a rank within its scheme (1 = most junior)."""
    return RANKS_BY_STATUS[EmploymentStatus(status)].index(rank) + 1
