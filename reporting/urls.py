from django.urls import path

from .views import appendices, changes, committees, layouts, reports

urlpatterns = [
    path("plans/<int:pk>/committee/", appendices.prepare, name="appendix_prepare"),
    path(
        "plans/<int:pk>/committee/appendix.pdf",
        appendices.download,
        {"fmt": "pdf"},
        name="appendix_download",
    ),
    path(
        "plans/<int:pk>/committee/appendix.docx",
        appendices.download,
        {"fmt": "docx"},
        name="appendix_download_docx",
    ),
    path(
        "plans/<int:pk>/committee/appendix.xlsx",
        appendices.download,
        {"fmt": "xlsx"},
        name="appendix_download_xlsx",
    ),
    path("plans/<int:pk>/committee/progress/", appendices.progress, name="appendix_progress"),
    path("plans/<int:pk>/committee/default/", appendices.default_set, name="appendix_default_set"),
    path("plans/<int:pk>/committee/changes/", changes.page, name="changes_since"),
    path(
        "plans/<int:pk>/committee/changes.pdf",
        changes.download,
        {"fmt": "pdf"},
        name="changes_download",
    ),
    path(
        "plans/<int:pk>/committee/changes.docx",
        changes.download,
        {"fmt": "docx"},
        name="changes_download_docx",
    ),
    path(
        "plans/<int:pk>/committee/changes.xlsx",
        changes.download,
        {"fmt": "xlsx"},
        name="changes_download_xlsx",
    ),
    path("layouts/", layouts.layout_list, name="layout_list"),
    path("layouts/add/", layouts.layout_add, name="layout_add"),
    path("layouts/<int:pk>/edit/", layouts.layout_edit, name="layout_edit"),
    path("layouts/<int:pk>/copy/", layouts.layout_copy, name="layout_copy"),
    path("committee-reports/", reports.report_list, name="report_list"),
    path("committee-reports/add/", reports.report_add, name="report_add"),
    path("committee-reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("committee-reports/<int:pk>/edit/", reports.report_edit, name="report_edit"),
    path(
        "committee-reports/<int:pk>/appendices/add/",
        reports.appendix_add,
        name="report_appendix_add",
    ),
    path(
        "committee-reports/appendices/<int:pk>/remove/",
        reports.appendix_remove,
        name="report_appendix_remove",
    ),
    path(
        "committee-reports/appendices/<int:pk>/move/",
        reports.appendix_move,
        name="report_appendix_move",
    ),
    path("committee-reports/<int:pk>/preview/", reports.report_preview, name="report_preview"),
    path("committee-reports/<int:pk>/pack.pdf", reports.report_download, name="report_download"),
    path(
        "committee-reports/<int:pk>/pack/",
        reports.report_pack_progress,
        name="report_pack_progress",
    ),
    path("committee-reports/<int:pk>/publish/", reports.report_publish, name="report_publish"),
    path("committee-reports/<int:pk>/correct/", reports.report_correct, name="report_correct"),
    path(
        "committee-reports/<int:pk>/versions/<int:number>.pdf",
        reports.report_version_download,
        name="report_version_download",
    ),
    path("committees/", committees.body_list, name="body_list"),
    path("committees/add/", committees.body_add, name="body_add"),
    path("committees/<int:pk>/", committees.body_detail, name="body_detail"),
    path("committees/<int:pk>/meetings/add/", committees.meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/", committees.meeting_detail, name="meeting_detail"),
    path("plans/<int:pk>/packs/", committees.plan_packs, name="plan_packs"),
]
