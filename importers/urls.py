from django.urls import path

from . import returns_views, views

urlpatterns = [
    path("plans/import/", views.upload, name="import_upload"),
    path("plans/import/<int:pk>/", views.preview, name="import_preview"),
    path("plans/import/<int:pk>/confirm/", views.confirm, name="import_confirm"),
    path("plans/import/<int:pk>/owners/<int:number>/", views.owner_edit, name="import_owner_edit"),
    path("plans/<int:pk>/table.<str:fmt>", views.plan_export, name="plan_table_export"),
    path("plans/<int:pk>/returned/", returns_views.returned, name="returned_changes"),
    path(
        "plans/<int:pk>/returned/<int:change_pk>/accept/",
        returns_views.accept,
        name="returned_change_accept",
    ),
    path(
        "plans/<int:pk>/returned/<int:change_pk>/reject/",
        returns_views.reject,
        name="returned_change_reject",
    ),
    path(
        "plans/<int:pk>/returned/accept-all/", returns_views.accept_all, name="returned_accept_all"
    ),
    path("actions/table.<str:fmt>", views.action_list_export, name="action_table_export"),
]
