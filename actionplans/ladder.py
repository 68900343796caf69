"""The completion ladder, as one rule: its steps in order, when a re-check date is sensible, when
a measure has reached its target, when a re-check is due, and an action's ladder as a page shows it.

complete (the owner proposes) -> signed off (a manager) -> assured (a manager or a quality lead:
an audit or dip sample confirms it) -> impact shown (a manager: a linked measure reached its
target). Steps climb in order only; reopening a step removes it and every step above it.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from .models import Action, CompletionStep, LadderStep, Measure, UpdateKind
from .rag import latest_reading, reading_value

COMPLETE = "complete"
SIGNED_OFF = "signed_off"
ASSURED = LadderStep.ASSURED.value
IMPACT_SHOWN = LadderStep.IMPACT_SHOWN.value
ORDER = [COMPLETE, SIGNED_OFF, ASSURED, IMPACT_SHOWN]
NAMES = {
    COMPLETE: "Complete",
    SIGNED_OFF: "Signed off",
    ASSURED: "Assured",
    IMPACT_SHOWN: "Impact shown",
}
# The log entry that reopens each step (the plan's rows, as they stood too, climb the ladder from
# the log: ``climbed``).
REOPEN_KINDS = {
    ASSURED: UpdateKind.ASSURED_REOPENED,
    IMPACT_SHOWN: UpdateKind.IMPACT_REOPENED,
}
# Where each decision leaves a complete action on the ladder (None: off it).
_REACHES = {
    UpdateKind.SIGN_OFF: SIGNED_OFF,
    UpdateKind.ASSURED: ASSURED,
    UpdateKind.IMPACT_SHOWN: IMPACT_SHOWN,
    UpdateKind.ASSURED_REOPENED: SIGNED_OFF,
    UpdateKind.IMPACT_REOPENED: ASSURED,
    UpdateKind.REOPENED: None,
    UpdateKind.RETURNED: None,
}
HINTS = {
    COMPLETE: "Proposed complete by its owner, with evidence",
    SIGNED_OFF: "A manager of the plan agrees it is complete",
    ASSURED: "A quality audit or dip sample confirms it",
    IMPACT_SHOWN: "Its measure reached its target",
}

# A re-check is "re-audit in three months" or in a year; more than two years ahead is a slip.
RECHECK_LONGEST = dt.timedelta(days=2 * 366)
# Reminders and dashboards show a re-check this many days before it falls due.
RECHECK_NOTICE_DAYS = 14


def recheck_problem(day, today=None):
    """Why ``day`` is not a sensible re-check date, or None."""
    today = today or timezone.localdate()
    if day is None:
        return None
    if day <= today:
        return "The re-check date must be in the future."
    if day > today + RECHECK_LONGEST:
        return "The re-check date must be within two years."
    return None


def climbed(status, kinds_newest_first):
    """The step above signed off a complete action stands on, read from its decisions' kinds
    (newest first, as the plan's rows hold them): ASSURED, IMPACT_SHOWN or None."""
    if status != Action.Status.COMPLETE:
        return None
    for kind in kinds_newest_first:
        if kind in _REACHES:
            reached = _REACHES[kind]
            return reached if reached in (ASSURED, IMPACT_SHOWN) else None
    return None


def status_words(status, label, kinds_newest_first):
    """An action's status in words on the plan's pages: "Complete: assured" above sign-off."""
    step = climbed(status, kinds_newest_first)
    return f"{label}: {NAMES[step].lower()}" if step else label


def meets_target(measure, reading):
    """Has ``reading`` reached the measure's target, in the direction from its baseline (a
    falling measure, such as re-referrals, reaches it at or below)?"""
    value = reading_value(reading) if reading is not None else None
    if value is None or measure.target_value is None:
        return False
    target = float(measure.target_value)
    falling = measure.baseline_value is not None and target < float(measure.baseline_value)
    return value <= target if falling else value >= target


def linked_measures(action):
    """The measures of an action: its own, and its recommendation's that name no action."""
    return (
        Measure.objects.filter(
            Q(action=action) | Q(action__isnull=True, recommendation=action.recommendation_id)
        )
        .prefetch_related("readings")
        .order_by("order", "pk")
    )


def impact_reading(action):
    """The latest reading of a linked measure that has reached its target, or None: the
    evidence impact shown is offered with."""
    for measure in linked_measures(action):
        latest = latest_reading(measure.readings.all())
        if latest is not None and meets_target(measure, latest):
            return latest
    return None


def due_rechecks(actions, today=None):
    """The standing assured steps of ``actions`` (a queryset) whose re-check date has come or
    falls within the notice period, soonest first, with their action and its plan."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=RECHECK_NOTICE_DAYS)
    return (
        CompletionStep.objects.standing()
        .filter(step=ASSURED, recheck_on__lte=soon, action__in=actions.values("pk"))
        .select_related("action__recommendation__plan")
        .order_by("recheck_on", "pk")
    )


@dataclass
class Rung:
    """One step of an action's ladder as the page shows it."""

    key: str
    name: str
    hint: str
    done: bool = False
    who: object = None
    on: object = None
    text: str = ""
    evidence: list = field(default_factory=list)
    step: object = None  # the CompletionStep, for assured and impact shown
    recheck_on: object = None
    reading: object = None


def rungs(action, updates, steps):
    """The action's ladder: ``updates`` its log entries (evidence prefetched), ``steps`` all its
    CompletionSteps; no queries of its own, so the page's count stays the same as steps grow."""
    complete = action.status == Action.Status.COMPLETE
    awaiting = action.status == Action.Status.AWAITING_SIGN_OFF
    latest = {}
    for update in sorted(updates, key=lambda u: (u.created_at, u.pk)):
        latest[update.kind] = update
    ladder = [Rung(key, NAMES[key], HINTS[key]) for key in ORDER]
    proposal = latest.get(UpdateKind.PROPOSAL)
    if (complete or awaiting) and proposal is not None:
        _fill(ladder[0], proposal.author, proposal.written_on, proposal.text, proposal)
    elif complete:  # complete by an edit or an import, with no proposal on record
        ladder[0].done = True
    sign_off = latest.get(UpdateKind.SIGN_OFF)
    if complete:
        ladder[1].done = True
        if sign_off is not None:
            _fill(ladder[1], sign_off.author, sign_off.written_on, sign_off.text, sign_off)
    standing = {s.step: s for s in steps if s.is_standing} if complete else {}
    for rung in ladder[2:]:
        step = standing.get(rung.key)
        if step is not None:
            _fill(rung, step.recorded_by, step.recorded_on, step.evidence_text, step.entry)
            rung.step, rung.recheck_on, rung.reading = step, step.recheck_on, step.reading
    return ladder


def _fill(rung, who, on, text, entry):
    rung.done, rung.who, rung.on, rung.text = True, who, on, text
    rung.evidence = list(entry.evidence.all()) if entry is not None else []
    if entry is not None and entry.kind == UpdateKind.PROPOSAL:  # files it cites count too
        rung.evidence += list(entry.cited_evidence.all())


def top(ladder):
    """The highest step reached, or None."""
    reached = [rung for rung in ladder if rung.done]
    return reached[-1] if reached else None


def next_step(ladder):
    """The first step not yet reached, or None at the top."""
    return next((rung.key for rung in ladder if not rung.done), None)
