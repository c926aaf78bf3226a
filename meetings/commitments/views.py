"""Pages of commitments (RTL): "Komitmen saya", the commitment with its history, the
progress / done / verify / reopen actions, evidence downloads and exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from portal.access import get_for_user
from portal.exports import SafeCSV, SafeXLSX
from portal.jobs import counted, start_job
from portal.models import row_count
from portal.paging import CountedPagesMixin
from portal.tokens import one_tap_page
from portal.uploads import download_name

from ..access import get_meeting_for_user
from ..links import ProgressLinkError, read_progress_token
from ..models import Meeting
from . import services, sources
from .forms import ProgressForm, ReopenForm, VerifyForm
from .models import Commitment, CommitmentUpdate, Evidence
from .resources import CommitmentReportResource

EXPORT_FORMATS = {"csv": SafeCSV, "xlsx": SafeXLSX}


def get_commitment_for_user(user, pk: int, *, write: bool = False) -> Commitment:
    """The one way views fetch a commitment: 404 outside scope, 403 without write rights."""
    queryset = Commitment.objects.select_related("meeting__region", "owner__region", "pic")
    return get_for_user(queryset, user, write=write, pk=pk)


class MyCommitmentsView(LoginRequiredMixin, CountedPagesMixin, ListView):
    """ "Komitmen saya"; with ?review=<meeting> the whole review of a meeting instead (the
    meeting page lists its first lines only)."""

    template_name = "meetings/my_commitments.html"
    context_object_name = "commitments"
    paginate_by = 50
    # The first pages are read in order, part by part (`mine_first`); later ones sort the list:
    # at national scale 500 rows read in order cost an OPD more than sorting (24 vs 12 ms).
    pages_in_order = 3

    def get_queryset(self):
        # A page's commitments are picked from the commitments alone (the rows are counted the
        # same way), then read with their meetings, people and updates (see paginate_queryset):
        # joined before the sort, the thousands of a busy kabupaten or office were each joined
        # to their meeting, owner and PIC for a page of 50 (PostgreSQL expects a few dozen rows
        # from the scope's ORs).
        user = self.request.user
        self.review = self._review_meeting()
        if self.review is not None:
            # The whole review. Every one is still open, so overdue first is simply by due date.
            return (
                Commitment.objects.visible_to(user)
                .carried_into(self.review)
                .order_by("due_date", "pk")
                .values_list("pk", flat=True)
            )
        commitments = Commitment.objects.mine(user)
        if not self.show_all:
            commitments = commitments.exclude(status__in=Commitment.CLOSED_STATUSES)
        return commitments.overdue_first().values_list("pk", flat=True)

    @property
    def show_all(self) -> bool:
        return self.request.GET.get("show") == "all"

    @staticmethod
    def _with_details(commitments):
        return commitments.select_related("meeting", "owner", "pic").annotate(
            update_count=row_count(CommitmentUpdate.objects.all(), "commitment")
        )

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        # The page's ids: the page's end of `mine_first` (the user's own list on PostgreSQL,
        # read part by part in its order), else the sorted list's slice, a subquery of the
        # query of its rows.
        keys = page.object_list
        if self.review is None and page.number <= self.pages_in_order:
            bottom = (page.number - 1) * paginator.per_page
            first = Commitment.objects.mine_first(self.request.user, bottom + paginator.per_page)
            if first is not None:
                keys = first[bottom:]
        # The rows shown are those the user may see, whichever way their keys were found.
        rows = Commitment.objects.visible_to(self.request.user).filter(pk__in=keys)
        page.object_list = object_list = self._with_details(rows.overdue_first())
        return paginator, page, object_list, is_paginated

    def _review_meeting(self) -> Meeting | None:
        pk = self.request.GET.get("review", "")
        if not pk:
            return None
        if not pk.isdigit():
            raise Http404
        return get_meeting_for_user(self.request.user, int(pk))

    def get_context_data(self, **kwargs):
        return super().get_context_data(show_all=self.show_all, review=self.review, **kwargs)


def _detail(request: HttpRequest, commitment: Commitment, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    updates = commitment.updates.select_related("author").prefetch_related("evidence").order_by("-created_at")
    context = {
        "commitment": commitment,
        "origins": sources.origins(commitment),
        "updates": updates,
        "can_report": commitment.is_open and commitment.can_change(user),
        "can_mark_done": commitment.can_mark_done(user),
        "can_verify": commitment.status == Commitment.Status.DONE and commitment.can_verify(user),
        "can_reopen": not commitment.is_open and commitment.can_verify(user),
        "progress_form": forms.get("progress_form") or ProgressForm(commitment=commitment),
        "verify_form": forms.get("verify_form") or VerifyForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
    }
    # Errors not tied to a field (e.g. the commitment was closed meanwhile) show at the top,
    # since the form they belong to may no longer be offered.
    context["forms_with_errors"] = [form for form in forms.values() if form.non_field_errors()]
    return render(request, "meetings/commitment_detail.html", context, status=status)


@login_required
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_commitment_for_user(request.user, pk))


@login_required
@require_POST
def commitment_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Post progress, or (the "done" button) post it and mark the commitment done."""
    commitment = get_commitment_for_user(request.user, pk, write=True)
    mark_done = "done" in request.POST
    if mark_done and not commitment.can_mark_done(request.user):
        raise PermissionDenied
    form = ProgressForm(request.POST, request.FILES, commitment=commitment, mark_done=mark_done)
    if form.already_recorded():  # a double submit: the first one did it
        return redirect(commitment)
    if not form.is_valid():
        return _detail(request, commitment, status=400, progress_form=form)
    _save_progress(request, commitment, request.user, form)
    return redirect(commitment)


def _save_progress(request: HttpRequest, commitment: Commitment, person, form: ProgressForm) -> None:
    """Run the workflow for a valid progress form (shared by the page and the one-tap link)."""
    data = form.cleaned_data
    if form.mark_done:
        services.mark_done(
            commitment=commitment,
            acting_user=person,
            note=data["note"],
            files=data["files"],
            submission_key=data["submission"],
        )
        messages.success(request, _("The commitment is marked done; the secretariat will verify it."))
    else:
        services.post_update(
            commitment=commitment,
            acting_user=person,
            note=data["note"],
            percent=data["percent"],
            files=data["files"],
            submission_key=data["submission"],
        )
        messages.success(request, _("Progress recorded."))


@one_tap_page
def commitment_quick_update(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """One-tap progress report from a reminder email: the signed link stands in for a login
    for this commitment and person only; nobody is logged in."""
    try:
        commitment, person = read_progress_token(token, pk, request.user)
    except ProgressLinkError as error:
        context = {"message": error.message}
        return render(request, "meetings/commitment_quick_invalid.html", context, status=error.status)
    mark_done = request.method == "POST" and "done" in request.POST
    if mark_done and not commitment.can_mark_done(person):
        raise PermissionDenied
    form = ProgressForm(_post(request), request.FILES or None, commitment=commitment, mark_done=mark_done)
    if request.method == "POST" and form.already_recorded():  # a double submit
        return redirect(request.path)
    if request.method == "POST" and form.is_valid():
        _save_progress(request, commitment, person, form)
        return redirect(request.path)
    context = {
        "commitment": commitment,
        "person": person,
        "form": form,
        "can_mark_done": commitment.can_mark_done(person),
        "updates": commitment.updates.select_related("author")
        .prefetch_related("evidence")
        .order_by("-created_at")[:5],
    }
    status = 400 if form.is_bound else 200
    return render(request, "meetings/commitment_quick.html", context, status=status)


def _post(request: HttpRequest):
    return request.POST if request.method == "POST" else None


@login_required
@require_POST
def commitment_verify(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_commitment_for_user(request.user, pk)
    if not commitment.can_verify(request.user):
        raise PermissionDenied
    form = VerifyForm(request.POST)
    if not form.is_valid() or commitment.status != Commitment.Status.DONE:
        if form.is_valid():
            form.add_error(None, _("Only a commitment marked done can be verified."))
        return _detail(request, commitment, status=400, verify_form=form)
    services.verify(commitment=commitment, acting_user=request.user, note=form.cleaned_data["note"])
    messages.success(request, _("The commitment is verified."))
    return redirect(commitment)


@login_required
@require_POST
def commitment_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_commitment_for_user(request.user, pk)
    if not commitment.can_verify(request.user):
        raise PermissionDenied
    form = ReopenForm(request.POST)
    if not form.is_valid() or commitment.is_open:
        if form.is_valid():
            form.add_error(None, _("This commitment is still open."))
        return _detail(request, commitment, status=400, reopen_form=form)
    services.reopen(commitment=commitment, acting_user=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("The commitment is reopened."))
    return redirect(commitment)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(evidence.original_name, evidence.content_type),
        content_type=evidence.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def export_commitments(user, fmt: str, meeting_id: str | None = None, progress=None) -> bytes:
    """The commitments the user may see (optionally of one meeting) as CSV or XLSX bytes."""
    if fmt not in EXPORT_FORMATS or not user.has_perm("meetings.view_commitment"):
        raise Http404
    commitments = Commitment.objects.visible_to(user)
    if meeting_id:
        if not str(meeting_id).isdigit():
            raise Http404
        meeting = get_object_or_404(Meeting.objects.visible_to(user), pk=meeting_id)
        commitments = commitments.filter(meeting=meeting)
    rows = commitments.select_related("meeting", "owner", "pic").order_by("meeting_id", "due_date", "pk")
    dataset = CommitmentReportResource().export(queryset=counted(rows, progress) if progress else rows)
    return EXPORT_FORMATS[fmt]().export_data(dataset)


@require_POST
@login_required
def commitment_export_job(request: HttpRequest, fmt: str) -> HttpResponse:
    """A large export is made by the worker; the person watches its progress (portal.jobs)."""
    if fmt not in EXPORT_FORMATS or not request.user.has_perm("meetings.view_commitment"):
        raise Http404
    meeting = request.POST.get("meeting", "")
    if (
        meeting
        and not Meeting.objects.visible_to(request.user)
        .filter(pk=meeting if meeting.isdigit() else None)
        .exists()
    ):
        raise Http404
    job = start_job(
        kind="meetings.jobs.commitments_export",
        title=_("Commitments (%(format)s)") % {"format": fmt.upper()},
        owner=request.user,
        params={"format": fmt, "meeting": meeting},
    )
    return redirect(job)
