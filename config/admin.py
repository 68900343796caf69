"""The Django admin, for the site administrator only.

Managers set up plans, owners and inspections in the service's own pages, with its rules, history
and version checks; the admin bypasses them and every council's boundary, so a staff flag alone
does not open it, nor does a council's Administrator role: only the site administrator's, and each
page read in it is recorded as a read across councils.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.signals import user_logged_in


class AdministratorsAdminSite(admin.AdminSite):
    def has_permission(self, request):
        # The site administrator: staff, and allowed to see every council's plans.
        user = request.user
        return user.is_active and user.is_staff and user.has_perm("actionplans.view_all_plans")

    def admin_view(self, view, cacheable=False):
        protected = super().admin_view(view, cacheable)

        @wraps(view)
        def recorded(request, *args, **kwargs):
            if self.has_permission(request):
                from actionplans.models import CrossCouncilRead

                what = f"{request.method} {request.path}"
                CrossCouncilRead.objects.create(
                    user=request.user, organisation="(the Django admin)", what=what[:300]
                )
            return protected(request, *args, **kwargs)

        return recorded


class AdministratorsAdminConfig(AdminConfig):
    default_site = "config.admin.AdministratorsAdminSite"

    def ready(self):
        super().ready()
        from config import security

        # A new session starts as active now, so the first page after signing in does not save
        # it again (config.security.SessionActivityMiddleware).
        user_logged_in.connect(security.session_started, dispatch_uid="session_started")
