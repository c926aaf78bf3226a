# The monitoring models live in audits/monitoring/ (helper audits2).
from .monitoring.models import PrevalenceRecord  # noqa: F401
