"""XLSX exchange of an AKS round (django-import-export): the cases (pseudonymous by default),
the per-desa aggregates for the national reporting apps, and the case import.

Case columns (export and import share them, so an export can be filled in and read back):
`nomor_kasus`, `kode_desa` (Kemendagri code), `desa`, `kecamatan` (read only), `puskesmas`
(name or id), `kelompok_sasaran` (catin, ibu_hamil, ibu_nifas, baduta, balita or their label),
`tanggal_kunjungan` (YYYY-MM-DD), `versi_kka` (empty: the current form), `penyebab` (causes from
the catalogue, separated by ";"), then one column per KKA item code (the items of the case's
group and version; the others stay empty). Identity columns `nik`, `nama`, `umur`, `pekerjaan`,
`pendidikan` are required on import and exported only on request, by those who may see
identities, and each exported identity is logged. Read-only export columns: `tanggal_audit`,
`risiko_sebelum`, `risiko_sesudah`.

Exports go through portal.exports.SafeXLSX: a text cell that a spreadsheet would run as a
formula (starting with =, +, -, @, tab or CR) is prefixed with an apostrophe.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from portal.exports import SafeXLSX
from portal.models import Organisation, region_q
from portal.spreadsheets import read_xlsx

from . import kka
from .kka import TargetGroup
from .models import AuditCase, AuditRound, Education, NikAccessLog, Recommendation, RiskFactor, RoundDesa
from .monitoring.stats import DONE

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_xlsx(dataset: tablib.Dataset) -> bytes:
    """Through the portal's one formula-escaping export format."""
    return SafeXLSX().export_data(dataset)


def kka_codes() -> list[str]:
    """Every item code of every registered KKA form version, in a stable order."""
    codes: list[str] = []
    for group, version in kka.versions():
        for item in kka.get_form(group, version).items:
            if item.code not in codes:
                codes.append(item.code)
    return codes


class KkaValueWidget(widgets.Widget):
    """Numbers stay numbers in the sheet; yes/no as the words the import reads back."""

    def render(self, value, obj=None, **kwargs):
        if isinstance(value, bool):
            return "ya" if value else "tidak"
        return "" if value is None else value


NUMBER = widgets.IntegerWidget(coerce_to_string=False)
KKA_VALUE = KkaValueWidget()

# --- cases ---------------------------------------------------------------------------------

IDENTITY_COLUMNS = ("nik", "nama", "umur", "pekerjaan", "pendidikan")


class CaseResource(resources.Resource):
    nomor_kasus = fields.Field(attribute="number", column_name="nomor_kasus", widget=NUMBER)
    kode_desa = fields.Field(attribute="desa_id", column_name="kode_desa")
    desa = fields.Field(attribute="desa__name", column_name="desa")
    kecamatan = fields.Field(attribute="desa__parent__name", column_name="kecamatan")
    puskesmas = fields.Field(attribute="puskesmas__name", column_name="puskesmas")
    kelompok_sasaran = fields.Field(attribute="target_group", column_name="kelompok_sasaran")
    tanggal_kunjungan = fields.Field(attribute="visit_date", column_name="tanggal_kunjungan")
    versi_kka = fields.Field(attribute="form_version", column_name="versi_kka")
    penyebab = fields.Field(column_name="penyebab")
    tanggal_audit = fields.Field(attribute="audit_date", column_name="tanggal_audit")
    risiko_sebelum = fields.Field(attribute="risk_before", column_name="risiko_sebelum")
    risiko_sesudah = fields.Field(attribute="risk_after", column_name="risiko_sesudah")

    def __init__(self, *, identities: bool = False) -> None:
        super().__init__()
        self.identities = identities
        self.order = [
            "nomor_kasus",
            "kode_desa",
            "desa",
            "kecamatan",
            "puskesmas",
            "kelompok_sasaran",
            "tanggal_kunjungan",
            "versi_kka",
        ]
        if identities:
            for name, attribute in zip(
                IDENTITY_COLUMNS, ("nik", "name", "age", "occupation", "education"), strict=True
            ):
                widget = NUMBER if name == "umur" else None
                self.fields[name] = fields.Field(attribute=attribute, column_name=name, widget=widget)
            self.order += list(IDENTITY_COLUMNS)
        self.order += ["penyebab", "tanggal_audit", "risiko_sebelum", "risiko_sesudah"]
        for code in kka_codes():
            self.fields[code] = fields.Field(attribute=f"kka__{code}", column_name=code, widget=KKA_VALUE)
            self.order.append(code)

    def get_export_order(self):
        return self.order

    def dehydrate_penyebab(self, case: AuditCase) -> str:
        return "; ".join(factor.name for factor in case.risk_factors.all())

    def export_cases(self, audit_round: AuditRound) -> tablib.Dataset:
        cases = (
            AuditCase.objects.filter(round=audit_round)
            .select_related("desa__parent", "puskesmas")
            .prefetch_related("risk_factors")
            .order_by("number")
        )
        if not self.identities:
            cases = cases.defer(
                "nik_encrypted", "name_encrypted", "nik_masked", "age", "occupation", "education"
            )
        return self.export(queryset=cases)


def log_identity_export(*, audit_round: AuditRound, acting_user, ip_address: str | None) -> None:
    """One NIK access log entry per case whose identity leaves in a file."""
    NikAccessLog.objects.bulk_create(
        NikAccessLog(case_id=pk, user=acting_user, ip_address=ip_address or None, purpose="XLSX export")
        for pk in AuditCase.objects.filter(round=audit_round).values_list("pk", flat=True)
    )


# --- per-desa aggregates (for the national reporting apps) ---------------------------------

# The per-desa sheet follows the national AKS reporting shape (the fixture in
# audits/tests/national_templates.py names its sources): the wilayah block of the BKKBN KKA
# header, the semester, then the "jumlah dan persebaran kasus" by kelompok sasaran in the KKA's
# order and words, the causes, the expert review and the evaluation of the RTL. Headers stay in
# Bahasa Indonesia in every interface language: they are what the national apps and the
# district's own workbooks expect.
DESA_COLUMNS = [
    ("kode_wilayah", "Kode Wilayah"),
    ("provinsi", "Provinsi"),
    ("kabupaten", "Kabupaten/Kota"),
    ("kecamatan", "Kecamatan"),
    ("desa", "Desa/Kelurahan"),
    ("tahun", "Tahun"),
    ("semester", "Semester"),
    ("status", "Status Cakupan AKS"),
    ("catin", "Calon Pengantin"),
    ("ibu_hamil", "Ibu Hamil"),
    ("ibu_nifas", "Ibu Nifas/Menyusui"),
    ("baduta", "Baduta"),
    ("balita", "Balita"),
    ("kasus", "Jumlah Kasus Diaudit"),
    ("langsung", "Kasus dengan Penyebab Langsung"),
    ("tidak_langsung", "Kasus dengan Penyebab Tidak Langsung"),
    ("dikaji", "Kasus Dikaji Tim Pakar"),
    ("risiko_tinggi", "Kasus Risiko Tinggi (sebelum)"),
    ("dievaluasi", "Kasus Dievaluasi"),
    ("risiko_turun", "Kasus Risiko Menurun"),
    ("rekomendasi", "Jumlah Rekomendasi"),
    ("rekomendasi_selesai", "Rekomendasi Selesai"),
]
RISK_RANK = {"rendah": 0, "sedang": 1, "tinggi": 2}
# The status words of the national forms, whatever the interface language.
STATUS_WORDS = {
    RoundDesa.Status.BELUM: "Belum",
    RoundDesa.Status.KASUS_DIPILIH: "Kasus dipilih",
    RoundDesa.Status.DIKUNJUNGI: "Dikunjungi",
    RoundDesa.Status.DIKAJI: "Dikaji",
    RoundDesa.Status.SELESAI: "Selesai",
}


def desa_counts(audit_round: AuditRound) -> dict[str, Counter]:
    """Per desa: cases by group, by cause kind, reviewed, high risk, evaluated, risk lowered,
    recommendations and those done. Three queries for the whole round."""
    counts: dict[str, Counter] = defaultdict(Counter)
    kinds = defaultdict(set)
    through = AuditCase.risk_factors.through
    for case_id, kind in through.objects.filter(auditcase__round=audit_round).values_list(
        "auditcase_id", "riskfactor__kind"
    ):
        kinds[case_id].add(kind)
    cases = AuditCase.objects.filter(round=audit_round).values_list(
        "pk", "desa_id", "target_group", "audit_date", "risk_before", "risk_after"
    )
    for pk, desa, group, audit_date, before, after in cases:
        row = counts[desa]
        row["kasus"] += 1
        row[group] += 1
        row["langsung"] += RiskFactor.Kind.LANGSUNG in kinds[pk]
        row["tidak_langsung"] += RiskFactor.Kind.TIDAK_LANGSUNG in kinds[pk]
        row["dikaji"] += audit_date is not None
        row["risiko_tinggi"] += before == "tinggi"
        row["dievaluasi"] += bool(after)
        row["risiko_turun"] += bool(before and after) and RISK_RANK[after] < RISK_RANK[before]
    recommendations = (
        Recommendation.objects.filter(round=audit_round, case__isnull=False)
        .values_list("pk", "case__desa_id")
        .distinct()
    )
    done = set(
        Recommendation.objects.filter(round=audit_round, commitments__status__in=DONE).values_list(
            "pk", flat=True
        )
    )
    for pk, desa in recommendations:
        counts[desa]["rekomendasi"] += 1
        counts[desa]["rekomendasi_selesai"] += pk in done
    return counts


class DesaAggregateResource(resources.Resource):
    """One row per desa/kelurahan of the round (see DESA_COLUMNS)."""

    def __init__(self, audit_round: AuditRound) -> None:
        super().__init__()
        self.round = audit_round
        self.counts = desa_counts(audit_round)
        for name, header in DESA_COLUMNS:
            self.fields[name] = fields.Field(column_name=header, dehydrate_method=self._value(name))

    def _value(self, name: str):
        round_ = self.round

        def value(row: RoundDesa):
            fixed = {
                "kode_wilayah": row.desa_id,
                "provinsi": row.kecamatan.parent.parent.name,
                "kabupaten": row.kecamatan.parent.name,
                "kecamatan": row.kecamatan.name,
                "desa": row.desa.name,
                "tahun": round_.year,
                "semester": "I" if round_.semester == 1 else "II",
                "status": STATUS_WORDS.get(row.status, row.status),
            }
            if name in fixed:
                return fixed[name]
            return self.counts.get(row.desa_id, Counter())[name]

        return value

    def get_export_order(self):
        return [name for name, _header in DESA_COLUMNS]

    def export_round(self) -> tablib.Dataset:
        rows = (
            RoundDesa.objects.filter(round=self.round)
            .select_related("desa", "kecamatan__parent__parent")
            .order_by("desa_id")
        )
        return self.export(queryset=rows)


# --- case import ----------------------------------------------------------------------------

REQUIRED_COLUMNS = ("nomor_kasus", "kode_desa", "puskesmas", "kelompok_sasaran", "nik", "nama")
READ_ONLY_COLUMNS = ("desa", "kecamatan", "tanggal_audit", "risiko_sebelum", "risiko_sesudah")
OPTIONAL_COLUMNS = ("tanggal_kunjungan", "versi_kka", "umur", "pekerjaan", "pendidikan", "penyebab")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


@dataclass
class ImportResult:
    created: list[AuditCase] = field(default_factory=list)


class ImportFailed(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets store whole numbers as floats
    return str(value).strip()


def _choice(value: str, choices) -> str | None:
    """The code of a choice given by its code or its label, in the interface language or in
    Bahasa Indonesia (the language of the exchange files)."""
    wanted = value.lower()
    with translation.override("id"):
        indonesian = [str(label).lower() for _code, label in choices]
    for (code, label), label_id in zip(choices, indonesian, strict=True):
        if wanted in (str(code).lower(), str(label).lower(), label_id):
            return code
    return None


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("%(value)s is not a date; write it as YYYY-MM-DD.") % {"value": text})


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{name}: {message}" if name != "__all__" else message
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


class CaseImporter:
    """Reads every row, validates it as the case form would (the case's group and KKA version,
    NIK checks, desa of the round, puskesmas of the kabupaten, causes of the catalogue), and saves
    through the cases service. One bad row: nothing is written and every row's errors are listed."""

    def __init__(self, *, audit_round: AuditRound, acting_user) -> None:
        self.round = audit_round
        self.user = acting_user
        self.desa = set(RoundDesa.objects.filter(round=audit_round).values_list("desa_id", flat=True))
        self.numbers = set(AuditCase.objects.filter(round=audit_round).values_list("number", flat=True))
        self.puskesmas = list(
            Organisation.objects.filter(
                region_q([audit_round.kabupaten_id]), kind=Organisation.Kind.PUSKESMAS
            )
        )
        self.factors = {f.name.lower(): f for f in RiskFactor.objects.filter(active=True)}
        self.item_codes = set(kka_codes())

    def read(self, content: bytes) -> list[dict]:
        try:
            dataset = read_xlsx(content)
        except Exception as exc:  # a corrupt workbook is one more error to report, not a crash
            raise ImportFailed([_("The file could not be read as XLSX.")]) from exc
        headers = [_text(h).lower() for h in dataset.headers or []]
        missing = [c for c in REQUIRED_COLUMNS if c not in headers]
        known = {*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *READ_ONLY_COLUMNS, *self.item_codes}
        unknown = [h for h in headers if h and h not in known]
        errors = []
        if missing:
            errors.append(_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})
        if unknown:
            errors.append(_("Unknown column(s): %(columns)s.") % {"columns": ", ".join(unknown)})
        if errors:
            raise ImportFailed(errors)
        rows = [dict(zip(headers, values, strict=False)) for values in dataset]
        rows = [row for row in rows if any(_text(v) for v in row.values())]
        if not rows:
            raise ImportFailed([_("The file has no rows.")])
        return rows

    def _puskesmas(self, value: str) -> Organisation:
        matches = [p for p in self.puskesmas if str(p.pk) == value or p.name.lower() == value.lower()]
        if len(matches) != 1:
            raise ValidationError(
                {"puskesmas": _("Unknown puskesmas %(value)s in this kabupaten.") % {"value": value}}
            )
        return matches[0]

    def build(self, row: dict, seen: set[int]) -> tuple[AuditCase, dict]:
        """An unsaved case and the service's other arguments, or ValidationError with every problem."""
        errors: dict[str, list[str]] = {}

        def check(name, func):
            try:
                return func()
            except ValidationError as error:
                for message in _messages(error):
                    errors.setdefault(name, []).append(message)
                return None

        def number():
            text = _text(row.get("nomor_kasus"))
            if not text.isdigit() or int(text) < 1:
                raise ValidationError(_("A case number is a whole number from 1."))
            if int(text) in self.numbers or int(text) in seen:
                raise ValidationError(_("Case %(number)s already exists in this round.") % {"number": text})
            return int(text)

        def desa():
            code = _text(row.get("kode_desa"))
            if code not in self.desa:
                raise ValidationError(
                    _("%(code)s is not a desa/kelurahan of this round.") % {"code": code or "–"}
                )
            return code

        def group():
            code = _choice(_text(row.get("kelompok_sasaran")), TargetGroup.choices)
            if code is None:
                raise ValidationError(
                    _("Choose one of: %(groups)s.") % {"groups": ", ".join(TargetGroup.values)}
                )
            return code

        def education():
            text = _text(row.get("pendidikan"))
            if not text:
                return ""
            code = _choice(text, Education.choices)
            if code is None:
                raise ValidationError(
                    _("Choose one of: %(values)s.") % {"values": ", ".join(Education.values)}
                )
            return code

        def age():
            text = _text(row.get("umur"))
            if not text:
                return None
            if not text.isdigit() or int(text) > 120:
                raise ValidationError(_("The age is a whole number of years."))
            return int(text)

        case_number = check("nomor_kasus", number)
        target_group = check("kelompok_sasaran", group)
        case = AuditCase(
            round=self.round,
            number=case_number,
            desa_id=check("kode_desa", desa),
            puskesmas=check("puskesmas", lambda: self._puskesmas(_text(row.get("puskesmas")))),
            target_group=target_group or "",
            visit_date=check("tanggal_kunjungan", lambda: _date(row.get("tanggal_kunjungan"))),
            form_version=_text(row.get("versi_kka")),
            age=check("umur", age),
            occupation=_text(row.get("pekerjaan"))[:100],
            education=check("pendidikan", education) or "",
            kka={code: row[code] for code in self.item_codes if code in row and _text(row[code])},
        )
        if target_group:
            # The case's own form checks its items (the service checks again on save); here each
            # message keeps the item's column name.
            version = case.form_version or kka.CURRENT.get(target_group, "")
            form = check("versi_kka", lambda: kka.get_form(target_group, version))
            if form is not None:
                try:
                    form.clean(case.kka, visited=case.visit_date is not None)
                except ValidationError as error:
                    for code, messages in error.message_dict.items():
                        errors.setdefault("kka" if code == "__all__" else code, []).extend(messages)
        factors = []
        for name in filter(None, (part.strip() for part in _text(row.get("penyebab")).split(";"))):
            factor = self.factors.get(name.lower())
            if factor is None:
                errors.setdefault("penyebab", []).append(_("Unknown cause %(name)s.") % {"name": name})
            elif target_group and not factor.applies_to(target_group):
                errors.setdefault("penyebab", []).append(
                    _("%(name)s does not apply to this target group.") % {"name": factor.name}
                )
            else:
                factors.append(factor)
        nik, name = _text(row.get("nik")), _text(row.get("nama"))
        if not name:
            errors.setdefault("nama", []).append(_("The name is required."))
        if errors:
            raise ValidationError(errors)
        if case_number is not None:
            seen.add(case_number)
        return case, {"nik": nik, "name": name, "risk_factors": factors}

    def run(self, content: bytes) -> ImportResult:
        from . import services

        rows = self.read(content)
        errors: list[str] = []
        result = ImportResult()
        seen: set[int] = set()
        with transaction.atomic():
            for line, row in enumerate(rows, start=2):
                try:
                    case, extra = self.build(row, seen)
                    with transaction.atomic():
                        result.created.append(services.save_case(case=case, acting_user=self.user, **extra))
                except ValidationError as error:
                    errors.append(
                        _("Row %(row)s: %(errors)s") % {"row": line, "errors": "; ".join(_messages(error))}
                    )
            if errors:
                transaction.set_rollback(True)
        if errors:
            raise ImportFailed(errors)
        return result


def template_dataset() -> tablib.Dataset:
    """The empty import sheet: every column, no rows."""
    headers = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *kka_codes()]
    return tablib.Dataset(headers=headers)
