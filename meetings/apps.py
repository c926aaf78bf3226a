from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What a meeting is made of, for those who schedule meetings in Django admin.
_MEETING_PARTS = [
    f"meetings.{action}_{model}"
    for model in ("agendaitem", "invitation", "attendance")
    for action in ("view", "add", "change", "delete")
] + ["meetings.add_minutes", "meetings.view_meetingdocument", "meetings.add_meetingdocument"]


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")
    # What the core collects from every app (portal.registry).
    dashboard_card = "meetings.dashboard.dashboard_card"
    navigation = "meetings.navigation.nav_entries"
    reminder_options = "meetings.reminders.OPTIONS"
    role_permissions = {
        "dppkb_admin": [
            "meetings.view_meeting",
            "meetings.add_meeting",
            "meetings.change_meeting",
            "meetings.delete_meeting",
            *_MEETING_PARTS,
            "meetings.view_commitment",
            "meetings.add_commitment",
            "meetings.change_commitment",
            "meetings.view_minutes",
            "meetings.change_minutes",
        ],
        "notulis": [
            "meetings.view_meeting",
            "meetings.add_meeting",
            "meetings.change_meeting",
            "meetings.view_invitation",
            "meetings.add_invitation",
            "meetings.change_invitation",
            "meetings.delete_invitation",
            "meetings.view_meetingdocument",
            "meetings.add_meetingdocument",
            "meetings.view_agendaitem",
            "meetings.add_agendaitem",
            "meetings.change_agendaitem",
            "meetings.delete_agendaitem",
            "meetings.view_attendance",
            "meetings.add_attendance",
            "meetings.change_attendance",
            "meetings.delete_attendance",
            "meetings.view_commitment",
            "meetings.add_commitment",
            "meetings.change_commitment",
            "meetings.delete_commitment",
            "meetings.view_minutes",
            "meetings.add_minutes",
            "meetings.change_minutes",
        ],
        "camat": [
            "meetings.view_meeting",
            "meetings.add_meeting",
            "meetings.change_meeting",
            "meetings.view_commitment",
            "meetings.change_commitment",
        ],
        "kepala_puskesmas": [
            "meetings.view_meeting",
            "meetings.view_commitment",
            "meetings.change_commitment",
        ],
        "ketua_pkk": ["meetings.view_meeting", "meetings.view_commitment"],
        "opd_focal": ["meetings.view_meeting", "meetings.view_commitment", "meetings.change_commitment"],
        "tim_pakar": ["meetings.view_meeting"],
        "tpk": ["meetings.view_meeting"],
    }

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the region-copy receivers)
        from .commitments import signals as commitment_signals  # noqa: F401
