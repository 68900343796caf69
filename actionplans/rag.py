"""The RAG rating of an action: the one place it is computed (a later rule set replaces this).

- complete: the action is complete;
- awaiting: its owner proposed it complete and a manager has yet to decide (it is not overdue:
  the owner has done what they can);
- red: its real planned completion date has passed;
- amber: it is due within 14 days;
- green: it is due later;
- none: it has no real date ("Ongoing", "Immediate effect").

A manager's override, a value of the scale given with a reason, replaces the computed rating.
"""

import datetime as dt

from django.db import models
from django.db.models import Case, F, Value, When

from .people import person_name

AMBER_DAYS = 14
COMPLETE_STATUS = "complete"
AWAITING_STATUS = "awaiting_sign_off"


class Rag(models.TextChoices):
    COMPLETE = "complete", "Complete"
    AWAITING = "awaiting", "Awaiting sign-off"
    RED = "red", "Red: overdue"
    AMBER = "amber", f"Amber: due within {AMBER_DAYS} days"
    GREEN = "green", "Green: on track"
    NONE = "none", "No date"


class Scale(models.TextChoices):
    """The values a manager may set as an override: the plan's three-point scale."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


def _override(action):
    """The action's override if it is a value of the scale; anything else is ignored."""
    value = action.rag_override
    return value if value in Scale.values else ""


def rate(action, today):
    """The rating of one action on ``today``."""
    override = _override(action)
    if override:
        return Rag(override)
    if action.status == COMPLETE_STATUS:
        return Rag.COMPLETE
    if action.status == AWAITING_STATUS:
        return Rag.AWAITING
    due = action.planned_completion_date
    if due is None:
        return Rag.NONE
    if due < today:
        return Rag.RED
    if due <= today + dt.timedelta(days=AMBER_DAYS):
        return Rag.AMBER
    return Rag.GREEN


def words(action, rating):
    """What a rating says: the rule's wording, or for an override who set it and why.

    An override reads "Amber (set by Jane Smith: reason)", not the computed wording, which would be
    untrue of it. Select ``rag_override_by`` with the action to keep this free of queries.
    """
    override = _override(action)
    if not override:
        return Rag(rating).label
    manager = action.rag_override_by
    who = person_name(manager, nobody="a manager")
    reason = (action.rag_override_reason or "").strip()
    return f"{Scale(override).label} (set by {who}" + (f": {reason})" if reason else ")")


def annotate(queryset, today):
    """Actions with a ``rag`` column computed by the same rule, for filtering and sorting."""
    amber_until = today + dt.timedelta(days=AMBER_DAYS)
    return queryset.annotate(
        rag=Case(
            When(rag_override__in=Scale.values, then=F("rag_override")),
            When(status=COMPLETE_STATUS, then=Value(Rag.COMPLETE.value)),
            When(status=AWAITING_STATUS, then=Value(Rag.AWAITING.value)),
            When(planned_completion_date__isnull=True, then=Value(Rag.NONE.value)),
            When(planned_completion_date__lt=today, then=Value(Rag.RED.value)),
            When(planned_completion_date__lte=amber_until, then=Value(Rag.AMBER.value)),
            default=Value(Rag.GREEN.value),
            output_field=models.CharField(),
        )
    )
