from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import Organisation, region_q

from .models import ELIGIBLE_ROLE_CHOICES, Enrollment, Session, Training, organiser_codes


class TrainingAdminForm(forms.ModelForm):
    class Meta:
        model = Training
        fields = "__all__"  # noqa: DJ007 - the admin shows every field


class TrainingForm(forms.ModelForm):
    """The organiser's form; saved through services.update_training (or created as is)."""

    eligible_roles = forms.MultipleChoiceField(
        label=_("Eligible roles"), choices=ELIGIBLE_ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Training
        fields = [
            "title",
            "organiser",
            "description",
            "mode",
            "venue",
            "online_link",
            "start_date",
            "end_date",
            "cohort",
            "capacity",
            "kabupaten_quota",
            "registration_opens",
            "registration_closes",
            "eligible_roles",
            "requires_approval",
            "min_attendance_percent",
            "post_test_pass_mark",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "registration_opens": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "registration_closes": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organisers = Organisation.objects.all()
        if not user.is_superuser:
            organisers = organisers.filter(region_q(organiser_codes(user), "region_id"))
        self.fields["organiser"].queryset = organisers
        if self.instance.pk:
            self.initial["eligible_roles"] = self.instance.eligible_role_list
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))

    def clean_eligible_roles(self) -> str:
        return ",".join(self.cleaned_data["eligible_roles"])


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["date", "start_time", "end_time", "mode", "topic", "facilitator", "venue", "online_link"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("Session code"), max_length=12)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class NominateForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Nominate")))


class DecisionForm(forms.Form):
    enrollments = forms.ModelMultipleChoiceField(
        label=_("Registrations"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    action = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, training: Training, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enrollments"].queryset = training.enrollments.filter(
            status__in=[Enrollment.Status.PENDING, Enrollment.Status.WAITLISTED, Enrollment.Status.CONFIRMED]
        )

    def clean(self):
        data = super().clean()
        if data.get("action") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", gettext("Give a reason when rejecting."))
        return data


class ScoreForm(forms.ModelForm):
    class Meta:
        model = Enrollment
        fields = ["pre_test_score", "post_test_score"]


ScoreFormSet = forms.modelformset_factory(Enrollment, form=ScoreForm, extra=0)


class ParticipantImportForm(forms.Form):
    file = forms.FileField(label=_("Participant file (XLSX)"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = True
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.add_input(Submit("submit", _("Import")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_SIZE:
            raise forms.ValidationError(gettext("The file is too large."))
        head = upload.read(4)
        upload.seek(0)
        # An XLSX is a ZIP archive: check the content, not the name.
        if head != b"PK\x03\x04":
            raise forms.ValidationError(gettext("Upload an Excel (.xlsx) file."))
        return upload
