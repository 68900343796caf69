"""The Django admin, for administrators only.

Managers set up plans, owners and inspections in the service's own pages, with its rules, history
and version checks; the admin bypasses them, so a staff flag alone does not open it.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.signals import user_logged_in


class AdministratorsAdminSite(admin.AdminSite):
    def has_permission(self, request):
        # An administrator: staff, and allowed to manage every plan (the Administrator group).
        user = request.user
        return user.is_active and user.is_staff and user.has_perm("actionplans.manage_all_plans")


class AdministratorsAdminConfig(AdminConfig):
    default_site = "config.admin.AdministratorsAdminSite"

    def ready(self):
        super().ready()
        from config import security

        # A new session starts as active now, so the first page after signing in does not save
        # it again (config.security.SessionActivityMiddleware).
        user_logged_in.connect(security.session_started, dispatch_uid="session_started")
