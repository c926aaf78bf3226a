from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("", views.index, name="index"),
]
