from django.urls import path

from . import views

urlpatterns = [
    path("plans/import/", views.upload, name="import_upload"),
    path("plans/import/<int:pk>/", views.preview, name="import_preview"),
    path("plans/import/<int:pk>/confirm/", views.confirm, name="import_confirm"),
    path("plans/import/<int:pk>/owners/<int:number>/", views.owner_edit, name="import_owner_edit"),
    path("plans/<int:pk>/table.<str:fmt>", views.plan_export, name="plan_table_export"),
    path("actions/table.<str:fmt>", views.action_list_export, name="action_table_export"),
]
