"""Django admin as a view like any other: every admin page of the portal's apps starts here.

`ScopedAdminMixin` loads objects through the model's `visible_to(user)` (lists, change and
delete pages, history list and history form, exports, autocomplete), answers object-level
`has_*_permission` from the model's own `can_change(user)`, and keeps django-simple-history's
history form read-only: reverting is for superusers only (the history form would otherwise
save whatever is posted back, past every service and object check).
`ScopedInlineMixin` does the same for inlines: rows in scope, writes only on a writable parent.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from simple_history.template_utils import HistoricalRecordContextHelper

from .access import people_in_scope


def is_history_form(request) -> bool:
    """Is this request django-simple-history's history form (view or revert one version)?"""
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name and match.url_name.endswith("_simple_history"))


def label_authors(viewer, records) -> None:
    """Mark each history record whose author the viewer may not see (`author_hidden`): the page
    then says "Another user" instead of their name and e-mail."""
    authors = {record.history_user_id for record in records if record.history_user_id}
    visible = set(people_in_scope(viewer).filter(pk__in=authors).values_list("pk", flat=True))
    for record in records:
        record.author_hidden = bool(record.history_user_id) and record.history_user_id not in visible


class ScopedHistoryContextHelper(HistoricalRecordContextHelper):
    """The history list's "Changes" column: a person or a region-bound object the viewer may not
    see (say, a chair from another kabupaten) reads "Another user" / "Another record"."""

    def __init__(self, model, historical_record, viewer, seen: dict):
        super().__init__(model, historical_record)
        self.viewer, self.seen = viewer, seen

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        if isinstance(value, list):
            return [self.shown(item) for item in value]
        return self.shown(value)

    def shown(self, value):
        if not isinstance(value, models.Model) or self.viewer.is_superuser:
            return value
        key = (value._meta.label, value.pk)
        if key not in self.seen:
            self.seen[key] = self.visible(value)
        if self.seen[key]:
            return value
        return _("Another user") if isinstance(value, get_user_model()) else _("Another record")

    def visible(self, value) -> bool:
        if isinstance(value, get_user_model()):
            return people_in_scope(self.viewer).filter(pk=value.pk).exists()
        manager = type(value)._default_manager
        if hasattr(manager.all(), "visible_to"):
            return manager.all().visible_to(self.viewer).filter(pk=value.pk).exists()
        return True  # not region-bound (a role, a kind): nothing to hide


class ScopedAdminMixin:
    """Admin lists, pages and history start from the model's `visible_to(user)`."""

    def get_historical_record_context_helper(self, request, historical_record):
        seen = request.__dict__.setdefault("_history_seen", {})
        return ScopedHistoryContextHelper(self.model, historical_record, request.user, seen)

    def scoped_queryset(self, request):
        """The rows this user may see (override where a model has no `visible_to`)."""
        return self.model.objects.visible_to(request.user)

    def get_queryset(self, request):
        queryset = self.scoped_queryset(request)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def is_visible(self, request, obj) -> bool:
        return obj.pk is not None and self.scoped_queryset(request).filter(pk=obj.pk).exists()

    def can_write(self, request, obj) -> bool:
        """Object-level write right: the model's `can_change(user)`, else being in scope."""
        can_change = getattr(obj, "can_change", None)
        return can_change(request.user) if callable(can_change) else self.is_visible(request, obj)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self.is_visible(request, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.can_write(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.can_write(request, obj))

    def delete_queryset(self, request, queryset):
        # The "delete selected" action: every object must be deletable by this user.
        if not all(self.has_delete_permission(request, obj) for obj in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    # --- autocomplete ------------------------------------------------------------------

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        choices = self._autocomplete_choices(request)
        if choices is not None:
            queryset = queryset.filter(pk__in=choices.values("pk"))
        return queryset, may_have_duplicates

    def _autocomplete_choices(self, request):
        """On an autocomplete request, the choices the asking form itself would accept."""
        match = getattr(request, "resolver_match", None)
        if not match or match.url_name != "autocomplete":
            return None
        from django.apps import apps

        try:
            source_model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
            field = source_model._meta.get_field(request.GET["field_name"])
        except (KeyError, LookupError, FieldDoesNotExist):
            return None
        for model_admin in self.admin_site._registry.values():
            candidates = [model_admin] + [
                inline(model_admin.model, self.admin_site) for inline in model_admin.inlines
            ]
            for candidate in candidates:
                if candidate.model is source_model and field.name in candidate.autocomplete_fields:
                    formfield = candidate.formfield_for_foreignkey(field, request)
                    return getattr(formfield, "queryset", None)
        return None

    # --- django-simple-history ---------------------------------------------------------

    def scoped_object_or_404(self, request, object_id):
        """The object behind a history page: only through the user's scope."""
        try:
            return self.scoped_queryset(request).get(pk=unquote(object_id))
        except (self.model.DoesNotExist, ValidationError, ValueError, TypeError) as error:
            raise Http404 from error

    def history_view(self, request, object_id, extra_context=None):
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404 from None  # a malformed id, on any model admin with history
        # Superusers may still read the history of a deleted object (django-simple-history's fallback).
        if not request.user.is_superuser:
            obj = self.scoped_object_or_404(request, object_id)
            if not self.has_view_permission(request, obj):
                raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.scoped_object_or_404(request, object_id)
        if not str(version_id).isdigit():
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        if request.method == "POST" and self.revert_disabled(request, obj):
            raise PermissionDenied
        # The version's author and date are shown above the form.
        version = self.model.history.filter(pk=version_id).select_related("history_user").first()
        extra_context = {**(extra_context or {}), "version": version}
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Who made each change is shown only when the viewer may see that person (people_in_scope):
    # a history row of a visible object may have been written by someone of another kabupaten.
    object_history_form_template = "simple_history/scoped_history_form.html"

    def render_history_view(self, request, template, context, **kwargs):
        records = list(context["page_obj"]) if "page_obj" in context else []
        if context.get("version") is not None:
            records.append(context["version"])
        label_authors(request.user, records)
        return super().render_history_view(request, template, context, **kwargs)

    def revert_disabled(self, request, obj=None):
        # A revert saves an old version past every service and check: superusers only.
        return not request.user.is_superuser or super().revert_disabled(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if is_history_form(request) and self.revert_disabled(request, obj):
            opts = self.model._meta
            readonly += [f.name for f in [*opts.fields, *opts.many_to_many] if f.name not in readonly]
        return readonly


class ScopedInlineMixin:
    """Inline rows limited to `visible_to(user)`; added, changed or deleted only on a writable parent.

    `parent_admin_can_write(request, parent)` decides; by default the parent's `can_change(user)`.
    """

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        visible_to = getattr(self.model.objects, "visible_to", None)
        if callable(visible_to) and not request.user.is_superuser:
            queryset = queryset.filter(pk__in=visible_to(request.user).values("pk"))
        return queryset

    def parent_writable(self, request, obj) -> bool:
        if obj is None:
            return True
        can_change = getattr(obj, "can_change", None)
        return can_change(request.user) if callable(can_change) else True

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self.parent_writable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.parent_writable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.parent_writable(request, obj)
