"""URLs of commitments (RTL): included into meetings.urls under the `meetings` namespace."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("commitments/mine/", views.MyCommitmentsView.as_view(), name="my-commitments"),
    path("commitments/export/<str:fmt>/prepare/", views.commitment_export_job, name="commitment-export-job"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment-detail"),
    path("commitments/<int:pk>/progress/", views.commitment_progress, name="commitment-progress"),
    path("commitments/<int:pk>/verify/", views.commitment_verify, name="commitment-verify"),
    path("commitments/<int:pk>/reopen/", views.commitment_reopen, name="commitment-reopen"),
    path(
        "commitments/<int:pk>/quick/<str:token>/",
        views.commitment_quick_update,
        name="commitment-quick-update",
    ),
    path("commitments/evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
]
