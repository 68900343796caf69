"""Sharing a plan, read only, with another council by name: the writes and what may be chosen.

A council's managers may let a named council read one of their plans (a peer review, a regional
improvement board). The other council's people then see the plan, its history and its appendix,
but change nothing and open no evidence (rules.py).
"""

from django.db import transaction

from core.errors import Refused
from inspections.models import Inspection

from . import rules
from .models import Plan, PlanShare


def councils():
    """Every council the service knows: organisations with a plan or an inspection."""
    names = set(Plan.objects.values_list("organisation", flat=True))
    names |= set(Inspection.objects.values_list("organisation", flat=True))
    return sorted(name for name in names if name)


def _check(plan, actor):
    if not rules.can_edit_plan(actor, plan):
        raise Refused("Only a manager of this plan can share it.")


@transaction.atomic
def plan_share_add(plan, *, actor, organisation):
    """Let ``organisation`` (another council) read ``plan``; sharing twice changes nothing."""
    _check(plan, actor)
    if organisation == plan.organisation:
        raise Refused(f"{plan.title} is {organisation}'s own plan.", field="organisation")
    if organisation not in councils():
        raise Refused("Choose one of the councils listed.", field="organisation")
    share = PlanShare.objects.filter(plan=plan, organisation=organisation).first()
    if share is None:
        share = PlanShare(plan=plan, organisation=organisation, shared_by=actor)
        share._history_user = actor
        share.save()
    return share


@transaction.atomic
def plan_share_remove(share, *, actor):
    _check(share.plan, actor)
    share._history_user = actor
    share.delete()
