"""Included by audits/urls.py under "monitoring/" (no namespace of its own: audits:monitoring...)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.monitoring_index, name="monitoring"),
    path("rounds/<int:pk>/report.pdf", views.round_report, name="round-report"),
    path("<str:code>/", views.monitoring_region, name="monitoring-region"),
]
