"""Pages of the AKS: rounds (coverage, stage, team), cases (KKA, review, evaluation, the
logged identity reveal), recommendations and their adoption as commitments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from meetings.models import Commitment

from . import evaluation, services
from .access import (
    get_case_for_user,
    get_recommendation_for_user,
    get_round_for_user,
    get_team_member_for_user,
)
from .forms import (
    AdoptForm,
    CaseForm,
    EvaluationForm,
    RecommendationForm,
    ReviewForm,
    RoundForm,
    RoundMeetingsForm,
    StageForm,
    TeamMemberForm,
    TeamRemoveForm,
)
from .kka import TargetGroup
from .models import AuditCase, AuditRound, NikAccessLog, Recommendation, RoundDesa


def _post(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _fail(form, error: ValidationError) -> None:
    for field, errors in (
        error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    ):
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


# --- rounds ---------------------------------------------------------------------------------


class RoundListView(LoginRequiredMixin, ListView):
    template_name = "audits/round_list.html"
    context_object_name = "rounds"
    paginate_by = 25

    def get_queryset(self):
        return (
            AuditRound.objects.visible_to(self.request.user)
            .select_related("kabupaten")
            .annotate(
                n_desa=Count("coverage", distinct=True),
                n_covered=Count(
                    "coverage", filter=~Q(coverage__status=RoundDesa.Status.BELUM), distinct=True
                ),
                n_cases=Count("cases", distinct=True),
            )
            .order_by("-year", "-semester", "kabupaten_id")
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        can_add = user.has_perm("audits.add_auditround") and (
            user.is_superuser or bool(user.scope_codes(roles=["dppkb_admin"]))
        )
        return super().get_context_data(can_add=can_add, **kwargs)


@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("audits.add_auditround"):
        raise PermissionDenied
    form = RoundForm(_post(request), user=request.user)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            audit_round = services.create_round(acting_user=request.user, **data)
        except ValidationError as error:
            _fail(form, error)
        else:
            messages.success(
                request, _("Round created with %(n)s desa/kelurahan.") % {"n": audit_round.coverage.count()}
            )
            return redirect(audit_round)
    return render(request, "audits/round_form.html", {"form": form})


@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    audit_round = get_round_for_user(request.user, pk, manage=True)
    form = RoundForm(_post(request), instance=audit_round, user=request.user)
    meetings_form = RoundMeetingsForm(_post(request), audit_round=audit_round)
    if request.method == "POST" and form.is_valid() and meetings_form.is_valid():
        try:
            services.update_round(
                audit_round=audit_round,
                acting_user=request.user,
                meetings=meetings_form.cleaned_data["meetings"],
                **{
                    name: form.cleaned_data[name]
                    for name in services.ROUND_EDITABLE
                    if name in form.cleaned_data
                },
            )
        except ValidationError as error:
            _fail(form, error)
        else:
            messages.success(request, _("Round saved."))
            return redirect(audit_round)
    return render(
        request,
        "audits/round_form.html",
        {"form": form, "meetings_form": meetings_form, "round": audit_round},
    )


CASES_PER_PAGE = 50


def _round_context(request: HttpRequest, audit_round: AuditRound) -> dict:
    user = request.user
    rows = RoundDesa.objects.visible_to(user).filter(round=audit_round)
    identities = audit_round.can_see_identities(user)
    recommendations = evaluation.with_done(
        Recommendation.objects.visible_to(user).filter(round=audit_round).select_related("owner", "case")
    )
    context = {
        "round": audit_round,
        "coverage": evaluation.coverage_by_kecamatan(rows),
        "totals": evaluation.coverage_totals(rows),
        "status_rows": [
            (RoundDesa.Status(status).label, n) for status, n in evaluation.status_counts(rows).items()
        ],
        "uncovered": rows.filter(status=RoundDesa.Status.BELUM).select_related("desa", "kecamatan"),
        "team": audit_round.team.select_related("user__organisation"),
        "stage_changes": audit_round.stage_changes.select_related("changed_by"),
        "linked_meetings": audit_round.meetings.all(),
        "can_manage": audit_round.can_manage(user),
        "can_fill": audit_round.can_fill_cases(user),
        "can_recommend": audit_round.can_recommend(user),
        "can_adopt": audit_round.can_adopt(user),
        "show_cases": identities,
        "recommendations": recommendations,
        "done_by_owner": evaluation.done_by_owner(
            Recommendation.objects.visible_to(user).filter(round=audit_round)
        ),
        "target_groups": TargetGroup.choices,
    }
    if identities:
        # Within one round the cases' own order is their number (no join to the round).
        cases = audit_round.cases.select_related("desa").order_by("number")
        # A kabupaten's round holds thousands of cases at national scale: a page at a time.
        context["cases"] = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("cases"))
        context["risk_change"] = evaluation.risk_change(cases)
        context["can_read_log"] = (
            NikAccessLog.objects.visible_to(user).filter(case__round=audit_round).exists()
        )
    if context["can_manage"]:
        context["stage_form"] = StageForm(audit_round=audit_round)
        context["team_form"] = TeamMemberForm(audit_round=audit_round)
        context["blockers"] = {
            s: services.stage_blockers(audit_round, s) for s in [audit_round.next_stage()] if s
        }
    return context


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    audit_round = get_round_for_user(request.user, pk)
    return render(request, "audits/round_detail.html", _round_context(request, audit_round))


@login_required
@require_POST
def round_stage(request: HttpRequest, pk: int) -> HttpResponse:
    audit_round = get_round_for_user(request.user, pk, manage=True)
    form = StageForm(request.POST, audit_round=audit_round)
    if form.is_valid():
        try:
            services.move_stage(
                audit_round=audit_round,
                stage=form.cleaned_data["stage"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Stage changed."))
    return redirect(audit_round)


@login_required
@require_POST
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    audit_round = get_round_for_user(request.user, pk, manage=True)
    form = TeamMemberForm(request.POST, audit_round=audit_round)
    if form.is_valid():
        services.add_team_member(audit_round=audit_round, acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("Team member added."))
    else:
        messages.error(request, _("The team member could not be added: %(e)s") % {"e": form.errors.as_text()})
    return redirect(audit_round)


@login_required
def team_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first (GET), removes on the POST of that page."""
    member = get_team_member_for_user(request.user, pk, manage=True)
    audit_round = member.round
    form = TeamRemoveForm(_post(request))
    if form.is_valid():
        try:
            services.remove_team_member(
                member=member, acting_user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(name)s is no longer on the team.")
                % {"name": member.user.get_full_name() or member.user},
            )
        return redirect(audit_round)
    return render(
        request,
        "audits/team_remove.html",
        {
            "form": form,
            "member": member,
            "round": audit_round,
            "blockers": services.team_blockers(audit_round, leaving=[member]),
        },
    )


ACCESS_LOG_PAGE_SIZE = 50


@login_required
def access_log(request: HttpRequest, pk: int) -> HttpResponse:
    audit_round = get_round_for_user(request.user, pk)
    if not request.user.has_perm("audits.view_nikaccesslog"):
        raise PermissionDenied
    entries = (
        NikAccessLog.objects.visible_to(request.user)
        .filter(case__round=audit_round)
        .select_related("user", "case")
        .order_by("-at", "-pk")
    )
    page = Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "round": audit_round,
        "entries": page.object_list,
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
    }
    return render(request, "audits/access_log.html", context)


# --- cases ----------------------------------------------------------------------------------


@login_required
def case_form(request: HttpRequest, pk: int | None = None, round_pk: int | None = None) -> HttpResponse:
    if pk:
        case = get_case_for_user(request.user, pk, fill=True)
        audit_round, group = case.round, case.target_group
    else:
        audit_round = get_round_for_user(request.user, round_pk)
        if not audit_round.can_fill_cases(request.user):
            raise PermissionDenied
        group = request.GET.get("group") or request.POST.get("group")
        if group not in TargetGroup.values:
            return render(
                request, "audits/case_group.html", {"round": audit_round, "groups": TargetGroup.choices}
            )
        case = AuditCase(round=audit_round, target_group=group)
    form = CaseForm(_post(request), instance=case, audit_round=audit_round, target_group=group)
    if form.is_valid():
        try:
            case = services.save_case(
                case=form.instance,
                acting_user=request.user,
                nik=form.cleaned_data.get("nik") or None,
                name=form.cleaned_data.get("name") or None,
                risk_factors=form.cleaned_data["risk_factors"],
            )
        except ValidationError as error:
            _fail(form, error)
        else:
            messages.success(request, _("Case saved."))
            return redirect(case)
    return render(
        request, "audits/case_form.html", {"form": form, "round": audit_round, "case": case, "group": group}
    )


def _case_context(request: HttpRequest, case: AuditCase) -> dict:
    form = case.form
    commitments = Prefetch("commitments", queryset=Commitment.objects.select_related("meeting"))
    return {
        "case": case,
        "round": case.round,
        "items": [(item, case.kka.get(item.code)) for item in form.items],
        "computed": case.computed(),
        "findings": case.findings(),
        "pending": case.pending_items(),
        "risk_factors": case.risk_factors.all(),
        "recommendations": case.recommendations.select_related("owner").prefetch_related(commitments),
        "can_fill": case.round.can_fill_cases(request.user),
        "can_review": case.round.can_review(request.user),
        "can_evaluate": case.round.can_evaluate(request.user) and case.is_reviewed,
        "can_recommend": case.round.can_recommend(request.user),
    }


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    return render(request, "audits/case_detail.html", _case_context(request, case))


@login_required
@require_POST
def case_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The full NIK and name, shown once on this response and logged (never cached)."""
    case = get_case_for_user(request.user, pk)
    identity = services.reveal_identity(
        case=case, acting_user=request.user, ip_address=_client_ip(request), purpose=request.path
    )
    response = render(
        request, "audits/case_detail.html", {**_case_context(request, case), "identity": identity}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def case_review(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, review=True)
    form = ReviewForm(_post(request), case=case)
    if form.is_valid():
        try:
            services.review_case(case=case, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _fail(form, error)
        else:
            messages.success(request, _("Expert review saved."))
            return redirect(case)
    return render(
        request, "audits/case_review.html", {"form": form, "case": case, "pending": case.pending_items()}
    )


@login_required
def case_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, evaluate=True)
    form = EvaluationForm(_post(request), case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.evaluate_case(
                case=case,
                acting_user=request.user,
                risk_after=data["risk_after"],
                carried_out=data["carried_out"],
                evaluated_at=data["evaluated_at"],
                note=data["note"],
            )
        except ValidationError as error:
            _fail(form, error)
        else:
            messages.success(request, _("Evaluation saved."))
            return redirect(case)
    return render(request, "audits/case_evaluate.html", {"form": form, "case": case})


# --- recommendations ------------------------------------------------------------------------


@login_required
def recommendation_create(request: HttpRequest, round_pk: int) -> HttpResponse:
    audit_round = get_round_for_user(request.user, round_pk)
    if not audit_round.can_recommend(request.user):
        raise PermissionDenied
    initial = {"case": request.GET.get("case")} if request.GET.get("case") else None
    form = RecommendationForm(_post(request), initial=initial, audit_round=audit_round)
    if form.is_valid():
        try:
            services.add_recommendation(
                audit_round=audit_round, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _fail(form, error)
        else:
            messages.success(request, _("Recommendation saved."))
            case = form.cleaned_data.get("case")
            return redirect(case or audit_round)
    return render(request, "audits/recommendation_form.html", {"form": form, "round": audit_round})


@login_required
def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for_user(request.user, pk, edit=True)
    audit_round = recommendation.round
    adopted = recommendation.adoptions.exists()
    form = RecommendationForm(
        _post(request), instance=recommendation, audit_round=audit_round, adopted=adopted
    )
    if form.is_valid():
        try:
            services.update_recommendation(
                recommendation=recommendation, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _fail(form, error)
        else:
            messages.success(request, _("Recommendation saved."))
            return redirect(recommendation)
    return render(
        request,
        "audits/recommendation_form.html",
        {"form": form, "round": audit_round, "recommendation": recommendation, "adopted": adopted},
    )


@login_required
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_recommendation_for_user(request.user, pk)
    commitments = Commitment.objects.visible_to(request.user).filter(
        audit_adoption__recommendation=recommendation
    )
    context = {
        "recommendation": recommendation,
        "commitments": commitments.select_related("meeting", "owner", "pic"),
        "show_case": recommendation.case_id and recommendation.round.can_see_identities(request.user),
        "can_edit": recommendation.round.can_recommend(request.user),
    }
    return render(request, "audits/recommendation_detail.html", context)


@login_required
def adopt(request: HttpRequest, round_pk: int) -> HttpResponse:
    """One step: pick the diseminasi or rakor, tick recommendations, give due dates and PIC."""
    audit_round = get_round_for_user(request.user, round_pk)
    if not audit_round.can_adopt(request.user):
        raise PermissionDenied
    pending = audit_round.recommendations.filter(adoptions__isnull=True).select_related("owner", "case")
    form = AdoptForm(
        _post(request),
        meetings=services.adoption_meetings(audit_round, request.user),
        recommendations=pending,
        user=request.user,
        initial={"meeting": request.GET.get("meeting")},
    )
    if form.is_valid():
        try:
            made = services.adopt_recommendations(
                meeting=form.cleaned_data["meeting"],
                adoptions=form.cleaned_data["adoptions"],
                acting_user=request.user,
            )
        except ValidationError as error:
            _fail(form, error)
        else:
            messages.success(request, _("%(n)s recommendation(s) adopted as commitments.") % {"n": len(made)})
            return redirect(audit_round)
    return render(request, "audits/adopt.html", {"form": form, "round": audit_round})
