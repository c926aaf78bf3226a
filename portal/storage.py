"""Private file storage: uploads that are served only through permission-checked views."""

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    # A callable so tests and deployments can change STORAGES["private"] at run time.
    return storages["private"]
