"""Forms of the AKS pages. Choice fields are scoped to the round's kabupaten."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.forms import PersonChoiceField, RegionChoiceField
from meetings.models import Commitment, Meeting
from portal.models import Organisation, Region, RoleAssignment, User, region_q
from portal.roles import Role

from . import kka
from .kka import TargetGroup
from .models import AuditCase, AuditRound, AuditTeamMember, Recommendation, RiskFactor, RiskStatus
from .nik import validate_nik
from .services import round_meeting_choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


def kabupaten_people(kabupaten_code: str):
    """People who work in the kabupaten: members of its bodies or holders of a role there."""
    holders = RoleAssignment.objects.filter(region_q([kabupaten_code], "region_id")).values("user_id")
    organisations = Organisation.objects.filter(region_q([kabupaten_code], "region_id"))
    members = User.objects.filter(organisation__in=organisations).order_by().values("pk")
    # One UNION of two indexed lookups: an OR of the two subqueries read every user (50 ms at
    # 10% of national scale on the audit round page, whose team form lists these people).
    people = holders.order_by().union(members)
    return User.objects.filter(is_active=True, pk__in=people).select_related("organisation")


def kabupaten_organisations(kabupaten_code: str):
    return Organisation.objects.filter(region_q([kabupaten_code], "region_id")).order_by("name")


class RoundForm(forms.ModelForm):
    class Meta:
        model = AuditRound
        fields = [
            "kabupaten",
            "year",
            "semester",
            "sk_number",
            "sk_date",
            "visits_due",
            "review_due",
            "evaluation_due",
        ]
        field_classes = {"kabupaten": RegionChoiceField}
        widgets = {name: DateInput() for name in ("sk_date", "visits_due", "review_due", "evaluation_due")}

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        codes = user.scope_codes(roles=[Role.DPPKB_ADMIN]) if not user.is_superuser else None
        kabupaten = Region.objects.filter(level__in=[Region.Level.KABUPATEN, Region.Level.KOTA])
        self.fields["kabupaten"].queryset = (
            kabupaten if codes is None else kabupaten.filter(region_q(codes, "code"))
        )
        if self.instance.pk:
            for name in ("kabupaten", "year", "semester"):
                del self.fields[name]
        else:
            self.fields["year"].initial = timezone.localdate().year
        self.helper = _helper()


class RoundMeetingsForm(forms.Form):
    meetings = forms.ModelMultipleChoiceField(
        label=_("Linked meetings"),
        queryset=Meeting.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, audit_round: AuditRound, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meetings"].queryset = round_meeting_choices(audit_round)
        self.fields["meetings"].initial = list(audit_round.meetings.values_list("pk", flat=True))
        self.helper = _helper()


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = AuditTeamMember
        fields = ["user", "part", "expertise"]
        field_classes = {"user": PersonChoiceField}

    def __init__(self, *args, audit_round: AuditRound, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = kabupaten_people(audit_round.kabupaten_id).exclude(
            pk__in=audit_round.team.values("user_id")
        )
        self.helper = _helper()


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to"), choices=AuditRound.Stage.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, audit_round: AuditRound, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        options = [s for s in (audit_round.next_stage(), audit_round.previous_stage()) if s]
        self.fields["stage"].choices = [(s, AuditRound.Stage(s).label) for s in options]
        self.helper = _helper()


YES_NO = [("", _("Not known yet")), ("true", _("Yes")), ("false", _("No"))]


class CaseForm(forms.ModelForm):
    """Selection, identity and the KKA items of the case's group on its form version."""

    nik = forms.CharField(
        label=_("NIK"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("16 digits. Stored encrypted; shown masked."),
    )
    name = forms.CharField(
        label=_("Name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    class Meta:
        model = AuditCase
        fields = ["number", "desa", "puskesmas", "visit_date", "age", "occupation", "education"]
        field_classes = {"desa": RegionChoiceField}
        widgets = {"visit_date": DateInput()}

    def __init__(self, *args, audit_round: AuditRound, target_group: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.audit_round = audit_round
        self.target_group = target_group
        self.kka_form = self.instance.form if self.instance.pk else kka.current_form(target_group)
        self.fields["desa"].queryset = Region.objects.filter(
            code__in=audit_round.coverage.values("desa_id")
        ).select_related("parent")
        self.fields["puskesmas"].queryset = kabupaten_organisations(audit_round.kabupaten_id).filter(
            kind=Organisation.Kind.PUSKESMAS
        )
        if self.instance.pk:
            # The identity is only replaced when typed again (it is never sent to the browser).
            self.fields["nik"].required = self.fields["name"].required = False
            self.fields["nik"].help_text = _("Leave empty to keep the stored NIK (%(masked)s).") % {
                "masked": self.instance.nik_masked
            }
            self.fields["name"].help_text = _("Leave empty to keep the stored name.")
        else:
            self.fields["number"].initial = (
                audit_round.cases.order_by("-number").values_list("number", flat=True).first() or 0
            ) + 1
        self.fields["risk_factors"] = forms.ModelMultipleChoiceField(
            label=_("Causes found at the visit"),
            queryset=RiskFactor.objects.filter(active=True),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            initial=list(self.instance.risk_factors.values_list("pk", flat=True)) if self.instance.pk else [],
        )
        self.fields["risk_factors"].queryset = RiskFactor.objects.filter(
            pk__in=[f.pk for f in RiskFactor.objects.filter(active=True) if f.applies_to(target_group)]
        )
        for item in self.kka_form.items:
            self.fields[f"kka_{item.code}"] = self._kka_field(item, self.instance.kka.get(item.code))
        self.helper = _helper()

    @staticmethod
    def _kka_field(item: kka.Item, value) -> forms.Field:
        source = kka.Source(item.source).label
        help_text = " · ".join(str(p) for p in (item.help_text, _("Source: %(s)s") % {"s": source}) if p)
        label = f"{item.label} ({item.unit})" if item.unit else str(item.label)
        if item.kind == "boolean":
            initial = "" if value is None else ("true" if value else "false")
            return forms.ChoiceField(
                label=label, choices=YES_NO, required=False, initial=initial, help_text=help_text
            )
        if item.kind == "choice":
            return forms.ChoiceField(
                label=label,
                choices=[("", "—"), *item.choices],
                required=False,
                initial=value,
                help_text=help_text,
            )
        return forms.CharField(
            label=label,
            required=False,
            initial="" if value is None else value,
            help_text=help_text,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        )

    def clean_nik(self) -> str:
        nik = self.cleaned_data["nik"]
        return validate_nik(nik, self.audit_round.kabupaten_id) if nik else ""

    def kka_data(self) -> dict:
        return {
            item.code: self.cleaned_data.get(f"kka_{item.code}")
            for item in self.kka_form.items
            if self.cleaned_data.get(f"kka_{item.code}") not in (None, "")
        }

    def clean(self):
        cleaned = super().clean()
        visited = bool(cleaned.get("visit_date"))
        try:
            self.kka_form.clean(self.kka_data(), visited=visited)
        except forms.ValidationError as error:
            for code, messages in error.message_dict.items():
                field = f"kka_{code}" if f"kka_{code}" in self.fields else None
                for message in messages:
                    self.add_error(field, message)
        return cleaned

    def _post_clean(self) -> None:
        self.instance.round = self.audit_round
        self.instance.target_group = self.target_group
        self.instance.form_version = self.kka_form.version
        self.instance.kka = self.kka_data() if hasattr(self, "cleaned_data") else {}
        super()._post_clean()

    def _update_errors(self, errors) -> None:
        # The model checks the KKA items again; the form already put those errors on their fields.
        if hasattr(errors, "error_dict") and "kka" in errors.error_dict:
            kka_errors = errors.error_dict.pop("kka")
            if not any(name.startswith("kka_") for name in self.errors):
                errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(kka_errors)
        super()._update_errors(errors)


class ReviewForm(forms.Form):
    audit_date = forms.DateField(label=_("Audit date (date signed)"), widget=DateInput())
    risk_before = forms.ChoiceField(label=_("Risk status"), choices=RiskStatus.choices)
    conclusion = forms.CharField(
        label=_("Conclusion on the causes"), widget=forms.Textarea(attrs={"rows": 4})
    )
    risk_factors = forms.ModelMultipleChoiceField(
        label=_("Causes"),
        queryset=RiskFactor.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, case: AuditCase, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "audit_date": case.audit_date or timezone.localdate(),
                "risk_before": case.risk_before,
                "conclusion": case.conclusion,
                "risk_factors": list(case.risk_factors.values_list("pk", flat=True)),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["risk_factors"].queryset = RiskFactor.objects.filter(
            pk__in=[f.pk for f in RiskFactor.objects.filter(active=True) if f.applies_to(case.target_group)]
        )
        self.helper = _helper()


class EvaluationForm(forms.Form):
    risk_after = forms.ChoiceField(label=_("Risk status after follow-up"), choices=RiskStatus.choices)
    carried_out = forms.TypedChoiceField(
        label=_("Recommendations carried out"),
        choices=[("true", _("Yes")), ("false", _("No"))],
        coerce=lambda v: v == "true",
    )
    evaluated_at = forms.DateField(label=_("Evaluated on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case: AuditCase, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "risk_after": case.risk_after,
                "evaluated_at": case.evaluated_at or timezone.localdate(),
                "note": case.evaluation_note,
            },
        )
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class RecommendationForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["case", "text", "intervention_type", "owner", "priority"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, audit_round: AuditRound, adopted: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = audit_round.cases.all()
        self.fields["case"].empty_label = _("Whole round (system fix)")
        self.fields["owner"].queryset = kabupaten_organisations(audit_round.kabupaten_id)
        if adopted:
            # The commitment carries the rest; a disabled field keeps its stored value.
            for name in ("case", "text", "intervention_type", "owner"):
                self.fields[name].disabled = True
        self.helper = _helper()


class TeamRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept in the history)"),
        max_length=100,
        required=False,
        help_text=_("e.g. moved to another post, replaced by a new decree"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class AdoptForm(forms.Form):
    """One step: the meeting, and for each recommendation ticked its due date and PIC."""

    meeting = forms.ModelChoiceField(
        label=_("Meeting (diseminasi or rakor)"), queryset=Meeting.objects.none()
    )

    def __init__(self, *args, meetings, recommendations, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.recommendations = list(recommendations)
        pics = Commitment.pic_choices(user)
        default_due = timezone.localdate() + timezone.timedelta(days=90)
        self.rows = []
        for rec in self.recommendations:
            self.fields[f"adopt_{rec.pk}"] = forms.BooleanField(label=_("Adopt"), required=False)
            self.fields[f"due_{rec.pk}"] = forms.DateField(
                label=_("Due date"), required=False, initial=default_due, widget=DateInput()
            )
            self.fields[f"pic_{rec.pk}"] = PersonChoiceField(label=_("PIC"), queryset=pics, required=False)
            self.rows.append((rec, self[f"adopt_{rec.pk}"], self[f"due_{rec.pk}"], self[f"pic_{rec.pk}"]))

    def clean(self):
        cleaned = super().clean()
        chosen = [rec for rec in self.recommendations if cleaned.get(f"adopt_{rec.pk}")]
        if not chosen:
            raise forms.ValidationError(_("Tick at least one recommendation."))
        for rec in chosen:
            if not cleaned.get(f"due_{rec.pk}"):
                self.add_error(f"due_{rec.pk}", _("A due date is needed."))
        cleaned["adoptions"] = [
            {
                "recommendation": rec,
                "due_date": cleaned.get(f"due_{rec.pk}"),
                "pic": cleaned.get(f"pic_{rec.pk}"),
            }
            for rec in chosen
        ]
        return cleaned


TARGET_GROUPS = TargetGroup.choices
