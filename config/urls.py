from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("actionplans.urls")),
    path("", include("reporting.urls")),
    path("", include("importers.urls")),
]
