from django.contrib import admin
from django.urls import include, path

from . import health, views
from .auth import ThrottledPasswordResetView
from .jobs import views as job_views
from .notifications import views as notification_views

portal_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("regions/<str:code>/", views.region_detail, name="region-detail"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("organisations/new/", views.OrganisationCreateView.as_view(), name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path(
        "organisations/<int:pk>/edit/",
        views.OrganisationUpdateView.as_view(),
        name="organisation-update",
    ),
    path("notifications/", notification_views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/<int:pk>/open/", notification_views.notification_open, name="notification-open"),
    path("notifications/read/", notification_views.notification_read_all, name="notification-read-all"),
    path(
        "notifications/preferences/",
        notification_views.notification_preferences,
        name="notification-preferences",
    ),
    path("notifications/test/", notification_views.notification_test, name="notification-test"),
    path("jobs/<uuid:pk>/", job_views.job_detail, name="job-detail"),
    path("jobs/<uuid:pk>/status/", job_views.job_status, name="job-status"),
    path("jobs/<uuid:pk>/download/", job_views.job_download, name="job-download"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("audits/", include("audits.urls")),
    path("meetings/", include("meetings.urls")),
    path("trainings/", include("trainings.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "portal.errors.server_error"
