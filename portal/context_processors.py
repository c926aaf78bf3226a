from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .links import reverse_fixed
from .registry import NavEntry, nav_entries


def navigation(request) -> dict:
    """The menu this user may use: Dashboard, every app's entries, then the core's own."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    entries = [NavEntry(_("Dashboard"), reverse_fixed("portal:dashboard"), "dashboard"), *nav_entries(user)]
    if user.has_perm("portal.view_organisation"):
        entries.append(
            NavEntry(_("Organisations"), reverse_fixed("portal:organisation-list"), "organisations")
        )
    if user.is_staff:
        entries.append(NavEntry(_("Administration"), reverse_fixed("admin:index"), "admin"))
    from .inbox import unread_count

    return {
        "nav_items": [{"label": e.label, "url": e.url, "key": e.key} for e in entries],
        # Lazy: counted once, and only by pages that show it (not by partials); cached (portal.inbox).
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
    }
