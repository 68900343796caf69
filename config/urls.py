from django.contrib import admin
from django.urls import include, path

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("config.accounts")),
    path("admin/", admin.site.urls),
    path("", include("inspections.urls")),
    path("", include("actionplans.urls")),
    path("", include("reporting.urls")),
    path("", include("dashboards.urls")),
    path("", include("reminders.urls")),
    path("", include("importers.urls")),
]

# A database that has gone away answers 503 "service unavailable", not 500 (config/health.py).
handler500 = "config.health.server_error_or_unavailable"
