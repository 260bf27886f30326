"""Predikat kinerja: the appraisal predicate from the assessor's two ratings.

The matrix is versioned data keyed by the regulation that defines it, so a new
regulation is a new entry, and each appraisal records which one it used.
"""

from __future__ import annotations

from enum import StrEnum


class Rating(StrEnum):
    ABOVE = "di_atas_ekspektasi"
    AS_EXPECTED = "sesuai_ekspektasi"
    BELOW = "di_bawah_ekspektasi"


class CoreValue(StrEnum):
    """BerAKHLAK, the ASN core values (SE MenPANRB 20/2021), by which behaviour is rated."""

    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan"
    AKUNTABEL = "akuntabel"
    KOMPETEN = "kompeten"
    HARMONIS = "harmonis"
    LOYAL = "loyal"
    ADAPTIF = "adaptif"
    KOLABORATIF = "kolaboratif"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()


class Predicate(StrEnum):
    SANGAT_BAIK = "Sangat Baik"
    BAIK = "Baik"
    BUTUH_PERBAIKAN = "Butuh Perbaikan"
    KURANG = "Kurang/Misconduct"
    SANGAT_KURANG = "Sangat Kurang"


A, S, B = Rating.ABOVE, Rating.AS_EXPECTED, Rating.BELOW

# (hasil kerja, perilaku kerja) -> predikat
MATRICES: dict[str, dict[tuple[Rating, Rating], Predicate]] = {
    "permenpanrb-6-2022": {
        (A, B): Predicate.KURANG,
        (A, S): Predicate.BAIK,
        (A, A): Predicate.SANGAT_BAIK,
        (S, B): Predicate.KURANG,
        (S, S): Predicate.BAIK,
        (S, A): Predicate.BAIK,
        (B, B): Predicate.SANGAT_KURANG,
        (B, S): Predicate.BUTUH_PERBAIKAN,
        (B, A): Predicate.BUTUH_PERBAIKAN,
    }
}
CURRENT_RULE = "permenpanrb-6-2022"


def predicate_for(work_result: str, behaviour: str, rule: str = CURRENT_RULE) -> Predicate:
    """The predicate for two ratings under ``rule``; ValueError for an unknown rating."""
    return MATRICES[rule][(Rating(work_result), Rating(behaviour))]
