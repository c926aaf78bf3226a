"""The in-app notification list (the person's inbox) and their delivery preference."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from ..links import reverse_pk
from ..models import Notification
from ..paging import CountedPagesMixin
from . import notify
from .actions import actions_for


class NotificationListView(LoginRequiredMixin, CountedPagesMixin, ListView):
    # Counted up to 10 pages, then "of more than 10": a busy inbox holds thousands of messages
    # (counting them all cost 4 ms a page).
    template_name = "portal/notification_list.html"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.inbox(self.request.user).order_by("-sent_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for notification in context["object_list"]:
            notification.actions = actions_for(notification)
            notification.open_url = reverse_pk("portal:notification-open", notification.pk)
        return context


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.inbox(request.user), pk=pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=pk).mark_read()
    # Only links into the portal itself: the stored URL is SITE_URL + path.
    path = notification.url.removeprefix(settings.SITE_URL)
    if url_has_allowed_host_and_scheme(path, allowed_hosts=set(), require_https=request.is_secure()):
        return redirect(path)
    return redirect("portal:notification-list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    Notification.objects.unread(request.user).mark_read()
    return redirect("portal:notification-list")


@login_required
@require_POST
def notification_preferences(request: HttpRequest) -> HttpResponse:
    request.user.notification_digest = request.POST.get("digest") == "on"
    request.user.save(update_fields=["notification_digest"])
    messages.success(request, _("Your notification preference was saved."))
    return redirect("portal:notification-list")


@login_required
@require_POST
def notification_test(request: HttpRequest) -> HttpResponse:
    """Send a test message to oneself: checks that email and the worker work."""
    notify(
        rule=f"test_message:{timezone.now():%Y%m%d%H%M%S%f}",
        recipients=[request.user],
        context={"url": "/notifications/"},
    )
    messages.success(request, _("A test message is on its way to you (email and this list)."))
    return redirect("portal:notification-list")
