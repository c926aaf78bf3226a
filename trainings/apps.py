from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = _("Trainings")
    # The portal dashboard shows the card this function returns (or nothing for None).
    dashboard_card = "trainings.views.dashboard_card"
