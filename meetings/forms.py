from __future__ import annotations

from collections.abc import Callable

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import Organisation, Region, User, region_q
from portal.uploads import UploadField, limits_text

from .models import (
    WRITER_ROLES,
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    MeetingDocument,
    contacts_of,
)
from .services import renumber_agenda

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def people_choices(user):
    """People the user can pick: members of the organisations they can see."""
    organisations = Organisation.objects.visible_to(user)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(organisation__in=organisations) | Q(pk=user.pk))
        .select_related("organisation")
        .distinct()
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_full_name()} — {obj.jabatan}" if obj.jabatan else obj.get_full_name()


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return PersonChoiceField.label_from_instance(self, obj)


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.label} ({obj.code})"


class MeetingForm(forms.ModelForm):
    online_link = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        help_text=_("Needed for online and hybrid meetings."),
    )

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "region",
            "organisers",
            "chair",
            "start",
            "end",
            "mode",
            "venue",
            "online_link",
            "status",
            "recurrence",
            "description",
        ]
        field_classes = {"region": RegionChoiceField, "chair": PersonChoiceField}
        widgets = {
            "start": DateTimeInput(),
            "end": DateTimeInput(),
            "organisers": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "start": _("Time in WITA."),
            "venue": _("Needed for in-person and hybrid meetings."),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].input_formats = [DATETIME_FORMAT]
        self.fields["end"].input_formats = [DATETIME_FORMAT]
        self.fields["region"].queryset = writable_regions(user)
        self.fields["organisers"].queryset = Organisation.objects.visible_to(user)
        self.fields["chair"].queryset = people_choices(user)
        current = self.instance.status if self.instance.pk else Meeting.Status.DRAFT
        allowed = Meeting.TRANSITIONS[current]
        self.fields["status"].choices = [(v, label) for v, label in Meeting.Status.choices if v in allowed]
        self.user = user
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_chair(self):
        return check_chair(self.instance, self.cleaned_data.get("chair"), self.user)


def check_chair(meeting: Meeting, chair, user):
    """The chair a form may name (Meeting.may_name_chair), or a form error; the portal form and
    Django admin both ask this before the service, which refuses again."""
    previous = Meeting.objects.filter(pk=meeting.pk).first() if meeting.pk else None
    if not (previous or Meeting()).may_name_chair(chair, user):
        raise forms.ValidationError(
            _("You cannot name yourself chair: the chair approves the minutes you write.")
        )
    return chair


def writable_regions(user):
    """Regions where the user may schedule: kabupaten and below for DPPKB, the kecamatan for a camat."""
    codes = user.scope_codes(roles=WRITER_ROLES) if not user.is_superuser else None
    regions = Region.objects.visible_to(user).exclude(level=Region.Level.PROVINSI)
    return regions if codes is None else regions.filter(region_q(codes, "code"))


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["order", "title", "presenter", "minutes_planned"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].label = _("No.")
        if self.instance.pk is None:
            # An untouched empty row must stay "unchanged" so the formset skips it.
            self.initial["order"] = None

    def clean_order(self) -> int:
        # Left empty: numbered after the others by services.renumber_agenda.
        return self.cleaned_data.get("order") or 0


AgendaFormSet = forms.inlineformset_factory(
    Meeting, AgendaItem, form=AgendaItemForm, extra=1, can_delete=True
)


def agenda_saver(form: MeetingForm, agenda_formset) -> Callable[[Meeting], None]:
    """`save_parts` for services.save_meeting: the form's organisers and the agenda, renumbered."""

    def save_parts(meeting: Meeting) -> None:
        form.save_m2m()
        agenda_formset.instance = meeting
        agenda_formset.save()
        renumber_agenda(meeting)

    return save_parts


class InviteForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The invitation reaches the organisation's head or focal points."),
    )
    people = PeopleChoiceField(
        label=_("People"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, user, meeting: Meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = (
            Organisation.objects.visible_to(user)
            .exclude(meeting_invitations__meeting=meeting)
            .select_related("region")
        )
        self.fields["people"].queryset = people_choices(user).exclude(meeting_invitations__meeting=meeting)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Invite")))

    def organisation_rows(self) -> list[dict]:
        """Each organisation on offer with who would receive its invitation (head or focal points)."""
        organisations = list(self.fields["organisations"].queryset.select_related("head"))
        recipients = contacts_of(organisations)
        bound = {str(value) for value in (self["organisations"].value() or [])}
        return [
            {"organisation": org, "recipients": recipients[org.pk], "checked": str(org.pk) in bound}
            for org in organisations
        ]

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("organisations") and not data.get("people"):
            raise forms.ValidationError(_("Choose at least one organisation or person."))
        return data


class RsvpForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["response", "delegate_name", "delegate_position"]
        widgets = {"response": forms.RadioSelect}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["response"].choices = [
            c for c in Invitation.Response.choices if c[0] != Invitation.Response.PENDING
        ]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Send answer")))

    def error_summary(self) -> str:
        """The errors with each field's label (not its code name), for a message on the next page."""
        parts = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            parts += [f"{label}: {error}" if label else str(error) for error in errors]
        return "; ".join(parts)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("response") == Invitation.Response.DIWAKILKAN:
            for field in ("delegate_name", "delegate_position"):
                if not data.get(field, "").strip():
                    self.add_error(field, _("Name the delegate and their position."))
        return data


class AttendanceForm(forms.ModelForm):
    # An expected person not listed yet (services.invitee_key): the line is saved for them.
    invitee = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Attendance
        fields = ["name", "jabatan", "instansi", "status", "delegate_name"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("status") == Attendance.Status.DIWAKILKAN and not data.get("delegate_name", "").strip():
            self.add_error("delegate_name", _("Name the delegate who came."))
        return data


AttendanceFormSet = forms.modelformset_factory(Attendance, form=AttendanceForm, extra=2, can_delete=True)


class CheckinForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=12,
        help_text=_("The code shown in the meeting room."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Check in")))

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper().replace(" ", "")


class DocumentForm(forms.ModelForm):
    class Meta:
        model = MeetingDocument
        fields = ["kind", "file"]

        field_classes = {"file": UploadField}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = limits_text()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Upload")))


class MinutesForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, minutes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.minutes = minutes
        self.items = list(minutes.meeting.agenda_items.all())
        for item in self.items:
            self.fields[f"discussion_{item.pk}"] = forms.CharField(
                label=_("Discussion: %(item)s") % {"item": item.title},
                required=False,
                initial=minutes.discussions.get(str(item.pk), ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["summary"].initial = minutes.summary
        self.fields["decisions"].initial = minutes.decisions
        if minutes.is_locked:
            self.fields["reason"] = forms.CharField(
                label=_("Reason for the amendment"),
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("The minutes are approved: every change is recorded with its reason."),
            )
        self.order_fields(
            ["summary", *(f"discussion_{item.pk}" for item in self.items), "decisions", "reason"]
        )
        self.helper = FormHelper()
        self.helper.add_input(
            Submit("submit", _("Record amendment") if minutes.is_locked else _("Save draft"))
        )

    def clean(self) -> dict:
        from .services import check_minutes_length

        data = super().clean()
        if not self.errors:
            check_minutes_length(self.content())
        return data

    def content(self) -> dict:
        data = self.cleaned_data
        return {
            "summary": data["summary"],
            "decisions": data["decisions"],
            "discussions": {
                str(item.pk): data[f"discussion_{item.pk}"]
                for item in self.items
                if data[f"discussion_{item.pk}"]
            },
        }
