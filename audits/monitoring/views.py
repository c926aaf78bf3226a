"""The monitoring pages: a province, a kabupaten or a kecamatan, aggregates only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify

from portal.models import Region

from . import stats
from .access import may_monitor, monitored_region, monitoring_codes, round_for_reports


@login_required
def monitoring_index(request: HttpRequest) -> HttpResponse:
    """One region: straight to it; several (or a superuser): the list to choose from."""
    if not may_monitor(request.user):
        raise PermissionDenied
    if request.user.is_superuser:
        regions = list(Region.objects.filter(level=Region.Level.PROVINSI).order_by("code"))
    else:
        regions = list(Region.objects.filter(code__in=monitoring_codes(request.user)).order_by("code"))
    if len(regions) == 1:
        return redirect("audits:monitoring-region", code=regions[0].code)
    return render(request, "audits/monitoring/index.html", {"regions": regions})


def _round(request: HttpRequest, rounds: list):
    """The round chosen in ?round= among the kabupaten's, else the latest."""
    wanted = request.GET.get("round", "")
    if not wanted:
        return rounds[0] if rounds else None
    chosen = next((r for r in rounds if str(r.pk) == wanted), None)
    if chosen is None:
        raise Http404
    return chosen


@login_required
def monitoring_region(request: HttpRequest, code: str) -> HttpResponse:
    region = monitored_region(request.user, code)
    if region.level == Region.Level.PROVINSI:
        context = stats.province_dashboard(region)
        return render(request, "audits/monitoring/province.html", {"region": region, **context})
    kabupaten_code = region.kabupaten_code()
    rounds = stats.rounds_of(kabupaten_code)
    audit_round = _round(request, rounds)
    context = {
        "region": region,
        "rounds": rounds,
        "round": audit_round,
        "is_kecamatan": region.level == Region.Level.KECAMATAN,
        "report_url": reverse("audits:round-report", args=[audit_round.pk])
        if audit_round and region.level != Region.Level.KECAMATAN
        else "",
        **stats.region_dashboard(region, audit_round),
    }
    return render(request, "audits/monitoring/region.html", context)


@login_required
def round_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The semester report of a round as PDF (pseudonymous: case numbers, never names or NIK)."""
    from .. import report

    audit_round = round_for_reports(request.user, pk)
    response = HttpResponse(report.render(audit_round), content_type="application/pdf")
    name = f"laporan-aks-{audit_round.kabupaten.name}-{audit_round.year}-s{audit_round.semester}"
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.pdf"'
    return response
