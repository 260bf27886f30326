"""Every page and export of the back office, as each role sees it, speaks one language.

The back office is walked as a person would click through it (every link under /admin
from the start page, the exports, the login and error pages), in Indonesian and in
English. In Indonesian, no word of a list of English ones and no raw code (``submitted``,
``di_atas_ekspektasi``) may show; in English, no Indonesian word of the interface. What
people typed (names, programs, agencies) and technical text in ``<code>`` are not words
of the interface and are left out; so is a glossary in parentheses (*Supervisor (atasan
langsung)*), which names the regulation's own term on purpose.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests import backoffice as bo
from tests.factories import new_record
from tests.workflow_paths import RATINGS, bring_to
from workflow import fire
from workflow.models import Agency, Employee, TrainingProgram, Unit, User
from workflow.predicate import CoreValue, Rating
from workflow.workflows import WORKFLOWS

# Words of the interface that only English has (case as written on screens).
_ENGLISH = """
the and of with you your may not is are was has have this that there which Save
Cancel Delete Edit Create List Search Filter Filters Add Export Submit Review
Approve Reject Return Withdraw Home Forbidden Found Password Remember Login Sign
Please Select items Page Actions Details History State Created Year Period Employee
Agency Name Back Yes None Nothing Previous Next Change Step Comment Reason Unknown
Invalid Required required Error error Failed failed Success Records record records
Above Below expectations expected Annual Quarter Training Appraisal appraisal Budget
Seats Overdue Dashboard Language Logout employee name reward training out View Close
Apply Clear Reset Show Hide Count Chart chart Toggle navigation
"""
ENGLISH = _ENGLISH.split()
# Words of the interface that only Indonesian has.
_INDONESIAN = """
dan yang tidak dengan untuk dari pada Simpan Batal Hapus Ubah Cari Daftar Buat
Setujui Tolak Kembalikan Periksa Ajukan Tarik Beranda Pegawai Instansi Penilaian
Usulan Penugasan Keluar Masuk sandi belum sudah Perlu tindakan Tahunan Triwulan
Anggaran Kursi Catatan Riwayat Langkah Alasan Tahun Periode Nama Diajukan diajukan
disetujui ditolak dikembalikan ditarik Rincian Ekspor Tampilkan
"""
INDONESIAN = _INDONESIAN.split()
# Codes the core stores, never shown as such to a person reading Indonesian.
CODES = sorted(
    {state.value for wf in WORKFLOWS.values() for state in wf.states}
    | {rating.value for rating in Rating}
    | {value.value for value in CoreValue}
    | {"annual", "hr_officer", "external_system", "tatap_muka", "e_learning", "permenpanrb-6-2022"}
)
UNDERSCORED = [code for code in CODES if "_" in code]  # codes no English label spells

SKIP = re.compile(r"/logout|/lang/|/static/|/delete|/action/|javascript:|/ajax/|/fire/")
LIMIT = 160  # pages per role and language: every screen, a few records of each
ROWS = 2  # records' pages (details, edit) opened per list


class _Visible(HTMLParser):
    """The text a person reads on a page, and the links they may follow."""

    HIDDEN = {"script", "style", "code", "pre", "svg", "title"}
    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._open: list[tuple[str, bool]] = []  # each open element, and whether it hides

    def _hidden(self) -> bool:
        return any(hides for _tag, hides in self._open)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        style = (attrs.get("style") or "").replace(" ", "")
        if tag not in self.VOID:
            # Flask-Admin's filters keep their data in a div not shown: not read.
            hides = "display:none" in style or "d-none" in (attrs.get("class") or "").split()
            self._open.append((tag, tag in self.HIDDEN or hides))
        if self._hidden():
            return
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("title", "placeholder", "aria-label", "alt", "data-placeholder"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)


def _read(body: str) -> tuple[str, list[str]]:
    parser = _Visible()
    parser.feed(body)
    return " ".join(" ".join(parser.parts).split()), parser.links


def _data_of(session) -> list[str]:
    """What people typed: shown as they typed it, in whatever language."""
    typed = set()
    for model, columns in (
        (Agency, ("name", "region", "province", "code")),
        (Unit, ("name", "code")),
        (Employee, ("name", "position")),
        (TrainingProgram, ("name", "organiser", "code", "description")),
        (User, ("name", "email")),
    ):
        for row in session.scalars(select(model)):
            typed.update(str(getattr(row, c)) for c in columns if getattr(row, c, None))
    return sorted(typed, key=len, reverse=True)


GLOSS = re.compile(r"\([^()]*\)")
# Addresses, and the identifiers other programs read (event types: appraisal.submitted).
URLISH = re.compile(r"\S+@\S+|https?://\S+|\S+\.\S+\.\S+|\b[a-z_]+\.(?:[a-z_]+\b|\*)")


def _words_of_the_interface(text: str, typed: list[str]) -> str:
    for value in typed:
        text = text.replace(value, " ")
    return URLISH.sub(" ", GLOSS.sub(" ", text))


def _found(words: list[str], text: str) -> list[str]:
    return sorted({w for w in words if re.search(rf"(?<![\w/.-]){re.escape(w)}(?![\w/-])", text)})


@pytest.fixture()
def records(session, cast):
    """Records in the states people meet, so their pages and badges are walked."""
    for user in cast.personas().values():  # account names, as people would give them
        user.name = "Rina Wulandari"
    session.commit()
    # Sangat Baik: approved, it leads to a reward recommendation (a follow-up of its kind).
    top = fire(new_record(session, cast, "appraisal", year=2024), "submit", None, via="system")
    ratings = {**RATINGS, "work_result_rating": "di_atas_ekspektasi"}
    top = fire(top, "review", None, via="system", payload=ratings)
    fire(top, "approve", None, via="system")
    made = [
        bring_to(new_record(session, cast, "appraisal"), "approved"),
        bring_to(new_record(session, cast, "training_nomination"), "submitted"),
        bring_to(new_record(session, cast, "mentoring_assignment"), "reviewed"),
    ]
    return made


def _walk(client, session, start: list[str]) -> dict[str, str]:
    """Every page reachable from ``start`` (up to LIMIT), as visible text by address."""
    seen, pages, queue = set(), {}, deque(start)
    rows = Counter()
    while queue and len(pages) < LIMIT:
        url = queue.popleft()
        parts = urlsplit(url)
        key = parts.path + ("?" + parts.query if "id=" in parts.query else "")
        if key in seen or SKIP.search(url) or parts.netloc not in ("", "localhost"):
            continue
        if "id=" in parts.query and rows[parts.path] >= ROWS:
            continue  # a few records of each kind: the walk reaches every screen within LIMIT
        seen.add(key)
        rows[parts.path] += "id=" in parts.query
        response = client.get(url, follow_redirects=True)
        kind = response.headers.get("Content-Type", "")
        if "spreadsheetml" in kind:
            sheet = load_workbook(io.BytesIO(response.get_data())).active
            cells = (str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
            pages[url] = " ".join(cells)
            continue
        if "text/" not in kind:
            continue  # a picture (the state diagram is drawn from the same labels)
        body = response.get_data(as_text=True)
        if "text/csv" in kind:
            pages[url] = " ".join(" ".join(row) for row in csv.reader(io.StringIO(body)))
            continue
        text, links = _read(body)
        pages[url] = text
        for link in links:
            target = urljoin(url, link.split("#")[0])
            path = urlsplit(target).path
            if path.startswith("/admin") and "sort=" not in target and "page=" not in target:
                queue.append(target)
    return pages


ROLES = ("subject", "supervisor", "hr", "admin")


# What may not show in each language: the other language's words, and raw codes (in English
# only those no English label spells: "submitted" is a code and an English label alike).
FOREIGN = {"id": (ENGLISH, CODES), "en": (INDONESIAN, UNDERSCORED)}


@pytest.mark.parametrize("lang", FOREIGN)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_sees_speaks_the_chosen_language_without_raw_codes(
    client, session, cast, records, role, lang
):
    words, codes = FOREIGN[lang]
    bo.log_in(client, session, getattr(cast, role))
    client.get(f"/lang/{lang}")
    pages = _walk(client, session, ["/admin/", "/admin/inbox/", "/change"])
    pages.update(_walk(client, session, _exports()))
    typed = _data_of(session)
    problems = {}
    for url, text in pages.items():
        said = _words_of_the_interface(text, typed)
        foreign, raw = _found(words, said), _found(codes, said)
        if foreign or raw:
            problems[url] = {"foreign words": foreign, "codes": raw}
    assert len(pages) >= 8, sorted(pages)  # the walk reached the screens
    assert problems == {}, "\n".join(f"{u}: {p}" for u, p in problems.items())
    # for the record (pytest -s): how much was read
    read = sum(len(text.split()) for text in pages.values())
    print(f"\n{role}/{lang}: {len(pages)} pages, {read} words read")


def test_the_pages_before_signing_in_and_the_error_pages_speak_the_chosen_language(
    client, session, cast
):
    for lang, words in (("id", ENGLISH), ("en", INDONESIAN)):
        client.get(f"/lang/{lang}")
        for url in ("/login", "/admin/no-such-page/"):
            text, _links = _read(bo.text(client.get(url)))
            assert _found(words, _words_of_the_interface(text, [])) == [], (lang, url)
    bo.log_in(client, session, cast.subject)
    for lang, words in (("id", ENGLISH), ("en", INDONESIAN)):
        client.get(f"/lang/{lang}")
        response = client.get("/admin/employee/")  # an employee may not list employees
        assert response.status_code == 403
        text, _links = _read(bo.text(response))
        assert _found(words, _words_of_the_interface(text, [])) == [], lang


def _exports() -> list[str]:
    return [
        "/admin/admin_appraisals/export/csv/",
        "/admin/admin_training_nominations/export/csv/",
        "/admin/admin_mentoring_assignments/export/csv/",
        "/admin/admin_appraisals/export/xlsx/",
        "/admin/jp-report/export.csv",
    ]
