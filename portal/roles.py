"""Roles, the region level each is scoped to, and the Django groups they map to.

A role is held through a RoleAssignment (user, role, region or organisation).
Each role maps to one Django group of the same name; the group's permissions
are the core's (listed here) and each app's (its AppConfig's `role_permissions`),
synced by the migrations and after every migrate, so a new app needs no change here.
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

# The core's own permissions ("app_label.codename") per role. Each app adds its own in its
# AppConfig's `role_permissions` (portal.registry); codenames of apps not migrated yet are
# skipped and picked up when that app's migration runs.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.DPPKB_ADMIN: _VIEW_CORE
    + [
        "portal.add_organisation",
        "portal.change_organisation",
        "portal.view_user",
        "portal.view_notification",
        "portal.change_notification",
    ],
    **{
        role: _VIEW_CORE
        for role in (
            Role.NOTULIS,
            Role.CAMAT,
            Role.KEPALA_PUSKESMAS,
            Role.KETUA_PKK,
            Role.OPD_FOCAL,
            Role.TIM_PAKAR,
            Role.TPK,
            Role.TRAINING_ORGANISER,
        )
    },
}


def permissions_by_role() -> dict[str, list[str]]:
    """The core's permissions plus every app's, per role code."""
    from .registry import role_permissions

    wanted = {str(role): list(names) for role, names in ROLE_PERMISSIONS.items()}
    for role, names in role_permissions().items():
        wanted.setdefault(role, []).extend(names)
    return wanted


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
    for role, names in permissions_by_role().items():
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
