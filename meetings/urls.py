from django.urls import path

from . import views
from .commitments.urls import urlpatterns as commitment_urlpatterns

app_name = "meetings"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.meeting_form, name="meeting-create"),
    path("<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("<int:pk>/edit/", views.meeting_form, name="meeting-update"),
    path("<int:pk>/invite/", views.meeting_invite, name="meeting-invite"),
    path("<int:pk>/repeat/", views.meeting_repeat, name="meeting-repeat"),
    path("<int:pk>/rsvp/", views.meeting_rsvp, name="meeting-rsvp"),
    path("<int:pk>/rsvp/<str:token>/", views.rsvp_link, name="rsvp-link"),
    path("<int:pk>/calendar.ics", views.meeting_ics, name="meeting-ics"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/daftar-hadir/prepare/", views.attendance_pdf_job, name="attendance-pdf-job"),
    path("<int:pk>/check-in-screen/", views.checkin_screen, name="checkin-screen"),
    path("<int:pk>/documents/", views.document_upload, name="document-upload"),
    path("<int:pk>/documents/<int:doc>/", views.document_download, name="document-download"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/minutes/approve/", views.minutes_approve, name="minutes-approve"),
    path("<int:pk>/minutes/v<int:number>/", views.minutes_version, name="minutes-version"),
    path("<int:pk>/notulen/prepare/", views.minutes_pdf_job, name="minutes-pdf-job"),
    path("check-in/", views.checkin, name="checkin"),
    path("calendar/", views.my_calendar, name="my-calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    *commitment_urlpatterns,
]
