from django.urls import path

from . import views

app_name = "trainings"

urlpatterns = [
    path("", views.TrainingListView.as_view(), name="index"),
    path("new/", views.TrainingCreateView.as_view(), name="training-create"),
    path("<int:pk>/", views.training_detail, name="training-detail"),
    path("<int:pk>/edit/", views.TrainingUpdateView.as_view(), name="training-update"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/enrollments/", views.enrollment_list, name="enrollment-list"),
    path("<int:pk>/enrollments/decide/", views.decide, name="decide"),
    path("<int:pk>/enrollments/export/", views.export_participants, name="export-participants"),
    path("<int:pk>/enrollments/import/", views.import_participants, name="import-participants"),
    path("<int:pk>/scores/", views.scores, name="scores"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:training_pk>/sessions/new/", views.SessionCreateView.as_view(), name="session-create"),
    path(
        "<int:training_pk>/sessions/<int:pk>/edit/", views.SessionUpdateView.as_view(), name="session-update"
    ),
    path("<int:pk>/sessions/<int:session_pk>/", views.session_attendance, name="session-attendance"),
    path("<int:pk>/sessions/<int:session_pk>/qr.svg", views.session_qr, name="session-qr"),
    path("<int:pk>/sessions/<int:session_pk>/checkin/", views.session_checkin, name="session-checkin"),
    path(
        "<int:pk>/sessions/<int:session_pk>/daftar-hadir.pdf", views.attendance_sheet, name="attendance-sheet"
    ),
    path(
        "<int:pk>/sessions/<int:session_pk>/attendance.xlsx",
        views.export_attendance,
        name="export-attendance",
    ),
    path("certificates/<int:pk>/", views.certificate, name="certificate"),
    path("verify/<str:token>/", views.certificate_verify, name="certificate-verify"),
]
