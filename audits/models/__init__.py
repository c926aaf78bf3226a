"""The Audit Kasus Stunting (AKS), one module per aggregate: rounds (team, stage, coverage),
cases (identity, KKA, causes, review) and recommendations (adopted as commitments)."""

from .cases import AuditCase, AuditCaseQuerySet, Education, NikAccessLog, RiskFactor, RiskStatus
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
    "Recommendation",
    "RecommendationCommitment",
    "RecommendationQuerySet",
    "RiskFactor",
    "RiskStatus",
    "RoundDesa",
    "StageChange",
    "kabupaten_codes",
]
