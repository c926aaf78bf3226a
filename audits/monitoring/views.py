"""The monitoring pages: a province, a kabupaten or a kecamatan, aggregates only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


def _round_files(user, audit_round) -> list[tuple[str, str]]:
    """The round's report and exchange files the user may take: (label, url)."""
    if audit_round is None or not may_report(user, audit_round):
        return []
    pk = audit_round.pk
    files = [
        (_("Semester report (PDF)"), reverse("audits:round-report", args=[pk])),
        (_("Per-desa figures (XLSX)"), reverse("audits:round-desa-export", args=[pk])),
    ]
    if audit_round.can_see_identities(user):
        files.append((_("Cases by number (XLSX)"), reverse("audits:round-cases-export", args=[pk])))
    if audit_round.can_fill_cases(user):
        files.append((_("Import cases (XLSX)"), reverse("audits:round-cases-import", args=[pk])))
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


@login_required
def round_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The semester report of a round as PDF (pseudonymous: case numbers, never names or NIK)."""
    from .. import report

    audit_round = round_for_reports(request.user, pk)
    response = HttpResponse(report.render(audit_round), content_type="application/pdf")
    name = f"laporan-aks-{audit_round.kabupaten.name}-{audit_round.year}-s{audit_round.semester}"
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.pdf"'
    return response


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    from ..resources import XLSX_TYPE

    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _stem(audit_round) -> str:
    return slugify(f"aks-{audit_round.kabupaten.name}-{audit_round.year}-s{audit_round.semester}")


@login_required
def round_cases_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's cases by number; with ?identitas=1 also NIK and name, each logged."""
    from .. import resources

    audit_round = round_with_cases(request.user, pk)
    identities = request.GET.get("identitas") == "1"
    if identities:
        resources.log_identity_export(
            audit_round=audit_round, acting_user=request.user, ip_address=request.META.get("REMOTE_ADDR")
        )
    dataset = resources.CaseResource(identities=identities).export_cases(audit_round)
    suffix = "-identitas" if identities else ""
    return _xlsx(resources.to_xlsx(dataset), f"{_stem(audit_round)}-kasus{suffix}.xlsx")


@login_required
def round_desa_export(request: HttpRequest, pk: int) -> HttpResponse:
    """One row per desa/kelurahan: coverage and case counts, for the national reporting apps."""
    from .. import resources

    audit_round = round_for_reports(request.user, pk)
    dataset = resources.DesaAggregateResource(audit_round).export_round()
    return _xlsx(resources.to_xlsx(dataset), f"{_stem(audit_round)}-per-desa.xlsx")


@login_required
def round_cases_import_template(request: HttpRequest, pk: int) -> HttpResponse:
    from .. import resources

    audit_round = round_with_cases(request.user, pk, fill=True)
    return _xlsx(resources.to_xlsx(resources.template_dataset()), f"{_stem(audit_round)}-impor-kasus.xlsx")


@login_required
def round_cases_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload an XLSX of cases: every row validated; one bad row and nothing is written."""
    from .. import resources
    from .forms import CaseImportForm

    audit_round = round_with_cases(request.user, pk, fill=True)
    form = CaseImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        importer = resources.CaseImporter(audit_round=audit_round, acting_user=request.user)
        try:
            result = importer.run(form.cleaned_data["file"].read())
        except resources.ImportFailed as failure:
            errors = failure.errors
        else:
            messages.success(
                request,
                ngettext("%(n)d case imported.", "%(n)d cases imported.", len(result.created))
                % {"n": len(result.created)},
            )
            return redirect("audits:round-cases-import", pk=audit_round.pk)
    context = {
        "round": audit_round,
        "form": form,
        "errors": errors,
        "required": resources.REQUIRED_COLUMNS,
        "optional": resources.OPTIONAL_COLUMNS,
    }
    return render(request, "audits/monitoring/import.html", context, status=400 if errors else 200)
