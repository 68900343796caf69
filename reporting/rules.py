"""Who may prepare appendices and edit layouts, on top of actionplans.rules.

Exporting a plan: clerks, the plan's managers and administrators (the export permission, and a
manager must manage the plan). Layouts are a council's house styles: its clerks, managers and
administrators make and edit their council's own; the presets (of no council) are read only to
all, and a council uses one by copying it.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from actionplans import rules

from .models import CommitteeReport, GovernanceBody, Layout, Meeting, ReportAppendix


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


def visible_layouts(user):
    """The presets and the user's council's own layouts (every layout for the site
    administrator): those the user may choose for an appendix."""
    if not can_manage_layouts(user):
        return Layout.objects.none()
    if rules.is_site_administrator(user):
        return Layout.objects.all()
    council = rules.council_of(user)
    return Layout.objects.filter(Q(organisation="") | Q(organisation=council or ""))


def own_layouts(user):
    """The layouts the user may change: their council's, never a preset."""
    return visible_layouts(user).exclude(organisation="")


def layout_council(user):
    """The council a layout the user makes belongs to (PermissionDenied without one)."""
    check_layouts(user)
    council = rules.council_of(user)
    if not council:
        raise PermissionDenied("A layout belongs to a council: sign in as one of its clerks.")
    return council


def get_layout_for_user(user, pk, *, edit=False):
    """A layout the user may use (else 404); with ``edit``, one of their council's own (a preset
    or another council's answers 404: it is not theirs to change)."""
    check_layouts(user)
    layouts = own_layouts(user) if edit else visible_layouts(user)
    layout = get_object_or_404(layouts.prefetch_related("columns"), pk=pk)
    rules.record_crossing(user, layout.organisation, f"layout {layout.pk}")
    return layout


# Committee packs: a report is of one council. Users who may export see their own council's
# reports (an administrator every council's); another council's report answers 404.


def can_use_reports(user):
    return user.is_authenticated and user.is_active and rules.can_export(user)


def check_reports(user):
    if not can_use_reports(user):
        raise PermissionDenied("Only clerks and managers can prepare committee reports.")


def visible_reports(user):
    if not can_use_reports(user):
        return CommitteeReport.objects.none()
    if rules.is_site_administrator(user):
        return CommitteeReport.objects.all()
    council = rules.council_of(user)
    if not council:
        return CommitteeReport.objects.none()
    return CommitteeReport.objects.filter(organisation=council)


def get_report_for_user(user, pk):
    check_reports(user)
    report = get_object_or_404(visible_reports(user), pk=pk)
    rules.record_crossing(user, report.organisation, f"committee report {report.pk}")
    return report


def get_report_appendix_for_user(user, pk):
    check_reports(user)
    item = get_object_or_404(
        ReportAppendix.objects.select_related("report").filter(
            report__in=visible_reports(user).values("pk")
        ),
        pk=pk,
    )
    rules.record_crossing(user, item.report.organisation, f"committee report {item.report_id}")
    return item


def plans_for_report(user, report):
    """The plans the user may put in the report: its council's, that the user may export."""
    plans = rules.visible_plans(user).filter(organisation=report.organisation)
    if user.has_perm("actionplans.change_plan") and not user.has_perm(
        "actionplans.manage_all_plans"
    ):
        plans = plans.filter(pk__in=rules.managed_plans(user).values("pk"))
    return plans


def check_pack_export(user, plans):
    """A draft pack renders only for someone who may export every plan in it."""
    for plan in plans:
        if not can_export_plan(user, plan):
            raise PermissionDenied(
                f"The pack shows {plan.title}, which only clerks and its managers may export."
            )


# Governance bodies and their meetings: of one council, seen and made by those who may use its
# reports; another council's answer 404.


def visible_bodies(user):
    if not can_use_reports(user):
        return GovernanceBody.objects.none()
    if rules.is_site_administrator(user):
        return GovernanceBody.objects.all()
    council = rules.council_of(user)
    if not council:
        return GovernanceBody.objects.none()
    return GovernanceBody.objects.filter(organisation=council)


def visible_meetings(user):
    return Meeting.objects.filter(body__in=visible_bodies(user).values("pk"))


def get_body_for_user(user, pk):
    check_reports(user)
    body = get_object_or_404(visible_bodies(user), pk=pk)
    rules.record_crossing(user, body.organisation, f"governance body {body.pk}")
    return body


def get_meeting_for_user(user, pk):
    check_reports(user)
    meeting = get_object_or_404(visible_meetings(user).select_related("body"), pk=pk)
    rules.record_crossing(user, meeting.body.organisation, f"meeting {meeting.pk}")
    return meeting


def council_for_new(user):
    """None: what the user makes is of their own council; a list: an administrator chooses one.
    PermissionDenied for a user of no council."""
    if rules.is_site_administrator(user):
        return sorted(set(rules.visible_plans(user).values_list("organisation", flat=True)))
    if not rules.council_of(user):
        raise PermissionDenied("Your sign-in is not linked to a council, so it has none.")
    return None
