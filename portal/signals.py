from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import inbox, usercache
from .models import Notification, Organisation, RoleAssignment, User


@receiver([post_save, post_delete], sender=RoleAssignment)
def keep_groups_in_step_with_roles(sender, instance: RoleAssignment, **kwargs) -> None:
    instance.user.sync_groups_and_staff()


# What portal.usercache keeps of a user: their roles (with organisations), their groups' and own
# permissions. The user row's own fields are checked on every read and need no signal.
for model in (RoleAssignment, Organisation, Group, Permission):
    post_save.connect(usercache.on_write, sender=model, dispatch_uid=f"usercache-save-{model.__name__}")
    post_delete.connect(usercache.on_write, sender=model, dispatch_uid=f"usercache-delete-{model.__name__}")
for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
    m2m_changed.connect(usercache.on_write, sender=through, dispatch_uid=f"usercache-m2m-{through.__name__}")

# The unread badge (portal.inbox): rows saved one by one (admin) or deleted.
post_save.connect(inbox.on_save, sender=Notification, dispatch_uid="inbox-save")
post_delete.connect(inbox.on_delete, sender=Notification, dispatch_uid="inbox-delete")
