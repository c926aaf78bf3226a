"""Django admin for the outbox and the reminder settings."""

from __future__ import annotations

import functools
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import redirect
from django.template import engines
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..admin import StrictListFilterMixin
from ..models import Notification, ReminderSettings, ReminderValue, region_q
from ..registry import ReminderOption, reminder_options
from ..scoped_admin import ScopedAdminMixin


@functools.cache
def rule_names() -> list[str]:
    """The rules that can send a message: those with templates `emails/<rule>_subject.txt`."""
    names = set()
    for engine in engines.all():
        for folder in getattr(engine, "template_dirs", ()):
            names |= {
                path.name.removesuffix("_subject.txt") for path in Path(folder).glob("emails/*_subject.txt")
            }
    return sorted(names)


class RuleFilter(StrictListFilterMixin, admin.SimpleListFilter):
    title = _("rule")
    parameter_name = "rule_name"

    def lookups(self, request, model_admin):
        # From the templates every message is rendered with, not a DISTINCT over the outbox
        # (millions of rows at national scale).
        return [(name, name) for name in rule_names()]

    def queryset(self, request, queryset):
        return queryset.of_rule(self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["rule", "recipient", "channel", "state", "send_at", "attempts", "sent_at", "read_at"]
    list_filter = ["state", "channel", RuleFilter, "send_at"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "recipient__full_name", "recipient__email", "rule", "key"]
    date_hierarchy = "send_at"
    actions = ["resend"]
    show_full_result_count = False
    # The context may hold one-tap links (anyone holding one acts as the recipient): never shown,
    # only which values it has.
    exclude = ["context"]
    readonly_fields = [field.name for field in Notification._meta.fields if field.name != "context"] + [
        "context_summary"
    ]

    def scoped_queryset(self, request: HttpRequest):
        # Staff see what the people of their regions received (and their own messages).
        qs = Notification.objects.all()
        if request.user.is_superuser:
            return qs
        scope = region_q(request.user.scope_codes(), "recipient__roles__region_id")
        return qs.filter(pk__in=qs.filter(scope | Q(recipient=request.user)).values("pk"))

    @admin.display(description=_("context (values hidden)"))
    def context_summary(self, obj: Notification) -> str:
        return ", ".join(sorted(obj.context or {})) or "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # messages are created by the portal (notify), never by hand

    @admin.action(description=_("Send again (failed, missed or cancelled messages)"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset) -> None:
        from .publish import send_on_commit

        now = timezone.now()
        again = queryset.filter(
            state__in=[Notification.State.FAILED, Notification.State.MISSED, Notification.State.CANCELLED]
        )
        pks = list(again.values_list("pk", flat=True))
        Notification.objects.filter(pk__in=pks).update(
            state=Notification.State.SCHEDULED,
            send_at=now,
            due_at=now,
            expires_at=None,
            attempts=0,
            claimed_at=None,
            updated_at=now,
        )
        send_on_commit(pks)
        self.message_user(
            request,
            ngettext("%(n)d message will be sent again.", "%(n)d messages will be sent again.", len(pks))
            % {"n": len(pks)},
            messages.SUCCESS,
        )


def option_field_name(app_label: str, option: ReminderOption) -> str:
    return f"{app_label}__{option.name}"


class OptionField(forms.CharField):
    """One app's reminder option: a number, or numbers separated by commas."""

    def __init__(self, option: ReminderOption, **kwargs) -> None:
        self.option = option
        super().__init__(label=option.label, help_text=option.help_text, max_length=200, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return self.option.parse(value)
        except ValueError:
            raise forms.ValidationError(
                _("Enter whole numbers between %(minimum)d and %(maximum)d, separated by commas.")
                if self.option.many
                else _("Enter a whole number between %(minimum)d and %(maximum)d."),
                params={"minimum": self.option.minimum, "maximum": self.option.maximum},
            ) from None


class ReminderSettingsForm(forms.ModelForm):
    """The core's settings plus every app's reminder options (stored as ReminderValue rows)."""

    class Meta:
        model = ReminderSettings
        fields = [
            "send_time",
            "quiet_start",
            "quiet_end",
            "digest_time",
            "grace_hours",
            "max_attempts",
            "retry_base_seconds",
            "stale_after_seconds",
            "job_lock_seconds",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stored = {(v.app_label, v.name): v.value for v in ReminderValue.objects.all()}
        for app_label, options in reminder_options().items():
            for option in options:
                name = option_field_name(app_label, option)
                self.fields[name] = OptionField(option)
                self.initial.setdefault(
                    name, stored.get((app_label, option.name), option.format(option.default))
                )

    def save_options(self) -> None:
        for app_label, options in reminder_options().items():
            for option in options:
                value = option.format(self.cleaned_data[option_field_name(app_label, option)])
                ReminderValue.objects.update_or_create(
                    app_label=app_label, name=option.name, defaults={"value": value}
                )


SINGLETON_PK = 1  # ReminderSettings.load()'s row


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    """One row of settings: the list goes straight to it. Each app's options get a section."""

    form = ReminderSettingsForm

    def get_fieldsets(self, request: HttpRequest, obj=None):
        from django.apps import apps

        core = [
            field.name for field in ReminderSettings._meta.fields if field.editable and not field.primary_key
        ]
        return [(None, {"fields": core})] + [
            (
                apps.get_app_config(app_label).verbose_name,
                {"fields": [option_field_name(app_label, o) for o in options]},
            )
            for app_label, options in reminder_options().items()
        ]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        # The apps' option fields are added by the form itself, not by the model.
        kwargs["fields"] = ReminderSettingsForm.Meta.fields
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        form.save_options()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # The list goes straight to the one row, for those who may see it; nothing is written
        # here (the row is created when the settings are first saved).
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return redirect("admin:portal_remindersettings_change", SINGLETON_PK)

    def get_object(self, request: HttpRequest, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and str(object_id) == str(SINGLETON_PK):
            # Not saved yet: the form shows the defaults, saving it creates the row.
            obj = ReminderSettings(pk=SINGLETON_PK)
        return obj
