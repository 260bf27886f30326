"""Indonesian texts of the back office and of the libraries it shows, which ship no ``id``.

``python -m admin.i18n_id`` writes ``translations/id/LC_MESSAGES/<domain>.po`` for each domain
of ``catalogues()`` and compiles them to ``.mo``; a test checks the committed files are up to date.
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
    "The database is not available just now. Try again shortly.": (
        "Basis data sedang tidak tersedia. Coba lagi sebentar lagi."
    ),
    "The database is not available just now. Try again shortly; a step sent with an "
    "Idempotency-Key may be sent again with the same key.": (
        "Basis data sedang tidak tersedia. Coba lagi sebentar lagi; langkah yang dikirim "
        "dengan Idempotency-Key boleh dikirim lagi dengan kunci yang sama."
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
    # The sign-in, password and error pages (alur/templates/security, alur/templates/errors).
    "Workflows for the development of civil servants (ASN)": "Alur kerja pengembangan ASN",
    "Back to the home page": "Kembali ke beranda",
    "Sign in": "Masuk",
    "At least %(n)s characters.": "Paling sedikit %(n)s karakter.",
    "Current password": "Kata sandi saat ini",
    "For your security, enter your password again to continue.": (
        "Demi keamanan, masukkan kata sandi Anda sekali lagi untuk melanjutkan."
    ),
    "Log out of Alur?": "Keluar dari Alur?",
    "Access denied": "Akses ditolak",
    "Your account may not open this page.": "Akun Anda tidak berhak membuka halaman ini.",
    "Page not found": "Halaman tidak ditemukan",
    "The address may be mistyped, or the page has moved.": (
        "Alamatnya mungkin salah ketik, atau halamannya sudah dipindahkan."
    ),
    "Request not allowed": "Permintaan tidak diizinkan",
    "This page cannot be opened this way.": "Halaman ini tidak dapat dibuka dengan cara ini.",
    "Something went wrong": "Terjadi kesalahan",
    "The server met an error and has recorded it. Try again in a moment.": (
        "Server mengalami kesalahan dan sudah mencatatnya. Coba lagi sesaat lagi."
    ),
    "Error %(code)s": "Kesalahan %(code)s",
    "PNS (civil servant)": "PNS (Pegawai Negeri Sipil)",
    "PPPK (government employee with a work agreement)": (
        "PPPK (Pegawai Pemerintah dengan Perjanjian Kerja)"
    ),
    "Admin": "Admin",
    "Administrator: may act on every record (audited)": (
        "Administrator: dapat bertindak atas setiap data (diaudit)"
    ),
    "Annual": "Tahunan",
    "Quarter %(quarter)s": "Triwulan %(quarter)s",
    "Create": "Buat",
    "Employee (ASN): own records and self-assessment": (
        "Pegawai (ASN): data sendiri dan penilaian diri"
    ),
    "External system": "Sistem eksternal",
    "External system (e-Kinerja, learning platform, SIASN)": (
        "Sistem eksternal (e-Kinerja, platform pembelajaran, SIASN)"
    ),
    "HR officer (BKPSDM)": "Petugas kepegawaian (BKPSDM)",
    "HR officer (BKPSDM/BKD) of one agency": "Petugas kepegawaian (BKPSDM/BKD) satu instansi",
    "Supervisor": "Atasan",
    "Supervisor (atasan): reviews and approves subordinates' records": (
        "Atasan: memeriksa dan menyetujui data bawahan"
    ),
    "Yes": "Ya",
    "No": "Tidak",
    "accepted": "diterima",
    "duplicate": "duplikat",
    "refused": "ditolak",
    "back office": "back office",
    "command line": "baris perintah",
    "system": "sistem",
    "reminder": "pengingat",
    "escalation": "eskalasi",
    "Objection (keberatan)": "Keberatan",
    "Objected: %(reason)s": "Keberatan diajukan: %(reason)s",
    "The time to object ended %(time)s.": "Batas waktu keberatan berakhir %(time)s.",
    "The employee may object until %(time)s.": (
        "Pegawai dapat mengajukan keberatan sampai %(time)s."
    ),
    "Employee's name or NIP": "Nama atau NIP pegawai",
    "Reward recommendation (penghargaan)": "Usulan penghargaan",
    "Mentoring (bimbingan)": "Bimbingan (mentoring)",
    "Toggle navigation": "Buka atau tutup menu",
    "Data": "Data",
    "Give the e-mail address of your account: a link to set a new password is mailed to it.": (
        "Tulis alamat email akun Anda: tautan untuk membuat kata sandi baru dikirim ke sana."
    ),
    # performance periods
    "Performance periods": "Periode kinerja",
    "Quarterly": "Triwulanan",
    "Monthly": "Bulanan",
    "Quarter or month": "Triwulan atau bulan",
    "1 for a year; the quarter (1-4) or the month (1-12)": (
        "1 untuk setahun; triwulan ke (1-4) atau bulan ke (1-12)"
    ),
    "Left empty: from the year, the kind and the number": (
        "Bila kosong: menurut tahun, jenis dan nomornya"
    ),
    "SKP plans due": "Batas rencana SKP",
    "the start date": "tanggal mulai",
    "the SKP plans deadline": "batas rencana SKP",
    "the end date": "tanggal berakhir",
    "the realisation deadline": "batas realisasi",
    "Realisation due": "Batas realisasi",
    "Evaluation due": "Batas evaluasi",
    "Opened": "Dibuka",
    "Open": "Buka periode",
    "Choose the agency.": "Pilih instansinya.",
    "Open the selected periods? Every employee without an appraisal for it gets one "
    "(and, for a year, an SKP plan).": (
        "Buka periode yang dipilih? Setiap pegawai yang belum memiliki penilaian untuk "
        "periode itu akan dibuatkan (dan, untuk periode tahunan, SKP)."
    ),
    "Period #%(id)s: %(made)s SKP plans made, %(had)s had one already.": (
        "Periode #%(id)s: %(made)s SKP dibuat, %(had)s sudah memilikinya."
    ),
    "Period #%(id)s: %(made)s appraisals made, %(had)s had one already, %(left)s left out.": (
        "Periode #%(id)s: %(made)s penilaian dibuat, %(had)s sudah memilikinya, "
        "%(left)s tidak diikutkan."
    ),
    "Left out (no assessor or approver): %(who)s": (
        "Tidak diikutkan (tanpa pejabat penilai atau atasannya): %(who)s"
    ),
    "no supervisor in the org chart to assess them": (
        "tidak ada atasan dalam struktur organisasi sebagai pejabat penilai"
    ),
    "their supervisor has no supervisor to approve": (
        "atasannya tidak memiliki atasan sebagai atasan pejabat penilai"
    ),
    "the org chart names the same person twice in their chain": (
        "struktur organisasi menyebut orang yang sama dua kali dalam rantai atasannya"
    ),
    # printed documents and their check
    "Performance evaluation document": "Dokumen Evaluasi Kinerja Pegawai",
    "Employee appraised": "Pegawai yang dinilai",
    "Assessor (pejabat penilai kinerja)": "Pejabat penilai kinerja",
    "Assessor's superior (atasan pejabat penilai kinerja)": "Atasan pejabat penilai kinerja",
    "Evaluation": "Evaluasi",
    "Feedback": "Umpan balik",
    "Print the evaluation document (PDF)": "Cetak dokumen evaluasi kinerja (PDF)",
    "Scan the code, or open the address, to check that this document is the record as it stands:": (
        "Pindai kode ini, atau buka alamatnya, untuk memeriksa bahwa dokumen ini sesuai dengan "
        "catatan saat ini:"
    ),
    "Document check": "Pemeriksaan dokumen",
    "Valid: this document is the record as it stands.": (
        "Sah: dokumen ini sesuai dengan catatan saat ini."
    ),
    "No longer valid: the record has changed since this document was printed. Ask for the "
    "current one.": (
        "Tidak berlaku lagi: catatannya telah berubah sejak dokumen ini dicetak. Mintalah "
        "dokumen yang terbaru."
    ),
    "The record was changed outside Alur: this document cannot be vouched for. Ask the "
    "agency's HR office.": (
        "Catatan ini diubah di luar Alur: keaslian dokumen ini tidak dapat dijamin. Hubungi "
        "BKPSDM instansi."
    ),
    "This address belongs to no document issued by Alur: the document may be forged, or the "
    "address mistyped.": (
        "Alamat ini bukan milik dokumen yang diterbitkan Alur: dokumen mungkin palsu, atau "
        "alamatnya salah ketik."
    ),
    "Printed at the step of": "Dicetak pada langkah tanggal",
    # the SKP plan and its cascade
    "Performance plan (SKP)": "Sasaran Kinerja Pegawai",
    "Print the SKP (PDF)": "Cetak SKP (PDF)",
    "Supports (RHK of the assessor, or agency target)": (
        "RHK atasan yang diintervensi, atau sasaran instansi"
    ),
    "BerAKHLAK value": "Nilai BerAKHLAK",
    "Leader's expectations": "Ekspektasi pimpinan",
    "Document": "Dokumen",
    "The realisation was recorded.": "Realisasi telah dicatat.",
    "The evidence was attached.": "Bukti dukung telah dilampirkan.",
    "The feedback was saved.": "Umpan balik telah disimpan.",
    "The date is not a date (YYYY-MM-DD).": "Tanggal tidak sah (TTTT-BB-HH).",
    "Realisation and evidence": "Realisasi dan bukti dukung",
    "Realised": "Realisasi",
    "Evidence": "Bukti dukung",
    "evidence": "bukti dukung",
    "Nothing realised yet.": "Belum ada realisasi.",
    "Record a realisation": "Catat realisasi",
    "Save the realisation": "Simpan realisasi",
    "Narrative": "Uraian",
    "Realisation": "Realisasi",
    "Attach evidence": "Lampirkan bukti dukung",
    "Attach": "Lampirkan",
    "File (PDF, PNG or JPEG)": "Berkas (PDF, PNG, atau JPEG)",
    "Or a link (http:// or https://)": "Atau tautan (http:// atau https://)",
    "Feedback through the year": "Umpan balik sepanjang tahun",
    "No feedback yet.": "Belum ada umpan balik.",
    "Give feedback": "Beri umpan balik",
    "Feedback on": "Umpan balik atas",
    "Date (YYYY-MM-DD; blank: today)": "Tanggal (TTTT-BB-HH; kosong: hari ini)",
    "What the rating rests on": "Dasar penilaian",
    "The employee has no agreed SKP plan for this year.": (
        "Pegawai belum memiliki SKP yang disetujui untuk tahun ini."
    ),
    "Periodic results this year": "Hasil evaluasi periodik tahun ini",
    "The RHK were saved.": "RHK telah disimpan.",
    "Write the RHK": "Tulis RHK",
    "As the agency head, each main RHK names the agency target it serves.": (
        "Sebagai kepala instansi, setiap RHK utama menyebut sasaran instansi yang didukungnya."
    ),
    "Each main RHK supports an RHK of your assessor's agreed plan; an additional RHK "
    "supports none.": (
        "Setiap RHK utama mendukung RHK dalam SKP pejabat penilai Anda yang telah disetujui; "
        "RHK tambahan tidak mendukung RHK atasan."
    ),
    "Leave a row blank to drop it.": "Kosongkan baris untuk menghapusnya.",
    "RHK %(n)s": "RHK %(n)s",
    "Aspect": "Aspek",
    "Indicator": "Indikator",
    "Target": "Target",
    "Supports the assessor's RHK": "Mendukung RHK pejabat penilai",
    "Agency target it serves (the agency head's plan)": (
        "Sasaran instansi yang didukung (SKP kepala instansi)"
    ),
    "Back to the plan": "Kembali ke SKP",
    "SKP plan": "SKP",
    "SKP plans": "SKP",
    "Agency target: %(target)s": "Sasaran instansi: %(target)s",
    "Cascade": "Cascading",
    "Cascade of an RHK": "Cascading RHK",
    "Indicators and targets": "Indikator dan target",
    "Leader's expectations (BerAKHLAK)": "Ekspektasi pimpinan (BerAKHLAK)",
    "Leader's expectations per BerAKHLAK value": "Ekspektasi pimpinan per nilai BerAKHLAK",
    "Supports: %(rhk)s (%(who)s)": "Mendukung: %(rhk)s (%(who)s)",
    "What this result supports, up to the agency's target, and the results that support it.": (
        "Apa yang didukung hasil kerja ini, sampai sasaran instansi, dan hasil kerja yang "
        "mendukungnya."
    ),
    "Work result (RHK)": "Rencana hasil kerja (RHK)",
    "Work results (RHK)": "Rencana hasil kerja (RHK)",
    "additional (tambahan)": "tambahan",
    "main (utama)": "utama",
    "quantity (kuantitas)": "kuantitas",
    "quality (kualitas)": "kualitas",
    "time (waktu)": "waktu",
    "cost (biaya)": "biaya",
}

DASHBOARD = {
    "Records per state": "Jumlah data per status",
    "%(workflow)s: records per state": "%(workflow)s: jumlah data per status",
    "No records yet.": "Belum ada data.",
    "Records": "Jumlah data",
    "Overdue records by step": "Data terlambat per langkah",
    "Predikat of approved appraisals, %(period)s": (
        "Predikat penilaian kinerja yang disetujui, %(period)s"
    ),
    "No appraisals with a predikat yet.": "Belum ada penilaian kinerja dengan predikat.",
    "Share now": "Porsi saat ini",
    "Guidance range": "Rentang pola distribusi",
    "Employees with at least %(n)s JP in %(year)s, by work unit": (
        "Pegawai dengan paling sedikit %(n)s JP pada %(year)s, per unit kerja"
    ),
    "No employees in this agency yet.": "Belum ada pegawai di instansi ini.",
    "The %(shown)s work units with the lowest share, of %(all)s": (
        "%(shown)s unit kerja dengan porsi terendah, dari %(all)s"
    ),
    "Every work unit, the lowest share first": "Semua unit kerja, porsi terendah lebih dulu",
    "At least %(n)s JP": "Paling sedikit %(n)s JP",
    "No agency yet.": "Belum ada instansi.",
}

# Flask-Security-Too's texts (its domain ``flask_security``; it ships no ``id``): every one
# its login, re-authentication, password change and logout pages and their messages can
# show. The msgids are those of its flask_security.pot, exactly.
FLASK_SECURITY = {
    # pages, fields and buttons
    # password reset (lupa kata sandi) and the notices of a new password
    "Send password reset instructions": "Kirim petunjuk mengatur ulang kata sandi",
    "Reset password": "Atur ulang kata sandi",
    "Reset Password": "Atur Ulang Kata Sandi",
    "Recover Password": "Pulihkan Kata Sandi",
    "Use %(reset_link)s to reset your password.": (
        "Buka %(reset_link)s untuk mengatur ulang kata sandi Anda."
    ),
    'Use <a href="%(reset_link)s">this link</a> to reset your password.': (
        'Buka <a href="%(reset_link)s">tautan ini</a> untuk mengatur ulang kata sandi Anda.'
    ),
    "This link will expire in %(within)s.": "Tautan ini berlaku selama %(within)s.",
    "Your password has been changed.": "Kata sandi Anda telah diubah.",
    "If you did not change your password, click the link below to reset it.": (
        "Jika bukan Anda yang mengubahnya, buka tautan di bawah ini untuk mengatur ulang kata "
        "sandi."
    ),
    "Your password has been reset.": "Kata sandi Anda telah diatur ulang.",
    "Password reset instructions": "Petunjuk mengatur ulang kata sandi",
    "Your password has been reset": "Kata sandi Anda telah diatur ulang",
    "Your password has been changed": "Kata sandi Anda telah diubah",
    "Instructions to reset your password have been sent to %(email)s.": (
        "Petunjuk mengatur ulang kata sandi telah dikirim ke %(email)s."
    ),
    "You did not reset your password within %(within)s. ": (
        "Anda tidak mengatur ulang kata sandi dalam %(within)s. "
    ),
    "Invalid reset password token.": "Tautan pengaturan ulang kata sandi tidak sah.",
    "If that email address is in our system, you will receive an email describing how to "
    "reset your password.": (
        "Jika alamat email itu terdaftar, Anda akan menerima email berisi cara mengatur ulang "
        "kata sandi."
    ),
    "You successfully reset your password. Please authenticate using your new password.": (
        "Kata sandi Anda berhasil diatur ulang. Silakan masuk dengan kata sandi baru."
    ),
    "You successfully reset your password and you have been logged in automatically.": (
        "Kata sandi Anda berhasil diatur ulang dan Anda sudah masuk."
    ),
    "Login": "Masuk",
    "Sign In": "Masuk",
    "Email Address": "Alamat email",
    "Password": "Kata sandi",
    "Remember Me": "Ingat saya",
    "Change Password": "Ubah kata sandi",
    "New Password": "Kata sandi baru",
    "Retype Password": "Ulangi kata sandi baru",
    "You do not currently have a password - this will add one.": (
        "Anda belum memiliki kata sandi; kata sandi ini akan ditambahkan."
    ),
    "Reauthenticate": "Autentikasi ulang",
    "Verify Password": "Verifikasi kata sandi",
    "Confirm Sign Out": "Konfirmasi keluar",
    "Submit": "Kirim",
    "Menu": "Menu",
    "or": "atau",
    "Error(s)": "Kesalahan",
    "Forgot password?": "Lupa kata sandi?",
    # messages (SECURITY_MSG_*)
    "Authentication failed - identity or password/passcode invalid": (
        "Email atau kata sandi salah."
    ),
    "Specified user does not exist": "Pengguna tidak ditemukan",
    "Invalid password": "Kata sandi salah",
    "Account is disabled.": "Akun dinonaktifkan.",
    "Email not provided": "Email belum diisi",
    "Invalid email address": "Alamat email tidak sah",
    "Password not provided": "Kata sandi belum diisi",
    "Password must be at least %(length)s characters": (
        "Kata sandi paling sedikit %(length)s karakter"
    ),
    "Password not complex enough": "Kata sandi terlalu mudah ditebak",
    "Password on breached list": "Kata sandi ini ada dalam daftar kata sandi yang bocor",
    "Failed to contact breached passwords site": (
        "Gagal menghubungi layanan pemeriksa kata sandi yang bocor"
    ),
    "Passwords do not match": "Kata sandi tidak sama",
    "Password does not match": "Kata sandi tidak cocok",
    "Your new password must be different than your previous password.": (
        "Kata sandi baru harus berbeda dari kata sandi sebelumnya."
    ),
    "You successfully changed your password.": "Kata sandi berhasil diubah.",
    "Value entered is not valid for the field": "Nilai yang diisi tidak sah untuk isian ini",
    "Input not appropriate for requested API": "Masukan tidak sesuai untuk API yang diminta",
    "Redirections outside the domain are forbidden": (
        "Pengalihan ke luar situs ini tidak diizinkan"
    ),
    "Please log in to access this page.": "Silakan masuk untuk membuka halaman ini.",
    "You must sign in to view this resource.": "Silakan masuk untuk membuka halaman ini.",
    "You do not have permission to view this resource.": "Anda tidak berhak membuka halaman ini.",
    "Please reauthenticate to access this page.": (
        "Masukkan kata sandi Anda sekali lagi untuk membuka halaman ini."
    ),
    "You must reauthenticate to access this endpoint": (
        "Masukkan kata sandi Anda sekali lagi untuk membuka halaman ini."
    ),
    "Reauthentication successful": "Autentikasi ulang berhasil",
    "You can only access this endpoint when not logged in.": (
        "Halaman ini hanya dapat dibuka sebelum masuk."
    ),
}

# Notifications: the bell, the list, the settings and the mails (admin/mail.py).
NOTIFICATIONS = {
    "%(what)s awaits your action: %(who)s": "%(what)s menunggu tindakan Anda: %(who)s",
    "%(what)s has waited too long: %(who)s": "%(what)s sudah terlalu lama menunggu: %(who)s",
    "%(what)s is %(state)s: %(who)s": "%(what)s %(state)s: %(who)s",
    "%(what)s is due soon: %(who)s": "%(what)s segera jatuh tempo: %(who)s",
    "%(what)s was returned for revision: %(who)s": (
        "%(what)s dikembalikan untuk diperbaiki: %(who)s"
    ),
    "All your notifications": "Semua pemberitahuan Anda",
    "All your notifications:": "Semua pemberitahuan Anda:",
    "At once (segera)": "Segera",
    "Daily digest (ringkasan harian)": "Ringkasan harian",
    "Dear %(name)s,": "Yth. %(name)s,",
    "Decided": "Diputuskan",
    "Due soon": "Segera jatuh tempo",
    "Escalated": "Dieskalasi",
    "How I am mailed": "Pengaturan email saya",
    "How you are mailed": "Pengaturan email Anda",
    "How you are mailed (at once, a daily digest, or not at all):": (
        "Pengaturan email Anda (segera, ringkasan harian, atau tidak sama sekali):"
    ),
    "Many items wait for you: a daily digest sends one mail a day instead of one per item.": (
        "Banyak hal menunggu Anda: ringkasan harian mengirim satu email sehari, bukan satu per hal."
    ),
    "Mark all read": "Tandai semua sudah dibaca",
    "Mark read": "Tandai sudah dibaca",
    "Marked read: %(n)d": "Ditandai sudah dibaca: %(n)d",
    "No mail server is configured (ALUR_MAIL_SERVER): notifications are shown here, and no "
    "mail is sent until one is.": (
        "Server email belum diatur (ALUR_MAIL_SERVER): pemberitahuan tampil di sini, dan "
        "tidak ada email yang dikirim sampai server diatur."
    ),
    "Nothing yet: you are told here when something waits for you.": (
        "Belum ada: Anda diberi tahu di sini bila ada yang menunggu Anda."
    ),
    "Notifications": "Pemberitahuan",
    "Off (in the back office only)": "Mati (hanya di back office)",
    "Open it": "Buka",
    "Open it:": "Buka:",
    "Returned to me": "Dikembalikan kepada saya",
    "Whatever you choose, every notification is shown in the back office.": (
        "Apa pun pilihan Anda, setiap pemberitahuan tetap tampil di back office."
    ),
    "Your notification settings are saved.": "Pengaturan pemberitahuan Anda disimpan.",
    "unread": "belum dibaca",
    "You act for %(who)s as %(kind)s from %(start)s to %(end)s": (
        "Anda menjadi %(kind)s untuk %(who)s dari %(start)s sampai %(end)s"
    ),
    "You were named an acting official (Plt/Plh)": "Anda ditunjuk sebagai Plt/Plh",
    "A webhook delivery failed for good: %(url)s (delivery %(id)s)": (
        "Pengiriman webhook gagal permanen: %(url)s (pengiriman %(id)s)"
    ),
    "Acting appointments (Plt/Plh)": "Penunjukan Plt/Plh",
    "Failed webhook deliveries (admins)": "Pengiriman webhook yang gagal (admin)",
    "Audit log checks that failed (admins)": "Pemeriksaan log audit yang gagal (admin)",
    "The audit log verify found %(n)d problems; the first: %(problem)s": (
        "Verifikasi log audit menemukan %(n)d masalah; yang pertama: %(problem)s"
    ),
    "An audit checkpoint could not be written: the logs or the archive changed; "
    "run 'flask audit verify'": (
        "Checkpoint audit tidak dapat ditulis: log atau arsipnya berubah; "
        "jalankan 'flask audit verify'"
    ),
    "Your daily digest: %(n)d items": "Ringkasan harian Anda: %(n)d hal",
    "What you were told today:": "Pemberitahuan untuk Anda hari ini:",
    "you may change only your own preferences": "Anda hanya boleh mengubah pengaturan Anda sendiri",
    "unknown language": "bahasa tidak dikenal",
    "notification": "pemberitahuan",
    "notification setting": "pengaturan pemberitahuan",
    "invalid notification settings": "pengaturan pemberitahuan tidak valid",
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
    ("… and %(num)d more RHK below.", "… and %(num)d more RHK below."): (
        "… dan %(num)d RHK lain di bawahnya.",
    ),
    (
        "%(num)d more RHK below, in a plan you may not see.",
        "%(num)d more RHK below, in plans you may not see.",
    ): ("%(num)d RHK lain di bawahnya, dalam SKP yang tidak dapat Anda lihat.",),
    (
        "To protect the account, signing in is paused. Try again in %(num)s minute.",
        "To protect the account, signing in is paused. Try again in %(num)s minutes.",
    ): (
        "Untuk melindungi akun, proses masuk dihentikan sementara. Coba lagi dalam %(num)s menit.",
    ),
}
# The core's refusals (``workflow.errors``: templates whose parameters are shown by their
# labels, ``admin.refusals``) and the words they name.
REFUSALS = {
    # who judges one's work is not one's own choice
    "nobody names the officials of a record about themselves": (
        "tidak seorang pun menunjuk pejabat atas data tentang dirinya sendiri"
    ),
    "Another HR officer or an admin names the officials of your own record.": (
        "Pejabat atas data Anda sendiri ditunjuk oleh pengelola kepegawaian lain atau admin."
    ),
    "Must not be blank.": "Tidak boleh kosong.",
    # SKP plans from a spreadsheet
    "the header must be: %(columns)s": "baris judul harus: %(columns)s",
    "Wrong header.": "Baris judul salah.",
    "a file holds at most %(n)s rows": "satu berkas paling banyak %(n)s baris",
    "Too many rows.": "Terlalu banyak baris.",
    # an agreed plan through its year: realisations, evidence, feedback
    "%(field)s is required": "%(field)s wajib diisi",
    "Required.": "Wajib diisi.",
    "invalid %(field)s": "%(field)s tidak valid",
    "Must be text.": "Harus berupa teks.",
    "At most %(n)s characters.": "Paling banyak %(n)s karakter.",
    "invalid period": "periode tidak valid",
    "no SKP plan %(id)s": "tidak ada SKP %(id)s",
    "no RHK %(id)s": "tidak ada RHK %(id)s",
    "no realisation %(id)s": "tidak ada realisasi %(id)s",
    "no evidence %(id)s": "tidak ada bukti dukung %(id)s",
    "no evidence file %(id)s": "tidak ada berkas bukti dukung %(id)s",
    "the plan is %(state)s: its RHK are realised, and feedback given, once it is agreed": (
        "SKP berstatus %(state)s: realisasi RHK dan umpan balik diberikan setelah SKP disetujui"
    ),
    "a realisation takes at most %(n)s pieces of evidence": (
        "satu realisasi paling banyak memiliki %(n)s bukti dukung"
    ),
    "the file is empty": "berkas kosong",
    "The file is empty.": "Berkas kosong.",
    "the file is too large": "berkas terlalu besar",
    "At most %(n)s KiB.": "Paling besar %(n)s KiB.",
    "the file is not a PDF or an image": "berkas bukan PDF atau gambar",
    "Only PDF, PNG or JPEG files are taken; this one is none of them.": (
        "Hanya berkas PDF, PNG, atau JPEG yang diterima; berkas ini bukan salah satunya."
    ),
    "invalid link": "tautan tidak valid",
    "An http:// or https:// address.": "Alamat http:// atau https://.",
    "the evidence file is missing from the store": "berkas bukti dukung tidak ada di penyimpanan",
    "the stored evidence file is not the one recorded: changed outside Alur": (
        "berkas bukti dukung yang tersimpan bukan yang tercatat: diubah di luar Alur"
    ),
    "feedback is on one RHK or one BerAKHLAK value": (
        "umpan balik diberikan atas satu RHK atau satu nilai BerAKHLAK"
    ),
    "Name one RHK or one BerAKHLAK value, not both.": (
        "Sebut satu RHK atau satu nilai BerAKHLAK, bukan keduanya."
    ),
    "no such RHK in this plan": "RHK itu tidak ada dalam SKP ini",
    "No RHK %(id)s in this plan.": "Tidak ada RHK %(id)s dalam SKP ini.",
    "unknown BerAKHLAK value": "nilai BerAKHLAK tidak dikenal",
    "invalid date": "tanggal tidak valid",
    "A day of %(year)s or after it, not after today.": (
        "Tanggal pada tahun %(year)s atau sesudahnya, tidak melewati hari ini."
    ),
    # the SKP plan's RHK (PermenPANRB 6/2022's cascading)
    "the plan's RHK are not right": "RHK dalam SKP belum benar",
    "the plan cannot go on: each main RHK must support an RHK of the assessor's agreed plan "
    "(the agency head's: an agency target), and each RHK needs an indicator with a target": (
        "SKP belum dapat dilanjutkan: setiap RHK utama harus mendukung RHK dalam SKP pejabat "
        "penilai yang telah disetujui (RHK kepala instansi: sasaran instansi), dan setiap RHK "
        "memerlukan indikator dengan target"
    ),
    "A plan needs at least one main RHK (RHK utama).": (
        "SKP memerlukan paling sedikit satu RHK utama."
    ),
    "Say what result this RHK is.": "Tuliskan hasil kerja yang direncanakan.",
    "An additional RHK cites nothing: drop its cited RHK and agency target.": (
        "RHK tambahan tidak merujuk apa pun: hapus RHK atasan dan sasaran instansinya."
    ),
    "It has no indicator with a target.": "Belum ada indikator dengan target.",
    "A main RHK supports either the assessor's RHK or an agency target.": (
        "RHK utama mendukung RHK pejabat penilai atau sasaran instansi, bukan keduanya."
    ),
    "Only the agency head's plan serves the agency's targets directly; cite an RHK of your "
    "assessor's agreed plan.": (
        "Hanya SKP kepala instansi yang langsung mendukung sasaran instansi; rujuk RHK dalam SKP "
        "pejabat penilai Anda yang telah disetujui."
    ),
    "It cites an RHK that is not in the assessor's agreed plan for %(year)s.": (
        "RHK yang dirujuk tidak ada dalam SKP pejabat penilai tahun %(year)s yang telah disetujui."
    ),
    "No RHK %(id)s in the assessor's agreed plan for %(year)s.": (
        "Tidak ada RHK %(id)s dalam SKP pejabat penilai tahun %(year)s yang telah disetujui."
    ),
    "It names no agency target that it serves.": "Belum menyebut sasaran instansi yang didukung.",
    "It cites no RHK of the assessor's agreed plan for %(year)s.": (
        "Belum merujuk RHK dalam SKP pejabat penilai tahun %(year)s yang telah disetujui."
    ),
    "nobody agrees their own plan": "tidak seorang pun menyetujui SKP-nya sendiri",
    "The assessor must be someone other than the employee.": (
        "Pejabat penilai harus orang lain, bukan pegawai itu sendiri."
    ),
    # steps
    "%(trigger)s is not possible while the %(workflow)s is %(state)s": (
        "%(trigger)s tidak dapat dilakukan selama %(workflow)s berstatus %(state)s"
    ),
    "%(trigger)s is not possible while the %(workflow)s is %(state)s; you may: %(allowed)s": (
        "%(trigger)s tidak dapat dilakukan selama %(workflow)s berstatus %(state)s; "
        "yang dapat Anda lakukan: %(allowed)s"
    ),
    "%(trigger)s is not a trigger of %(workflow)s": "%(trigger)s bukan langkah %(workflow)s",
    "%(trigger)s is not a trigger of %(workflow)s; you may: %(allowed)s": (
        "%(trigger)s bukan langkah %(workflow)s; yang dapat Anda lakukan: %(allowed)s"
    ),
    "%(trigger)s may be done by: %(parties)s": (
        "%(trigger)s hanya dapat dilakukan oleh: %(parties)s"
    ),
    "%(trigger)s needs a reason": "%(trigger)s memerlukan alasan",
    "%(trigger)s takes no data": "%(trigger)s tidak menerima data",
    "%(trigger)s takes no data.": "%(trigger)s tidak menerima data.",
    "%(trigger)s was refused": "%(trigger)s ditolak",
    "%(workflow)s %(id)s does not exist": "%(workflow)s %(id)s tidak ada",
    "%(workflow)s %(id)s has changed since you read it (version %(expected)s, now "
    "%(actual)s); reload and try again": (
        "%(workflow)s %(id)s telah berubah sejak Anda membukanya (versi %(expected)s, kini "
        "%(actual)s); muat ulang lalu coba lagi"
    ),
    "%(workflow)s %(id)s was changed by someone else; reload and try again": (
        "%(workflow)s %(id)s telah diubah orang lain; muat ulang lalu coba lagi"
    ),
    "this %(workflow)s conflicts with an existing open one for the same person and subject": (
        "%(workflow)s ini bertabrakan dengan yang masih terbuka untuk orang dan hal yang sama"
    ),
    "you may not create this %(workflow)s; it may be created by: %(parties)s": (
        "Anda tidak boleh membuat %(workflow)s ini; yang boleh membuatnya: %(parties)s"
    ),
    "you may not change this %(workflow)s; it may be changed by: %(parties)s": (
        "Anda tidak boleh mengubah %(workflow)s ini; yang boleh mengubahnya: %(parties)s"
    ),
    "a %(workflow)s can be changed only while %(editable)s; it is %(state)s": (
        "%(workflow)s hanya dapat diubah selama berstatus %(editable)s; kini %(state)s"
    ),
    "you may not %(trigger)s a record about yourself": (
        "Anda tidak boleh melakukan %(trigger)s pada data tentang diri Anda sendiri"
    ),
    "you reviewed this record, so someone else must %(trigger)s it": (
        "Anda yang menilai data ini, jadi orang lain yang harus melakukan %(trigger)s"
    ),
    "this account is deactivated": "akun ini dinonaktifkan",
    "only the system itself may act without a user": (
        "hanya sistem sendiri yang boleh bertindak tanpa pengguna"
    ),
    "one cannot act for oneself": "seseorang tidak dapat mewakili dirinya sendiri",
    "an objection must be made within %(days)s days of the approval": (
        "keberatan harus diajukan dalam %(days)s hari setelah persetujuan"
    ),
    "data for %(step)s": "data untuk %(step)s",
    " or ": " atau ",
    "data": "data",
    "%(workflow)s data": "data %(workflow)s",
    "changes to the %(workflow)s": "perubahan %(workflow)s",
    "the form": "formulir",
    # data
    "invalid %(what)s": "%(what)s tidak valid",
    "%(what)s must be an object": "%(what)s harus berupa objek",
    "Must be an object.": "Harus berupa objek.",
    "A reason is required.": "Alasan wajib diisi.",
    "Give at least one field.": "Isi paling sedikit satu isian.",
    "nothing to change": "tidak ada yang diubah",
    "unknown %(what)s": "%(what)s tidak dikenal",
    "No %(what)s with id %(id)s.": "Tidak ada %(what)s dengan id %(id)s.",
    "%(what)s %(id)s does not exist": "%(what)s %(id)s tidak ada",
    "no %(what)s %(id)s in this agency": "tidak ada %(what)s %(id)s di instansi ini",
    "No %(what)s %(id)s in this agency.": "Tidak ada %(what)s %(id)s di instansi ini.",
    "unknown workflow %(name)r": "alur kerja %(name)r tidak dikenal",
    "Must not contain NUL characters.": "Tidak boleh memuat karakter NUL.",
    "A behaviour rating above or below expectations names the BerAKHLAK value(s) it is "
    "about, with feedback.": (
        "Penilaian perilaku di atas atau di bawah ekspektasi menyebut nilai BerAKHLAK yang "
        "dimaksud, dengan umpan balik."
    ),
    "Must not be before start_date.": "Tidak boleh sebelum tanggal mulai.",
    "Must not be before starts_on.": "Tidak boleh sebelum tanggal mulai.",
    "the period ends before it starts": "periode berakhir sebelum dimulai",
    # the policy
    "you may not delete this %(what)s": "Anda tidak boleh menghapus %(what)s ini",
    "you may only add a %(what)s to your own agency": (
        "Anda hanya boleh menambah %(what)s di instansi Anda sendiri"
    ),
    "you may not %(action)s this %(what)s": "Anda tidak boleh %(action)s %(what)s ini",
    "a record with the same unique value (code or NIP) already exists": (
        "sudah ada data dengan nilai unik yang sama (kode atau NIP)"
    ),
    "the record is still referenced by other records; it cannot be deleted": (
        "data ini masih dirujuk data lain; tidak dapat dihapus"
    ),
    "a referenced record does not exist, or belongs to another agency": (
        "data yang dirujuk tidak ada, atau milik instansi lain"
    ),
    "A referenced record does not exist or is in another agency.": (
        "Data yang dirujuk tidak ada atau berada di instansi lain."
    ),
    "the change breaks a rule of the data": "perubahan ini melanggar aturan data",
    "The values break a rule of the data.": "Nilai-nilai ini melanggar aturan data.",
    # officials (PermenPANRB 6/2022: who assesses whom)
    "%(fields)s only go with %(names)s": "%(fields)s hanya diisi bersama %(names)s",
    "Only when naming %(names)s.": "Hanya saat menunjuk %(names)s.",
    "who acts on this record comes from the supervisor chain; only the agency's HR officer "
    "or an admin may name someone else": (
        "pejabat untuk data ini diambil dari rantai atasan; hanya petugas kepegawaian "
        "instansi atau admin yang boleh menunjuk orang lain"
    ),
    "Taken from the supervisor chain (atasan langsung): you may not choose it; only the "
    "agency's HR officer or an admin may name another.": (
        "Diambil dari rantai atasan langsung: Anda tidak boleh memilihnya; hanya petugas "
        "kepegawaian instansi atau admin yang boleh menunjuk orang lain."
    ),
    "naming the officials needs a reason": "penunjukan pejabat memerlukan alasan",
    "Required when naming %(names)s: say why not the supervisor chain.": (
        "Wajib saat menunjuk %(names)s: jelaskan mengapa tidak dari rantai atasan."
    ),
    "only an admin may name people of another agency": (
        "hanya admin yang boleh menunjuk pegawai instansi lain"
    ),
    "Only an admin may name people of another agency.": (
        "Hanya admin yang boleh menunjuk pegawai instansi lain."
    ),
    "no such employee in this agency": "pegawai tersebut tidak ada di instansi ini",
    "Employee %(id)s does not exist or is not in this agency.": (
        "Pegawai %(id)s tidak ada atau bukan pegawai instansi ini."
    ),
    "%(whose)s has no superior on record": "%(whose)s tidak memiliki atasan yang tercatat",
    "%(whose)s has no superior (atasan) on record: the agency's HR officer must name the "
    "%(role)s.": (
        "%(whose)s tidak memiliki atasan yang tercatat: petugas kepegawaian instansi harus "
        "menunjuk %(role)s."
    ),
    "the employee, the assessor and the approver must be three different people": (
        "pegawai, pejabat penilai kinerja, dan atasannya harus tiga orang yang berbeda"
    ),
    "Employee, assessor and approver must all differ.": (
        "Pegawai, pejabat penilai kinerja, dan atasannya harus berbeda."
    ),
    # organisation
    "choose the agency the program is for": "pilih instansi pemilik program",
    "Choose your agency: a program of no agency is national.": (
        "Pilih instansi Anda: program tanpa instansi adalah program nasional."
    ),
    "an employee cannot be their own supervisor": (
        "pegawai tidak dapat menjadi atasan dirinya sendiri"
    ),
    "Must not be the employee themselves.": "Tidak boleh pegawai itu sendiri.",
    "the supervisor chain would loop back to the employee": (
        "rantai atasan akan berputar kembali ke pegawai ini"
    ),
    "The chain of supervisors would loop.": "Rantai atasan akan berputar.",
    "invalid development budget": "anggaran pengembangan tidak valid",
    "Between 0 and %(most)s rupiah.": "Antara 0 dan %(most)s rupiah.",
    "a holiday needs its date": "hari libur memerlukan tanggal",
    "A date (YYYY-MM-DD).": "Tanggal (TTTT-BB-HH).",
    "a holiday needs a name": "hari libur memerlukan nama",
    "1 to 200 characters.": "1 sampai 200 karakter.",
    "invalid training program": "program pelatihan tidak valid",
    "One of: %(codes)s.": "Salah satu dari: %(codes)s.",
    "Not below what is committed already (%(n)s rupiah).": (
        "Tidak boleh kurang dari yang sudah terpakai (%(n)s rupiah)."
    ),
    "annual, Q1..Q4 or M01..M12.": "Tahunan (annual), Q1..Q4 atau M01..M12.",
    "Between 2000 and 2100.": "Antara 2000 dan 2100.",
    "Between 1 and 1000.": "Antara 1 dan 1000.",
    "Between 1 and 1000000.": "Antara 1 dan 1000000.",
    "A start and an end date (YYYY-MM-DD).": "Tanggal mulai dan selesai (TTTT-BB-HH).",
    "Not below the seats taken already (%(n)s).": (
        "Tidak boleh kurang dari kursi yang sudah terisi (%(n)s)."
    ),
    "invalid organisation rating": "predikat kinerja organisasi tidak valid",
    "no agency %(id)s": "tidak ada instansi %(id)s",
    "an agency's rating is recorded by its HR officers or an admin": (
        "predikat instansi dicatat oleh petugas kepegawaiannya atau admin"
    ),
    "status must be one of PNS, PPPK; got %(status)r": (
        "status harus PNS atau PPPK; yang diisi %(status)r"
    ),
    "%(rank)r is not a %(status)s rank; valid: %(valid)s": (
        "%(rank)r bukan golongan %(status)s; yang berlaku: %(valid)s"
    ),
    # NIP (Peraturan BKN: the 18 digits of a civil servant's number)
    "NIP must be a string of 18 digits": "NIP harus berupa 18 angka",
    "NIP is required: 18 digits": "NIP wajib diisi: 18 angka",
    "NIP must contain digits only, got %(raw)r": "NIP hanya boleh berisi angka, bukan %(raw)r",
    "NIP must have 18 digits, got %(n)s": "NIP harus 18 angka, bukan %(n)s",
    "NIP digits 1-8 must be a birth date YYYYMMDD; %(digits)s is not a valid date": (
        "Angka 1-8 NIP adalah tanggal lahir TTTTBBHH; %(digits)s bukan tanggal yang sah"
    ),
    "NIP birth date %(born)s is not plausible": "Tanggal lahir pada NIP (%(born)s) tidak wajar",
    "NIP digits 9-14 must be the TMT as YYYYMM; month %(month)s is invalid": (
        "Angka 9-14 NIP adalah TMT TTTTBB; bulan %(month)s tidak sah"
    ),
    "NIP TMT %(tmt)s is before the holder turned %(age)s (born %(born)s)": (
        "TMT pada NIP (%(tmt)s) sebelum pemiliknya berusia %(age)s tahun (lahir %(born)s)"
    ),
    "NIP TMT %(tmt)s lies too far in the future": (
        "TMT pada NIP (%(tmt)s) terlalu jauh di masa depan"
    ),
    "NIP digit 15 is the gender (1 male, 2 female), got %(digit)s": (
        "Angka ke-15 NIP adalah jenis kelamin (1 laki-laki, 2 perempuan), bukan %(digit)s"
    ),
    "NIP digits 16-18 are a sequence number starting at 001, got 000": (
        "Angka 16-18 NIP adalah nomor urut mulai 001, bukan 000"
    ),
    # seats and budgets
    "program %(code)s has %(left)s seat(s) left, not %(count)s": (
        "program %(code)s tinggal %(left)s kursi, tidak cukup untuk %(count)s"
    ),
    "program %(code)s has no seat left: all %(quota)s are taken": (
        "kursi program %(code)s habis: semua %(quota)s sudah terisi"
    ),
    "the agency has no development budget for %(year)s": (
        "instansi belum memiliki anggaran pengembangan kompetensi tahun %(year)s"
    ),
    "the %(year)s development budget cannot cover %(cost)s: %(left)s of %(amount)s is left": (
        "anggaran pengembangan %(year)s tidak cukup untuk %(cost)s: tersisa %(left)s dari "
        "%(amount)s"
    ),
    "choose the employees to nominate": "pilih pegawai yang diusulkan",
    "Between 1 and %(most)s employees.": "Antara 1 dan %(most)s pegawai.",
    "no training program %(id)s": "tidak ada program pelatihan %(id)s",
    "no employee %(id)s": "tidak ada pegawai %(id)s",
    # mentoring
    "the mentor cannot be the mentee": "mentor tidak boleh sama dengan mentee",
    "Must differ from mentee_id.": "Harus berbeda dari mentee.",
    "the mentor must be more senior than the mentee: %(mentor)s is %(mentor_rank)s (TMT "
    "%(mentor_tmt)s), %(mentee)s is %(mentee_rank)s (TMT %(mentee_tmt)s)": (
        "mentor harus lebih senior daripada mentee: %(mentor)s golongan %(mentor_rank)s (TMT "
        "%(mentor_tmt)s), %(mentee)s golongan %(mentee_rank)s (TMT %(mentee_tmt)s)"
    ),
    "Must be of a higher rank, or of the same rank with longer service.": (
        "Harus bergolongan lebih tinggi, atau segolongan dengan masa kerja lebih lama."
    ),
    "the mentor already guides %(limit)s mentees, the most allowed at once": (
        "mentor sudah membimbing %(limit)s mentee, batas terbanyak sekaligus"
    ),
    # delegations (Plt/Plh)
    "kind must be Plt or Plh": "jenis harus Plt atau Plh",
    "Plt or Plh.": "Plt atau Plh.",
    "Must differ from principal_id.": "Harus berbeda dari pejabat yang diwakili.",
    "no employee %(id)s in this agency": "tidak ada pegawai %(id)s di instansi ini",
    "No employee %(id)s in this agency.": "Tidak ada pegawai %(id)s di instansi ini.",
    "no delegation %(id)s": "tidak ada pelimpahan %(id)s",
    # tokens and webhooks
    "a token's name is 1 to %(most)s printable characters": (
        "nama token 1 sampai %(most)s karakter yang dapat dicetak"
    ),
    "%(email)s is deactivated": "%(email)s dinonaktifkan",
    "deactivated": "dinonaktifkan",
    "API token %(id)s does not exist": "token API %(id)s tidak ada",
    "no delivery %(ids)s": "tidak ada pengiriman %(ids)s",
    "no subscription %(id)s": "tidak ada langganan %(id)s",
    "subscription %(id)s is disabled; enable it first": (
        "langganan %(id)s nonaktif; aktifkan dahulu"
    ),
    "subscription %(id)s is disabled (%(why)s); enable it first": (
        "langganan %(id)s nonaktif (%(why)s); aktifkan dahulu"
    ),
    "delivery %(delivery)s: subscription %(id)s is disabled; enable it first": (
        "pengiriman %(delivery)s: langganan %(id)s nonaktif; aktifkan dahulu"
    ),
    "delivery %(delivery)s: subscription %(id)s is disabled (%(why)s); enable it first": (
        "pengiriman %(delivery)s: langganan %(id)s nonaktif (%(why)s); aktifkan dahulu"
    ),
    "%(grant)r: no workflow %(workflow)r; one of %(known)s": (
        "%(grant)r: tidak ada alur kerja %(workflow)r; pilih salah satu: %(known)s"
    ),
    "%(grant)r: no trigger %(trigger)r; one of %(known)s": (
        "%(grant)r: tidak ada langkah %(trigger)r; pilih salah satu: %(known)s"
    ),
    "%(grant)r may not be done by an external system": (
        "%(grant)r tidak boleh dilakukan oleh sistem eksternal"
    ),
    "%(grant)r may not be done by an external system; %(workflow)s allows: %(doable)s": (
        "%(grant)r tidak boleh dilakukan oleh sistem eksternal; %(workflow)s mengizinkan: "
        "%(doable)s"
    ),
    "%(pattern)r: no workflow %(workflow)r; use '*', 'audit.checkpoint', '<workflow>.*' or "
    "'<workflow>.<state>' with one of %(known)s": (
        "%(pattern)r: tidak ada alur kerja %(workflow)r; gunakan '*', 'audit.checkpoint', "
        "'<workflow>.*' atau '<workflow>.<state>' dengan salah satu dari %(known)s"
    ),
    "%(pattern)r: no state %(state)r; one of %(known)s": (
        "%(pattern)r: tidak ada status %(state)r; pilih salah satu: %(known)s"
    ),
    "%(url)r is not an http:// or https:// URL": "%(url)r bukan URL http:// atau https://",
    "%(url)r: the port is not a number from 0 to 65535": (
        "%(url)r: port bukan angka 0 sampai 65535"
    ),
    "%(url)r: give a host name, without user or password": (
        "%(url)r: tulis nama host, tanpa pengguna atau kata sandi"
    ),
    "%(url)r: %(named)s is %(why)s; subscriptions must reach a public address (set "
    "ALUR_WEBHOOK_ALLOW_PRIVATE=true to allow it, e.g. for a demo)": (
        "%(url)r: %(named)s adalah %(why)s; langganan harus menuju alamat publik (setel "
        "ALUR_WEBHOOK_ALLOW_PRIVATE=true untuk mengizinkannya, misalnya untuk demo)"
    ),
    "an unspecified address": "alamat tak tentu",
    "a loopback address": "alamat loopback",
    "a link-local address (such as a cloud metadata service)": (
        "alamat link-local (seperti layanan metadata cloud)"
    ),
    "a multicast address": "alamat multicast",
    "a private address": "alamat privat",
    "a reserved address": "alamat yang dicadangkan",
    "not a public address": "bukan alamat publik",
    "%(host)s did not resolve within %(seconds)s s": (
        "%(host)s tidak dapat di-resolve dalam %(seconds)s detik"
    ),
    "%(host)s does not resolve to any address": "%(host)s tidak mengarah ke alamat mana pun",
    "%(name)r: a client name is 2 to 63 lowercase letters, digits or dashes (it is part of "
    "the webhook URL)": (
        "%(name)r: nama klien 2 sampai 63 huruf kecil, angka, atau tanda hubung (bagian dari "
        "URL webhook)"
    ),
    "grant the client at least one <workflow>.<trigger>": (
        "beri klien paling sedikit satu izin <workflow>.<trigger>"
    ),
    "a webhook client named %(name)r already exists": "klien webhook bernama %(name)r sudah ada",
    "no agency with code %(code)r": "tidak ada instansi dengan kode %(code)r",
    "an account %(email)s already exists": "akun %(email)s sudah ada",
    "give at least one event type, e.g. 'appraisal.*' or '*'": (
        "isi paling sedikit satu jenis peristiwa, misalnya 'appraisal.*' atau '*'"
    ),
    # marshmallow's own messages, as our schemas meet them
    "Missing data for required field.": "Wajib diisi.",
    "Field may not be null.": "Tidak boleh kosong.",
    "Not a valid integer.": "Bukan bilangan bulat yang sah.",
    "Not a valid string.": "Bukan teks yang sah.",
    "Not a valid date.": "Bukan tanggal yang sah.",
    "Not a valid number.": "Bukan angka yang sah.",
    "Not a valid boolean.": "Bukan ya/tidak yang sah.",
    "Not a valid mapping type.": "Bukan pemetaan yang sah.",
    "Unknown field.": "Isian tidak dikenal.",
    "Invalid input type.": "Jenis masukan tidak sah.",
    "Invalid value.": "Nilai tidak sah.",
    # the names of the codes a refusal names
    "the employee concerned": "pegawai yang bersangkutan",
    "the direct supervisor": "atasan langsung",
    "an HR officer of the agency": "petugas kepegawaian (BKPSDM) instansi",
    "an admin": "admin",
    "an external system": "sistem eksternal",
    "the assessor (pejabat penilai kinerja)": "pejabat penilai kinerja",
    "the approver (atasan pejabat penilai kinerja)": "atasan pejabat penilai kinerja",
    "the mentor": "mentor",
    "agency": "instansi",
    "work unit": "unit kerja",
    "employee": "pegawai",
    "training program": "program pelatihan",
    "development budget": "anggaran pengembangan",
    "holiday": "hari libur",
    "user": "pengguna",
    "role": "peran",
    "API token": "token API",
    "delegation": "pelimpahan (Plt/Plh)",
    "organisation rating": "predikat kinerja organisasi",
    "appraisal follow-up": "tindak lanjut penilaian",
    "webhook client": "klien webhook",
    "subscription": "langganan",
    "delivery": "pengiriman",
    "training nomination": "usulan pelatihan",
    "mentoring assignment": "penugasan mentoring",
    "performance appraisal": "penilaian kinerja",
    "see": "melihat",
    "add": "menambah",
    "change": "mengubah",
    "delete": "menghapus",
    "assessor": "pejabat penilai kinerja",
    "approver": "atasan pejabat penilai kinerja",
    "reason": "alasan",
    "another agency": "instansi lain",
    # performance periods
    "invalid performance period": "periode kinerja tidak valid",
    "A year from 2000 to 2100.": "Tahun antara 2000 dan 2100.",
    "From 1 to %(n)s.": "Dari 1 sampai %(n)s.",
    "the period's dates are out of order": "tanggal-tanggal periode tidak berurutan",
    "Must not be before %(field)s.": "Tidak boleh sebelum %(field)s.",
    "no performance period %(id)s": "tidak ada periode kinerja %(id)s",
    "the period's dates are out of its year": "tanggal-tanggal periode di luar tahunnya",
    "Must fall within %(year)s.": "Harus dalam tahun %(year)s.",
    "At most %(n)s days after the end date.": "Paling lambat %(n)s hari setelah tanggal berakhir.",
    "the period is being opened by someone else; try again": (
        "periode ini sedang dibuka oleh orang lain; coba lagi"
    ),
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

# WTForms' own messages, as the back office's forms meet them (WTForms ships no ``id``).
WTFORMS = {
    "This field is required.": "Wajib diisi.",
    "Invalid input.": "Masukan tidak sah.",
    "Invalid email address.": "Alamat email tidak sah.",
    "Invalid URL.": "URL tidak sah.",
    "Not a valid choice.": "Bukan pilihan yang sah.",
    "Invalid Choice: could not coerce.": "Pilihan tidak sah.",
    "Not a valid date value.": "Bukan tanggal yang sah.",
    "Not a valid datetime value.": "Bukan tanggal dan waktu yang sah.",
    "Not a valid integer value.": "Bukan bilangan bulat yang sah.",
    "Not a valid decimal value.": "Bukan angka desimal yang sah.",
    "Not a valid float value.": "Bukan angka yang sah.",
    "Number must be at least %(min)s.": "Angka paling kecil %(min)s.",
    "Number must be at most %(max)s.": "Angka paling besar %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Angka antara %(min)s dan %(max)s.",
    "Field must be between %(min)d and %(max)d characters long.": (
        "Panjang isian antara %(min)d dan %(max)d karakter."
    ),
    "Invalid CSRF Token.": "Token formulir tidak sah; muat ulang halaman.",
    "CSRF token missing.": "Token formulir tidak ada; muat ulang halaman.",
    "CSRF failed.": "Pemeriksaan formulir gagal; muat ulang halaman.",
    "CSRF token expired.": "Formulir kedaluwarsa; muat ulang halaman.",
}
WTFORMS_PLURALS = {
    (
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
    ): ("Panjang isian paling sedikit %(min)d karakter.",),
    (
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
    ): ("Panjang isian paling banyak %(max)d karakter.",),
}

HERE = Path(__file__).resolve().parent / "translations" / "id" / "LC_MESSAGES"


def our_texts() -> dict:
    """Every text of our own domain (``messages``), English → Indonesian."""
    return OURS | DASHBOARD | REFUSALS | NOTIFICATIONS


def catalogues():
    """The catalogues, one per domain, as babel Catalog objects."""
    from babel.messages.catalog import Catalog

    ours = Catalog(locale="id", domain="messages", project="Alur")
    for msgid, msgstr in (our_texts() | OURS_PLURALS).items():
        ours.add(msgid, msgstr)
    theirs = Catalog(locale="id", domain="admin", project="Alur (Flask-Admin)")
    for msgid, msgstr in FLASK_ADMIN.items():
        theirs.add(msgid, msgstr)
    for msgid, msgstr in FLASK_ADMIN_PLURALS.items():
        # Flask-Babel merges Flask-Admin's own (empty) catalogue over this one, and with it
        # English's plural rule: the second form is the one asked for, so it is given too.
        theirs.add(msgid, (msgstr[0], msgstr[0]))
    security = Catalog(locale="id", domain="flask_security", project="Alur (Flask-Security)")
    for msgid, msgstr in FLASK_SECURITY.items():
        security.add(msgid, msgstr)
    wtforms = Catalog(locale="id", domain="wtforms", project="Alur (WTForms)")
    for msgid, msgstr in WTFORMS.items():
        wtforms.add(msgid, msgstr)
    for msgid, msgstr in WTFORMS_PLURALS.items():
        wtforms.add(msgid, (msgstr[0], msgstr[0]))  # Indonesian has one form
    return {"messages": ours, "admin": theirs, "wtforms": wtforms, "flask_security": security}


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
