"""Who may do what: the one module views, forms, exports and tests ask.

Roles are auth groups (Officer, Manager, Clerk, Administrator, Site administrator, created by data
migrations) that carry model permissions; this module adds the object rules. The council (the
organisation of the user's owner record) is the boundary:

- everyone signed in sees the plans of their own council and the plans another council has shared
  with theirs by name (read only); a partner agency's people see only the plans they have actions
  in, and the evidence of their own actions only;
- an officer writes progress on, and proposes completion of, the actions they own directly or
  through a team, role or board they belong to;
- a manager edits the plans of their council they manage, signs off and assures their actions and
  records their impact; a quality lead assures any action of their council's plans; a council's
  administrator manages all of their council's plans;
- a clerk reads and exports their council's plans;
- a manager sets up plans, owners and inspections for their own council and partner agencies;
- the site administrator alone crosses councils, and each such read is recorded.

Access helpers answer 404 for what the user may not see (ids reveal nothing) and 403 for what they
may see but not change.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.councils import is_site_administrator, part_for_user
from core.lookups import InArray
from core.prepared import Prepared
from inspections.models import Inspection

from .models import (
    Action,
    CrossCouncilRead,
    Evidence,
    Measure,
    Owner,
    Plan,
    PlanShare,
    Recommendation,
    Section,
)


def owner_ids(user):
    """The owners a user acts as: their own record and the teams it belongs to."""
    return _who(user)[0]


def _who(user):
    """(owner ids, council) of a signed-in user, read together once a request: the owners they
    act as, and the organisation of their own owner record (the first, as owners are ordered)."""
    if not user.is_authenticated:
        return set(), None
    cached = getattr(user, "_who", None)
    if cached is None:
        records = _WHO.rows(user.pk)
        # The first of their own records as owners are ordered (by organisation first).
        council = min((org for _, by, org in records if by == user.pk), default=None)
        cached = user._who = ({pk for pk, _, _ in records}, council)
    return cached


def _whose(user_id):
    """The owner records a user acts as: (id, their user's id, organisation) of their own, and
    of each team one of their records belongs to. A union of two index lookups: as one filter
    with OR across the teams' join, PostgreSQL read every owner and membership of every council
    (issue 28)."""
    teams = Owner.members.through.objects.filter(to_owner__user=user_id).order_by()
    return (
        Owner.objects.filter(user=user_id)
        .order_by()
        .values_list("pk", "user_id", "organisation")
        .union(teams.values_list("from_owner", "from_owner__user", "from_owner__organisation"))
        .order_by()
    )


_WHO = Prepared(Owner, _whose)


def visible_plans(user):
    """Every plan the user may read: their council's, those shared with it, those they act in."""
    if not (user.is_authenticated and user.is_active):
        return Plan.objects.none()
    # Built once a request, as the owners they act as are (``_who``); asked up to six times a
    # page. A copy each time, so what one caller reads is never another's.
    built = getattr(user, "_visible_plans", None)
    if built is None:
        built = user._visible_plans = _visible_plans(user)
    return built.all()


def _visible_plans(user):
    if is_site_administrator(user):
        return Plan.objects.all()
    owned = Plan.objects.filter(recommendations__actions__owners__in=owner_ids(user))
    mine = owned.order_by().values("pk")
    council = council_of(user)
    if council:
        # A union, each part found through its own index: as an OR of subqueries PostgreSQL
        # guessed three plans in four were the council's, and read every council's actions to
        # find one council's (issue 28, bench/README.md).
        mine = mine.union(
            Plan.objects.filter(organisation=council).order_by().values("pk"),
            PlanShare.objects.filter(organisation=council).order_by().values("plan"),
        ).order_by()
    return Plan.objects.filter(pk__in=mine)


def may_read(user, plan):
    """``visible_plans``' rule for one plan: a plan of the user's own council (or any, for the
    site administrator) without a query; another's (shared, or one they act in) by asking the
    union. The plan page asks it at every request, and building the union for one plan was a
    third of a reused page's time (issue 28)."""
    if not (user.is_authenticated and user.is_active):
        return False
    council = council_of(user)
    if (council and plan.organisation == council) or is_site_administrator(user):
        return True
    return visible_plans(user).filter(pk=plan.pk).exists()


def _require_read(user, obj, plan):
    """404 for ``obj`` (of ``plan``) unless the user may read the plan: as for a missing id."""
    if not may_read(user, plan):
        raise Http404(f"No {type(obj)._meta.object_name} matches the given query.")


def council_plans(user):
    """The plans of the user's own council (every plan for the site administrator): those whose
    evidence they may open and whose plans they may manage, never a shared one."""
    if is_site_administrator(user):
        return Plan.objects.all()
    council = council_of(user)
    return Plan.objects.filter(organisation=council) if council else Plan.objects.none()


def record_crossing(user, organisation, what):
    """Keep the site administrator's read of another council's record."""
    if organisation and organisation != council_of(user) and is_site_administrator(user):
        CrossCouncilRead.objects.create(user=user, organisation=organisation, what=what[:300])


def visible_actions(user):
    if is_site_administrator(user):  # every plan's: no filter to join or build
        return Action.objects.all()
    # A council's recommendations first, then their actions through the foreign key's index: as
    # a join, PostgreSQL read every council's actions of a status and date (core.lookups).
    plans = visible_plans(user).values("pk")
    recommendations = Recommendation.objects.filter(plan__in=plans).values("pk")
    return Action.objects.filter(InArray(F("recommendation"), recommendations))


def owned_actions(user):
    """Actions the user owns directly or through a team they belong to."""
    return Action.objects.filter(owners__in=owner_ids(user)).distinct()


def managed_plans(user):
    """Plans the user may change: those of their council they manage (all of their council's for
    its administrator, every plan for the site administrator). A shared plan never."""
    if not _may_change_plans(user):
        return Plan.objects.none()
    if _manages_all(user):
        return council_plans(user)
    return council_plans(user).filter(managers=user)


def can_edit_plan(user, plan):
    """``managed_plans``' rule for one plan, asked of the plan in hand: a query only to find
    whether they manage it (the plan page asks at every request; issue 28)."""
    if not _may_change_plans(user):
        return False
    if is_site_administrator(user):
        return True
    council = council_of(user)
    if not council or plan.organisation != council:
        return False
    return _manages_all(user) or _manages(user, plan)


def _manages(user, plan):
    """Is ``user`` one of ``plan``'s managers? Answered by the query that read the plan when
    ``get_plan_for_user`` read it for this user (``_PLAN_FOR``)."""
    read_for = getattr(plan, "read_for", None)
    if read_for is not None and read_for == user.pk:
        return bool(plan.user_manages)
    return plan.managers.filter(pk=user.pk).exists()


def _plan_for(plan_id, user_id):
    """A plan, with whether the user manages it (``user_manages``): the plan page asks at every
    request, and a query of its own cost a sixth of a reused page's time (issue 28)."""
    managers = Plan.managers.through.objects.filter(plan=OuterRef("pk"), user=user_id)
    return Plan.objects.filter(pk=plan_id).annotate(user_manages=Exists(managers))


_PLAN_FOR = Prepared(Plan, _plan_for)


def _may_change_plans(user):
    return user.is_authenticated and user.is_active and user.has_perm("actionplans.change_plan")


def _manages_all(user):
    """Every plan of their council (its administrator), or of every council (site administrator)."""
    return is_site_administrator(user) or user.has_perm("actionplans.manage_all_plans")


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


def can_assure(user, action):
    """Record an action assured: a manager of its plan, or a quality lead of its council (who
    audits every plan of the council and changes none)."""
    if not user.has_perm("actionplans.assure_action"):
        return False
    plan = action.recommendation.plan
    if can_edit_plan(user, plan):
        return True
    quality_lead = not user.has_perm("actionplans.change_plan")
    return quality_lead and council_plans(user).filter(pk=plan.pk).exists()


def can_export(user):
    return user.has_perm("actionplans.export_plan")


def is_clerk(user):
    """A reader of plans (the Clerk role): exports plans but writes no progress on actions."""
    return can_export(user) and not user.has_perm("actionplans.add_progressupdate")


# Access helpers: call first in every view.


def get_plan_for_user(user, pk, *, edit=False):
    try:
        plan = _PLAN_FOR.objects(Plan._meta.pk.to_python(pk), user.pk or 0)[0]
    except (ValidationError, ValueError, IndexError):
        raise Http404("No Plan matches the given query.") from None
    plan.read_for = user.pk
    _require_read(user, plan, plan)
    record_crossing(user, plan.organisation, f"plan {plan.pk}")
    if edit and not can_edit_plan(user, plan):
        raise PermissionDenied("Only a manager of this plan can change it.")
    return plan


def get_recommendation_for_user(user, pk, *, edit=False):
    rec = get_object_or_404(Recommendation.objects.select_related("plan", "section"), pk=pk)
    _require_read(user, rec, rec.plan)
    record_crossing(user, rec.plan.organisation, f"recommendation {rec.pk}")
    if edit and not can_edit_plan(user, rec.plan):
        raise PermissionDenied("Only a manager of this plan can change it.")
    return rec


def get_action_for_user(user, pk, *, edit=False, update=False, sign_off=False, assure=False):
    action = get_object_or_404(
        Action.objects.select_related(
            "recommendation__plan", "recommendation__section", "rag_override_by"
        ),
        pk=pk,
    )
    plan = action.recommendation.plan
    _require_read(user, action, plan)
    record_crossing(user, plan.organisation, f"action {action.pk}")
    if edit and not can_edit_plan(user, plan):
        raise PermissionDenied("Only a manager of this plan can change this action.")
    if update and not can_update_action(user, action):
        raise PermissionDenied("Only the action's owners and the plan's managers can update it.")
    if sign_off and not can_sign_off(user, action):
        raise PermissionDenied("Only a manager of this plan can sign off its actions.")
    if assure and not can_assure(user, action):
        raise PermissionDenied("Only a manager of this plan or a quality lead can assure it.")
    return action


def _get_plan_part_for_editing(model, user, pk):
    """A section or measure of a plan the user may see (else 404) and manage (else 403)."""
    obj = part_for_user(model, user, pk, parent="plan", parents=visible_plans(user))
    if not can_edit_plan(user, obj.plan):
        raise PermissionDenied("Only a manager of this plan can change it.")
    return obj


def get_section_for_user(user, pk):
    return _get_plan_part_for_editing(Section, user, pk)


def get_measure_for_user(user, pk):
    return _get_plan_part_for_editing(Measure, user, pk)


def visible_evidence(user):
    """Evidence the user may open: of their council's plans, and of the actions they own (all a
    partner agency's people see). A plan shared with another council shares no evidence."""
    plans = council_plans(user).values("pk")
    return Evidence.objects.filter(
        Q(update__action__in=owned_actions(user).values("pk"))
        | Q(update__action__recommendation__plan__in=plans)
        | Q(update__recommendation__plan__in=plans)
    )


def may_open_evidence(user, plan, action=None):
    """The page's version of ``visible_evidence``: may the user open this plan's (or action's)
    evidence files? Pages list the files of the others without links."""
    if council_plans(user).filter(pk=plan.pk).exists():
        return True
    return action is not None and owns(user, action)


def get_evidence_for_user(user, pk):
    evidence = get_object_or_404(
        visible_evidence(user).select_related(
            "update__action__recommendation__plan", "update__recommendation__plan"
        ),
        pk=pk,
    )
    update = evidence.update
    plan = (update.action.recommendation if update.action_id else update.recommendation).plan
    record_crossing(user, plan.organisation, f"evidence {evidence.pk}")
    return evidence


# Setting up: plans, owners and inspections. A manager sets up for their own council (the
# organisation of their owner record) and for partner agencies (any organisation that is not a
# council, i.e. has no plan or inspection of its own); the site administrator for every one.


def council_of(user):
    """The organisation a user works for (their owner record's), or None."""
    return _who(user)[1]


def _councils_q():
    """Organisations that are councils: those with a plan or an inspection."""
    return Q(organisation__in=Plan.objects.values("organisation")) | Q(
        organisation__in=Inspection.objects.values("organisation")
    )


def is_other_council(user, organisation):
    if organisation == council_of(user):
        return False
    return (
        Plan.objects.filter(organisation=organisation).exists()
        or Inspection.objects.filter(organisation=organisation).exists()
    )


def can_set_up_for(user, organisation):
    """May ``user`` record owners (or plans, inspections) of ``organisation``?"""
    if is_site_administrator(user):
        return True
    council = council_of(user)
    return bool(council) and not is_other_council(user, organisation)


def visible_owners(user):
    """Owners a user may see on the set-up pages: their council's and partner agencies'."""
    if not (user.is_authenticated and user.is_active):
        return Owner.objects.none()
    if is_site_administrator(user):
        return Owner.objects.all()
    council = council_of(user)
    if not council:
        return Owner.objects.none()
    return Owner.objects.filter(Q(organisation=council) | ~_councils_q())


def can_add_plan(user):
    return user.has_perm("actionplans.add_plan") and (
        is_site_administrator(user) or council_of(user)
    )


def can_add_owner(user):
    return user.has_perm("actionplans.add_owner") and (
        is_site_administrator(user) or bool(council_of(user))
    )


def get_owner_for_user(user, pk, *, edit=False):
    owner = get_object_or_404(visible_owners(user).select_related("user"), pk=pk)
    record_crossing(user, owner.organisation, f"owner {owner.pk}")
    if edit and not user.has_perm("actionplans.change_owner"):
        raise PermissionDenied("Only a manager can change owners.")
    return owner
