"""Template tags of the commitments package (`{% load commitment_tags %}`).

Django looks for tag libraries in an app's `templatetags/`; the tags themselves live with the
commitments they render."""

from meetings.commitments.templatetags.commitment_tags import register  # noqa: F401
