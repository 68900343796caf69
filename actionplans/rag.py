"""The RAG rating of an action: the one place it is computed (a later rule set replaces this).

- complete: the action is complete;
- red: its real planned completion date has passed;
- amber: it is due within 14 days;
- green: it is due later;
- none: it has no real date ("Ongoing", "Immediate effect").

A manager's override, given with a reason, replaces the computed rating.
"""

import datetime as dt

from django.db import models
from django.db.models import Case, F, Q, Value, When

AMBER_DAYS = 14
COMPLETE_STATUS = "complete"


class Rag(models.TextChoices):
    COMPLETE = "complete", "Complete"
    RED = "red", "Red: overdue"
    AMBER = "amber", "Amber: due within 14 days"
    GREEN = "green", "Green: on track"
    NONE = "none", "No date"


def rate(action, today):
    """The rating of one action on ``today``."""
    if action.rag_override:
        return Rag(action.rag_override)
    if action.status == COMPLETE_STATUS:
        return Rag.COMPLETE
    due = action.planned_completion_date
    if due is None:
        return Rag.NONE
    if due < today:
        return Rag.RED
    if due <= today + dt.timedelta(days=AMBER_DAYS):
        return Rag.AMBER
    return Rag.GREEN


def annotate(queryset, today):
    """Actions with a ``rag`` column computed by the same rule, for filtering and sorting."""
    amber_until = today + dt.timedelta(days=AMBER_DAYS)
    return queryset.annotate(
        rag=Case(
            When(~Q(rag_override=""), then=F("rag_override")),
            When(status=COMPLETE_STATUS, then=Value(Rag.COMPLETE.value)),
            When(planned_completion_date__isnull=True, then=Value(Rag.NONE.value)),
            When(planned_completion_date__lt=today, then=Value(Rag.RED.value)),
            When(planned_completion_date__lte=amber_until, then=Value(Rag.AMBER.value)),
            default=Value(Rag.GREEN.value),
            output_field=models.CharField(),
        )
    )
