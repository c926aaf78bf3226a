"""Admin import and export (django-import-export) as background jobs: one way for every admin.

`BackgroundImportExportMixin` goes before `ImportExportModelAdmin` in an admin's bases. The
upload form and the export form stay django-import-export's own; once valid, the request only
records a job (the upload is kept with it) and shows the job's page. The worker then rebuilds
the admin's request for the job's owner and runs the admin's own code: `has_*_permission`,
`get_export_queryset` (scope, filters, selected rows), the resources with their per-row checks
and services, formula-escaping formats. An import is all or nothing: with any row in error it
is rolled back and the job reports each row's errors.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, QueryDict
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export.signals import post_export, post_import

from ..spreadsheets import fast_import_formats
from .models import JobResult, counted, start_job

MAX_REPORTED_ERRORS = 50


class BackgroundImportExportMixin:
    """Imports and exports of this admin run in the worker (portal.jobs)."""

    def get_import_formats(self):
        # XLSX uploads are read with calamine (portal.spreadsheets), the same rows 20x faster.
        return fast_import_formats(super().get_import_formats())

    def get_urls(self):
        # One path per import: the upload starts the job; the in-request confirm step is gone.
        return [url for url in super().get_urls() if not (url.name or "").endswith("_process_import")]

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        if request.method != "POST" or not form.is_valid():
            return super().import_action(request, **kwargs)
        opts = self.model._meta
        job = start_job(
            kind="portal.jobs.importexport.run_import",
            title=_("Import of %(things)s") % {"things": opts.verbose_name_plural},
            owner=request.user,
            params={
                "model": opts.label,
                "format": int(form.cleaned_data["format"]),
                "resource": self.get_resource_index(form),
                "file_name": form.cleaned_data["import_file"].name,
            },
            upload=form.cleaned_data["import_file"],
        )
        return HttpResponseRedirect(job.get_absolute_url())

    def get_valid_export_item_pks(self, request):
        """The rows an "export selected" POST may name: import-export's own answer is every key
        of the table (millions of choices to build and check on a request, and a deprecation
        warning); here the posted keys that are keys at all. The export's rows are those of the
        scoped export queryset among them (`run_export`)."""
        pk = self.model._meta.pk
        valid = []
        for value in request.POST.getlist("export_items"):
            try:
                valid.append(pk.to_python(value))
            except ValidationError:
                continue  # the form then says which choice is not valid
        return valid

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        opts = self.model._meta
        job = start_job(
            kind="portal.jobs.importexport.run_export",
            title=_("Export of %(things)s") % {"things": opts.verbose_name_plural},
            owner=request.user,
            params={
                "model": opts.label,
                "query": request.GET.urlencode(),
                "form": request.POST.urlencode() if export_form is not None else "",
            },
        )
        return HttpResponseRedirect(job.get_absolute_url())


def _admin_and_request(job, url_name: str, method: str = "get", query: str = ""):
    """The job's admin, and a request as its owner made it (for the admin's own checks)."""
    model = apps.get_model(job.params["model"])
    model_admin = admin.site._registry[model]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{url_name}")
    request = getattr(RequestFactory(), method)(f"{url}?{query}" if query else url)
    request.user = job.owner
    return model_admin, request


def run_export(job, progress) -> JobResult:
    model_admin, request = _admin_and_request(job, "export", query=job.params.get("query", ""))
    if not model_admin.has_export_permission(request):
        raise PermissionDenied
    formats = model_admin.get_export_formats()
    queryset = model_admin.get_export_queryset(request)
    form = None
    if job.params.get("form"):
        data = QueryDict(job.params["form"], mutable=True)
        # Rows chosen by the "export selected" action: only within the scoped queryset.
        selected = data.pop("export_items", [])
        form = model_admin.get_export_form_class()(
            formats, model_admin.get_export_resource_classes(request), data=data
        )
        if not form.is_valid():
            raise ValueError("export form")
        file_format = formats[int(form.cleaned_data["format"])]()
        if selected:
            queryset = queryset.filter(pk__in=selected)
    else:
        file_format = formats[0]()
    content = model_admin.get_export_data(
        file_format, request, counted(queryset, progress), encoding=model_admin.to_encoding, export_form=form
    )
    post_export.send(sender=None, model=model_admin.model)
    if isinstance(content, str):
        content = content.encode(model_admin.to_encoding or "utf-8")
    filename = model_admin.get_export_filename(request, queryset, file_format)
    return JobResult(filename, file_format.get_content_type(), content)


def run_import(job, progress) -> JobResult:
    model_admin, request = _admin_and_request(job, "import", method="post")
    if not model_admin.has_import_permission(request):
        raise PermissionDenied
    input_format = model_admin.get_import_formats()[job.params["format"]]()
    if not input_format.is_binary():
        input_format.encoding = model_admin.from_encoding
    with job.input.open("rb") as handle:
        data = handle.read()
    try:
        if not input_format.is_binary():
            data = data.decode(model_admin.from_encoding or "utf-8-sig", errors="strict")
        dataset = input_format.create_dataset(data)
    except Exception:  # any unreadable file: say so, write nothing
        return _refused([_("The file could not be read. Check that it is in the chosen format.")])
    progress(0, len(dataset))
    form = SimpleNamespace(cleaned_data={"resource": job.params["resource"], "format": job.params["format"]})
    result = model_admin.process_dataset(
        dataset,
        form,
        request,
        raise_errors=False,
        rollback_on_validation_errors=True,
        file_name=job.params.get("file_name", ""),
    )
    progress(len(dataset), len(dataset))
    if result.has_errors() or result.has_validation_errors():
        return _refused(import_errors(result))
    model_admin.generate_log_entries(result, request)
    post_import.send(sender=None, model=model_admin.model)
    totals = result.totals
    summary = _("Imported: %(new)d new, %(update)d updated, %(skip)d unchanged.") % {
        "new": totals.get("new", 0),
        "update": totals.get("update", 0),
        "skip": totals.get("skip", 0),
    }
    return JobResult(report={"summary": summary, "errors": []})


def _refused(errors: list[str]) -> JobResult:
    summary = _("Nothing was imported: correct these rows and import the file again.")
    return JobResult(report={"summary": summary, "errors": errors[:MAX_REPORTED_ERRORS]}, failed=True)


def import_errors(result) -> list[str]:
    """Each failing row with its messages (numbered as django-import-export does: data rows from 1)."""
    lines = [str(error.error) for error in result.base_errors]
    for number, errors in result.row_errors():
        lines += [_("Row %(row)s: %(error)s") % {"row": number, "error": error.error} for error in errors]
    for invalid in result.invalid_rows:
        for field, messages in invalid.field_specific_errors.items():
            for message in messages:
                lines.append(
                    _("Row %(row)s: %(error)s") % {"row": invalid.number, "error": f"{field}: {message}"}
                )
        for message in invalid.non_field_specific_errors:
            lines.append(_("Row %(row)s: %(error)s") % {"row": invalid.number, "error": message})
    return lines
