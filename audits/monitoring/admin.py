"""Admin for prevalence figures: listed as the portal shows them (the portal's scoped admin
base), changed only within the editor's own region (national figures: superusers)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from portal.models import Region, region_q
from portal.scoped_admin import ScopedAdminMixin

from ..models.prevalence import EDITOR_ROLES, PrevalenceRecord


def editable_regions(user):
    if user.is_superuser:
        return Region.objects.all()
    return Region.objects.filter(region_q(user.scope_codes(roles=EDITOR_ROLES), "code"))


@admin.register(PrevalenceRecord)
class PrevalenceRecordAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "region", "year", "source", "value"]
    list_filter = ["source", "year"]
    search_fields = ["region__name", "region__code"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]

    def scoped_queryset(self, request):
        return PrevalenceRecord.objects.visible_to(request.user).select_related("region")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = editable_regions(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not request.user.is_superuser and "region" in form.base_fields:
            form.base_fields["region"].required = True  # the national figures are the superuser's
        return form

    def save_model(self, request, obj, form, change):
        if (
            not request.user.is_superuser
            and not editable_regions(request.user).filter(pk=obj.region_id).exists()
        ):
            raise PermissionDenied  # the form offers only the editor's regions: a forged post
        super().save_model(request, obj, form, change)
