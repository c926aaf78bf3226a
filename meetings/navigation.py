from django.utils.translation import gettext_lazy as _

from portal.links import reverse_fixed
from portal.registry import NavEntry


def nav_entries(user) -> list[NavEntry]:
    # Everyone may open the meetings list: it shows only what they may see (their regions,
    # or the meetings they chair or are invited to, as for a bupati's chair without a role).
    entries = [NavEntry(_("Meetings"), reverse_fixed("meetings:index"), "meetings", order=10)]
    if user.has_perm("meetings.view_commitment"):
        entries.append(
            NavEntry(
                _("My commitments"), reverse_fixed("meetings:my-commitments"), "my-commitments", order=20
            )
        )
    return entries
