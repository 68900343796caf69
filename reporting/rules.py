"""Who may prepare appendices and edit layouts, on top of actionplans.rules.

Exporting a plan: clerks, the plan's managers and administrators (the export permission, and a
manager must manage the plan). Layouts are shared house styles: clerks, managers and
administrators make and edit them.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from actionplans import rules

from .models import Layout


def can_export_plan(user, plan):
    if not rules.can_export(user):
        return False
    if user.has_perm("actionplans.change_plan") and not user.has_perm(
        "actionplans.manage_all_plans"
    ):
        # A manager exports the plans they manage; a clerk (who changes nothing) exports any.
        return rules.can_edit_plan(user, plan)
    return True


def get_plan_for_export(user, pk):
    """The plan if the user may see it (else 404) and export it (else 403)."""
    plan = rules.get_plan_for_user(user, pk)
    if not can_export_plan(user, plan):
        raise PermissionDenied("Only clerks and the plan's managers can prepare it for committee.")
    return plan


def can_manage_layouts(user):
    return user.is_active and rules.can_export(user)


def check_layouts(user):
    if not can_manage_layouts(user):
        raise PermissionDenied("Only clerks and managers can make and edit appendix layouts.")


def get_layout_for_user(user, pk):
    check_layouts(user)
    return get_object_or_404(Layout.objects.prefetch_related("columns"), pk=pk)
