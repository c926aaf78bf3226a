from django.urls import include, path

from . import views

app_name = "audits"

urlpatterns = [
    path("", views.RoundListView.as_view(), name="index"),
    path("rounds/", views.RoundListView.as_view(), name="round-list"),
    path("rounds/new/", views.round_create, name="round-create"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round-edit"),
    path("rounds/<int:pk>/stage/", views.round_stage, name="round-stage"),
    path("rounds/<int:pk>/team/", views.team_add, name="team-add"),
    path("team/<int:pk>/remove/", views.team_remove, name="team-remove"),
    path("rounds/<int:pk>/access-log/", views.access_log, name="access-log"),
    path("rounds/<int:round_pk>/cases/new/", views.case_form, name="case-create"),
    path(
        "rounds/<int:round_pk>/recommendations/new/",
        views.recommendation_create,
        name="recommendation-create",
    ),
    path("rounds/<int:round_pk>/adopt/", views.adopt, name="adopt"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/edit/", views.case_form, name="case-update"),
    path("cases/<int:pk>/identity/", views.case_reveal, name="case-reveal"),
    path("cases/<int:pk>/review/", views.case_review, name="case-review"),
    path("cases/<int:pk>/evaluate/", views.case_evaluate, name="case-evaluate"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation-detail"),
    path("recommendations/<int:pk>/edit/", views.recommendation_edit, name="recommendation-edit"),
]

# Monitoring, reports and exchange files (helper audits2).
urlpatterns += [
    path("", include("audits.monitoring.urls")),
]
