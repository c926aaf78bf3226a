from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = _("Trainings")
    # What the core collects from every app (portal.registry).
    dashboard_card = "trainings.dashboard.dashboard_card"
    navigation = "trainings.navigation.nav_entries"
    reminder_options = "trainings.reminders.OPTIONS"
    role_permissions = {
        "dppkb_admin": ["trainings.view_training", "trainings.view_enrollment", "trainings.add_enrollment"],
        "notulis": ["trainings.view_training"],
        "camat": ["trainings.view_training", "trainings.add_enrollment"],
        "kepala_puskesmas": ["trainings.view_training", "trainings.add_enrollment"],
        "ketua_pkk": ["trainings.view_training", "trainings.add_enrollment"],
        "opd_focal": ["trainings.view_training"],
        "tim_pakar": ["trainings.view_training"],
        "tpk": ["trainings.view_training"],
        "training_organiser": [
            "trainings.view_training",
            "trainings.add_training",
            "trainings.change_training",
            "trainings.view_session",
            "trainings.add_session",
            "trainings.change_session",
            "trainings.view_enrollment",
            "trainings.add_enrollment",
            "trainings.change_enrollment",
        ],
    }
