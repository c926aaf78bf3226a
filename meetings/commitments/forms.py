"""Forms of commitments (RTL): progress reports with evidence, verification, reopening,
and the admin form that keeps status changes within the allowed transitions."""

from __future__ import annotations

import uuid

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from portal.uploads import UploadsField, limits_text

from .models import Commitment


class ProgressForm(forms.Form):
    note = forms.CharField(
        label=_("Progress note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done since the last report."),
    )
    percent = forms.IntegerField(
        label=_("Progress (%)"),
        required=False,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100}),
    )
    files = UploadsField(label=_("Evidence (PDF or photo)"), required=False)
    # A nonce per rendered form: submitting it twice (double tap, retry) records one update.
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, commitment: Commitment, mark_done: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.commitment = commitment
        self.mark_done = mark_done
        self.fields["submission"].initial = uuid.uuid4().hex
        self.fields["files"].help_text = limits_text()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def already_recorded(self) -> bool:
        """This very form was submitted before and its update recorded."""
        key = str(self.data.get("submission") or "")[:64]
        return bool(key) and self.commitment.updates.filter(submission_key=key).exists()

    def clean_percent(self):
        percent = self.cleaned_data.get("percent")
        if self.mark_done:
            return 100
        return percent

    def clean(self):
        cleaned = super().clean()
        if not self.commitment.is_open:
            raise ValidationError(_("This commitment is closed; reopen it before reporting progress."))
        if self.mark_done and not self.has_error("files"):
            try:
                self.commitment.check_transition(
                    Commitment.Status.DONE, with_evidence=bool(cleaned.get("files"))
                )
            except ValidationError as error:
                self.add_error("files" if error.code == "evidence" else None, error)
        return cleaned


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The owner sees this reason in the history."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the commitment is reopened."))
        return reason


class CommitmentAdminForm(forms.ModelForm):
    """Admin (and inline) form: choices scoped to the user, status changes checked. Saved through
    services.create_commitment / services.edit_commitment, never by the model form itself."""

    reason = forms.CharField(
        label=_("Reason for reopening"),
        required=False,
        help_text=_("Needed when a done, verified or cancelled commitment is reopened; the owner sees it."),
    )

    class Meta:
        model = Commitment
        fields = ["meeting", "description", "intervention_type", "owner", "pic", "due_date", "status"]

    def clean_status(self):
        status = self.cleaned_data["status"]
        if self.instance.pk:
            self.instance.check_transition(status)
        elif status not in Commitment.OPEN_STATUSES:
            raise ValidationError(_("A new commitment is open or in progress."))
        return status

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        reopening = self.instance.pk and not self.instance.is_open and status in Commitment.OPEN_STATUSES
        if reopening and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why the commitment is reopened."))
        return cleaned
