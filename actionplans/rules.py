"""Who may do what: the one module views, forms, exports and tests ask.

Roles are auth groups (Officer, Manager, Clerk, Administrator, created by a data migration) that
carry model permissions; this module adds the object rules:

- everyone signed in sees the plans of their own council, and a partner agency's people see only
  the plans they have actions in; managers, clerks and administrators see every plan;
- an officer writes progress on, and proposes completion of, the actions they own directly or
  through a team, role or board they belong to;
- a manager edits the plans they manage and signs off their actions; an administrator manages all;
- a clerk reads everything and exports.

Access helpers answer 404 for what the user may not see (ids reveal nothing) and 403 for what they
may see but not change.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from .models import Action, Evidence, Measure, Owner, Plan, Recommendation, Section


def owner_ids(user):
    """The owners a user acts as: their own record and the teams it belongs to."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_owner_ids", None)
    if cached is None:
        cached = set(
            Owner.objects.filter(Q(user=user) | Q(members__user=user)).values_list("pk", flat=True)
        )
        user._owner_ids = cached
    return cached


def visible_plans(user):
    """Every plan the user may read."""
    if not (user.is_authenticated and user.is_active):
        return Plan.objects.none()
    if user.has_perm("actionplans.view_all_plans"):
        return Plan.objects.all()
    mine = Plan.objects.filter(recommendations__actions__owners__in=owner_ids(user))
    rule = Q(pk__in=mine.values("pk"))
    own = Owner.objects.filter(user=user).values_list("organisation", flat=True).first()
    if own:
        rule |= Q(organisation=own)
    return Plan.objects.filter(rule)


def visible_actions(user):
    return Action.objects.filter(recommendation__plan__in=visible_plans(user).values("pk"))


def owned_actions(user):
    """Actions the user owns directly or through a team they belong to."""
    return Action.objects.filter(owners__in=owner_ids(user)).distinct()


def managed_plans(user):
    if not user.has_perm("actionplans.change_plan"):
        return Plan.objects.none()
    if user.has_perm("actionplans.manage_all_plans"):
        return Plan.objects.all()
    return Plan.objects.filter(managers=user)


def can_edit_plan(user, plan):
    return managed_plans(user).filter(pk=plan.pk).exists()


def owns(user, action):
    return action.owners.filter(pk__in=owner_ids(user)).exists()


def can_update_action(user, action):
    """Write progress and propose completion: the action's owners and the plan's managers."""
    if not user.has_perm("actionplans.add_progressupdate"):
        return False
    return owns(user, action) or can_edit_plan(user, action.recommendation.plan)


def can_sign_off(user, action):
    return user.has_perm("actionplans.sign_off_action") and can_edit_plan(
        user, action.recommendation.plan
    )


def can_export(user):
    return user.has_perm("actionplans.export_plan")


def is_clerk(user):
    """A reader of plans (the Clerk role): exports plans but writes no progress on actions."""
    return can_export(user) and not user.has_perm("actionplans.add_progressupdate")


# Access helpers: call first in every view.


def get_plan_for_user(user, pk, *, edit=False):
    plan = get_object_or_404(visible_plans(user), pk=pk)
    if edit and not can_edit_plan(user, plan):
        raise PermissionDenied("Only a manager of this plan can change it.")
    return plan


def get_recommendation_for_user(user, pk, *, edit=False):
    rec = get_object_or_404(
        Recommendation.objects.select_related("plan", "section").filter(
            plan__in=visible_plans(user).values("pk")
        ),
        pk=pk,
    )
    if edit and not can_edit_plan(user, rec.plan):
        raise PermissionDenied("Only a manager of this plan can change it.")
    return rec


def get_action_for_user(user, pk, *, edit=False, update=False, sign_off=False):
    action = get_object_or_404(
        visible_actions(user).select_related(
            "recommendation__plan", "recommendation__section", "rag_override_by"
        ),
        pk=pk,
    )
    plan = action.recommendation.plan
    if edit and not can_edit_plan(user, plan):
        raise PermissionDenied("Only a manager of this plan can change this action.")
    if update and not can_update_action(user, action):
        raise PermissionDenied("Only the action's owners and the plan's managers can update it.")
    if sign_off and not can_sign_off(user, action):
        raise PermissionDenied("Only a manager of this plan can sign off its actions.")
    return action


def _get_plan_part_for_editing(model, user, pk):
    """A section or measure of a plan the user may see (else 404) and manage (else 403)."""
    obj = get_object_or_404(
        model.objects.select_related("plan").filter(plan__in=visible_plans(user).values("pk")),
        pk=pk,
    )
    if not can_edit_plan(user, obj.plan):
        raise PermissionDenied("Only a manager of this plan can change it.")
    return obj


def get_section_for_user(user, pk):
    return _get_plan_part_for_editing(Section, user, pk)


def get_measure_for_user(user, pk):
    return _get_plan_part_for_editing(Measure, user, pk)


def get_evidence_for_user(user, pk):
    return get_object_or_404(
        Evidence.objects.select_related("update").filter(
            Q(update__action__in=visible_actions(user).values("pk"))
            | Q(update__recommendation__plan__in=visible_plans(user).values("pk"))
        ),
        pk=pk,
    )
