from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _


def navigation(request) -> dict:
    """The navigation items this user may use (each app adds its own entry here)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Dashboard"), reverse("portal:dashboard"), "dashboard")]
    # Everyone may open the meetings list: it shows only what they may see (their regions,
    # or the meetings they chair or are invited to, as for a bupati's chair without a role).
    items.append((_("Meetings"), reverse("meetings:index"), "meetings"))
    if user.has_perm("meetings.view_commitment"):
        items.append((_("My commitments"), reverse("meetings:my-commitments"), "my-commitments"))
    if user.has_perm("trainings.view_training"):
        items.append((_("Trainings"), reverse("trainings:index"), "trainings"))
    if user.is_superuser or user.has_role("dppkb_admin", "tim_pakar", "notulis"):
        items.append((_("Case audits"), reverse("audits:index"), "audits"))
    if user.has_perm("portal.view_organisation"):
        items.append((_("Organisations"), reverse("portal:organisation-list"), "organisations"))
    if user.is_staff:
        items.append((_("Administration"), reverse("admin:index"), "admin"))
    from .models import Notification

    return {
        "nav_items": [{"label": label, "url": url, "key": key} for label, url, key in items],
        # Lazy: counted once, and only by pages that show it (not by partials).
        "unread_notifications": SimpleLazyObject(lambda: Notification.objects.unread(user).count()),
    }
