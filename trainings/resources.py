"""XLSX exports (django-import-export) and the participant import for paper nominations."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from portal.exports import SafeXLSX
from portal.jobs import counted
from portal.models import User
from portal.spreadsheets import read_xlsx

from . import services
from .models import Attendance, Enrollment, Session, Training


class ParticipantResource(resources.ModelResource):
    name = fields.Field(attribute="person__full_name", column_name=gettext_lazy("Name"))
    username = fields.Field(attribute="person__username", column_name=gettext_lazy("Username"))
    jabatan = fields.Field(attribute="person__jabatan", column_name=gettext_lazy("Position"))
    organisation = fields.Field(
        attribute="person__organisation__name", column_name=gettext_lazy("Organisation")
    )
    kabupaten = fields.Field(attribute="kabupaten__name", column_name=gettext_lazy("Kabupaten"))
    status = fields.Field(column_name=gettext_lazy("Status"))
    registered = fields.Field(column_name=gettext_lazy("Registered at"))
    pre_test = fields.Field(attribute="pre_test_score", column_name=gettext_lazy("Pre-test"))
    post_test = fields.Field(attribute="post_test_score", column_name=gettext_lazy("Post-test"))
    certificate = fields.Field(attribute="certificate_number", column_name=gettext_lazy("Certificate number"))

    class Meta:
        model = Enrollment
        fields = (
            "name",
            "username",
            "jabatan",
            "organisation",
            "kabupaten",
            "status",
            "registered",
            "pre_test",
            "post_test",
            "certificate",
        )

    def dehydrate_status(self, enrollment: Enrollment) -> str:
        return str(enrollment.get_status_display())

    def dehydrate_registered(self, enrollment: Enrollment) -> str:
        moment = timezone.localtime(enrollment.requested_at)
        return f"{date_format(moment, 'SHORT_DATETIME_FORMAT')} {_('WITA')}"


class SessionAttendanceResource(resources.ModelResource):
    """One row per participant of a session: present or not."""

    name = fields.Field(attribute="person__full_name", column_name=gettext_lazy("Name"))
    jabatan = fields.Field(attribute="person__jabatan", column_name=gettext_lazy("Position"))
    kabupaten = fields.Field(attribute="kabupaten__name", column_name=gettext_lazy("Kabupaten"))
    present = fields.Field(column_name=gettext_lazy("Present"))
    method = fields.Field(column_name=gettext_lazy("How"))

    class Meta:
        model = Enrollment
        fields = ("name", "jabatan", "kabupaten", "present", "method")

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.present_by = {a.enrollment_id: a for a in session.attendances.all()}

    def dehydrate_present(self, enrollment: Enrollment) -> str:
        return _("yes") if enrollment.pk in self.present_by else _("no")

    def dehydrate_method(self, enrollment: Enrollment) -> str:
        attendance: Attendance | None = self.present_by.get(enrollment.pk)
        return str(attendance.get_method_display()) if attendance else ""


def export_xlsx(resource: resources.Resource, queryset, progress=None) -> bytes:
    """Formula-escaped XLSX; `progress(done, total)` hears of the rows as they are written."""
    rows = counted(list(queryset), progress) if progress else queryset
    return SafeXLSX().export_data(resource.export(queryset=rows))


# --- import ---------------------------------------------------------------

IMPORT_COLUMNS = ("username", "pre_test", "post_test")


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    registered: int = 0
    updated: int = 0


class ImportFailed(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _score(value, row: int, column: str, errors: list[str]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        score = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        score = None
    if score is None or not score.is_finite():  # NaN and Infinity parse, but are no score
        errors.append(_("Row %(row)s: %(column)s is not a number.") % {"row": row, "column": column})
        return None
    if not 0 <= score <= 100:
        errors.append(
            _("Row %(row)s: %(column)s must be between 0 and 100.") % {"row": row, "column": column}
        )
        return None
    return score.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def import_participants(
    *, training: Training, content: bytes, acting_user: User, progress=None
) -> ImportResult:
    """Columns: username, pre_test, post_test. Registers people not yet enrolled (as
    nominations) and sets scores. Any bad row: nothing is written, every error is reported."""
    try:
        dataset = read_xlsx(content)
    except Exception as exc:  # a corrupt workbook is one more error to report, not a crash
        raise ImportFailed([_("The file could not be read as XLSX.")]) from exc
    headers = [str(h or "").strip().lower() for h in (dataset.headers or [])]
    if "username" not in headers:
        raise ImportFailed([_("The first row must name the columns: %s.") % ", ".join(IMPORT_COLUMNS)])
    rows = [dict(zip(headers, values, strict=False)) for values in dataset]
    people = {
        u.username: u for u in User.objects.filter(username__in=[str(r.get("username") or "") for r in rows])
    }
    errors: list[str] = []
    planned = []
    seen = set()
    for number, row in enumerate(rows, start=2):
        username = str(row.get("username") or "").strip()
        person = people.get(username)
        row_errors: list[str] = []
        if not username:
            row_errors.append(_("Row %(row)s: the username is empty.") % {"row": number})
        elif person is None:
            row_errors.append(
                _("Row %(row)s: no account %(username)s.") % {"row": number, "username": username}
            )
        elif username in seen:
            row_errors.append(
                _("Row %(row)s: %(username)s appears twice.") % {"row": number, "username": username}
            )
        elif not training.is_eligible(person):
            row_errors.append(
                _("Row %(row)s: %(username)s does not hold a role this training is open to.")
                % {"row": number, "username": username}
            )
        seen.add(username)
        pre = _score(row.get("pre_test"), number, "pre_test", row_errors)
        post = _score(row.get("post_test"), number, "post_test", row_errors)
        errors.extend(row_errors)
        planned.append((number, person, pre, post))
    if errors:
        raise ImportFailed(errors)
    result = ImportResult()
    progress = progress or (lambda done, total: None)
    with transaction.atomic():
        for done, (number, person, pre, post) in enumerate(planned):
            progress(done, len(planned))
            enrollment = Enrollment.objects.filter(training=training, person=person).first()
            if enrollment is None or enrollment.status == Enrollment.Status.CANCELLED:
                try:
                    enrollment = services.register(training=training, person=person, acting_user=acting_user)
                except services.EnrollmentError as exc:
                    errors.append(_("Row %(row)s: %(error)s") % {"row": number, "error": exc})
                    continue
                result.registered += 1
            else:
                result.updated += 1
            if pre is not None or post is not None:
                enrollment.pre_test_score = pre if pre is not None else enrollment.pre_test_score
                enrollment.post_test_score = post if post is not None else enrollment.post_test_score
                enrollment.save(update_fields=["pre_test_score", "post_test_score"])
        if errors:
            raise ImportFailed(errors)
    return result
