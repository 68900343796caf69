from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("config.accounts")),
    path("admin/", admin.site.urls),
    path("", include("actionplans.urls")),
    path("", include("reporting.urls")),
]
