"""The semester report of an AKS round as PDF (fpdf2, fonts from portal.pdf).

Pseudonymous by construction: it reads case numbers, groups, kecamatan, risk statuses and
aggregates, and never touches the identity fields (NIK, name), so no name or NIK can end up
in a document that is shared at the rakor.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from meetings.models import Commitment
from portal.pdf import PortalPDF

from .kka import TargetGroup
from .models import AuditCase, AuditRound, Recommendation, RiskStatus
from .monitoring import stats

# The only case fields the report may read (no identity block).
CASE_FIELDS = (
    "pk",
    "number",
    "target_group",
    "desa__parent__name",
    "risk_before",
    "risk_after",
    "audit_date",
)


def recommendation_status(recommendation: Recommendation, today) -> str:
    """Derived from its commitments, never stored: not adopted, done, overdue or in follow-up."""
    commitments = [c for c in recommendation.commitments.all() if c.status != Commitment.Status.CANCELLED]
    if not commitments:
        return _("not adopted")
    if any(c.status in stats.DONE for c in commitments):
        return _("done")
    if any(c.is_open and c.due_date < today for c in commitments):
        return _("overdue")
    return _("in follow-up")


@dataclass
class ReportData:
    round: AuditRound
    coverage: list
    coverage_total: object
    groups: list
    groups_total: object
    causes: list
    owners: list
    owners_total: object
    cases: list[dict]
    recommendations: list[tuple[Recommendation, str]]


def collect(audit_round: AuditRound) -> ReportData:
    kabupaten = audit_round.kabupaten
    coverage = stats.coverage_by_kecamatan(audit_round, kabupaten)
    groups = stats.cases_by_group(audit_round, kabupaten)
    owners = stats.recommendations_by_owner(audit_round, kabupaten)
    today = timezone.localdate()
    recommendations = (
        Recommendation.objects.filter(round=audit_round)
        .select_related("owner")
        .only(
            "pk",
            "round_id",
            "case_id",
            "case__number",
            "text",
            "intervention_type",
            "priority",
            "owner__name",
        )
        .select_related("case")
        .prefetch_related(
            Prefetch("commitments", queryset=Commitment.objects.only("pk", "status", "due_date"))
        )
        .order_by("priority", "owner__name", "pk")
    )
    return ReportData(
        round=audit_round,
        coverage=coverage,
        coverage_total=stats.coverage_total(coverage),
        groups=groups,
        groups_total=stats.group_total(groups),
        causes=stats.causes(audit_round, kabupaten, limit=20),
        owners=owners,
        owners_total=stats.recommendation_total(owners),
        cases=list(AuditCase.objects.filter(round=audit_round).order_by("number").values(*CASE_FIELDS)),
        recommendations=[(r, recommendation_status(r, today)) for r in recommendations],
    )


class ReportPDF(PortalPDF):
    """The portal's PDF base (fonts, letterhead, wrapped tables), with the pseudonymity note
    beside the page number on every page."""

    def footer(self) -> None:
        self.set_y(-12)
        self.font(8)
        self.set_text_color(90, 90, 90)
        text = _("Page %(page)s of %(pages)s · pseudonymous: case numbers only") % {
            "page": self.page_no(),
            "pages": "{nb}",
        }
        self.cell(0, 6, self.text_of(text), align="C")
        self.set_text_color(0, 0, 0)

    def section(self, text: str) -> None:
        self.ln(3)
        self.line_text(text, 12, bold=True, h=7)


def _pct(value) -> str:
    return "–" if value is None else f"{value}%"


def render(audit_round: AuditRound) -> bytes:
    data = collect(audit_round)
    r = data.round
    title = _("AKS semester report %(kabupaten)s %(year)s %(semester)s") % {
        "kabupaten": r.kabupaten.name,
        "year": r.year,
        "semester": r.get_semester_display(),
    }
    letterhead = _("TPPS %(kabupaten)s") % {"kabupaten": r.kabupaten.name}
    pdf = ReportPDF(title=title, letterhead=letterhead)
    pdf.line_text(_("Stunting reduction acceleration team (TPPS)").upper(), 11, bold=True, align="C")
    pdf.line_text(
        _("Semester report of the stunting case audit (AKS)").upper(), 13, bold=True, align="C", h=7
    )
    pdf.line_text(f"{r.kabupaten.name} · {r.year} · {r.get_semester_display()}", 11, bold=True, align="C")
    pdf.ln(2)
    facts = [
        (
            _("Team decree (SK)"),
            " ".join(filter(None, [r.sk_number, formats.date_format(r.sk_date) if r.sk_date else ""])) or "–",
        ),
        (_("Stage"), r.get_stage_display()),
        (_("Printed"), formats.date_format(timezone.localdate())),
    ]
    for label, value in facts:
        pdf.line_text(f"{label}: {value}")
    pdf.line_text(_("This report names cases by their number only: no name or NIK appears in it."), 9)

    pdf.section(_("1. Coverage of desa/kelurahan"))
    pdf.table(
        [_("Kecamatan"), _("Desa/kelurahan"), _("Reached"), _("Done"), _("Share reached")],
        [
            [c.name, c.total, c.covered, c.done, _pct(c.covered_share)]
            for c in [*data.coverage, data.coverage_total]
        ],
        (60, 30, 25, 25, 30),
    )

    pdf.section(_("2. Cases by target group and cause"))
    pdf.table(
        [_("Target group"), _("Cases"), _("Direct cause"), _("Indirect cause"), _("Reviewed")],
        [[g.label, g.cases, g.direct, g.indirect, g.reviewed] for g in [*data.groups, data.groups_total]],
        (60, 25, 30, 30, 25),
    )
    if data.causes:
        pdf.ln(2)
        pdf.table(
            [_("Cause"), _("Kind"), _("Cases")],
            [[c["name"], c["kind"], c["cases"]] for c in data.causes],
            (95, 60, 25),
        )

    pdf.section(_("3. Cases (by number)"))
    groups = {code: str(label) for code, label in TargetGroup.choices}
    risks = {code: str(label) for code, label in RiskStatus.choices}
    if data.cases:
        pdf.table(
            [_("Case number"), _("Target group"), _("Kecamatan"), _("Risk before"), _("Risk after")],
            [
                [
                    c["number"],
                    groups.get(c["target_group"], c["target_group"]),
                    c["desa__parent__name"],
                    risks.get(c["risk_before"], "–"),
                    risks.get(c["risk_after"], "–"),
                ]
                for c in data.cases
            ],
            (25, 50, 45, 30, 30),
        )
    else:
        pdf.line_text(_("No cases recorded."))

    pdf.section(_("4. Recommendations and their status"))
    pdf.table(
        [_("Organisation"), _("Recommendations"), _("Adopted"), _("Done"), _("Overdue"), _("Share done")],
        [
            [o.name, o.total, o.adopted, o.done, o.overdue, _pct(o.done_share)]
            for o in [*data.owners, data.owners_total]
        ],
        (60, 28, 22, 20, 22, 28),
    )
    if data.recommendations:
        pdf.ln(2)
        pdf.table(
            [_("From"), _("Recommendation"), _("Type"), _("Organisation"), _("Status")],
            [
                [
                    _("Case %(number)s") % {"number": rec.case.number} if rec.case_id else _("Whole round"),
                    rec.text,
                    rec.get_intervention_type_display(),
                    rec.owner.name,
                    status,
                ]
                for rec, status in data.recommendations
            ],
            (22, 70, 28, 40, 20),
        )
    return pdf.render()
