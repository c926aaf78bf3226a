"""AKS workflows that span models. Each takes the acting user, checks their right, runs in one
transaction and leaves a record (history rows, stage changes, the NIK access log)."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from meetings.commitments import services as commitment_services
from meetings.models import Commitment, Meeting
from portal.models import Organisation, Region, region_q
from portal.notifications import notify

from . import kka
from .models import (
    AuditCase,
    AuditRound,
    AuditTeamMember,
    NikAccessLog,
    Recommendation,
    RecommendationCommitment,
    RoundDesa,
    StageChange,
)

Stage = AuditRound.Stage
# Meeting kinds that adopt recommendations as their commitments.
ADOPTING_KINDS = (Meeting.Kind.DISEMINASI, Meeting.Kind.RAKOR)
COVERAGE_ORDER = list(RoundDesa.Status.values)


# --- rounds ---------------------------------------------------------------------------------


@transaction.atomic
def create_round(*, kabupaten: Region, year: int, semester: int, acting_user, **fields) -> AuditRound:
    """A new round with every desa/kelurahan of the kabupaten in its coverage."""
    probe = AuditRound(kabupaten=kabupaten)
    if not (acting_user.has_perm("audits.add_auditround") and probe.can_manage(acting_user)):
        raise PermissionDenied
    audit_round = AuditRound(
        kabupaten=kabupaten, year=year, semester=semester, created_by=acting_user, **fields
    )
    audit_round.full_clean()
    audit_round.save()
    desa = Region.objects.filter(
        code__startswith=f"{kabupaten.code}.", level__in=[Region.Level.DESA, Region.Level.KELURAHAN]
    ).values_list("code", "parent_id")
    RoundDesa.objects.bulk_create(
        RoundDesa(round=audit_round, desa_id=code, kecamatan_id=parent) for code, parent in desa
    )
    StageChange.objects.create(round=audit_round, to_stage=audit_round.stage, changed_by=acting_user)
    return audit_round


# What a round's edit (portal page or admin) may change; kabupaten, year and semester are fixed
# once created, and the stage moves only through move_stage.
ROUND_EDITABLE = ("sk_number", "sk_date", "visits_due", "review_due", "evaluation_due")
DEADLINE_FIELDS = ("visits_due", "review_due", "evaluation_due")


def round_meeting_choices(audit_round: AuditRound):
    """Meetings a round may link: konferensi tim pakar and diseminasi of its kabupaten (or below)."""
    return Meeting.objects.filter(
        region_q([audit_round.kabupaten_id], "region_id"),
        kind__in=[Meeting.Kind.KONFERENSI_PAKAR, Meeting.Kind.DISEMINASI],
    ).order_by("-start")


def round_edit_errors(audit_round: AuditRound, values: dict) -> dict[str, list[str]]:
    """Why these values may not be saved on the round (empty: they may). Past team formation the
    round keeps its decree; the stage deadlines follow the stages' order."""
    errors: dict[str, list[str]] = {}
    if audit_round.stage != Stage.PEMBENTUKAN_TIM:
        for name in ("sk_number", "sk_date"):
            if name in values and not values[name]:
                errors.setdefault(name, []).append(
                    _("The round is past team formation: it keeps its team decree (SK number and date).")
                )
    deadlines = [
        (name, values[name] if name in values else getattr(audit_round, name)) for name in DEADLINE_FIELDS
    ]
    for (_earlier, first), (name, then) in pairwise([(n, d) for n, d in deadlines if d]):
        if then < first:
            errors.setdefault(name, []).append(_("This deadline comes before the previous stage's."))
    return errors


@transaction.atomic
def update_round(*, audit_round: AuditRound, acting_user, meetings=None, **fields) -> AuditRound:
    """Edit a round's decree, deadlines and linked meetings (portal page and admin), with a
    history row naming the acting user. Refused or invalid: nothing is written."""
    audit_round = AuditRound.objects.select_for_update().get(pk=audit_round.pk)
    if not audit_round.can_manage(acting_user):
        raise PermissionDenied
    unknown = set(fields) - set(ROUND_EDITABLE)
    if unknown:
        raise ValueError(f"Not editable on a round: {', '.join(sorted(unknown))}")
    errors = round_edit_errors(audit_round, fields)
    if meetings is not None:
        meetings = list(meetings)
        allowed = set(round_meeting_choices(audit_round).values_list("pk", flat=True))
        if any(meeting.pk not in allowed for meeting in meetings):
            errors["meetings"] = [
                _("A round links only konferensi tim pakar and diseminasi of its kabupaten.")
            ]
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(audit_round, name, value)
    audit_round.full_clean()
    audit_round._history_user = acting_user
    audit_round.save()
    if meetings is not None:
        audit_round.meetings.set(meetings)
    return audit_round


def stage_blockers(audit_round: AuditRound, stage: str) -> list[str]:
    """What the round still needs before it may enter `stage` (empty: it may)."""
    cases = audit_round.cases.all()
    recommendations = audit_round.recommendations.all()
    needs = []
    if stage == Stage.SELEKSI_KASUS:
        if not (audit_round.sk_number and audit_round.sk_date):
            needs.append(_("the team decree (SK number and date)"))
        parts = set(audit_round.team.values_list("part", flat=True))
        if AuditTeamMember.Part.TIM_TEKNIS not in parts:
            needs.append(_("at least one member of the tim teknis"))
        if AuditTeamMember.Part.TIM_PAKAR not in parts:
            needs.append(_("at least one member of the tim pakar"))
    elif stage == Stage.KUNJUNGAN and not cases.exists():
        needs.append(_("selected cases"))
    elif stage == Stage.KAJIAN:
        if not cases.exists():
            needs.append(_("cases"))
        elif cases.filter(visit_date__isnull=True).exists():
            needs.append(_("a visit (with its KKA) for every case"))
    elif stage == Stage.DISEMINASI:
        if not cases.exists() or cases.filter(Q(audit_date__isnull=True) | Q(risk_before="")).exists():
            needs.append(_("the expert review of every case"))
    elif stage == Stage.TINDAK_LANJUT and not recommendations.exists():
        needs.append(_("recommendations"))
    elif stage == Stage.EVALUASI and (
        not recommendations.exists() or recommendations.filter(adoptions__isnull=True).exists()
    ):
        needs.append(_("every recommendation adopted as a commitment"))
    elif stage == Stage.LAPORAN and (not cases.exists() or cases.filter(risk_after="").exists()):
        needs.append(_("the evaluation (risk status after) of every case"))
    return needs


@transaction.atomic
def move_stage(*, audit_round: AuditRound, stage: str, acting_user, note: str = "") -> StageChange:
    """One step forward when the round has what the stage needs, or one step back with a reason."""
    audit_round = AuditRound.objects.select_for_update().get(pk=audit_round.pk)
    if not audit_round.can_manage(acting_user):
        raise PermissionDenied
    if stage == audit_round.previous_stage():
        if not note.strip():
            raise ValidationError(_("Say why the round goes back a stage."))
    elif stage != audit_round.next_stage():
        raise ValidationError(_("A round moves one stage at a time."))
    else:
        needs = stage_blockers(audit_round, stage)
        if needs:
            raise ValidationError(
                _("%(stage)s needs %(needs)s.")
                % {"stage": AuditRound.Stage(stage).label, "needs": "; ".join(needs)}
            )
    change = StageChange.objects.create(
        round=audit_round,
        from_stage=audit_round.stage,
        to_stage=stage,
        changed_by=acting_user,
        note=note.strip(),
    )
    audit_round.stage = stage
    audit_round.save(update_fields=["stage"])
    return change


def team_blockers(audit_round: AuditRound, *, leaving=(), joining=()) -> list[str]:
    """Why the team may not lose `leaving` (members) and gain `joining` (parts): once past team
    formation, the round keeps at least one member of each part."""
    if audit_round.stage == Stage.PEMBENTUKAN_TIM:
        return []
    gone = {m.pk for m in leaving if m.pk}
    parts = set(audit_round.team.exclude(pk__in=gone).values_list("part", flat=True)) | set(joining)
    return [
        _("The round is past team formation: it keeps at least one member of the %(part)s.")
        % {"part": AuditTeamMember.Part(part).label}
        for part in AuditTeamMember.Part.values
        if part not in parts
    ]


@transaction.atomic
def save_team_member(*, member: AuditTeamMember, acting_user) -> AuditTeamMember:
    """Add a member to the round's team, or change their part or expertise (history row)."""
    audit_round = AuditRound.objects.select_for_update().get(pk=member.round_id)
    if not audit_round.can_manage(acting_user):
        raise PermissionDenied
    if member.pk:
        before = AuditTeamMember.objects.get(pk=member.pk, round=audit_round)
        if before.part != member.part:
            needs = team_blockers(audit_round, leaving=[before], joining=[member.part])
            if needs:
                raise ValidationError(needs)
    member.full_clean()
    member._history_user = acting_user
    member.save()
    return member


def add_team_member(
    *, audit_round: AuditRound, user, part: str, expertise: str = "", acting_user
) -> AuditTeamMember:
    member = AuditTeamMember(round=audit_round, user=user, part=part, expertise=expertise)
    return save_team_member(member=member, acting_user=acting_user)


@transaction.atomic
def remove_team_member(*, member: AuditTeamMember, acting_user, reason: str = "") -> None:
    """Take a person off the round's team (they lose its cases); the history row keeps who,
    when and why. Their signed reviews stay signed by them."""
    audit_round = AuditRound.objects.select_for_update().get(pk=member.round_id)
    if not audit_round.can_manage(acting_user):
        raise PermissionDenied
    needs = team_blockers(audit_round, leaving=[member])
    if needs:
        raise ValidationError(needs)
    person, member_pk = member.user, member.pk
    member._history_user = acting_user
    member._change_reason = reason.strip()[:100] or None
    member.delete()
    # The person removed is told (in-app and e-mail, in their language); the link is the rounds
    # list, which opens for them whether or not they still see this round.
    notify(
        rule=f"audit_team_removed:{member_pk}",
        recipients=[person],
        source=audit_round,
        context={
            "url": reverse("audits:round-list"),
            "part": member.part,
            "reason": reason.strip()[:100],
            "by": acting_user.get_full_name(),
        },
    )


def refresh_coverage(audit_round: AuditRound, desa_codes) -> None:
    """Each desa's status is its least advanced case's (no case: not yet)."""
    for code in set(desa_codes):
        statuses = [c.coverage_status() for c in audit_round.cases.filter(desa_id=code)]
        status = min(statuses, key=COVERAGE_ORDER.index) if statuses else RoundDesa.Status.BELUM
        RoundDesa.objects.filter(round=audit_round, desa_id=code).exclude(status=status).update(status=status)


# --- cases ----------------------------------------------------------------------------------


@transaction.atomic
def save_case(
    *, case: AuditCase, acting_user, nik: str | None = None, name: str | None = None, risk_factors=None
) -> AuditCase:
    """Create or update a case (selection, visit, KKA); the identity only when given."""
    if not case.round.can_fill_cases(acting_user):
        raise PermissionDenied
    previous_desa = AuditCase.objects.filter(pk=case.pk).values_list("desa_id", flat=True).first()
    if nik is not None or name is not None:
        case.set_identity(
            nik=nik if nik is not None else case.nik, name=name if name is not None else case.name
        )
    if not case.nik_encrypted:
        raise ValidationError({"nik": _("The NIK is required.")})
    if not case.filled_by_id:
        case.filled_by = acting_user
    if not case.form_version:
        # A new case is filled on the group's current form; an old one keeps its version.
        case.form_version = kka.CURRENT[case.target_group]
    case.full_clean()
    case.save()
    if risk_factors is not None:
        case.risk_factors.set(risk_factors)
    refresh_coverage(case.round, [case.desa_id, previous_desa] if previous_desa else [case.desa_id])
    return case


@transaction.atomic
def review_case(
    *, case: AuditCase, acting_user, audit_date: date, conclusion: str, risk_before: str, risk_factors=None
) -> AuditCase:
    """The tim pakar's conclusion, signed on the audit date. Needs a visit and no pending items."""
    if not case.round.can_review(acting_user):
        raise PermissionDenied
    if not case.visit_date:
        raise ValidationError(_("The case has not been visited yet."))
    pending = case.pending_items()
    if pending:
        raise ValidationError(
            _("Still pending on the KKA: %(items)s.") % {"items": ", ".join(str(i.label) for i in pending)}
        )
    case.reviewed_by = acting_user
    case.audit_date = audit_date
    case.conclusion = conclusion
    case.risk_before = risk_before
    case.full_clean()
    case.save()
    if risk_factors is not None:
        case.risk_factors.set(risk_factors)
    refresh_coverage(case.round, [case.desa_id])
    return case


@transaction.atomic
def evaluate_case(
    *,
    case: AuditCase,
    acting_user,
    risk_after: str,
    carried_out: bool | None,
    evaluated_at: date,
    note: str = "",
) -> AuditCase:
    if not case.round.can_evaluate(acting_user):
        raise PermissionDenied
    if not case.is_reviewed:
        raise ValidationError(_("Only a reviewed case can be evaluated."))
    case.risk_after = risk_after
    case.follow_up_carried_out = carried_out
    case.evaluated_at = evaluated_at
    case.evaluation_note = note
    case.full_clean()
    case.save()
    refresh_coverage(case.round, [case.desa_id])
    return case


def reveal_identity(*, case: AuditCase, acting_user, ip_address: str | None, purpose: str = "") -> dict:
    """The full NIK and name, for the round's team and the DPPKB admin only; always logged."""
    if not case.round.can_see_identities(acting_user):
        raise PermissionDenied
    NikAccessLog.objects.create(
        case=case, user=acting_user, ip_address=ip_address or None, purpose=purpose[:200]
    )
    return {"nik": case.nik, "name": case.name}


# --- recommendations ------------------------------------------------------------------------


def _check_recommendation(recommendation: Recommendation) -> None:
    if recommendation.case_id and recommendation.case.round_id != recommendation.round_id:
        raise ValidationError(_("The case belongs to another round."))
    recommendation.full_clean()
    kabupaten = recommendation.round.kabupaten_id
    if not recommendation.owner.region.is_within(kabupaten) and (
        recommendation.owner.region_id not in Region(code=kabupaten).ancestor_codes()
    ):
        raise ValidationError(
            {"owner": _("The responsible organisation must belong to the round's kabupaten.")}
        )


@transaction.atomic
def add_recommendation(
    *, audit_round: AuditRound, acting_user, case: AuditCase | None = None, **fields
) -> Recommendation:
    if not audit_round.can_recommend(acting_user):
        raise PermissionDenied
    recommendation = Recommendation(round=audit_round, case=case, created_by=acting_user, **fields)
    _check_recommendation(recommendation)
    recommendation._history_user = acting_user
    recommendation.save()
    return recommendation


# Once adopted, the commitment carries the text, type and owner: only the priority changes here.
EDITABLE_AFTER_ADOPTION = {"priority"}


@transaction.atomic
def update_recommendation(*, recommendation: Recommendation, acting_user, **fields) -> Recommendation:
    """Edit a recommendation (case, text, type, owner, priority), with a history row."""
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if not recommendation.round.can_recommend(acting_user):
        raise PermissionDenied
    changed = {name for name, value in fields.items() if getattr(recommendation, name) != value}
    if changed - EDITABLE_AFTER_ADOPTION and recommendation.adoptions.exists():
        raise ValidationError(
            _(
                "This recommendation is already a commitment: change the commitment instead. "
                "Only its priority can change here."
            )
        )
    for name, value in fields.items():
        setattr(recommendation, name, value)
    _check_recommendation(recommendation)
    recommendation._history_user = acting_user
    recommendation.save()
    return recommendation


def adoption_meetings(audit_round: AuditRound, user):
    """Meetings whose commitments the recommendations may become: diseminasi or rakor of the
    round's kabupaten (or below), that the user may record commitments for."""
    return (
        Commitment.meeting_choices(user)
        .filter(kind__in=ADOPTING_KINDS)
        .filter(region_q([audit_round.kabupaten_id], "region_id"))
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-start")
    )


@transaction.atomic
def adopt_recommendations(*, meeting: Meeting, adoptions: list[dict], acting_user) -> list[Commitment]:
    """Adopt recommendations as commitments of a diseminasi or rakor, all or none.

    Each adoption is {"recommendation", "due_date", "pic" (optional), "owner" (optional, the
    recommendation's by default)}. Commitments are made by the commitments services (rights,
    history); the owner's contacts are told.
    """
    if meeting.kind not in ADOPTING_KINDS:
        raise ValidationError(_("Recommendations are adopted at a diseminasi or a rakor."))
    commitments = []
    for item in adoptions:
        recommendation: Recommendation = item["recommendation"]
        audit_round = recommendation.round
        if not audit_round.can_adopt(acting_user):
            raise PermissionDenied
        if not adoption_meetings(audit_round, acting_user).filter(pk=meeting.pk).exists():
            raise ValidationError(_("This meeting is not a diseminasi or rakor of the round's kabupaten."))
        owner: Organisation = item.get("owner") or recommendation.owner
        commitment = commitment_services.create_commitment(
            meeting=meeting,
            description=recommendation.text,
            owner=owner,
            pic=item.get("pic"),
            due_date=item["due_date"],
            intervention_type=recommendation.intervention_type,
            acting_user=acting_user,
        )
        RecommendationCommitment.objects.create(
            recommendation=recommendation, commitment=commitment, adopted_by=acting_user
        )
        notify(
            rule=f"recommendation_adopted:{commitment.pk}",
            recipients=commitment.focal_points(),
            source=commitment,
            context={
                "link": settings.SITE_URL + commitment.get_absolute_url(),
                "meeting": meeting.title,
                "round": str(audit_round),
            },
        )
        commitments.append(commitment)
    return commitments
