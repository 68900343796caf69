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
    path("plans/<int:pk>/committee/progress/", views.progress, name="appendix_progress"),
    path("plans/<int:pk>/committee/default/", views.default_set, name="appendix_default_set"),
    path("layouts/", views.layout_list, name="layout_list"),
    path("layouts/add/", views.layout_add, name="layout_add"),
    path("layouts/<int:pk>/edit/", views.layout_edit, name="layout_edit"),
    path("layouts/<int:pk>/copy/", views.layout_copy, name="layout_copy"),
    path("committee-reports/", views.report_list, name="report_list"),
    path("committee-reports/add/", views.report_add, name="report_add"),
    path("committee-reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("committee-reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path(
        "committee-reports/<int:pk>/appendices/add/", views.appendix_add, name="report_appendix_add"
    ),
    path(
        "committee-reports/appendices/<int:pk>/remove/",
        views.appendix_remove,
        name="report_appendix_remove",
    ),
    path(
        "committee-reports/appendices/<int:pk>/move/",
        views.appendix_move,
        name="report_appendix_move",
    ),
    path("committee-reports/<int:pk>/preview/", views.report_preview, name="report_preview"),
    path("committee-reports/<int:pk>/pack.pdf", views.report_download, name="report_download"),
    path(
        "committee-reports/<int:pk>/pack/", views.report_pack_progress, name="report_pack_progress"
    ),
    path("committee-reports/<int:pk>/publish/", views.report_publish, name="report_publish"),
]
