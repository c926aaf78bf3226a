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
    region = fields.Field(
        attribute="region", column_name="region", widget=widgets.ForeignKeyWidget(Region, "code")
    )

    class Meta:
        model = Organisation
        fields = ("id", "name", "short_name", "kind", "region", "email", "phone", "address")
        skip_unchanged = True
