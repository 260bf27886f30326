"""The demo's data: five regions, their agencies, units, staff and programs, and the paths
that bring records to every state of every workflow (seeded by ``alur.demo``)."""

from __future__ import annotations

from datetime import date

DEMO_PASSWORD = "alur-demo-2026"
# The demo's subscriber (``flask webhooks demo-receiver``) and its webhook clients.
DEMO_RECEIVER = ("demo-receiver", "http://127.0.0.1:5001/events")
DEMO_CLIENTS = {
    "ekinerja": ["appraisal.submit"],  # e-Kinerja submits the self-assessment
    "lms": ["training_nomination.complete"],  # the learning platform reports completion
}
DEMO_DOMAIN = "demo.alur.id"
YEAR = 2026

# (code, agency name, province, region, email slug, staff names in TEMPLATE order)
REGIONS = [
    (
        "PLG",
        "Pemerintah Kota Palembang",
        "Sumatera Selatan",
        "Kota Palembang",
        "palembang",
        [
            "Ratu Dewa",
            "Ahmad Fauzi",
            "Siti Aisyah",
            "Rahmat Hidayat",
            "Yanti Kusuma",
            "Muhammad Ridwan",
            "Nurhayati",
            "Dedi Kurniawan",
            "Sri Wahyuni",
            "Andi Saputra",
            "Fitri Handayani",
            "Rina Marlina",
        ],
    ),
    (
        "MLK",
        "Pemerintah Provinsi Maluku",
        "Maluku",
        "Kota Ambon",
        "maluku",
        [
            "Sadali Ie",
            "Johanis Latuheru",
            "Maria Tuhumury",
            "Frans Pattiasina",
            "Elsye Sahetapy",
            "Ronald Manuhutu",
            "Yohana Leiwakabessy",
            "Hendrik Latumahina",
            "Agustina Pattipeilohy",
            "Samuel Siahaya",
            "Ferdinand Wattimena",
            "Novita Sopacua",
        ],
    ),
    (
        "JMB",
        "Pemerintah Provinsi Jambi",
        "Jambi",
        "Kota Jambi",
        "jambi",
        [
            "Sudirman",
            "Hasanudin",
            "Rosmawati",
            "Zulkifli",
            "Nurjanah",
            "Syamsul Bahri",
            "Herlina",
            "Ilham Akbar",
            "Dewi Sartika",
            "Fajar Ramadhan",
            "Mardiana",
            "Yusnaini",
        ],
    ),
    (
        "SRG",
        "Pemerintah Kota Serang",
        "Banten",
        "Kota Serang",
        "serang",
        [
            "Nanang Saefudin",
            "Tubagus Hendra",
            "Ratu Nurlaela",
            "Entis Sutisna",
            "Iis Sumiati",
            "Asep Saepudin",
            "Euis Komariah",
            "Dadang Suherman",
            "Neng Siti",
            "Ujang Kurnia",
            "Yayan Sopyan",
            "Lilis Suryani",
        ],
    ),
    (
        "GTO",
        "Pemerintah Provinsi Gorontalo",
        "Gorontalo",
        "Kota Gorontalo",
        "gorontalo",
        [
            "Sofian Ibrahim",
            "Hasan Pakaya",
            "Fatma Lamusu",
            "Rustam Hulukati",
            "Nurain Daud",
            "Ismail Pateda",
            "Sarce Bilondatu",
            "Yusuf Mooduto",
            "Asna Tangahu",
            "Rizal Gobel",
            "Nining Mohamad",
            "Sri Yulan Dunggio",
        ],
    ),
]

# (unit code, name, parent code)
UNITS = [
    ("SETDA", "Sekretariat Daerah", None),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "SETDA"),
    ("BKPSDM-PK", "Bidang Pengembangan Kompetensi Aparatur", "BKPSDM"),
    ("DISDIK", "Dinas Pendidikan", "SETDA"),
    ("DISDIK-GTK", "Bidang Pembinaan Guru dan Tenaga Kependidikan", "DISDIK"),
    ("DINKES", "Dinas Kesehatan", "SETDA"),
]

# (key, position, unit, status, rank, supervisor key, birth year, TMT year, gender, login)
TEMPLATE = [
    ("sekda", "Sekretaris Daerah", "SETDA", "PNS", "IV/d", None, 1968, 1993, "M", "sekda"),
    ("kabkpsdm", "Kepala BKPSDM", "BKPSDM", "PNS", "IV/c", "sekda", 1970, 1996, "M", "kabkpsdm"),
    (
        "kabidpk",
        "Kepala Bidang Pengembangan Kompetensi Aparatur",
        "BKPSDM-PK",
        "PNS",
        "IV/a",
        "kabkpsdm",
        1975,
        2000,
        "F",
        "kabidpk",
    ),
    (
        "analis",
        "Analis SDM Aparatur Ahli Muda",
        "BKPSDM-PK",
        "PNS",
        "III/d",
        "kabidpk",
        1982,
        2008,
        "M",
        "hr",
    ),
    (
        "kadisdik",
        "Kepala Dinas Pendidikan",
        "DISDIK",
        "PNS",
        "IV/c",
        "sekda",
        1971,
        1997,
        "F",
        "kadis",
    ),
    (
        "kabidguru",
        "Kepala Bidang Pembinaan Guru dan Tenaga Kependidikan",
        "DISDIK-GTK",
        "PNS",
        "IV/a",
        "kadisdik",
        1976,
        2001,
        "M",
        "atasan",
    ),
    (
        "guru1",
        "Guru Ahli Madya",
        "DISDIK-GTK",
        "PNS",
        "III/d",
        "kabidguru",
        1980,
        2006,
        "F",
        "pegawai",
    ),
    (
        "guru2",
        "Guru Ahli Muda",
        "DISDIK-GTK",
        "PNS",
        "III/c",
        "kabidguru",
        1986,
        2011,
        "M",
        "guru2",
    ),
    (
        "guru3",
        "Guru Ahli Pertama",
        "DISDIK-GTK",
        "PNS",
        "III/a",
        "kabidguru",
        1994,
        2019,
        "F",
        "guru3",
    ),
    (
        "guru4",
        "Guru Ahli Pertama",
        "DISDIK-GTK",
        "PPPK",
        "IX",
        "kabidguru",
        1995,
        2022,
        "M",
        "guru4",
    ),
    (
        "kadinkes",
        "Kepala Dinas Kesehatan",
        "DINKES",
        "PNS",
        "IV/c",
        "sekda",
        1972,
        1998,
        "M",
        "kadinkes",
    ),
    (
        "perawat",
        "Perawat Ahli Pertama",
        "DINKES",
        "PPPK",
        "IX",
        "kadinkes",
        1996,
        2023,
        "F",
        "perawat",
    ),
]
HR_KEYS = {"analis"}

# (code, name, form, delivery mode, organiser, JP, start, end, seats, cost in rupiah)
PROGRAMS = [
    (
        "PMG-2026",
        "Pelatihan Manajemen Pemerintahan",
        "pelatihan",
        "tatap_muka",
        "BPSDM Provinsi Sumatera Selatan",
        40,
        date(2026, 3, 2),
        date(2026, 3, 13),
        30,
        7_500_000,
    ),
    (
        "PPP-2026",
        "Pelatihan Pelayanan Publik",
        "pelatihan",
        "blended",
        "BPSDM Provinsi Maluku",
        32,
        date(2026, 4, 6),
        date(2026, 4, 17),
        40,
        5_000_000,
    ),
    (
        "PMK-2026",
        "Pelatihan Manajemen Keuangan",
        "pelatihan",
        "daring",
        "BPSDM Provinsi Jambi",
        24,
        date(2026, 5, 4),
        date(2026, 5, 8),
        50,
        3_000_000,
    ),
    (
        "PMA-2026",
        "Pelatihan Manajemen Administrasi",
        "bimtek",
        "tatap_muka",
        "BPSDM Provinsi Banten",
        24,
        date(2026, 6, 8),
        date(2026, 6, 12),
        35,
        3_500_000,
    ),
    (
        "ASN-INT-2026",
        "ASN Berintegritas",
        "e_learning",
        "daring",
        "Anti-Corruption Learning Center KPK",
        20,
        date(2026, 2, 1),
        date(2026, 12, 31),
        500,
        0,
    ),
    (
        "MAGANG-EDU-2026",
        "Magang di Institusi Pendidikan",
        "magang",
        "tatap_muka",
        "Universitas Negeri Gorontalo",
        40,
        date(2026, 7, 1),
        date(2026, 7, 31),
        20,
        4_000_000,
    ),
    (
        "MENTOR-2026",
        "Mentoring Senior ke Junior",
        "mentoring",
        "blended",
        "BKPSDM setempat",
        16,
        date(2026, 1, 5),
        date(2026, 12, 18),
        100,
        0,
    ),
]

RATINGS_GOOD = {
    "work_result_rating": "di_atas_ekspektasi",
    "behaviour_rating": "di_atas_ekspektasi",
    "feedback": "Capaian kinerja melampaui target; pertahankan dan bagikan praktik baik.",
    "behaviour_feedback": {
        "berorientasi_pelayanan": "Respons cepat atas permintaan data dari unit lain.",
        "kolaboratif": "Memimpin berbagi praktik baik di tim.",
    },
}
RATINGS_OK = {
    "work_result_rating": "sesuai_ekspektasi",
    "behaviour_rating": "sesuai_ekspektasi",
    "feedback": "Kinerja sesuai ekspektasi; tingkatkan dokumentasi bukti dukung.",
}
SELF = {"self_assessment": "Seluruh rencana hasil kerja tercapai sesuai target."}

# A step: (trigger, actor key, comment, data).
Step = tuple[str, str, str | None, dict | None]


def _s(trigger, actor, comment=None, data=None) -> Step:
    return (trigger, actor, comment, data)


SUBMIT_T, REVIEW_T = _s("submit", "subject"), _s("review", "kabidguru")
APPROVE_T = _s("approve", "analis")
# Training nominations: (subject, program, creator, path); every state appears.
NOMINATIONS = [
    ("guru1", "PMG-2026", "guru1", []),
    ("guru1", "PPP-2026", "guru1", [SUBMIT_T]),
    ("guru2", "PMG-2026", "guru2", [SUBMIT_T, REVIEW_T]),
    ("guru1", "PMA-2026", "guru1", [SUBMIT_T, REVIEW_T, APPROVE_T]),
    (
        "guru3",
        "PMK-2026",
        "analis",
        [_s("submit", "analis"), REVIEW_T, APPROVE_T, _s("complete", "analis")],
    ),
    (
        "guru3",
        "ASN-INT-2026",
        "guru3",
        [SUBMIT_T, _s("return", "kabidguru", "Lengkapi alasan pengusulan dan rencana penerapan.")],
    ),
    (
        "guru4",
        "MAGANG-EDU-2026",
        "guru4",
        [SUBMIT_T, _s("reject", "kabidguru", "Kuota magang tahun ini diprioritaskan untuk PNS.")],
    ),
    ("guru4", "PMA-2026", "guru4", [SUBMIT_T, _s("withdraw", "subject", "Bentrok jadwal.")]),
]

MSUBMIT = _s("submit", "analis")
COACHING_DONE = {
    "coaching_feedback": "Modul ajar diferensiasi tersusun dan diuji di kelas.",
    "competency_score": 4,
}
# Mentoring: (mentor, mentee, start, path); the mentor is senior to the mentee.
MENTORINGS = [
    ("guru1", "guru3", date(2026, 1, 5), []),
    ("guru1", "guru4", date(2026, 1, 12), [_s("submit", "kabidguru")]),
    ("kabidguru", "guru3", date(2026, 1, 19), [MSUBMIT, _s("review", "kabidguru")]),
    (
        "kabidguru",
        "guru4",
        date(2026, 1, 26),
        [MSUBMIT, _s("review", "kabidguru"), _s("approve", "analis")],
    ),
    (
        "guru1",
        "guru2",
        date(2026, 2, 2),
        [MSUBMIT, _s("review", "guru1"), _s("approve", "analis"), _s("start", "guru1")],
    ),
    (
        "guru2",
        "guru3",
        date(2026, 2, 9),
        [
            MSUBMIT,
            _s("review", "guru2"),
            _s("approve", "analis"),
            _s("start", "guru2"),
            _s("complete", "guru2", None, COACHING_DONE),
        ],
    ),
    (
        "guru2",
        "guru4",
        date(2026, 2, 16),
        [MSUBMIT, _s("return", "guru2", "Jadwal mentoring bentrok dengan tugas mengajar.")],
    ),
    (
        "guru1",
        "guru3",
        date(2026, 2, 23),
        [MSUBMIT, _s("reject", "guru1", "Mentee sudah dibimbing pada periode yang sama.")],
    ),
    (
        "kabidguru",
        "guru2",
        date(2026, 3, 2),
        [MSUBMIT, _s("withdraw", "analis", "Diganti dengan pelatihan klasikal.")],
    ),
]

ASUBMIT = _s("submit", "subject", None, SELF)
# Appraisals: (subject, year, period, path); assessor and approver from the chain.
APPRAISALS = [
    (
        "guru1",
        2025,
        "annual",
        [ASUBMIT, _s("review", "kabidguru", None, RATINGS_GOOD), _s("approve", "kadisdik")],
    ),
    ("guru2", 2025, "annual", [ASUBMIT, _s("review", "kabidguru", None, RATINGS_OK)]),
    ("guru3", 2025, "annual", [ASUBMIT]),
    (
        "guru4",
        2025,
        "annual",
        [ASUBMIT, _s("return", "kabidguru", "Lengkapi bukti dukung capaian triwulan IV.")],
    ),
    ("guru1", 2026, "Q1", []),
    (
        "guru2",
        2026,
        "Q1",
        [ASUBMIT, _s("reject", "kabidguru", "Periode penilaian keliru; buat ulang untuk Q2.")],
    ),
    ("guru3", 2026, "Q1", [_s("withdraw", "subject", "Dibuat ganda.")]),
    # A keberatan (objection) waiting for the assessor's superior.
    (
        "guru4",
        2026,
        "Q1",
        [
            ASUBMIT,
            _s("review", "kabidguru", None, RATINGS_OK),
            _s("approve", "kadisdik"),
            _s("appeal", "subject", "Capaian Q1 melampaui target."),
        ],
    ),
]
# In the other regions, a few records so every supervisor has something waiting.
OTHER_APPRAISALS = [
    ("guru1", 2025, "annual", [ASUBMIT]),
    ("guru2", 2025, "annual", [ASUBMIT, _s("review", "kabidguru", None, RATINGS_OK)]),
]
OTHER_NOMINATIONS = [("guru3", "PPP-2026", "guru3", [SUBMIT_T])]
