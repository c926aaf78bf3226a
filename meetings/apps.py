from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")
    # The portal dashboard shows the card this function returns (or nothing for None).
    dashboard_card = "meetings.dashboard.dashboard_card"
