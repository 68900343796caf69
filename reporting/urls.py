from django.urls import path

from . import views

urlpatterns = [
    path("plans/<int:pk>/committee/", views.prepare, name="appendix_prepare"),
    path(
        "plans/<int:pk>/committee/appendix.pdf",
        views.download,
        {"fmt": "pdf"},
        name="appendix_download",
    ),
    path(
        "plans/<int:pk>/committee/appendix.docx",
        views.download,
        {"fmt": "docx"},
        name="appendix_download_docx",
    ),
    path(
        "plans/<int:pk>/committee/appendix.xlsx",
        views.download,
        {"fmt": "xlsx"},
        name="appendix_download_xlsx",
    ),
    path("plans/<int:pk>/committee/default/", views.default_set, name="appendix_default_set"),
    path("layouts/", views.layout_list, name="layout_list"),
    path("layouts/add/", views.layout_add, name="layout_add"),
    path("layouts/<int:pk>/edit/", views.layout_edit, name="layout_edit"),
]
