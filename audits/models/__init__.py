"""The Audit Kasus Stunting (AKS), one module per aggregate: rounds (team, stage, coverage),
cases (identity, KKA, causes, review) and recommendations (adopted as commitments)."""

from .cases import AuditCase, AuditCaseQuerySet, Education, NikAccessLog, RiskFactor, RiskStatus

# Prevalence figures for the monitoring dashboard (helper audits2).
from .prevalence import PrevalenceQuerySet, PrevalenceRecord
from .recommendations import Recommendation, RecommendationCommitment, RecommendationQuerySet
from .rounds import AuditRound, AuditRoundQuerySet, AuditTeamMember, RoundDesa, StageChange, kabupaten_codes

__all__ = [
    "AuditCase",
    "AuditCaseQuerySet",
    "AuditRound",
    "AuditRoundQuerySet",
    "AuditTeamMember",
    "Education",
    "NikAccessLog",
    "PrevalenceQuerySet",
    "PrevalenceRecord",
    "Recommendation",
    "RecommendationCommitment",
    "RecommendationQuerySet",
    "RiskFactor",
    "RiskStatus",
    "RoundDesa",
    "StageChange",
    "kabupaten_codes",
]
