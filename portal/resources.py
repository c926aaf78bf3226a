from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from .models import Organisation, Region
from .regions import COLUMNS, RegionRow, validate


class RegionResource(resources.ModelResource):
    """Admin import/export of regions in the same shape as `import_regions` (code,name,level,parent_code)."""

    parent_code = fields.Field(
        attribute="parent",
        column_name="parent_code",
        widget=widgets.ForeignKeyWidget(Region, field="code"),
    )

    class Meta:
        model = Region
        import_id_fields = ["code"]
        fields = COLUMNS
        export_order = COLUMNS
        skip_unchanged = True
        report_skipped = False
        use_bulk = False

    def before_import(self, dataset, **kwargs) -> None:
        # The same whole-file validation as the command: any error, nothing written.
        missing = [c for c in COLUMNS if c not in (dataset.headers or [])]
        if missing:
            raise ValidationError(
                _("line 1: the header must be %(columns)s") % {"columns": ",".join(COLUMNS)}
            )
        rows = [
            RegionRow(
                line=index + 2,
                code=str(record["code"] or "").strip(),
                name=str(record["name"] or "").strip(),
                level=str(record["level"] or "").strip(),
                parent_code=str(record["parent_code"] or "").strip(),
            )
            for index, record in enumerate(dataset.dict)
        ]
        parents = {row.parent_code for row in rows if row.parent_code}
        known = set(Region.objects.filter(code__in=parents).values_list("code", flat=True))
        errors = validate(rows, known_codes=known)
        if errors:
            raise ValidationError(errors)

    def get_export_queryset(self, request=None, **kwargs):
        if request is None:
            return Region.objects.none()
        return Region.objects.visible_to(request.user)


class OrganisationResource(resources.ModelResource):
    """Admin import/export of organisations. Every row is checked against the importing user:
    an existing organisation (by id) only if they may change it, a region only in their kabupaten."""

    region = fields.Field(
        attribute="region", column_name="region", widget=widgets.ForeignKeyWidget(Region, "code")
    )

    class Meta:
        model = Organisation
        fields = ("id", "name", "short_name", "kind", "region", "email", "phone", "address")
        skip_unchanged = True
        clean_model_instances = True

    def __init__(self, user=None, **kwargs) -> None:
        super().__init__()
        self.user = user

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        # Any bad row rolls the whole import back.
        kwargs["rollback_on_validation_errors"] = True
        self.user = kwargs.get("user") or self.user
        return super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True, **kwargs
        )

    def before_import(self, dataset, **kwargs) -> None:
        if self.user is None:
            raise ValidationError(_("An import needs the importing user."))

    def get_instance(self, instance_loader, row):
        raw = str(row.get("id") or "").strip().removesuffix(".0")
        if not raw:
            return None
        instance = None
        if raw.isdigit() and self.user.has_perm("portal.change_organisation"):
            instance = Organisation.objects.editable_by(self.user).filter(pk=int(raw)).first()
        if instance is None:
            # The same message whether it does not exist or lies outside what the user may change.
            raise ValidationError(
                {"id": _("Unknown organisation %(value)s, or outside your region.") % {"value": raw}}
            )
        return instance

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "id":
            return  # ids are never assigned by a file
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs) -> None:
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        allowed = Region.objects.administered_by(self.user)
        if instance.region_id and not allowed.filter(code=instance.region_id).exists():
            errors.setdefault("region", []).append(
                _("%(code)s is outside your kabupaten.") % {"code": instance.region_id}
            )
        if errors:
            raise ValidationError(errors)

    def get_export_queryset(self, request=None, **kwargs):
        user = getattr(request, "user", None) or self.user
        return Organisation.objects.visible_to(user) if user else Organisation.objects.none()
