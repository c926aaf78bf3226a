from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from portal.jobs import start_job
from portal.models import Organisation, row_count
from portal.tokens import one_tap_page
from portal.uploads import download_name

from . import services
from .access import get_meeting_for_user
from .forms import (
    AgendaFormSet,
    AttendanceFormSet,
    CheckinForm,
    DocumentForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
    RsvpForm,
    agenda_saver,
    writable_regions,
)
from .ics import meeting_calendar
from .links import RsvpLinkError, read_rsvp_token
from .models import (
    CalendarFeed,
    Invitation,
    Meeting,
    MeetingDocument,
    Minutes,
    MinutesVersion,
    contacts_of,
)
from .paging import VisibleMeetingsPaginator
from .services import ANSWERS


def _post(request: HttpRequest):
    """The submitted data, or None for a GET (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


class MeetingListView(LoginRequiredMixin, ListView):
    template_name = "meetings/meeting_list.html"
    paginate_by = 25
    counted_pages = 10  # beyond them the pager says "of more than N" (no count of every row)

    @cached_property
    def past(self) -> bool:
        return self.request.GET.get("when") == "past"

    @cached_property
    def window(self):
        # The window first: visible_to applies it inside each part of its union.
        if self.past:
            return Meeting.objects.past().order_by("-start", "-pk")
        return Meeting.objects.upcoming().order_by("start", "pk")

    def get_queryset(self):
        # Never read: ListView hands it to the paginator, whose pages come from
        # visible_to(user, up_to=...) (VisibleMeetingsPaginator). Building the whole union here
        # too cost 3 ms of Python a request (full scale, DPPKB admin) for nothing. Empty, not the
        # bare window: a list without the paginator would show nothing rather than every meeting.
        return self.window.none()

    @staticmethod
    def shown(meetings):
        return (
            meetings.select_related("region")
            .prefetch_related("organisers")
            .annotate(n_invitations=row_count(Invitation.objects.all(), "meeting"))
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        # A page reads each part of the union up to its end only (visible_to's up_to), the
        # count up to counted_pages (or the asked page) and one row more.
        return VisibleMeetingsPaginator(
            self.window,
            per_page,
            user=self.request.user,
            shown=self.shown,
            counted_pages=self.counted_pages,
            **kwargs,
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        can_add = user.has_perm("meetings.add_meeting") and writable_regions(user).exists()
        return super().get_context_data(past=self.past, can_add=can_add, **kwargs)


index = MeetingListView.as_view()


INVITATIONS_PER_PAGE = 50


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    invitation = meeting.invitation_for(request.user)
    # The buttons under an in-app message open this page with their answer chosen.
    answer = request.GET.get("answer")
    initial = {"response": answer} if answer in ANSWERS else {}
    context = {
        "meeting": meeting,
        "can_change": meeting.can_change(request.user),
        "agenda": meeting.agenda_items.all(),
        # A meeting may invite hundreds: the page shows them a page at a time.
        "invitations": Paginator(
            meeting.invitations.select_related("person", "organisation").order_by("pk"), INVITATIONS_PER_PAGE
        ).get_page(request.GET.get("invitations")),
        "documents": meeting.documents.all(),
        "commitments": meeting.commitments.select_related("owner", "pic").order_by("due_date", "pk"),
        "my_invitation": invitation,
        "rsvp_form": RsvpForm(instance=invitation, initial=initial) if invitation else None,
        "document_form": DocumentForm(),
        "minutes": Minutes.objects.filter(meeting=meeting).first(),
        "checkin_open": meeting.checkin_code and meeting.checkin_open(),
    }
    return render(request, "meetings/meeting_detail.html", context)


def published_message(count: int) -> str:
    if not count:
        return _(
            "The meeting is scheduled, but its invitations reach nobody yet: invite people, or set the invited organisations' head or focal points."
        )
    return ngettext(
        "The meeting is scheduled: %(count)d person was sent the invitation.",
        "The meeting is scheduled: %(count)d people were sent the invitation.",
        count,
    ) % {"count": count}


@login_required
def meeting_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Schedule a meeting or change one, with its agenda."""
    if pk is None:
        if not request.user.has_perm("meetings.add_meeting") or not writable_regions(request.user).exists():
            raise PermissionDenied
        meeting = Meeting()
    else:
        meeting = get_meeting_for_user(request.user, pk, write=True)
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, instance=meeting, user=request.user)
    agenda = AgendaFormSet(data, instance=meeting, prefix="agenda")
    if data is not None and form.is_valid() and agenda.is_valid():
        meeting = services.save_meeting(
            meeting=form.save(commit=False),
            changed=form.changed_data,
            acting_user=request.user,
            save_parts=agenda_saver(form, agenda),
        )
        messages.success(request, _("The meeting is saved."))
        if meeting.notified is not None:
            messages.info(request, published_message(meeting.notified))
        return redirect(meeting)
    context = {"form": form, "agenda": agenda, "meeting": meeting}
    return render(request, "meetings/meeting_form.html", context)


@login_required
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = InviteForm(_post(request), user=request.user, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        created = services.invite(
            meeting=meeting,
            people=form.cleaned_data["people"],
            organisations=form.cleaned_data["organisations"],
            acting_user=request.user,
        )
        messages.success(request, _("%(count)d invitation(s) added.") % {"count": len(created)})
        return redirect(meeting)
    invited = list(meeting.invitations.select_related("person", "organisation__head"))
    recipients = contacts_of([i.organisation for i in invited if i.organisation_id])
    context = {
        "meeting": meeting,
        "form": form,
        "invited": [(i, [i.person] if i.person_id else recipients[i.organisation_id]) for i in invited],
        "editable": set(Organisation.objects.editable_by(request.user).values_list("pk", flat=True))
        if request.user.has_perm("portal.change_organisation")
        else set(),
    }
    return render(request, "meetings/meeting_invite.html", context)


@require_POST
@login_required
def meeting_repeat(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, write=True)
    new = services.repeat_meeting(meeting=meeting, acting_user=request.user)
    messages.success(request, _("The next meeting of the series is prepared as a draft. Check the date."))
    return redirect("meetings:meeting-update", pk=new.pk)


@require_POST
@login_required
def meeting_rsvp(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    invitation = meeting.invitation_for(request.user)
    if invitation is None:
        raise PermissionDenied
    form = RsvpForm(request.POST, instance=invitation)
    if not form.is_valid():
        messages.error(request, _("Please correct the answer: %(errors)s") % {"errors": form.error_summary()})
        return redirect(meeting)
    services.respond(invitation=invitation, acting_user=request.user, **form.cleaned_data)
    messages.success(request, _("Your answer is recorded."))
    return redirect(meeting)


@one_tap_page
def rsvp_link(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """One-tap answer from the invitation email: the signed link stands in for a login."""
    try:
        invitation, person = read_rsvp_token(token, pk, request.user)
    except RsvpLinkError as error:
        return render(request, "meetings/rsvp_invalid.html", {"message": error.message}, status=400)
    if invitation.meeting.status == Meeting.Status.DRAFT:
        # Taken back to draft after the invitations went out: nothing to answer until rescheduled.
        message = _("This meeting is not scheduled at the moment. You will be told when it is.")
        return render(request, "meetings/rsvp_invalid.html", {"message": message}, status=400)
    # The email offers one link per answer; the page opens with that answer chosen.
    answer = request.GET.get("answer")
    initial = {"response": answer} if answer in Invitation.Response.values else {}
    form = RsvpForm(_post(request), instance=invitation, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.respond(invitation=invitation, acting_user=person, **form.cleaned_data)
        return render(request, "meetings/rsvp_done.html", {"invitation": invitation, "person": person})
    context = {"invitation": invitation, "meeting": invitation.meeting, "person": person, "form": form}
    return render(request, "meetings/rsvp_link.html", context)


@login_required
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    response = HttpResponse(meeting_calendar([meeting]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rapat-{meeting.pk}.ics"'
    return response


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal feed a calendar app subscribes to: the secret token is the only key."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token, user__is_active=True)
    invited = Meeting.objects.invited(feed.user).values("pk")
    meetings = (
        Meeting.objects.filter(Q(pk__in=invited) | Q(chair=feed.user))
        .exclude(status=Meeting.Status.DRAFT)
        .order_by("start")
    )
    body = meeting_calendar(meetings, name=_("TPPS meetings"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@login_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    if request.method == "POST":
        if feed is None:
            CalendarFeed.objects.get_or_create(user=request.user)
        else:
            feed.regenerate()
            messages.success(request, _("A new calendar address was made; the old one no longer works."))
        return redirect("meetings:my-calendar")
    url = request.build_absolute_uri(feed.get_absolute_url()) if feed else ""
    return render(request, "meetings/my_calendar.html", {"feed_url": url})


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The daftar hadir: saved lines, then the expected people not listed yet filled in from their
    answers (unsaved: a GET writes nothing), then walk-ins. Saving keeps them all."""
    meeting = get_meeting_for_user(request.user, pk, write=True)
    expected = [
        {name: getattr(line, name) for name in ("name", "jabatan", "instansi", "status", "delegate_name")}
        | {"invitee": line.invitee_key}
        for line in services.expected_attendance(meeting)
    ]
    formset = AttendanceFormSet(
        _post(request), queryset=meeting.attendances.all(), prefix="attendance", initial=expected
    )
    formset.extra = len(expected) + 2  # two empty lines for walk-ins
    if request.method == "POST" and formset.is_valid():
        services.record_attendance(meeting=meeting, formset=formset, acting_user=request.user)
        messages.success(request, _("The attendance list is saved."))
        return redirect(meeting)
    return render(request, "meetings/attendance.html", {"meeting": meeting, "formset": formset})


@require_POST
@login_required
def attendance_pdf_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The daftar hadir is made by the worker (portal.jobs), like every PDF and export."""
    meeting = get_meeting_for_user(request.user, pk)
    job = start_job(
        kind="meetings.jobs.attendance_pdf",
        title=_("Daftar hadir (PDF): %(title)s") % {"title": meeting.title},
        owner=request.user,
        params={"meeting": meeting.pk},
    )
    return redirect(job)


@require_POST
@login_required
def minutes_pdf_job(request: HttpRequest, pk: int) -> HttpResponse:
    """Large minutes take a while: the worker makes the PDF, the person watches its progress."""
    meeting = get_meeting_for_user(request.user, pk)
    job = start_job(
        kind="meetings.jobs.minutes_pdf",
        title=_("Notulen / berita acara (PDF): %(title)s") % {"title": meeting.title},
        owner=request.user,
        params={"meeting": meeting.pk},
    )
    return redirect(job)


@login_required
def checkin_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """What the organiser shows in the room: the code and a QR leading to the check-in page."""
    meeting = get_meeting_for_user(request.user, pk, write=True)
    code = meeting.checkin_code
    url = request.build_absolute_uri(reverse("meetings:checkin") + f"?code={code}")
    qr = segno.make(url, error="m").svg_inline(scale=6, title=_("QR code to check in"))
    return render(request, "meetings/checkin_screen.html", {"meeting": meeting, "code": code, "qr": qr})


@login_required
def checkin(request: HttpRequest) -> HttpResponse:
    """Self check-in from a phone with the code shown in the room."""
    form = CheckinForm(request.POST or request.GET or None)
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"]
        # The code first: visible_to then checks only the meetings with that code.
        meeting = Meeting.objects.filter(checkin_code=code).visible_to(request.user).first()
        if meeting is None or not meeting.checkin_open():
            form.add_error("code", _("No meeting open for check-in has this code."))
        elif request.method == "POST":
            services.check_in(meeting=meeting, acting_user=request.user)
            messages.success(request, _("You are checked in. Welcome!"))
            return redirect(meeting)
        else:
            return render(request, "meetings/checkin.html", {"form": form, "meeting": meeting})
    return render(request, "meetings/checkin.html", {"form": form, "meeting": None})


@require_POST
@login_required
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, error)
        return redirect(meeting)
    upload = form.cleaned_data["file"]
    MeetingDocument.objects.create(
        meeting=meeting,
        kind=form.cleaned_data["kind"],
        file=upload,
        original_name=upload.original_name[:255],
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by=request.user,
    )
    messages.success(request, _("The document is kept with the meeting."))
    return redirect(meeting)


@login_required
def document_download(request: HttpRequest, pk: int, doc: int) -> FileResponse:
    meeting = get_meeting_for_user(request.user, pk)
    document = get_object_or_404(meeting.documents, pk=doc)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        content_type=document.content_type,
        filename=download_name(document.original_name, document.content_type),
        as_attachment=False,
    )


@login_required
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the minutes; writers edit the draft or record an amendment."""
    meeting = get_meeting_for_user(request.user, pk)
    can_change = meeting.can_change(request.user)
    notes = Minutes.objects.filter(meeting=meeting).first()
    if notes is None and can_change:
        notes = Minutes(meeting=meeting)  # stored by the first save of the draft
    form = MinutesForm(_post(request), minutes=notes) if can_change else None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            if notes.is_locked:
                services.amend_minutes(
                    minutes=notes,
                    data=form.content(),
                    reason=form.cleaned_data["reason"],
                    acting_user=request.user,
                )
                messages.success(request, _("The amendment is recorded."))
            else:
                services.save_minutes(minutes=notes, data=form.content(), acting_user=request.user)
                messages.success(request, _("The draft minutes are saved."))
            return redirect("meetings:minutes", pk=meeting.pk)
    context = {
        "meeting": meeting,
        "minutes": notes,
        "form": form,
        "versions": notes.versions.select_related("author") if notes and notes.pk else [],
        "can_approve": notes is not None
        and notes.pk is not None
        and not notes.is_locked
        and meeting.can_approve_minutes(request.user),
    }
    return render(request, "meetings/minutes.html", context)


@require_POST
@login_required
def minutes_approve(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    notes = get_object_or_404(Minutes, meeting=meeting)
    if not meeting.can_approve_minutes(request.user) or notes.is_locked:
        raise PermissionDenied
    if request.POST.get("confirm") != "on":
        messages.error(request, _("Tick the box to confirm that you approve and lock the minutes."))
        return redirect("meetings:minutes", pk=meeting.pk)
    services.approve_minutes(minutes=notes, acting_user=request.user)
    messages.success(request, _("The minutes are approved and locked."))
    return redirect("meetings:minutes", pk=meeting.pk)


@login_required
def minutes_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    versions = MinutesVersion.objects.filter(minutes__meeting=meeting).select_related("author")
    version = get_object_or_404(versions, number=number)
    items = [(item, version.discussions.get(str(item.pk), "")) for item in meeting.agenda_items.all()]
    context = {"meeting": meeting, "version": version, "items": items}
    return render(request, "meetings/minutes_version.html", context)
