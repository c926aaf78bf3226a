# The monitoring admin (prevalence figures) lives in audits/monitoring/ (helper audits2).
from .monitoring import admin as monitoring_admin  # noqa: F401
