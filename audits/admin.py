"""Django admin for the AKS, scoped like the portal: lists start from visible_to(user), object
rights are the round's, and every write that has a workflow goes through the portal pages
(creating a round fills its coverage; a case's identity is validated and encrypted; the stage
is checked). The NIK access log is read-only for everyone."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

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


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """History list and revert only for objects in the user's scope, revert only with the right to change."""

    def _in_scope(self, request, object_id) -> None:
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._in_scope(request, object_id)
        if request.method == "POST" and not self.has_change_permission(
            request, self.get_object(request, object_id)
        ):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)


class ReadOnlyInline(admin.TabularInline):
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


class TeamInline(admin.TabularInline):
    model = AuditTeamMember
    extra = 0
    fields = ["user", "part", "expertise"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            audit_round = getattr(request, "_audit_round", None)
            people = kabupaten_people(audit_round.kabupaten_id) if audit_round else None
            kwargs["queryset"] = people if people is not None else db_field.related_model.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _can(self, request, obj) -> bool:
        return obj is None or obj.can_manage(request.user)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._can(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._can(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._can(request, obj)


@admin.register(AuditRound)
class AuditRoundAdmin(ScopedHistoryAdmin):
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

    def get_queryset(self, request):
        return AuditRound.objects.visible_to(request.user).select_related("kabupaten")

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        request._audit_round = obj
        return obj

    def has_add_permission(self, request):
        # A round is created on the portal page, which adds every desa to its coverage.
        return False

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.can_manage(request.user))

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditCase)
class AuditCaseAdmin(ScopedHistoryAdmin):
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

    def get_queryset(self, request):
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
class RiskFactorAdmin(ScopedHistoryAdmin):
    form = RiskFactorForm
    list_display = ["name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # Causes already chosen for cases stay in the catalogue; deactivate them instead.
        return False


@admin.register(Recommendation)
class RecommendationAdmin(ScopedHistoryAdmin):
    list_display = ["__str__", "round", "owner", "intervention_type", "priority"]
    list_filter = ["intervention_type", "priority"]
    list_select_related = ["round__kabupaten", "owner"]
    search_fields = ["text", "owner__name"]
    fields = ["round", "case", "text", "intervention_type", "owner", "priority"]
    readonly_fields = ["round", "case"]

    def get_queryset(self, request):
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

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.round.can_recommend(request.user))

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NikAccessLog)
class NikAccessLogAdmin(admin.ModelAdmin):
    """Read by the kabupaten's DPPKB admins; nobody adds, changes or deletes an entry."""

    list_display = ["at", "user", "case", "ip_address"]
    list_select_related = ["user", "case"]
    date_hierarchy = "at"
    fields = ["at", "user", "case", "ip_address", "purpose"]
    readonly_fields = fields
    actions = None

    def get_queryset(self, request):
        return NikAccessLog.objects.visible_to(request.user).select_related("user", "case")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The monitoring admin (prevalence figures) lives in audits/monitoring/ (helper audits2).
from .monitoring import admin as monitoring_admin  # noqa: E402, F401
