"""Indonesia's three time zones by province: WIB, WITA and WIT (Keppres 41/1987).

A civil servant reads a time as it is where their agency is: a deadline at 16.00 WIB is
17.00 in Makassar and 18.00 in Jayapura.
"""

from __future__ import annotations

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"

_WITA = {
    "Bali",
    "Nusa Tenggara Barat",
    "Nusa Tenggara Timur",
    "Kalimantan Selatan",
    "Kalimantan Timur",
    "Kalimantan Utara",
    "Sulawesi Utara",
    "Sulawesi Tengah",
    "Sulawesi Selatan",
    "Sulawesi Tenggara",
    "Sulawesi Barat",
    "Gorontalo",
}
_WIT = {
    "Maluku",
    "Maluku Utara",
    "Papua",
    "Papua Barat",
    "Papua Barat Daya",
    "Papua Selatan",
    "Papua Tengah",
    "Papua Pegunungan",
}


def zone_of(province: str | None) -> str:
    """The IANA zone of ``province`` (as agencies name it); WIB where it is not known."""
    name = " ".join((province or "").replace("Provinsi", "").split()).title()
    if name in _WITA:
        return WITA
    if name in _WIT:
        return WIT
    return WIB
