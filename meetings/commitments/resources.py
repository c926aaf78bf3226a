"""Import and export of commitments (RTL) in XLSX and CSV (django-import-export).

Columns: id (blank for a new commitment), meeting (id), description, intervention_type,
owner (organisation name, short name or id), pic (username), due_date, status, reason. Every
row is checked against the importing user's scope; an import with any bad row writes nothing.

The admin export speaks to people: headers and choice values are labels in the reader's
language (HEADERS, ChoiceWidget.render). The import reads those back in either language, and
still reads the column codes and choice codes of older files.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from portal.models import Organisation

from ..models import Meeting
from . import services
from .models import Commitment

REQUIRED_COLUMNS = ["meeting", "description", "owner", "due_date"]
# The admin export's column headers, by column code (the code is still read on import).
HEADERS = {
    "id": gettext_lazy("ID"),
    "meeting": gettext_lazy("Meeting (id)"),
    "meeting_title": gettext_lazy("Meeting title"),
    "description": gettext_lazy("Commitment"),
    "intervention_type": gettext_lazy("Intervention"),
    "owner": gettext_lazy("Responsible organisation"),
    "pic": gettext_lazy("Person in charge (username)"),
    "due_date": gettext_lazy("Deadline"),
    "status": gettext_lazy("Status"),
    "progress": gettext_lazy("Progress (%)"),
    "reason": gettext_lazy("Reason"),
}
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]


def _remembered(lookups: dict | None, key: tuple, find):
    """`find()` once per import for each distinct value (a file names the same few meetings
    and organisations on thousands of rows); a refusal is remembered and raised again."""
    if lookups is None:
        return find()
    if key not in lookups:
        try:
            lookups[key] = (find(), None)
        except ValueError as error:
            lookups[key] = (None, error)
    found, error = lookups[key]
    if error is not None:
        raise ValueError(*error.args)
    return found


def _id_text(value) -> str:
    value = str(value if value is not None else "").strip()
    # Spreadsheets turn ids into floats.
    return value[:-2] if value.endswith(".0") and value[:-2].isdigit() else value


def _prefetch(lookups: dict, kind: str, values, queryset) -> None:
    """Remember at once the rows a file names by id (one query instead of one per value);
    any other value is looked up (and refused) by the widget as before."""
    ids = {str(value): _id_text(value) for value in set(values)}
    ids = {raw: int(text) for raw, text in ids.items() if text.isdigit() and len(text) <= 18}
    found = queryset.in_bulk(set(ids.values()))
    for raw, pk in ids.items():
        if pk in found:
            lookups[(kind, raw)] = (found[pk], None)


class MeetingWidget(widgets.ForeignKeyWidget):
    @staticmethod
    def choices(user):
        return Commitment.meeting_choices(user).select_related("region")

    def clean(self, value, row=None, user=None, lookups=None, **kwargs):
        return _remembered(lookups, ("meeting", str(value)), lambda: self._find(value, user))

    def _find(self, value, user):
        value = str(value if value is not None else "").strip()
        if not value:
            raise ValueError(_("The meeting is required."))
        if value.endswith(".0"):  # spreadsheets turn ids into floats
            value = value[:-2]
        meeting = self.choices(user).filter(pk=int(value)).first() if value.isdigit() else None
        if meeting is None:
            # The same message whether it does not exist or lies outside the scope.
            raise ValueError(_("Unknown meeting %(value)s, or outside your region.") % {"value": value})
        return meeting

    def render(self, value, obj=None, **kwargs):
        return value.pk if value else ""


class OwnerWidget(widgets.ForeignKeyWidget):
    """An organisation by id, name or short name, within the user's kabupaten."""

    @staticmethod
    def choices(user):
        return Commitment.owner_choices(user).select_related("region")

    def clean(self, value, row=None, user=None, lookups=None, **kwargs):
        return _remembered(lookups, ("owner", str(value)), lambda: self._find(value, user))

    def _find(self, value, user):
        value = _id_text(value)
        if not value:
            raise ValueError(_("The responsible organisation is required."))
        lookup = Q(pk=int(value)) if value.isdigit() else Q(name__iexact=value) | Q(short_name__iexact=value)
        matches = list(self.choices(user).filter(lookup)[:2])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValueError(_("Several organisations are called %(value)s; use the id.") % {"value": value})
        if self.model.objects.filter(lookup).exists():
            raise ValueError(_("%(value)s is outside your kabupaten.") % {"value": value})
        raise ValueError(_("Unknown organisation %(value)s.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class PicWidget(widgets.ForeignKeyWidget):
    def clean(self, value, row=None, user=None, lookups=None, **kwargs):
        return _remembered(lookups, ("pic", str(value)), lambda: self._find(value, user))

    def _find(self, value, user):
        value = str(value if value is not None else "").strip()
        if not value:
            return None
        person = Commitment.pic_choices(user).filter(username__iexact=value).first()
        if person is None:
            raise ValueError(_("Unknown user %(value)s, or outside your kabupaten.") % {"value": value})
        return person

    def render(self, value, obj=None, **kwargs):
        return value.username if value else ""


class StrictDateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value if value is not None else "").strip()
        if not text:
            raise ValueError(_("The due date is required."))
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("%(value)s is not a date; write it as YYYY-MM-DD.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


def _labels(label) -> set[str]:
    labels = set()
    for language in ("en", "id"):
        with translation.override(language):
            labels.add(str(label).strip().lower())
    return labels


def column_codes(headers) -> list:
    """Headers as column codes: a header label in either language (or the code) becomes the code."""
    known = {label: code for code, header in HEADERS.items() for label in _labels(header)}
    return [known.get(str(header or "").strip().lower(), header) for header in headers]


class ChoiceWidget(widgets.Widget):
    """A choice by its code or its label (either language), e.g. "in_progress" or "In progress"."""

    def __init__(self, choices, default, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.default = default

    @cached_property
    def codes(self) -> dict[str, str]:
        """Code by every spelling a file may use (computed once: an import reads thousands of
        rows); the first choice a spelling fits wins."""
        codes: dict[str, str] = {}
        for code, label in self.choices.choices:
            for text in (code.lower(), *_labels(label)):
                codes.setdefault(text, code)
        return codes

    @cached_property
    def labels(self) -> dict:
        return dict(self.choices.choices)

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().lower()
        if not text:
            return self.default
        if text in self.codes:
            return self.codes[text]
        allowed = ", ".join(self.choices.values)
        raise ValueError(_("%(value)s is not one of: %(allowed)s.") % {"value": value, "allowed": allowed})

    def render(self, value, obj=None, **kwargs):
        return str(self.labels.get(value, value or ""))


class CommitmentResource(resources.ModelResource):
    id = fields.Field(attribute="id", column_name="id", widget=widgets.IntegerWidget())
    meeting = fields.Field(attribute="meeting", column_name="meeting", widget=MeetingWidget(Meeting))
    meeting_title = fields.Field(column_name="meeting_title", readonly=True)
    description = fields.Field(attribute="description", column_name="description")
    intervention_type = fields.Field(
        attribute="intervention_type",
        column_name="intervention_type",
        widget=ChoiceWidget(Commitment.InterventionType, Commitment.InterventionType.NONE),
    )
    owner = fields.Field(attribute="owner", column_name="owner", widget=OwnerWidget(Organisation))
    pic = fields.Field(attribute="pic", column_name="pic", widget=PicWidget(get_user_model()))
    due_date = fields.Field(attribute="due_date", column_name="due_date", widget=StrictDateWidget())
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(Commitment.Status, Commitment.Status.OPEN),
    )
    progress = fields.Field(attribute="progress", column_name="progress", readonly=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "meeting",
            "meeting_title",
            "description",
            "intervention_type",
            "owner",
            "pic",
            "due_date",
            "status",
            "progress",
        ]
        export_order = fields
        import_id_fields = ["id"]
        skip_unchanged = True
        report_skipped = False
        # Imports run as background jobs that report errors and totals, never a row diff: no
        # copy and no export of every row to diff it (skip_row compares an update itself).
        skip_diff = True
        skip_html_diff = True
        # Rows are checked one by one (each error names its row); the checked rows are then
        # written by services.create_commitments in batches (see bulk_create below).
        use_bulk = True
        use_transactions = True
        clean_model_instances = True

    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.user = kwargs.get("user")

    def dehydrate_meeting_title(self, commitment: Commitment) -> str:
        return commitment.meeting.title

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        # Any bad row rolls the whole import back, whoever calls it (admin or code).
        kwargs["rollback_on_validation_errors"] = True
        self.user = kwargs.get("user") or self.user
        self.lookups = {}
        return super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True, **kwargs
        )

    def get_export_headers(self, selected_fields=None):
        return [str(HEADERS[field.column_name]) for field in self.get_export_fields(selected_fields) if field]

    def before_import(self, dataset, **kwargs) -> None:
        if self.user is None:
            raise ValidationError(_("An import needs the importing user."))
        if dataset.headers:
            dataset.headers = column_codes(dataset.headers)
        missing = [c for c in REQUIRED_COLUMNS if c not in (dataset.headers or [])]
        if missing:
            raise ValidationError(_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})
        _prefetch(self.lookups, "meeting", dataset["meeting"], MeetingWidget.choices(self.user))
        _prefetch(self.lookups, "owner", dataset["owner"], OwnerWidget.choices(self.user))

    def get_queryset(self):
        # Existing rows (by id) are found only within the user's scope.
        if self.user is None:
            return Commitment.objects.none()
        return Commitment.objects.visible_to(self.user).filter(
            meeting__in=Commitment.meeting_choices(self.user)
        )

    def get_instance(self, instance_loader, row):
        raw = str(row.get("id") or "").strip()
        if raw.endswith(".0"):
            raw = raw[:-2]
        if not raw:
            return None
        if not raw.isdigit():
            raise ValidationError({"id": _("%(value)s is not a commitment id.") % {"value": raw}})
        instance = self.get_queryset().select_related("meeting", "owner", "pic").filter(pk=int(raw)).first()
        if instance is None:
            raise ValidationError(
                {"id": _("Unknown commitment %(value)s, or outside your region.") % {"value": raw}}
            )
        return instance

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "id":
            return  # ids are never assigned by a file
        kwargs["user"] = self.user
        kwargs["lookups"] = getattr(self, "lookups", None)
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # As import-export's (full_clean, errors merged), except that the meeting, owner and PIC
        # were just found by the widgets within the user's scope: not looked up again per row.
        errors = dict(import_validation_errors or {})
        resolved = [name for name in ("meeting", "owner", "pic") if getattr(instance, f"{name}_id")]
        try:
            if instance.pk is None and not errors:
                # The service's own clean, remembered: create_commitments does not repeat it
                # (the importing user, its creator, needs no lookup either).
                services.clean_new_commitment(instance, exclude=[*resolved, "created_by"])
            else:
                instance.full_clean(exclude=[*errors, *resolved], validate_unique=validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def get_import_fields(self):
        # Asked for several times per row: the same list for the whole import.
        if not hasattr(self, "_import_fields"):
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        instance._status_before = None if new else instance.status
        if new:
            instance.created_by = self.user  # as the service records it, so it is cleaned once
        # What skip_unchanged compares an existing row with (instead of a copy of each row).
        instance._stored = None if new else [field.get_value(instance) for field in self.get_import_fields()]

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        """An existing commitment that the row leaves as it is (django-import-export's
        skip_unchanged, read from the values kept by after_init_instance)."""
        if import_validation_errors or instance._stored is None:
            return False
        return [field.get_value(instance) for field in self.get_import_fields()] == instance._stored

    def import_instance(self, instance, row, **kwargs) -> None:
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        before = instance._status_before
        instance._reason = str(row.get("reason") or "").strip()
        if "status" not in errors:
            try:
                self._check_status(instance, before)
            except ValidationError as error:
                errors.setdefault("status", []).extend(error.messages)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _check_status(instance: Commitment, before: str | None) -> None:
        """The preview shows what the service would refuse: a jump, done without evidence,
        a reopening without a `reason` column."""
        if before is None:
            if instance.status not in Commitment.OPEN_STATUSES:
                raise ValidationError(_("A new commitment is open or in progress."))
            return
        stored = Commitment(pk=instance.pk, status=before)
        stored.check_transition(instance.status)
        if not stored.is_open and instance.status in Commitment.OPEN_STATUSES and not instance._reason:
            raise ValidationError(_("Say why the commitment is reopened (a reason column)."))

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None) -> None:
        # Every row through the services: rights, checks, history rows (here in bulk).
        if not self.create_instances:
            return
        try:
            if dry_run:
                # A preview writes nothing (it would be rolled back): the same checks alone.
                services.check_new_commitments(commitments=self.create_instances, acting_user=self.user)
            else:
                services.create_commitments(
                    commitments=self.create_instances, acting_user=self.user, note=_("Recorded by import.")
                )
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None) -> None:
        # A change goes one by one through the service: row lock, transitions, history, notices.
        try:
            for instance in self.update_instances:
                services.edit_commitment(
                    commitment=instance,
                    changes={name: getattr(instance, name) for name in services.EDITABLE_FIELDS},
                    status=instance.status,
                    reason=instance._reason,
                    note=_("Changed by import."),
                    acting_user=self.user,
                )
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.update_instances.clear()

    def get_export_queryset(self, request=None, **kwargs):
        user = getattr(request, "user", None) or self.user
        if user is None:
            return Commitment.objects.none()
        return Commitment.objects.visible_to(user).select_related("meeting", "owner", "pic")


class CommitmentReportResource(resources.ModelResource):
    """The portal's export (*Ekspor*): for people, not for re-import. Column headers and values
    in the reader's language (labels, names, dates), never codes."""

    meeting = fields.Field(attribute="meeting__title", column_name=gettext_lazy("Meeting"))
    meeting_date = fields.Field(column_name=gettext_lazy("Meeting date"))
    description = fields.Field(attribute="description", column_name=gettext_lazy("Commitment"))
    intervention_type = fields.Field(column_name=gettext_lazy("Intervention"))
    owner = fields.Field(attribute="owner__name", column_name=gettext_lazy("Responsible organisation"))
    pic = fields.Field(column_name=gettext_lazy("Person in charge"))
    due_date = fields.Field(column_name=gettext_lazy("Deadline"))
    status = fields.Field(column_name=gettext_lazy("Status"))
    progress = fields.Field(attribute="progress", column_name=gettext_lazy("Progress (%)"))

    class Meta:
        model = Commitment
        fields = [
            "meeting",
            "meeting_date",
            "description",
            "intervention_type",
            "owner",
            "pic",
            "due_date",
            "status",
            "progress",
        ]
        export_order = fields

    def dehydrate_meeting_date(self, commitment: Commitment) -> str:
        return f"{timezone.localtime(commitment.meeting.start):%d-%m-%Y}"

    def dehydrate_intervention_type(self, commitment: Commitment) -> str:
        return str(commitment.get_intervention_type_display())

    def dehydrate_pic(self, commitment: Commitment) -> str:
        return commitment.pic.get_full_name() if commitment.pic else ""

    def dehydrate_due_date(self, commitment: Commitment) -> str:
        return f"{commitment.due_date:%d-%m-%Y}"

    def dehydrate_status(self, commitment: Commitment) -> str:
        return str(commitment.get_status_display())
