from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.manager_dashboard, name="manager_dashboard"),
    path("plans/<int:pk>/dashboard/", views.plan_dashboard, name="plan_dashboard"),
]
