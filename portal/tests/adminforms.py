"""Test helpers for Django admin pages: what a browser would post back from a rendered form."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.urls import reverse


def form_data(form: forms.BaseForm) -> dict:
    """The POST data of `form` as rendered (its initial values), by field name."""
    data = {}
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget = widget.widget
        value = bound.value()
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
            continue
        context = widget.get_context(bound.html_name, value, {})["widget"]
        for sub in context.get("subwidgets") or [context]:
            if sub.get("value") is not None:
                data[sub["name"]] = sub["value"]
    return data


def management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    """The management form of an inline formset."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def changeform_data(response) -> dict:
    """Everything an admin change page posts back unchanged: the form and every inline formset."""
    data = form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_data(formset.management_form))
        for form in formset.forms:
            data.update(form_data(form))
    return data


def add_inline_row(data: dict, prefix: str, **fields) -> dict:
    """`data` with one more row in the inline formset `prefix`."""
    data = {**management(prefix), **data}  # as a forged post when the page had no such inline
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data.update({f"{prefix}-{index}-{name}": value for name, value in fields.items()})
    return data


def history_form_url(obj) -> str:
    """django-simple-history's form of the object's latest version."""
    opts = obj._meta
    version = obj.history.latest().history_id
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version])
