from django.urls import path

from . import views

urlpatterns = [
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_add, name="inspection_add"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("inspections/<int:pk>/judgements/add/", views.judgement_add, name="judgement_add"),
    path("inspections/<int:pk>/findings/add/", views.finding_add, name="finding_add"),
    path("judgements/<int:pk>/edit/", views.judgement_edit, name="judgement_edit"),
    path("findings/<int:pk>/edit/", views.finding_edit, name="finding_edit"),
]
