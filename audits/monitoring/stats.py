"""The dashboard's numbers, each section in one or two grouped queries whatever the size of
the region (a province with 2,016 desa costs as many queries as a kecamatan with 9)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Attendance, Commitment, Meeting
from portal.models import Region, region_q

from ..catalogue import risk_factor_label
from ..models.prevalence import TARGET_PERCENT, PrevalenceRecord
from .chart import line_chart

PRESENT = [Attendance.Status.HADIR, Attendance.Status.DIWAKILKAN]
DONE = [Commitment.Status.DONE, Commitment.Status.VERIFIED]
HELD = [Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED]


def share(part: int, whole: int) -> int | None:
    """A whole percent, None when there is nothing to divide."""
    return round(100 * part / whole) if whole else None


# --- prevalence -------------------------------------------------------------


@dataclass
class PrevalenceRow:
    year: int
    values: list[PrevalenceRecord | None]  # one cell per series, in the chart's order


def prevalence(region: Region) -> dict:
    """The region's figures beside those of the regions above it and the national ones, as a
    chart and as the table behind it. One query."""
    lineage = [*region.ancestor_codes(), region.code]
    records = list(PrevalenceRecord.objects.for_regions(lineage).select_related("region"))
    names = {code: None for code in reversed(lineage)}  # the region first, then upwards
    for record in records:
        if record.region_id:
            names[record.region_id] = record.region.name
    keys = [code for code, name in names.items() if name] + [None]
    by_key: dict = {key: {} for key in keys}
    for record in records:
        # Two surveys in one year (rare): the later-listed source wins on the chart, both in the table.
        by_key.setdefault(record.region_id, {})[record.year] = record
    labels = {key: names.get(key) or _("Indonesia") for key in keys}
    series = {labels[key]: {year: r.value for year, r in by_key[key].items()} for key in keys if by_key[key]}
    years = sorted({r.year for r in records})
    return {
        "chart": line_chart(series, TARGET_PERCENT),
        "columns": [labels[key] for key in keys],
        "rows": [PrevalenceRow(year, [by_key[key].get(year) for key in keys]) for year in years],
        "records": records,
        "target": TARGET_PERCENT,
        "latest": max((r for r in records if r.region_id == region.code), key=lambda r: r.year, default=None),
    }


def latest_prevalence(codes: list[str]) -> dict[str, PrevalenceRecord]:
    """The most recent figure of each region. One query."""
    latest: dict[str, PrevalenceRecord] = {}
    for record in PrevalenceRecord.objects.filter(region_id__in=codes).order_by("year", "source"):
        latest[record.region_id] = record
    return latest


# --- meetings: rakor attendance and commitments by OPD ----------------------------------


def rakor_attendance(region: Region, limit: int = 10) -> list[Meeting]:
    """The latest held rakor in the region (and below), each with invited, present and the
    present share. One query."""
    meetings = list(
        Meeting.objects.filter(region_q([region.code]), kind=Meeting.Kind.RAKOR, status__in=HELD)
        .select_related("region")
        .annotate(
            invited=Count("invitations", distinct=True),
            present=Count("attendances", filter=Q(attendances__status__in=PRESENT), distinct=True),
            listed=Count("attendances", distinct=True),
        )
        .order_by("-start")[:limit]
    )
    for meeting in meetings:
        # Walk-ins count as present; the base is whoever was invited or signed.
        meeting.expected = max(meeting.invited, meeting.listed)
        meeting.present_share = share(meeting.present, meeting.expected)
    return meetings


@dataclass
class OwnerCounts:
    name: str
    total: int = 0
    open: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def done_share(self) -> int | None:
        return share(self.done, self.total)


def commitments_by_owner(region: Region) -> list[OwnerCounts]:
    """Commitments agreed in the region's meetings or owned by a body there, per owner:
    total, open, done (or verified) and overdue. One query."""
    today = timezone.localdate()
    is_open = Q(status__in=Commitment.OPEN_STATUSES)
    rows = (
        Commitment.objects.filter(
            region_q([region.code], "meeting__region_id") | region_q([region.code], "owner__region_id")
        )
        .exclude(status=Commitment.Status.CANCELLED)
        .values("owner__name")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=is_open),
            done=Count("pk", filter=Q(status__in=DONE)),
            overdue=Count("pk", filter=is_open & Q(due_date__lt=today)),
        )
        .order_by("-overdue", "owner__name")
    )
    return [OwnerCounts(r["owner__name"], r["total"], r["open"], r["done"], r["overdue"]) for r in rows]


def kabupaten_of(code_field: str):
    """The kabupaten part ("63.05") of a region code field, for grouping a province by kabupaten."""
    return Substr(code_field, 1, 5)


# --- the AKS: rounds, coverage, cases, recommendations ---------------------------------


def rounds_of(kabupaten_code: str) -> list:
    from ..models import AuditRound

    return list(AuditRound.objects.filter(kabupaten_id=kabupaten_code).order_by("-year", "-semester"))


@dataclass
class CoverageRow:
    code: str
    name: str
    total: int = 0
    covered: int = 0
    done: int = 0

    @property
    def covered_share(self) -> int | None:
        return share(self.covered, self.total)


def coverage_by_kecamatan(audit_round, within: Region) -> list[CoverageRow]:
    """Desa of the round (in `within`) per kecamatan: how many, how many reached (any status
    past "belum"), how many done. One query."""
    from ..models import RoundDesa

    rows = (
        RoundDesa.objects.filter(region_q([within.code], "desa_id"), round=audit_round)
        .values("kecamatan_id", "kecamatan__name")
        .annotate(
            total=Count("pk"),
            covered=Count("pk", filter=~Q(status=RoundDesa.Status.BELUM)),
            done=Count("pk", filter=Q(status=RoundDesa.Status.SELESAI)),
        )
        .order_by("kecamatan_id")
    )
    return [
        CoverageRow(r["kecamatan_id"], r["kecamatan__name"], r["total"], r["covered"], r["done"])
        for r in rows
    ]


def coverage_total(rows: list[CoverageRow]) -> CoverageRow:
    return CoverageRow(
        "",
        _("Total"),
        sum(r.total for r in rows),
        sum(r.covered for r in rows),
        sum(r.done for r in rows),
    )


def coverage_by_desa(audit_round, kecamatan: Region) -> list:
    """Each desa of the kecamatan with its status (an aggregate: no case is named). One query."""
    from ..models import RoundDesa

    return list(
        RoundDesa.objects.filter(round=audit_round, kecamatan=kecamatan)
        .select_related("desa")
        .order_by("desa_id")
    )


@dataclass
class GroupRow:
    code: str
    label: str
    cases: int = 0
    direct: int = 0
    indirect: int = 0
    reviewed: int = 0


def cases_by_group(audit_round, within: Region) -> list[GroupRow]:
    """Per target group: cases, cases with a direct cause, with an indirect cause, reviewed by
    the expert panel. Every group is listed, even without cases. One query."""
    from ..kka import TargetGroup
    from ..models import AuditCase, RiskFactor

    rows = {
        r["target_group"]: r
        for r in AuditCase.objects.filter(region_q([within.code], "desa_id"), round=audit_round)
        .values("target_group")
        .annotate(
            cases=Count("pk", distinct=True),
            direct=Count("pk", filter=Q(risk_factors__kind=RiskFactor.Kind.LANGSUNG), distinct=True),
            indirect=Count("pk", filter=Q(risk_factors__kind=RiskFactor.Kind.TIDAK_LANGSUNG), distinct=True),
            reviewed=Count("pk", filter=Q(audit_date__isnull=False), distinct=True),
        )
        .order_by()
    }
    return [
        GroupRow(
            code,
            str(label),
            *(rows.get(code, {}).get(key, 0) for key in ("cases", "direct", "indirect", "reviewed")),
        )
        for code, label in TargetGroup.choices
    ]


def group_total(rows: list[GroupRow]) -> GroupRow:
    return GroupRow(
        "",
        _("Total"),
        *(sum(getattr(r, key) for r in rows) for key in ("cases", "direct", "indirect", "reviewed")),
    )


def causes(audit_round, within: Region, limit: int = 15) -> list[dict]:
    """The causes found most often: name, kind (label), number of cases. One query."""
    from ..models import AuditCase, RiskFactor

    through = AuditCase.risk_factors.through
    kinds = dict(RiskFactor.Kind.choices)
    rows = (
        through.objects.filter(region_q([within.code], "auditcase__desa_id"), auditcase__round=audit_round)
        .values("riskfactor__name", "riskfactor__kind")
        .annotate(cases=Count("auditcase_id", distinct=True))
        .order_by("-cases", "riskfactor__name")[:limit]
    )
    return [
        {
            "name": risk_factor_label(r["riskfactor__name"]),
            "kind": kinds.get(r["riskfactor__kind"], ""),
            "cases": r["cases"],
        }
        for r in rows
    ]


@dataclass
class RecommendationCounts:
    name: str
    total: int = 0
    adopted: int = 0
    done: int = 0
    overdue: int = 0
    spesifik: int = 0
    sensitif: int = 0

    @property
    def done_share(self) -> int | None:
        return share(self.done, self.total)


def recommendations_q(within: Region) -> Q:
    """The recommendations of a region: from its cases, or owned by a body there. A
    kabupaten's round-wide recommendations belong to the kabupaten view."""
    if within.level in (Region.Level.KABUPATEN, Region.Level.KOTA, Region.Level.PROVINSI):
        return region_q([within.code], "round__kabupaten_id")
    return region_q([within.code], "case__desa_id") | region_q([within.code], "owner__region_id")


def recommendations_by_owner(audit_round, within: Region) -> list[RecommendationCounts]:
    """Per responsible organisation: recommendations, adopted as a commitment, done (a commitment
    done or verified) and overdue (an open commitment past its due date). One query."""
    from ..models import Recommendation

    today = timezone.localdate()
    rows = (
        Recommendation.objects.filter(recommendations_q(within), round=audit_round)
        .values("owner__name")
        .annotate(
            total=Count("pk", distinct=True),
            adopted=Count("pk", filter=Q(adoptions__isnull=False), distinct=True),
            done=Count("pk", filter=Q(commitments__status__in=DONE), distinct=True),
            overdue=Count(
                "pk",
                filter=Q(commitments__status__in=Commitment.OPEN_STATUSES, commitments__due_date__lt=today),
                distinct=True,
            ),
            spesifik=Count("pk", filter=Q(intervention_type="spesifik"), distinct=True),
            sensitif=Count("pk", filter=Q(intervention_type="sensitif"), distinct=True),
        )
        .order_by("-overdue", "owner__name")
    )
    keys = ("total", "adopted", "done", "overdue", "spesifik", "sensitif")
    return [RecommendationCounts(r["owner__name"], *(r[k] for k in keys)) for r in rows]


def recommendation_total(rows: list[RecommendationCounts]) -> RecommendationCounts:
    keys = ("total", "adopted", "done", "overdue", "spesifik", "sensitif")
    return RecommendationCounts(_("Total"), *(sum(getattr(r, k) for r in rows) for k in keys))


# --- the pages ----------------------------------------------------------------------


def region_dashboard(region: Region, audit_round) -> dict:
    """Everything a kabupaten or kecamatan page shows (aggregates only)."""
    data = {
        "prevalence": prevalence(region),
        "commitments": commitments_by_owner(region),
        "rakor": rakor_attendance(region),
    }
    if audit_round is None:
        return data
    groups = cases_by_group(audit_round, region)
    recommendations = recommendations_by_owner(audit_round, region)
    data.update(
        groups=groups,
        groups_total=group_total(groups),
        causes=causes(audit_round, region),
        recommendations=recommendations,
        recommendations_total=recommendation_total(recommendations),
    )
    if region.level == Region.Level.KECAMATAN:
        desa = coverage_by_desa(audit_round, region)
        data["desa"] = desa
        data["coverage_total"] = CoverageRow(
            region.code,
            region.name,
            len(desa),
            sum(1 for d in desa if d.status != "belum"),
            sum(1 for d in desa if d.status == "selesai"),
        )
    else:
        coverage = coverage_by_kecamatan(audit_round, region)
        data["coverage"] = coverage
        data["coverage_total"] = coverage_total(coverage)
    return data


@dataclass
class KabupatenRow:
    region: Region
    prevalence: PrevalenceRecord | None = None
    round: object = None
    desa: int = 0
    covered: int = 0
    cases: int = 0
    recommendations: int = 0
    recommendations_done: int = 0
    commitments: int = 0
    commitments_overdue: int = 0

    @property
    def covered_share(self) -> int | None:
        return share(self.covered, self.desa)

    @property
    def done_share(self) -> int | None:
        return share(self.recommendations_done, self.recommendations)


def province_dashboard(province: Region) -> dict:
    """Each kabupaten/kota of the province side by side: latest prevalence, coverage, cases and
    recommendations of its latest round, commitments overdue. Seven queries at any size."""
    from ..models import AuditCase, AuditRound, Recommendation, RoundDesa

    kabupaten = list(Region.objects.filter(parent=province).order_by("code"))
    rows = {k.code: KabupatenRow(k) for k in kabupaten}
    for code, record in latest_prevalence(list(rows)).items():
        rows[code].prevalence = record
    for audit_round in AuditRound.objects.filter(kabupaten__parent=province).order_by("year", "semester"):
        rows[audit_round.kabupaten_id].round = audit_round  # the latest wins
    latest = [row.round.pk for row in rows.values() if row.round]
    by_round = {row.round.pk: row for row in rows.values() if row.round}
    for r in (
        RoundDesa.objects.filter(round__in=latest)
        .values("round_id")
        .annotate(total=Count("pk"), covered=Count("pk", filter=~Q(status=RoundDesa.Status.BELUM)))
        .order_by()
    ):
        by_round[r["round_id"]].desa, by_round[r["round_id"]].covered = r["total"], r["covered"]
    for r in AuditCase.objects.filter(round__in=latest).values("round_id").annotate(n=Count("pk")).order_by():
        by_round[r["round_id"]].cases = r["n"]
    for r in (
        Recommendation.objects.filter(round__in=latest)
        .values("round_id")
        .annotate(
            total=Count("pk", distinct=True),
            done=Count("pk", filter=Q(commitments__status__in=DONE), distinct=True),
        )
        .order_by()
    ):
        by_round[r["round_id"]].recommendations, by_round[r["round_id"]].recommendations_done = (
            r["total"],
            r["done"],
        )
    today = timezone.localdate()
    is_open = Q(status__in=Commitment.OPEN_STATUSES)
    for r in (
        Commitment.objects.filter(region_q([province.code], "meeting__region_id"))
        .exclude(status=Commitment.Status.CANCELLED)
        .annotate(kab=kabupaten_of("meeting__region_id"))
        .values("kab")
        .annotate(total=Count("pk"), overdue=Count("pk", filter=is_open & Q(due_date__lt=today)))
        .order_by()
    ):
        if r["kab"] in rows:
            rows[r["kab"]].commitments, rows[r["kab"]].commitments_overdue = r["total"], r["overdue"]
    from .chart import bar_chart

    ordered = list(rows.values())
    return {
        "prevalence": prevalence(province),
        "kabupaten": ordered,
        "bars": bar_chart(
            [
                (
                    row.region.name,
                    row.prevalence.value if row.prevalence else None,
                    f"{row.prevalence.year} {row.prevalence.get_source_display()}" if row.prevalence else "",
                )
                for row in ordered
            ],
            TARGET_PERCENT,
        ),
        "target": TARGET_PERCENT,
    }
