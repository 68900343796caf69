"""The Django admin, for administrators only.

Managers set up plans, owners and inspections in the service's own pages, with its rules, history
and version checks; the admin bypasses them, so a staff flag alone does not open it.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class AdministratorsAdminSite(admin.AdminSite):
    def has_permission(self, request):
        # An administrator: staff, and allowed to manage every plan (the Administrator group).
        user = request.user
        return user.is_active and user.is_staff and user.has_perm("actionplans.manage_all_plans")


class AdministratorsAdminConfig(AdminConfig):
    default_site = "config.admin.AdministratorsAdminSite"
