"""The council boundary's questions, for apps that cannot ask the app that answers them.

A user's council is the organisation of their owner record, which actionplans keeps; actionplans
answers the questions below and names itself here when it starts (``answered_by``, from its
AppConfig.ready). So inspections, whose pages need the same boundary but which actionplans
builds on, asks here without importing actionplans. Every answer is actionplans.rules'.
"""

from django.shortcuts import get_object_or_404

_rules = None


def answered_by(rules):
    """``rules`` (a module) answers council_of, can_set_up_for, record_crossing, visible_plans."""
    global _rules
    _rules = rules


def is_site_administrator(user):
    """The one role that crosses councils (every read of another council's record is kept)."""
    return user.is_authenticated and user.is_active and user.has_perm("actionplans.view_all_plans")


def council_of(user):
    """The organisation a user works for (their owner record's), or None."""
    return _rules.council_of(user)


def set_up_council(user):
    """The council a user sets up (plans, owners, inspections) for; None for the site
    administrator, who may name any."""
    return None if is_site_administrator(user) else council_of(user)


def can_set_up_for(user, organisation):
    """May ``user`` record owners, plans or inspections of ``organisation``?"""
    return _rules.can_set_up_for(user, organisation)


def record_crossing(user, organisation, what):
    """Keep the site administrator's read of another council's record."""
    _rules.record_crossing(user, organisation, what)


def visible_plans(user):
    """The plans the user may read."""
    return _rules.visible_plans(user)


def set_up_refusal(actor, organisation):
    """Why ``actor`` may not set up for ``organisation`` (None if they may), in their words."""
    if can_set_up_for(actor, organisation):
        return None
    council = council_of(actor)
    if not council:
        return (
            "Your sign-in is not linked to an owner record of your council, so you cannot set "
            "up plans, owners or inspections. Ask an administrator to link it."
        )
    return (
        f"{organisation} is another council. You can set up only for {council} and partner "
        "agencies."
    )


def part_for_user(model, user, pk, *, parent, parents):
    """The ``model`` record ``pk`` whose ``parent`` (a plan, an inspection) is one of
    ``parents``, those the user may see; else 404. A site administrator's read of another
    council's is kept. Whether the user may change it is the caller's rule."""
    obj = get_object_or_404(
        model.objects.select_related(parent).filter(**{f"{parent}__in": parents.values("pk")}),
        pk=pk,
    )
    record_crossing(user, getattr(obj, parent).organisation, f"{model._meta.model_name} {obj.pk}")
    return obj
