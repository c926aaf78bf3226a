from django.urls import include, path

from . import views

app_name = "audits"

urlpatterns = [
    path("", views.index, name="index"),
]

# Monitoring, reports and exchange files (helper audits2).
urlpatterns += [
    path("", include("audits.monitoring.urls")),
]
