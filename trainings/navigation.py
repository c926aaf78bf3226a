from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.registry import NavEntry


def nav_entries(user) -> list[NavEntry]:
    if not user.has_perm("trainings.view_training"):
        return []
    return [NavEntry(_("Trainings"), reverse("trainings:index"), "trainings", order=30)]
