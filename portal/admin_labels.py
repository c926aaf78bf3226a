"""Accessible names for Django admin inputs: tabular inlines show labels only as column headings,
so screen readers (and axe's `label` / `select-name` rules) find unlabelled fields."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def label_widget(formfield) -> None:
    """Give the widget its field's label as an accessible name (admin tabular inlines show labels
    only as column headings; a split date/time gets one name per part)."""
    label = str(formfield.label or "")
    widget = getattr(formfield.widget, "widget", formfield.widget)  # inside RelatedFieldWidgetWrapper
    parts = getattr(widget, "widgets", None)
    if parts and len(parts) == 2:
        for part, name in zip(parts, (_("date"), _("time")), strict=True):
            part.attrs.setdefault("aria-label", f"{label}: {name}")
    elif label:
        widget.attrs.setdefault("aria-label", label)


class LabelledFieldsMixin:
    """For ModelAdmin and inlines: every input has an accessible name (axe `label`, `select-name`)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            label_widget(formfield)
        return formfield

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                # Fields the form declares itself (not from the model) and the delete box too.
                for formfield in form.fields.values():
                    label_widget(formfield)
                if "DELETE" in form.fields:
                    form.fields["DELETE"].widget.attrs["aria-label"] = str(_("Delete"))

        return LabelledFormSet
