"""Aggregates of a round: coverage per kecamatan, follow-up done per OPD, risk before/after.

Each is one query whatever the size of the kabupaten, and starts from a scoped queryset.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from meetings.models import Commitment

from .models import AuditCase, Recommendation, RecommendationCommitment, RoundDesa

DONE = (Commitment.Status.DONE, Commitment.Status.VERIFIED)


def share(part: int, whole: int) -> int:
    """Percentage, rounded down (so 100% means all)."""
    return part * 100 // whole if whole else 0


def coverage_by_kecamatan(rows: QuerySet[RoundDesa]) -> list[dict]:
    """Per kecamatan: desa in the round, desa covered (any case selected), the share."""
    result = (
        rows.values("kecamatan_id", "kecamatan__name")
        .annotate(total=Count("pk"), covered=Count("pk", filter=~Q(status=RoundDesa.Status.BELUM)))
        .order_by("kecamatan_id")
    )
    return [{**row, "share": share(row["covered"], row["total"])} for row in result]


def coverage_totals(rows: QuerySet[RoundDesa]) -> dict:
    totals = rows.aggregate(total=Count("pk"), covered=Count("pk", filter=~Q(status=RoundDesa.Status.BELUM)))
    return {**totals, "share": share(totals["covered"], totals["total"])}


def status_counts(rows: QuerySet[RoundDesa]) -> dict[str, int]:
    counts = dict(rows.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in RoundDesa.Status.values}


def with_done(recommendations: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """Annotate `done`: one of its commitments is done or verified (read from the commitments)."""
    done = RecommendationCommitment.objects.filter(recommendation=OuterRef("pk"), commitment__status__in=DONE)
    adopted = RecommendationCommitment.objects.filter(recommendation=OuterRef("pk"))
    return recommendations.annotate(done=Exists(done), adopted=Exists(adopted))


def done_by_owner(recommendations: QuerySet[Recommendation]) -> list[dict]:
    """Per responsible organisation: recommendations, how many carried out, the share."""
    done = RecommendationCommitment.objects.filter(recommendation=OuterRef("pk"), commitment__status__in=DONE)
    rows = (
        recommendations.annotate(is_done=Exists(done))
        .values("owner_id", "owner__name")
        .annotate(total=Count("pk", distinct=True), done=Count("pk", filter=Q(is_done=True), distinct=True))
        .order_by("owner__name")
    )
    return [{**row, "share": share(row["done"], row["total"])} for row in rows]


def done_totals(recommendations: QuerySet[Recommendation]) -> dict:
    rows = done_by_owner(recommendations)
    total, done = sum(r["total"] for r in rows), sum(r["done"] for r in rows)
    return {"total": total, "done": done, "share": share(done, total)}


def risk_change(cases: QuerySet[AuditCase]) -> dict:
    """Evaluated cases whose risk went down, stayed, went up."""
    order = {"rendah": 0, "sedang": 1, "tinggi": 2}
    result = {"lower": 0, "same": 0, "higher": 0, "evaluated": 0}
    for before, after in (
        cases.exclude(risk_after="").exclude(risk_before="").values_list("risk_before", "risk_after")
    ):
        result["evaluated"] += 1
        diff = order[after] - order[before]
        result["lower" if diff < 0 else "higher" if diff > 0 else "same"] += 1
    return result
