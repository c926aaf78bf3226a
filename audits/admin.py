"""Django admin for the AKS, scoped like the portal: lists start from visible_to(user), object
rights are the round's, and every write that has a workflow goes through the portal pages
(creating a round fills its coverage; a case's identity is validated and encrypted; the stage
is checked). The NIK access log is read-only for everyone."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from portal.scoped_admin import ScopedAdminMixin, ScopedInlineMixin

from . import services
from .forms import kabupaten_organisations, kabupaten_people
from .kka import TargetGroup
from .models import (
    AuditCase,
    AuditRound,
    AuditTeamMember,
    NikAccessLog,
    Recommendation,
    RiskFactor,
    StageChange,
)


class ReadOnlyInline(ScopedInlineMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StageChangeInline(ReadOnlyInline):
    model = StageChange
    fields = ["changed_at", "changed_by", "from_stage", "to_stage", "note"]
    readonly_fields = fields


class TeamFormSet(forms.BaseInlineFormSet):
    """The portal's rule: past team formation, the round keeps a member of each part."""

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        leaving, joining = [], []
        for f in self.forms:
            deleted = self._should_delete_form(f)
            moved = "part" in f.changed_data
            if f.instance.pk and (deleted or moved):
                leaving.append(f.instance)
            if not deleted and f.has_changed() and (moved or not f.instance.pk):
                joining.append(f.cleaned_data.get("part"))
        needs = services.team_blockers(self.instance, leaving=leaving, joining=joining)
        if needs:
            raise ValidationError(needs)


class TeamInline(ScopedInlineMixin, admin.TabularInline):
    model = AuditTeamMember
    formset = TeamFormSet
    extra = 0
    fields = ["user", "part", "expertise"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            audit_round = getattr(request, "_audit_round", None)
            people = kabupaten_people(audit_round.kabupaten_id) if audit_round else None
            kwargs["queryset"] = people if people is not None else db_field.related_model.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def parent_writable(self, request, obj) -> bool:
        return obj is None or obj.can_manage(request.user)


class AuditRoundAdminForm(forms.ModelForm):
    """The round page's rules (services.round_edit_errors) shown on the admin form."""

    class Meta:
        model = AuditRound
        fields = list(services.ROUND_EDITABLE)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            values = {name: cleaned[name] for name in services.ROUND_EDITABLE if name in cleaned}
            for name, errors in services.round_edit_errors(self.instance, values).items():
                for error in errors:
                    self.add_error(name if name in self.fields else None, error)
        return cleaned


@admin.register(AuditRound)
class AuditRoundAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = AuditRoundAdminForm
    list_display = ["__str__", "stage", "sk_number", "year", "semester"]
    list_filter = ["stage", "year", "semester"]
    list_select_related = ["kabupaten"]
    search_fields = ["kabupaten__name", "sk_number"]
    fields = [
        "kabupaten",
        "year",
        "semester",
        "stage",
        "sk_number",
        "sk_date",
        "visits_due",
        "review_due",
        "evaluation_due",
    ]
    readonly_fields = ["kabupaten", "year", "semester", "stage"]
    inlines = [TeamInline, StageChangeInline]

    def scoped_queryset(self, request):
        return AuditRound.objects.visible_to(request.user).select_related("kabupaten")

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        request._audit_round = obj
        return obj

    def has_add_permission(self, request):
        # A round is created on the portal page, which adds every desa to its coverage.
        return False

    def can_write(self, request, obj) -> bool:
        return obj.can_manage(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Through the round service, as on the round page (rights, rules, history row)."""
        fields = {
            name: form.cleaned_data[name] for name in services.ROUND_EDITABLE if name in form.cleaned_data
        }
        services.update_round(audit_round=obj, acting_user=request.user, **fields)

    def save_formset(self, request, form, formset, change):
        """The team changes through the services, as on the round page (rights, history row)."""
        if formset.model is not AuditTeamMember:
            return super().save_formset(request, form, formset, change)
        for member in formset.save(commit=False):
            services.save_team_member(member=member, acting_user=request.user)
        for member in formset.deleted_objects:
            services.remove_team_member(member=member, acting_user=request.user)


@admin.register(AuditCase)
class AuditCaseAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Read-only: cases are filled on the portal (identity checked and encrypted, KKA validated)."""

    list_display = ["number", "round", "target_group", "desa", "nik_masked", "risk_before", "risk_after"]
    list_filter = ["target_group", "risk_before", "risk_after"]
    list_select_related = ["round__kabupaten", "desa"]
    search_fields = ["=number", "desa__name"]
    fields = [
        "round", "number", "desa", "puskesmas", "target_group", "visit_date", "filled_by", "nik_masked", "age",
        "occupation", "education", "form_version", "kka", "reviewed_by", "audit_date", "conclusion", "risk_before",
        "risk_after", "follow_up_carried_out", "evaluated_at", "evaluation_note",
    ]  # fmt: skip
    readonly_fields = fields

    def scoped_queryset(self, request):
        return AuditCase.objects.visible_to(request.user).select_related(
            "round__kabupaten", "desa", "puskesmas"
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RiskFactorForm(forms.ModelForm):
    target_groups = forms.MultipleChoiceField(
        choices=TargetGroup.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = RiskFactor
        fields = ["name", "kind", "target_groups", "active"]


@admin.register(RiskFactor)
class RiskFactorAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = RiskFactorForm
    list_display = ["name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]

    def scoped_queryset(self, request):
        # The national catalogue of causes: not bound to a region.
        return RiskFactor.objects.all()

    def has_delete_permission(self, request, obj=None):
        # Causes already chosen for cases stay in the catalogue; deactivate them instead.
        return False


@admin.register(Recommendation)
class RecommendationAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "round", "owner", "intervention_type", "priority"]
    list_filter = ["intervention_type", "priority"]
    list_select_related = ["round__kabupaten", "owner"]
    search_fields = ["text", "owner__name"]
    fields = ["round", "case", "text", "intervention_type", "owner", "priority"]
    readonly_fields = ["round", "case"]

    def scoped_queryset(self, request):
        return Recommendation.objects.visible_to(request.user).select_related(
            "round__kabupaten", "owner", "case"
        )

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        request._recommendation = obj
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        recommendation = getattr(request, "_recommendation", None)
        if db_field.name == "owner" and recommendation:
            kwargs["queryset"] = kabupaten_organisations(recommendation.round.kabupaten_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        # Recommendations are written on the portal, from a case or the round.
        return False

    def can_write(self, request, obj) -> bool:
        return obj.round.can_recommend(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.adoptions.exists():
            # As on the portal: the commitment carries the rest once adopted.
            fields += [f for f in ("text", "intervention_type", "owner") if f not in fields]
        return fields

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        services.update_recommendation(recommendation=obj, acting_user=request.user, **fields)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NikAccessLog)
class NikAccessLogAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read by the kabupaten's DPPKB admins; nobody adds, changes or deletes an entry."""

    list_display = ["at", "user", "case", "ip_address"]
    list_select_related = ["user", "case"]
    date_hierarchy = "at"
    fields = ["at", "user", "case", "ip_address", "purpose"]
    readonly_fields = fields
    actions = None

    def scoped_queryset(self, request):
        return NikAccessLog.objects.visible_to(request.user).select_related("user", "case")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The monitoring admin (prevalence figures) lives in audits/monitoring/ (helper audits2).
from .monitoring import admin as monitoring_admin  # noqa: E402, F401
