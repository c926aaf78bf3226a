from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_ROUND_VIEW = ["audits.view_auditround", "audits.view_rounddesa", "audits.view_riskfactor"]

# What each role may do in the audits app (collected by the core's role-group sync).
ROLE_PERMISSIONS = {
    "dppkb_admin": _ROUND_VIEW
    + [
        "audits.add_auditround",
        "audits.change_auditround",
        "audits.view_auditteammember",
        "audits.add_auditteammember",
        "audits.change_auditteammember",
        "audits.delete_auditteammember",
        "audits.view_stagechange",
        "audits.view_auditcase",
        "audits.add_auditcase",
        "audits.change_auditcase",
        "audits.evaluate_auditcase",
        "audits.view_identity_auditcase",
        "audits.view_recommendation",
        "audits.add_recommendation",
        "audits.change_recommendation",
        "audits.adopt_recommendation",
        "audits.view_recommendationcommitment",
        "audits.add_riskfactor",
        "audits.change_riskfactor",
        "audits.view_nikaccesslog",
    ],
    "notulis": _ROUND_VIEW
    + [
        "audits.view_recommendation",
        "audits.adopt_recommendation",
        "audits.view_recommendationcommitment",
    ],
    "tim_pakar": _ROUND_VIEW
    + [
        "audits.view_auditteammember",
        "audits.view_auditcase",
        "audits.review_auditcase",
        "audits.evaluate_auditcase",
        "audits.view_identity_auditcase",
        "audits.view_recommendation",
        "audits.add_recommendation",
        "audits.change_recommendation",
    ],
    "tpk": _ROUND_VIEW + ["audits.view_auditcase", "audits.add_auditcase", "audits.change_auditcase"],
    "camat": _ROUND_VIEW,
    "kepala_puskesmas": _ROUND_VIEW + ["audits.view_recommendation"],
    "ketua_pkk": _ROUND_VIEW,
    "opd_focal": ["audits.view_recommendation"],
}


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Case audits (AKS)")
    # Registry contract (portal collects these; see OWNERS.md / portal.registry).
    dashboard_card = "audits.dashboard.dashboard_card"
    role_permissions = ROLE_PERMISSIONS
    navigation = "audits.navigation.nav_entries"
    reminder_options = "audits.reminders.OPTIONS"  # stage deadlines (helper audits2)

    def ready(self) -> None:
        from django.conf import settings
        from django.core import checks
        from django.core.exceptions import ImproperlyConfigured

        from . import sources
        from .checks import KEYS_MISSING, keys_check
        from .crypto import keys_configured

        # Production refuses to start (web and worker alike) without the keys of personal data.
        if not settings.DEBUG and not keys_configured():
            raise ImproperlyConfigured(KEYS_MISSING)
        checks.register(keys_check)
        sources.register()

        from django.db.models.signals import post_delete, post_save

        from portal import usercache

        from .models import AuditTeamMember

        # The menu's "is in an audit team" is cached with the user's rights (audits.navigation).
        post_save.connect(usercache.on_write, sender=AuditTeamMember, dispatch_uid="usercache-save-team")
        post_delete.connect(usercache.on_write, sender=AuditTeamMember, dispatch_uid="usercache-delete-team")


# Prevalence figures of the monitoring dashboard (helper audits2): the kabupaten keeps its own.
ROLE_PERMISSIONS["dppkb_admin"] += [
    "audits.view_prevalencerecord",
    "audits.add_prevalencerecord",
    "audits.change_prevalencerecord",
]
