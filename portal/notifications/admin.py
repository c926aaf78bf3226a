"""Django admin for the outbox and the reminder settings."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..admin import StrictListFilterMixin
from ..models import Notification, ReminderSettings, region_q


class RuleFilter(StrictListFilterMixin, admin.SimpleListFilter):
    title = _("rule")
    parameter_name = "rule_name"

    def lookups(self, request, model_admin):
        names = sorted(
            {rule.split(":", 1)[0] for rule in Notification.objects.values_list("rule", flat=True).distinct()}
        )
        return [(name, name) for name in names]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(Q(rule=self.value()) | Q(rule__startswith=f"{self.value()}:"))
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["rule", "recipient", "channel", "state", "send_at", "attempts", "sent_at", "read_at"]
    list_filter = ["state", "channel", RuleFilter, "send_at"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "recipient__full_name", "recipient__email", "rule", "key"]
    date_hierarchy = "send_at"
    actions = ["resend"]
    show_full_result_count = False
    readonly_fields = [field.name for field in Notification._meta.fields]

    def get_queryset(self, request: HttpRequest):
        # Staff see what the people of their regions received (and their own messages).
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        scope = region_q(request.user.scope_codes(), "recipient__roles__region_id")
        return qs.filter(scope | Q(recipient=request.user)).distinct()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # messages are created by the portal (notify), never by hand

    @admin.action(description=_("Send again (failed, missed or cancelled messages)"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset) -> None:
        from ..tasks import send_notification
        from .publish import publish_on_commit

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
        for pk in pks:
            publish_on_commit(send_notification, pk)
        self.message_user(
            request,
            ngettext("%(n)d message will be sent again.", "%(n)d messages will be sent again.", len(pks))
            % {"n": len(pks)},
            messages.SUCCESS,
        )


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    """One row of settings: the list goes straight to it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        return redirect("admin:portal_remindersettings_change", ReminderSettings.load().pk)
