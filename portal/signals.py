from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import RoleAssignment


@receiver([post_save, post_delete], sender=RoleAssignment)
def keep_groups_in_step_with_roles(sender, instance: RoleAssignment, **kwargs) -> None:
    instance.user.sync_groups_and_staff()
