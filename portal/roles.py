"""Roles, the region level each is scoped to, and the Django groups they map to.

A role is held through a RoleAssignment (user, role, region or organisation).
Each role maps to one Django group of the same name; the group's permissions
are listed here and synced by the migrations (and after every migrate), so a
new app only adds its permission codenames to ROLE_PERMISSIONS.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DPPKB_ADMIN = "dppkb_admin", _("DPPKB admin")
    NOTULIS = "notulis", _("Secretariat staff (notulis)")
    CAMAT = "camat", _("Camat")
    KEPALA_PUSKESMAS = "kepala_puskesmas", _("Kepala Puskesmas")
    KETUA_PKK = "ketua_pkk", _("Ketua TP PKK Kecamatan")
    OPD_FOCAL = "opd_focal", _("OPD focal point")
    TIM_PAKAR = "tim_pakar", _("Expert panel (tim pakar)")
    TPK = "tpk", _("TPK member")
    TRAINING_ORGANISER = "training_organiser", _("Training organiser")


# The region level a role's scope must be. OPD focal points are scoped by their
# organisation (and so by the organisation's region).
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    Role.DPPKB_ADMIN: ("kabupaten", "kota"),
    Role.NOTULIS: ("kabupaten", "kota"),
    Role.TIM_PAKAR: ("kabupaten", "kota"),
    Role.CAMAT: ("kecamatan",),
    Role.KEPALA_PUSKESMAS: ("kecamatan",),
    Role.KETUA_PKK: ("kecamatan",),
    Role.TPK: ("desa", "kelurahan"),
    Role.TRAINING_ORGANISER: ("provinsi",),
    Role.OPD_FOCAL: (),
}

# Roles whose holders may use Django admin (is_staff is kept in sync).
STAFF_ROLES = {Role.DPPKB_ADMIN, Role.NOTULIS}

_VIEW_CORE = ["portal.view_region", "portal.view_organisation"]

# What a meeting is made of, for those who schedule meetings in Django admin.
_MEETING_PARTS = [
    f"meetings.{action}_{model}"
    for model in ("agendaitem", "invitation", "attendance")
    for action in ("view", "add", "change", "delete")
] + ["meetings.add_minutes", "meetings.view_meetingdocument", "meetings.add_meetingdocument"]

# "app_label.codename" per role. Codenames of apps not migrated yet are skipped
# and picked up when that app's migration runs.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.DPPKB_ADMIN: _VIEW_CORE
    + [
        "portal.add_organisation",
        "portal.change_organisation",
        "portal.view_user",
        "portal.view_notification",
        "portal.change_notification",
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
        "trainings.view_training",
        "trainings.view_enrollment",
        "trainings.add_enrollment",
    ],
    Role.NOTULIS: _VIEW_CORE
    + [
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
        "trainings.view_training",
    ],
    Role.CAMAT: _VIEW_CORE
    + [
        "meetings.view_meeting",
        "meetings.add_meeting",
        "meetings.change_meeting",
        "meetings.view_commitment",
        "meetings.change_commitment",
        "trainings.view_training",
        "trainings.add_enrollment",
    ],
    Role.KEPALA_PUSKESMAS: _VIEW_CORE
    + [
        "meetings.view_meeting",
        "meetings.view_commitment",
        "meetings.change_commitment",
        "trainings.view_training",
        "trainings.add_enrollment",
    ],
    Role.KETUA_PKK: _VIEW_CORE
    + [
        "meetings.view_meeting",
        "meetings.view_commitment",
        "trainings.view_training",
        "trainings.add_enrollment",
    ],
    Role.OPD_FOCAL: _VIEW_CORE
    + [
        "meetings.view_meeting",
        "meetings.view_commitment",
        "meetings.change_commitment",
        "trainings.view_training",
    ],
    Role.TIM_PAKAR: _VIEW_CORE + ["meetings.view_meeting", "trainings.view_training"],
    Role.TPK: _VIEW_CORE + ["meetings.view_meeting", "trainings.view_training"],
    Role.TRAINING_ORGANISER: _VIEW_CORE
    + [
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


def sync_role_groups(apps=None, schema_editor=None) -> None:
    """Create one group per role and give it exactly the listed permissions.

    Usable as a RunPython migration step (historical `apps`) and after migrate.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    historical = apps is not None
    apps = apps or global_apps
    for app_config in apps.get_app_configs():
        if historical:
            # Historical app stubs have no models_module; create_permissions skips those.
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = set()
        for name in names:
            app_label, codename = name.split(".")
            wanted.update(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename).values_list(
                    "pk", flat=True
                )
            )
        group.permissions.set(wanted)


def sync_role_groups_after_migrate(sender, **kwargs) -> None:
    sync_role_groups()
