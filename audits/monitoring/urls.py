"""Included by audits/urls.py (no namespace of its own: names are audits:monitoring...)."""

from django.urls import path

from . import views

urlpatterns = [
    path("monitoring/", views.monitoring_index, name="monitoring"),
    path("monitoring/<str:code>/", views.monitoring_region, name="monitoring-region"),
    path("rounds/<int:pk>/report/", views.round_report, name="round-report"),
    path("rounds/<int:pk>/cases-export/", views.round_cases_export, name="round-cases-export"),
    path("rounds/<int:pk>/desa-export/", views.round_desa_export, name="round-desa-export"),
    path("rounds/<int:pk>/import/", views.round_cases_import, name="round-cases-import"),
    path(
        "rounds/<int:pk>/import/template.xlsx",
        views.round_cases_import_template,
        name="round-cases-import-template",
    ),
]
