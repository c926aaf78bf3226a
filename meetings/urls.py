from django.urls import path

from . import views
from .urls_commitments import urlpatterns as commitment_urlpatterns

app_name = "meetings"

urlpatterns = [
    path("", views.index, name="index"),
    *commitment_urlpatterns,
]
