from __future__ import annotations

from django.db.models import Count, Min, Q
from django.utils import timezone

from portal.dashboard import Cached, cached, next_midnight, watch
from portal.models import Organisation, Region

from .models import Enrollment, Training

# What the card is computed from (visibility: the organiser's region, one's enrollments).
DEPENDS_ON = watch(Training, Enrollment, Organisation, Region)


def dashboard_card(user) -> dict | None:
    """The dashboard card: my upcoming trainings and how many are open for registration."""
    if not user.has_perm("trainings.view_training"):
        return None
    card = cached(user, "trainings", lambda: _aggregates(user), depends_on=DEPENDS_ON)
    return {"template": "trainings/_dashboard_card.html", **card}


def _aggregates(user) -> Cached:
    now = timezone.now()
    # One query: the count, and when it next changes (a registration opens or closes).
    window = (
        Training.objects.visible_to(user)
        .filter(registration_closes__gte=now)
        .aggregate(
            open_count=Count("pk", filter=Q(registration_opens__lte=now)),
            next_opening=Min("registration_opens", filter=Q(registration_opens__gt=now)),
            next_closing=Min("registration_closes"),
        )
    )
    mine = (
        Enrollment.objects.filter(person=user, training__end_date__gte=timezone.localdate())
        .exclude(status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.REJECTED])
        .select_related("training")
        .order_by("training__start_date")[:3]
    )
    # A registration closing at `closes` still counts at that instant: it changes just after.
    changes = [t for t in (window["next_opening"], window["next_closing"]) if t is not None]
    until = min([next_midnight(), *changes])
    return Cached({"open_count": window["open_count"], "mine": list(mine)}, until=until)
