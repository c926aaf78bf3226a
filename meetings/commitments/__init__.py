"""Commitments (RTL): what an organisation does, by when, followed until verified.

A package of the meetings app (its models are registered under `meetings`). The public API
for other apps (audits adopts its recommendations through it; meetings never imports them):

- `meetings.commitments.services.create_commitment(meeting=..., description=..., owner=...,
  due_date=..., acting_user=..., ...)` records a commitment with its history row and notice;
  every other change goes through the other functions of `services` as well, which check the
  acting user's rights, lock the row, write history and notify.
- `Commitment.objects.visible_to(user)`, `.open()`, `.overdue()`, `.mine(user)`: reading, always
  scoped; `commitment.get_status_display()` and `commitment.is_overdue` for a status.
- `Commitment.objects.filter(owner=organisation)` lists an organisation's commitments.
"""
