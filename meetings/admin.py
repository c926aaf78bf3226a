from .admin_commitments import CommitmentInline  # noqa: F401 - MeetingAdmin will use it
