"""The national AKS reporting shapes the exports must follow, written down from their sources.

Per-desa sheet (``DESA_SHEET``). No machine-readable national template (xlsx) for the per-desa
AKS recap was found; this fixture is written from these published BKKBN materials, and each
column group names the one it follows:

- KKA: the BKKBN "Kertas Kerja Audit Kasus Stunting" (one form per kelompok sasaran, e.g. the
  calon pengantin form reproduced at https://pdfs.asia/kertas-kerja-audit.html). Its header
  block locates a case by Kabupaten/Kota, Puskesmas, Kecamatan and Desa; its form types are the
  five kelompok sasaran: calon pengantin, ibu hamil, ibu nifas (pasca persalinan/menyusui),
  baduta, balita, in that order.
- LAPORAN: the "Sistematika Laporan Audit Kasus Stunting" of the BKKBN AKS guidance, as the
  kabupaten semester reports follow it (e.g. Laporan AKS Semester I Kabupaten Konawe,
  https://id.scribd.com/document/679643722/Laporan-AKS-OK; Laporan AKS Kabupaten Lingga
  Semester I 2022, https://id.scribd.com/document/619070785/Contoh-LAPORAN-AUDIT-KASUS-STUNTING):
  "Jumlah dan Persebaran Audit Kasus Stunting" by kelompok sasaran, the period (tahun, semester),
  the expert panel's review, the conclusion on penyebab langsung / tidak langsung, the RTL and
  the "Evaluasi Rencana Tindak Lanjut".
- KODE: the Kemendagri region code (Permendagri on kode dan data wilayah), by which the
  national per-desa sheets (aksi.bangda) key a desa.

When the national template changes, change this fixture first: the export test then says which
columns moved.
"""

DESA_SHEET = [
    # KODE + KKA header: where the cases are.
    "Kode Wilayah",
    "Provinsi",
    "Kabupaten/Kota",
    "Kecamatan",
    "Desa/Kelurahan",
    # LAPORAN: the period of the round.
    "Tahun",
    "Semester",
    "Status Cakupan AKS",
    # LAPORAN "jumlah dan persebaran", by KKA form type (kelompok sasaran), then the total.
    "Calon Pengantin",
    "Ibu Hamil",
    "Ibu Nifas/Menyusui",
    "Baduta",
    "Balita",
    "Jumlah Kasus Diaudit",
    # LAPORAN: the expert panel's conclusion on causes, and its review.
    "Kasus dengan Penyebab Langsung",
    "Kasus dengan Penyebab Tidak Langsung",
    "Kasus Dikaji Tim Pakar",
    "Kasus Risiko Tinggi (sebelum)",
    # LAPORAN "Evaluasi Rencana Tindak Lanjut".
    "Kasus Dievaluasi",
    "Kasus Risiko Menurun",
    "Jumlah Rekomendasi",
    "Rekomendasi Selesai",
]
# The kelompok sasaran columns, in the KKA's order, by the portal's target-group value.
SASARAN_COLUMNS = {
    "catin": "Calon Pengantin",
    "ibu_hamil": "Ibu Hamil",
    "ibu_nifas": "Ibu Nifas/Menyusui",
    "baduta": "Baduta",
    "balita": "Balita",
}
