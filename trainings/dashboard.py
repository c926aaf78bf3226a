from __future__ import annotations

from django.utils import timezone

from .models import Enrollment, Training


def dashboard_card(user) -> dict | None:
    """The dashboard card: my upcoming trainings and how many are open for registration."""
    if not user.has_perm("trainings.view_training"):
        return None
    now = timezone.now()
    open_now = Training.objects.visible_to(user).filter(
        registration_opens__lte=now, registration_closes__gte=now
    )
    mine = (
        Enrollment.objects.filter(person=user, training__end_date__gte=timezone.localdate())
        .exclude(status__in=[Enrollment.Status.CANCELLED, Enrollment.Status.REJECTED])
        .select_related("training")
        .order_by("training__start_date")[:3]
    )
    return {"template": "trainings/_dashboard_card.html", "open_count": open_now.count(), "mine": list(mine)}
