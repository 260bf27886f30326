"""Indonesian texts of the back office, and of Flask-Admin (which ships no ``id`` catalogue).

``python -m admin.i18n_id`` writes ``translations/id/LC_MESSAGES/{messages,admin}.po``
and compiles them to ``.mo``; a test checks the committed files are up to date.
"""

from __future__ import annotations

from pathlib import Path

OURS = {
    "Home": "Beranda",
    "Workflows": "Alur kerja",
    "Appraisals": "Penilaian kinerja",
    "Training nominations": "Usulan pelatihan",
    "Mentoring assignments": "Penugasan mentoring",
    "Organisation": "Organisasi",
    "Agencies": "Instansi",
    "Work units": "Unit kerja",
    "Employees": "Pegawai",
    "Training programs": "Program pelatihan",
    "Budgets": "Anggaran",
    "System": "Sistem",
    "Users": "Pengguna",
    "Audit log": "Log audit",
    "Webhooks": "Webhook",
    "Clients": "Klien",
    "Received": "Diterima",
    "Subscriptions": "Langganan",
    "Deliveries": "Pengiriman",
    "Language": "Bahasa",
    "Change password": "Ubah kata sandi",
    "Log out": "Keluar",
    "Above expectations (di atas ekspektasi)": "Di atas ekspektasi",
    "As expected (sesuai ekspektasi)": "Sesuai ekspektasi",
    "Below expectations (di bawah ekspektasi)": "Di bawah ekspektasi",
    "Work results (hasil kerja)": "Hasil kerja",
    "Work behaviour (perilaku kerja)": "Perilaku kerja",
    "Feedback (umpan balik)": "Umpan balik",
    "Self-assessment": "Penilaian diri",
    "Comment": "Catatan",
    "Awaiting my action": "Perlu tindakan saya",
    "Name": "Nama",
    "Province": "Provinsi",
    "Region": "Daerah",
    "Agency": "Instansi",
    "Parent unit": "Unit induk",
    "Rank (golongan)": "Golongan/ruang",
    "Position (jabatan)": "Jabatan",
    "Work unit": "Unit kerja",
    "Supervisor (atasan langsung)": "Atasan langsung",
    "Agency code (optional)": "Kode instansi (opsional)",
    "Client %(name)s": "Klien %(name)s",
    "New secret": "Rahasia baru",
    "Make a new secret? The old one works for 24 hours.": (
        "Buat rahasia baru? Rahasia lama masih berlaku 24 jam."
    ),
    "Comma-separated: *, appraisal.*, training_nomination.approved": (
        "Dipisah koma: *, appraisal.*, training_nomination.approved"
    ),
    "Subscription %(id)s": "Langganan %(id)s",
    "give at least one event type": "isi paling sedikit satu jenis peristiwa",
    "Make a new secret? Both sign for 24 hours.": (
        "Buat rahasia baru? Keduanya menandatangani selama 24 jam."
    ),
    "Redeliver dead deliveries": "Kirim ulang pengiriman yang gagal",
    "%(n)d dead deliveries are due again.": "%(n)d pengiriman gagal dijadwalkan ulang.",
    "%(what)s: store this secret now, it is shown once: %(secret)s": (
        "%(what)s: simpan rahasia ini sekarang, hanya ditampilkan sekali: %(secret)s"
    ),
    "Event": "Peristiwa",
    "Redeliver selected": "Kirim ulang yang dipilih",
    "Send the selected deliveries again?": "Kirim ulang pengiriman yang dipilih?",
    "The form has expired; please try again.": "Formulir kedaluwarsa; silakan coba lagi.",
    "Due again now: %(ids)s": "Dijadwalkan ulang sekarang: %(ids)s",
    "draft": "draf",
    "submitted": "diajukan",
    "reviewed": "diperiksa",
    "approved": "disetujui",
    "active": "berjalan",
    "completed": "selesai",
    "returned": "dikembalikan",
    "rejected": "ditolak",
    "withdrawn": "ditarik",
    "appealed": "keberatan",
    "Object (keberatan)": "Ajukan keberatan",
    "on behalf of %(who)s": "atas nama %(who)s",
    "Acting officials": "Plt/Plh",
    "Principal": "Pejabat definitif",
    "Acting": "Pelaksana",
    "Starts": "Mulai",
    "Ends": "Berakhir",
    "Kind": "Jenis",
    "Follow-ups": "Tindak lanjut",
    "Holidays": "Hari libur",
    "Deadline notices": "Pemberitahuan tenggat",
    "Appraisal": "Penilaian",
    "Nomination": "Usulan",
    "Mentoring": "Mentoring",
    "Date": "Tanggal",
    "Escalated to": "Dieskalasi ke",
    "Escalated to you: overdue steps of your team": "Eskalasi: langkah tim Anda yang terlambat",
    "Due": "Tenggat",
    "Give the official, the acting employee and both dates.": (
        "Isi pejabat definitif, pelaksana, dan kedua tanggal."
    ),
    "End now": "Akhiri sekarang",
    "End the selected delegations now?": "Akhiri Plt/Plh yang dipilih sekarang?",
    "Ended: %(ids)s": "Diakhiri: %(ids)s",
    "Uphold": "Tetapkan",
    "Revise": "Ubah penilaian",
    "Submit": "Ajukan",
    "Review": "Periksa",
    "Approve": "Setujui",
    "Return": "Kembalikan",
    "Reject": "Tolak",
    "Withdraw": "Tarik",
    "Complete": "Selesaikan",
    "Start": "Mulai",
    "Accept": "Terima",
    "there is nothing you may do with it now": "saat ini tidak ada yang dapat Anda lakukan",
    "State": "Status",
    "Version": "Versi",
    "Since": "Sejak",
    "Created": "Dibuat",
    "Employee": "Pegawai",
    "Program": "Program",
    "Mentor": "Mentor",
    "Mentee": "Mentee",
    "Assessor": "Pejabat penilai",
    "Approver": "Atasan pejabat penilai",
    "Reason for naming the officials": "Alasan penunjukan pejabat penilai",
    "Officials of another agency": "Pejabat dari instansi lain",
    "Year": "Tahun",
    "Period": "Periode",
    "Predikat": "Predikat",
    "Justification": "Alasan pengusulan",
    "Goals": "Tujuan",
    "Unknown step.": "Langkah tidak dikenal.",
    "Record does not exist.": "Data tidak ditemukan.",
    "%(what)s %(id)s: %(step)s done, now %(state)s.": (
        "%(what)s %(id)s: %(step)s berhasil, sekarang %(state)s."
    ),
    "%(step)s done for %(n)d: %(ids)s": "%(step)s berhasil untuk %(n)d: %(ids)s",
    "Not done: %(why)s": "Tidak dilakukan: %(why)s",
    "Approve selected": "Setujui yang dipilih",
    "Approve the selected records?": "Setujui data yang dipilih?",
    "Return selected (give a reason)": "Kembalikan yang dipilih (isi alasan)",
    "Return the selected records?": "Kembalikan data yang dipilih?",
    "Reject selected (give a reason)": "Tolak yang dipilih (isi alasan)",
    "Reject the selected records?": "Tolak data yang dipilih?",
    "Training nomination": "Usulan pelatihan",
    "Mentoring assignment": "Penugasan mentoring",
    "Performance appraisal": "Penilaian kinerja",
    "Overdue: waiting more than %(days)s days": "Terlambat: menunggu lebih dari %(days)s hari",
    "All agencies, as counted at %(time)s (counted again after %(seconds)s seconds).": (
        "Seluruh instansi, dihitung pukul %(time)s (dihitung ulang setelah %(seconds)s detik)."
    ),
    "Record": "Data",
    "About": "Pegawai",
    "Redeliver now": "Kirim ulang sekarang",
    "Attempts": "Percobaan",
    "When": "Waktu",
    "Answer": "Jawaban",
    "Duration": "Durasi",
    "Outcome": "Hasil",
    "Worker": "Pekerja",
    "Error": "Galat",
    "Event data": "Data peristiwa",
    "Waiting since": "Menunggu sejak",
    "Steps": "Langkah",
    "Nothing is waiting for you.": "Tidak ada yang menunggu tindakan Anda.",
    "Older": "Lebih lama",
    "What you may do now": "Yang dapat Anda lakukan sekarang",
    "Nothing waits for you on this record.": "Tidak ada tindakan Anda untuk data ini.",
    "Resulting predikat": "Predikat yang dihasilkan",
    "History": "Riwayat",
    "This history does not verify: it was changed outside Alur.": (
        "Riwayat ini tidak lolos verifikasi: telah diubah di luar Alur."
    ),
    "History verified: every step is signed, in order, and the record is as its last step "
    "left it.": (
        "Riwayat terverifikasi: setiap langkah bertanda tangan, berurutan, dan data ini sesuai "
        "dengan yang ditinggalkan langkah terakhirnya."
    ),
    "Last checkpoint": "Titik periksa terakhir",
    "%(entries)s audit entries, %(changes)s change entries": (
        "%(entries)s entri audit, %(changes)s entri perubahan"
    ),
    "none yet: run flask audit checkpoint, or the outbox worker": (
        "belum ada: jalankan flask audit checkpoint, atau pekerja outbox"
    ),
    "Last verify": "Verifikasi terakhir",
    "OK": "OK",
    "%(count)s problem(s)": "%(count)s masalah",
    "never: run flask audit verify": "belum pernah: jalankan flask audit verify",
    "Who": "Oleh",
    "Step": "Langkah",
    "From": "Dari",
    "To": "Menjadi",
    "Via": "Melalui",
    "the system": "sistem",
    "created": "dibuat",
    "edited": "diubah",
    "State diagram": "Diagram status",
    "A record can be changed only while draft or returned; this one is %(state)s.": (
        "Data hanya dapat diubah selagi draf atau dikembalikan; data ini %(state)s."
    ),
    "JP ledger": "Catatan JP",
    "Below 20 JP": "Di bawah 20 JP",
    "below %(n)s JP": "di bawah %(n)s JP",
    "Show": "Tampilkan",
    "Below": "Di bawah",
    "JP credited": "JP tercatat",
    "Total": "Jumlah",
    "More": "Berikutnya",
    "Code": "Kode",
    "Status": "Status",
    "Amount": "Pagu",
    "Committed": "Terpakai",
    "Email": "Surel",
    "Active": "Aktif",
    "User": "Pengguna",
    "Description": "Uraian",
    "Form": "Bentuk",
    "Delivery mode": "Metode",
    "Organiser": "Penyelenggara",
    "End": "Selesai",
    "Seats": "Kuota peserta",
    "Seats taken": "Kursi terisi",
    "Cost per participant": "Biaya per peserta",
    "Source": "Sumber",
    "Note": "Keterangan",
    "Grants": "Hak langkah",
    "Event types": "Jenis peristiwa",
    "Why disabled": "Alasan nonaktif",
    "Subscription": "Langganan",
    "Next attempt": "Percobaan berikutnya",
    "Delivered": "Terkirim",
    "Last answer": "Jawaban terakhir",
    "Reason": "Alasan",
    "Type": "Jenis",
    "Client": "Klien",
    "Workflow": "Alur kerja",
    "Prefix": "Awalan",
    "Expires": "Kedaluwarsa",
    "Revoked": "Dicabut",
    "Fanned out": "Disebar",
    "Roles": "Peran",
    "API tokens": "Token API",
    "Events": "Peristiwa",
    "Revoke selected": "Cabut yang dipilih",
    "valid": "berlaku",
    "expired": "kedaluwarsa",
    "revoked": "dicabut",
    "Too many failed sign-in attempts": "Terlalu banyak percobaan masuk yang gagal",
    "If you have forgotten your password, ask your agency's HR officer or an admin to reset it.": (
        "Jika Anda lupa kata sandi, mintalah petugas kepegawaian (BKPSDM) instansi Anda "
        "atau admin untuk mengaturnya ulang."
    ),
    "Back to the sign-in page": "Kembali ke halaman masuk",
    "Revoke the selected tokens?": "Cabut token yang dipilih?",
    "Revoked: %(ids)s": "Dicabut: %(ids)s",
    "Reason, for return or reject": "Alasan, untuk dikembalikan atau ditolak",
    "Oldest first. Steps that need nothing more are one click; the others open the record.": (
        "Terlama lebih dulu. Langkah tanpa isian cukup sekali klik; yang lain membuka datanya."
    ),
    "Install Graphviz (the dot program) to draw the diagram; the transitions are:": (
        "Pasang Graphviz (program dot) untuk menggambar diagram; transisinya:"
    ),
    "Nothing has waited that long.": "Tidak ada yang menunggu selama itu.",
    "Who is below the 20 JP yearly right to competency development (PP 11/2017): see": (
        "Siapa yang belum mencapai hak pengembangan kompetensi 20 JP per tahun (PP 11/2017): lihat"
    ),
    "Feedback per BerAKHLAK value": "Umpan balik per nilai BerAKHLAK",
    "Service-oriented (berorientasi pelayanan)": "Berorientasi pelayanan",
    "Accountable (akuntabel)": "Akuntabel",
    "Competent (kompeten)": "Kompeten",
    "Harmonious (harmonis)": "Harmonis",
    "Loyal (loyal)": "Loyal",
    "Adaptive (adaptif)": "Adaptif",
    "Collaborative (kolaboratif)": "Kolaboratif",
    "Predicate distribution": "Distribusi predikat",
    "Outstanding (Istimewa)": "Istimewa",
    "Good (Baik)": "Baik",
    "Needs improvement (Butuh Perbaikan)": "Butuh Perbaikan",
    "Poor (Kurang)": "Kurang",
    "Very poor (Sangat Kurang)": "Sangat Kurang",
    "Organisation's rating": "Predikat kinerja organisasi",
    "Basis (e.g. the decree)": "Dasar (mis. surat keputusan)",
    "Choose an agency and a year.": "Pilih instansi dan tahun.",
    "Not saved: %(why)s": "Tidak disimpan: %(why)s",
    "The organisation's rating is saved.": "Predikat kinerja organisasi disimpan.",
    "%(n)s approved appraisals": "%(n)s penilaian disetujui",
    "Share": "Porsi",
    "Save": "Simpan",
    "Guidance": "Pola distribusi",
    "Now": "Saat ini",
    "the largest group": "kelompok terbesar",
    "at least %(p)s %%": "paling sedikit %(p)s %%",
    "at most %(p)s %%": "paling banyak %(p)s %%",
    "none": "tidak ada",
    "at least one employee": "paling sedikit satu pegawai",
    "met": "terpenuhi",
    "not met": "belum terpenuhi",
    "The organisation's rating for this period is not recorded yet: the guidance depends on it.": (
        "Predikat kinerja organisasi untuk periode ini belum dicatat: pola distribusinya "
        "bergantung padanya."
    ),
    # Hostile input: refused with a message, never a 500.
    "The data is in use by another request; nothing was changed. Try again shortly.": (
        "Data sedang dipakai oleh permintaan lain; tidak ada yang diubah. Coba lagi sebentar lagi."
    ),
    "The return address holds control characters.": "Alamat kembali memuat karakter kendali.",
    "That page does not exist; the first page is shown.": (
        "Halaman itu tidak ada; halaman pertama ditampilkan."
    ),
    "The search may hold up to %(n)s characters, without NUL.": (
        "Pencarian paling banyak %(n)s karakter, tanpa karakter NUL."
    ),
    "Training": "Pelatihan",
    "Seminar": "Seminar",
    "Workshop": "Lokakarya",
    "Course": "Kursus",
    "Technical guidance": "Bimbingan teknis",
    "E-learning": "E-learning",
    "Coaching": "Coaching",
    "Internship": "Magang",
    "Benchmarking": "Benchmarking",
    "Face to face": "Tatap muka",
    "Online": "Daring",
    "Blended": "Campuran (blended)",
    "Annual %(year)s": "Tahunan %(year)s",
    "Quarter %(quarter)s %(year)s": "Triwulan %(quarter)s %(year)s",
    "mentor %(name)s": "mentor %(name)s",
    "NIP (%(who)s)": "NIP (%(who)s)",
    "Export (CSV)": "Ekspor (CSV)",
    "Choose": "Pilih",
    "Nobody is below the right this year.": "Tidak ada yang di bawah hak tahun ini.",
    "Nominate the chosen for": "Usulkan yang dipilih untuk",
    "%(n)s seats left": "sisa %(n)s kursi",
    "Nominate": "Usulkan",
    "No program with seats left starts this year.": (
        "Tidak ada program dengan kursi tersisa yang dimulai tahun ini."
    ),
    "Choose the employees and the program.": "Pilih pegawai dan programnya.",
    "Below %(n)s JP in %(year)s": "Di bawah %(n)s JP pada %(year)s",
    "Nominated: %(who)s": "Diusulkan: %(who)s",
    "Not nominated: #%(id)s: %(why)s": "Tidak diusulkan: #%(id)s: %(why)s",
    "Predicate rule": "Aturan predikat",
}

FLASK_ADMIN = {
    "Home": "Beranda",
    "Name": "Nama",
    "Delete": "Hapus",
    "Edit": "Ubah",
    "equals": "sama dengan",
    "not equal": "tidak sama dengan",
    "contains": "mengandung",
    "not contains": "tidak mengandung",
    "greater than": "lebih dari",
    "smaller than": "kurang dari",
    "empty": "kosong",
    "in list": "dalam daftar",
    "not in list": "tidak dalam daftar",
    "not between": "tidak di antara",
    "between": "di antara",
    "Not a valid choice": "Pilihan tidak sah",
    "Failed to get model. %(error)s": "Gagal memuat data. %(error)s",
    "Failed to create record. %(error)s": "Gagal membuat data. %(error)s",
    "Failed to update record. %(error)s": "Gagal menyimpan data. %(error)s",
    "Failed to delete record. %(error)s": "Gagal menghapus data. %(error)s",
    "Are you sure you want to delete selected records?": "Yakin menghapus data yang dipilih?",
    "Failed to delete records. %(error)s": "Gagal menghapus data. %(error)s",
    "Key": "Kunci",
    "Value": "Nilai",
    "Already exists.": "Sudah ada.",
    "Integrity error. %(message)s": "Data tidak konsisten. %(message)s",
    "Invalid time format": "Format waktu tidak sah",
    "Invalid Choice: could not coerce": "Pilihan tidak sah",
    "Invalid JSON": "JSON tidak sah",
    "This field requires at least one item.": "Isian ini memerlukan paling sedikit satu butir.",
    "There are no items in the table.": "Tidak ada data.",
    "Invalid Filter Value: %(value)s": "Nilai saring tidak sah: %(value)s",
    "Record was successfully created.": "Data berhasil dibuat.",
    "Failed to create record.": "Gagal membuat data.",
    "Record does not exist.": "Data tidak ditemukan.",
    "Record was successfully saved.": "Data berhasil disimpan.",
    "Failed to save record.": "Gagal menyimpan data.",
    'Export type "%(type)s" is not supported.': 'Jenis ekspor "%(type)s" tidak didukung.',
    "Yes": "Ya",
    "No": "Tidak",
    "Please select model": "Pilih…",
    "View Record": "Lihat data",
    "Edit Record": "Ubah data",
    "Delete Record": "Hapus data",
    "With selected": "Untuk yang dipilih",
    "Save": "Simpan",
    "Cancel": "Batal",
    "Save and Add Another": "Simpan dan tambah lagi",
    "Save and Continue Editing": "Simpan dan lanjut mengubah",
    "Sort by %(name)s": "Urutkan menurut %(name)s",
    "List": "Daftar",
    "Create": "Buat",
    "Details": "Rincian",
    "Filter": "Saring",
    "Delete?": "Hapus?",
    "Are you sure you want to delete this record?": "Yakin menghapus data ini?",
    "New": "Baru",
    "Add": "Tambah",
    "Add Filter": "Tambah saringan",
    "Export": "Ekspor",
    "Apply": "Terapkan",
    "Reset Filters": "Hapus saringan",
    "%(placeholder)s": "%(placeholder)s",
    "Search": "Cari",
    "items": "butir",
    "Create New Record": "Buat data baru",
    "Select all records": "Pilih semua data",
    "Select record": "Pilih data",
    "Please select at least one record.": "Pilih paling sedikit satu data.",
    "Permission denied.": "Akses ditolak.",
}
OURS_PLURALS = {
    (
        "To protect the account, signing in is paused. Try again in %(num)s minute.",
        "To protect the account, signing in is paused. Try again in %(num)s minutes.",
    ): ("Untuk melindungi akun, proses masuk dihentikan sementara. Coba lagi dalam %(num)s menit.",)
}
FLASK_ADMIN_PLURALS = {
    ("Record was successfully deleted.", "%(count)s records were successfully deleted."): (
        "Data berhasil dihapus.",
    ),
    ("At least %(num)d item is required", "At least %(num)d items are required"): (
        "Paling sedikit %(num)d butir diperlukan",
    ),
    # The page sizes' menu names each size as its own text (Flask-Admin's page_size_options).
    ("20 item", "20 items"): ("20 butir",),
    ("50 item", "50 items"): ("50 butir",),
    ("100 item", "100 items"): ("100 butir",),
}

HERE = Path(__file__).resolve().parent / "translations" / "id" / "LC_MESSAGES"


def catalogues():
    """The two catalogues, as babel Catalog objects."""
    from babel.messages.catalog import Catalog

    ours = Catalog(locale="id", domain="messages", project="Alur")
    for msgid, msgstr in (OURS | OURS_PLURALS).items():
        ours.add(msgid, msgstr)
    theirs = Catalog(locale="id", domain="admin", project="Alur (Flask-Admin)")
    for msgid, msgstr in FLASK_ADMIN.items():
        theirs.add(msgid, msgstr)
    for msgid, msgstr in FLASK_ADMIN_PLURALS.items():
        # Flask-Babel merges Flask-Admin's own (empty) catalogue over this one, and with it
        # English's plural rule: the second form is the one asked for, so it is given too.
        theirs.add(msgid, (msgstr[0], msgstr[0]))
    return {"messages": ours, "admin": theirs}


def write(directory: Path = HERE) -> None:
    """Write the ``.po`` and ``.mo`` files."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import write_po

    directory.mkdir(parents=True, exist_ok=True)
    for domain, catalog in catalogues().items():
        with open(directory / f"{domain}.po", "wb") as po:
            write_po(po, catalog, omit_header=False, no_location=True, width=100)
        with open(directory / f"{domain}.mo", "wb") as mo:
            write_mo(mo, catalog)


if __name__ == "__main__":
    write()
