"""The monitoring pages: a province, a kabupaten or a kecamatan, aggregates only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.jobs import start_job
from portal.models import Region

from . import stats
from .access import (
    may_monitor,
    may_report,
    monitored_region,
    monitoring_codes,
    round_for_reports,
    round_with_cases,
)


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


def _round_files(user, audit_round) -> list[dict]:
    """The round's report and exchange files the user may take: each a job started by a POST
    (`post`, with `identities` for the export with NIK and name) or the import page."""
    if audit_round is None or not may_report(user, audit_round):
        return []
    pk = audit_round.pk
    files = [
        {"label": _("Semester report (PDF)"), "url": reverse("audits:round-report", args=[pk]), "post": True},
        {
            "label": _("Per-desa figures (XLSX)"),
            "url": reverse("audits:round-desa-export", args=[pk]),
            "post": True,
        },
    ]
    if audit_round.can_see_identities(user):
        export = reverse("audits:round-cases-export", args=[pk])
        files.append({"label": _("Cases by number (XLSX)"), "url": export, "post": True})
        files.append(
            {"label": _("Cases with NIK and name (XLSX)"), "url": export, "post": True, "identities": True}
        )
    if audit_round.can_fill_cases(user):
        files.append(
            {"label": _("Import cases (XLSX)"), "url": reverse("audits:round-cases-import", args=[pk])}
        )
    return files


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
        "files": _round_files(request.user, audit_round) if region.level != Region.Level.KECAMATAN else [],
        **stats.region_dashboard(region, audit_round),
    }
    return render(request, "audits/monitoring/region.html", context)


def _job(request: HttpRequest, kind: str, title: str, audit_round, upload=None, **params) -> HttpResponse:
    """Long work goes to the worker (portal.jobs); the person watches it on the job's page."""
    job = start_job(
        kind=f"audits.jobs.{kind}",
        title=title % {"round": audit_round},
        owner=request.user,
        params={"round": audit_round.pk, **params},
        upload=upload,
    )
    return redirect(job)


@require_POST
@login_required
def round_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The semester report of a round as PDF, made by the worker."""
    audit_round = round_for_reports(request.user, pk)
    return _job(request, "round_report", _("Semester report (PDF): %(round)s"), audit_round)


@require_POST
@login_required
def round_cases_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's cases by number; with identitas=1 also NIK and name (each case's export is
    logged by the job, which checks the owner's right again)."""
    audit_round = round_with_cases(request.user, pk)
    if request.POST.get("identitas") == "1":
        title = _("Cases with NIK and name (XLSX): %(round)s")
        ip_address = request.META.get("REMOTE_ADDR")
        return _job(request, "cases_export", title, audit_round, identities=True, ip_address=ip_address)
    return _job(
        request, "cases_export", _("Cases by number (XLSX): %(round)s"), audit_round, identities=False
    )


@require_POST
@login_required
def round_desa_export(request: HttpRequest, pk: int) -> HttpResponse:
    """One row per desa/kelurahan: coverage and case counts, for the national reporting apps."""
    audit_round = round_for_reports(request.user, pk)
    return _job(request, "desa_export", _("Per-desa figures (XLSX): %(round)s"), audit_round)


@login_required
def round_cases_import_template(request: HttpRequest, pk: int) -> HttpResponse:
    from .. import resources
    from ..jobs import stem

    audit_round = round_with_cases(request.user, pk, fill=True)
    response = HttpResponse(resources.to_xlsx(resources.template_dataset()), content_type=resources.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem(audit_round)}-impor-kasus.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def round_cases_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload an XLSX of cases; the worker validates every row: one bad row and nothing is written."""
    from .. import resources
    from .forms import CaseImportForm

    audit_round = round_with_cases(request.user, pk, fill=True)
    form = CaseImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        title = _("Case import: %(round)s")
        return _job(request, "cases_import", title, audit_round, upload=form.cleaned_data["file"])
    context = {
        "round": audit_round,
        "form": form,
        "required": resources.REQUIRED_COLUMNS,
        "optional": resources.OPTIONAL_COLUMNS,
    }
    return render(request, "audits/monitoring/import.html", context)
