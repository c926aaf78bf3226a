"""Long work of the audits app run in the worker (portal.jobs): the semester report, the case and
per-desa exports and the case import. Each function loads the round again through the access
helpers as the job's owner, so a right lost since the request is a failed job, never a file."""

from __future__ import annotations

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.jobs import JobResult

from . import resources
from .monitoring.access import round_for_reports, round_with_cases


def stem(audit_round) -> str:
    return slugify(f"aks-{audit_round.kabupaten.name}-{audit_round.year}-s{audit_round.semester}")


def round_report(job, progress) -> JobResult:
    """The semester report as PDF (pseudonymous: case numbers, never names or NIK)."""
    from . import report

    audit_round = round_for_reports(job.owner, job.params["round"])
    progress(0, 1)
    content = report.render(audit_round)
    progress(1, 1)
    name = slugify(f"laporan-aks-{audit_round.kabupaten.name}-{audit_round.year}-s{audit_round.semester}")
    return JobResult(f"{name}.pdf", "application/pdf", content)


def cases_export(job, progress) -> JobResult:
    """The round's cases by number; with identities also NIK and name, each case's export logged
    (the owner must still be allowed to see the round's identities when the file is made)."""
    audit_round = round_with_cases(job.owner, job.params["round"])
    identities = bool(job.params.get("identities"))
    progress(0, 1)
    if identities:
        resources.log_identity_export(
            audit_round=audit_round, acting_user=job.owner, ip_address=job.params.get("ip_address")
        )
    dataset = resources.CaseResource(identities=identities).export_cases(audit_round)
    progress(1, 1)
    suffix = "-identitas" if identities else ""
    return JobResult(
        f"{stem(audit_round)}-kasus{suffix}.xlsx", resources.XLSX_TYPE, resources.to_xlsx(dataset)
    )


def desa_export(job, progress) -> JobResult:
    """One row per desa/kelurahan: coverage and case counts, for the national reporting apps."""
    audit_round = round_for_reports(job.owner, job.params["round"])
    progress(0, 1)
    dataset = resources.DesaAggregateResource(audit_round).export_round()
    progress(1, 1)
    return JobResult(f"{stem(audit_round)}-per-desa.xlsx", resources.XLSX_TYPE, resources.to_xlsx(dataset))


def cases_import(job, progress) -> JobResult:
    """All or nothing (resources.CaseImporter): any bad row, every row's errors reported."""
    audit_round = round_with_cases(job.owner, job.params["round"], fill=True)
    with job.input.open("rb") as handle:
        content = handle.read()
    progress(0, 1)
    try:
        result = resources.CaseImporter(audit_round=audit_round, acting_user=job.owner).run(content)
    except resources.ImportFailed as failure:
        summary = _("Nothing was imported. Correct these rows and upload the file again:")
        return JobResult(report={"summary": summary, "errors": failure.errors}, failed=True)
    progress(1, 1)
    created = len(result.created)
    summary = ngettext("%(n)d case imported.", "%(n)d cases imported.", created) % {"n": created}
    return JobResult(report={"summary": summary, "errors": []})
