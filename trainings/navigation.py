from django.utils.translation import gettext_lazy as _

from portal.links import reverse_fixed
from portal.registry import NavEntry


def nav_entries(user) -> list[NavEntry]:
    if not user.has_perm("trainings.view_training"):
        return []
    return [NavEntry(_("Trainings"), reverse_fixed("trainings:index"), "trainings", order=30)]
