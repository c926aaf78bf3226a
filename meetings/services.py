"""Workflows spanning models. The commitment (RTL) workflows live in services_commitments
and are re-exported here, so other apps call `meetings.services.create_commitment(...)`."""

from .services_commitments import (  # noqa: F401
    change_status,
    create_commitment,
    mark_done,
    post_update,
    record_edit,
    reopen,
    verify,
)
