"""The RAG rating of an action, its scales and its roll-up: the one place they are computed.

An action is rated from facts, the first that holds deciding:

1. a manager's override that has not expired (its expiry date is the last day it holds);
2. complete: the action is complete;
3. awaiting: its owner proposed it complete and a manager has yet to decide (it is not overdue:
   the owner has done what they can);
4. red: its real planned completion date has passed;
5. amber: it is due within the plan's ``amber_days`` (14 by default); or it has gone the plan's
   ``stale_days`` (30) without a progress update, counted from the later of its last update and
   its creation; or the latest reading of one of its measures is behind the straight line from
   the measure's baseline to its target (dated values at both ends);
6. none: it has no real date ("Ongoing", "Immediate effect");
7. green: it is due later.

``rate`` applies the rule to one action in Python; ``annotate`` applies the same rule in the
database, for filtering, sorting and counting. tests/test_rag.py holds them to agreeing.

Scales: a plan shows ratings on its scale: three-point (red, amber, green), BRAG (the same, with
complete shown as blue) or five-point (red, amber-red, amber, amber-green, green). There is one
mapping between them (``on_scale``): on a three-point scale a five-point value takes the point at or
below it (amber-red is red, amber-green amber). A manager's override is a value of the plan's scale.

Roll-up (``ROLL_UP_RULE``): a recommendation or plan is rated by averaging its actions' ratings.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db import models
from django.db.models import (
    Case,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least, TruncDate
from django.db.models.lookups import GreaterThan, LessThan, LessThanOrEqual
from django.utils import timezone

from core.people import person_name

COMPLETE_STATUS = "complete"
AWAITING_STATUS = "awaiting_sign_off"


@dataclass(frozen=True)
class Thresholds:
    """A plan's thresholds, in days (the plan's fields ``amber_days``, ``stale_days``,
    ``due_soon_days``); the defaults are those of a new plan."""

    amber_days: int = 14
    stale_days: int = 30
    due_soon_days: int = 30

    @classmethod
    def of(cls, plan):
        return cls() if plan is None else cls(plan.amber_days, plan.stale_days, plan.due_soon_days)


DEFAULTS = Thresholds()
# The defaults as plain numbers, for the model fields and pages that speak of them.
AMBER_DAYS, STALE_DAYS, DUE_SOON_DAYS = DEFAULTS.amber_days, DEFAULTS.stale_days, 30


class Rag(models.TextChoices):
    COMPLETE = "complete", "Complete"
    AWAITING = "awaiting", "Awaiting sign-off"
    RED = "red", "Red: overdue"
    AMBER_RED = "amber_red", "Amber-red"
    AMBER = (
        "amber",
        "Amber: due within the plan's amber days, no recent update or behind its measure",
    )
    AMBER_GREEN = "amber_green", "Amber-green"
    GREEN = "green", "Green: on track"
    NONE = "none", "No date"


class Scale(models.TextChoices):
    """Every value a manager may set as an override; a plan's scale allows some of them."""

    RED = "red", "Red"
    AMBER_RED = "amber_red", "Amber-red"
    AMBER = "amber", "Amber"
    AMBER_GREEN = "amber_green", "Amber-green"
    GREEN = "green", "Green"


class ScaleKind(models.TextChoices):
    RAG = "rag", "Red, amber, green"
    BRAG = "brag", "Blue, red, amber, green (blue for complete)"
    FIVE = "five", "Five-point: red, amber-red, amber, amber-green, green"


# Scale.values builds a list on each use; the rule asks for it once per action rated.
OVERRIDE_VALUES = frozenset(Scale.values)
SCALE_VALUES = {
    ScaleKind.RAG: [Scale.RED, Scale.AMBER, Scale.GREEN],
    ScaleKind.BRAG: [Scale.RED, Scale.AMBER, Scale.GREEN],
    ScaleKind.FIVE: list(Scale),
}
# Where each rating sits on the five-point line, for the mapping and the roll-up. Complete and
# awaiting sign-off count as green (the owner has done the work); no date has no place.
POSITION = {
    Rag.RED: 0,
    Rag.AMBER_RED: 1,
    Rag.AMBER: 2,
    Rag.AMBER_GREEN: 3,
    Rag.GREEN: 4,
    Rag.AWAITING: 4,
    Rag.COMPLETE: 4,
}
FIVE_POINT = [Rag.RED, Rag.AMBER_RED, Rag.AMBER, Rag.AMBER_GREEN, Rag.GREEN]
# The one mapping between the scales: a five-point value on a three-point scale.
THREE_POINT = {Rag.AMBER_RED: Rag.RED, Rag.AMBER_GREEN: Rag.AMBER}

ROLL_UP_RULE = (
    "A recommendation or plan is rated by the average of its actions' ratings on the five-point "
    "scale (red 0 to green 4; complete and awaiting sign-off count as green; actions with no date "
    "and no other rating are left out), rounded down; it is complete when all its actions are."
)


def scale_values(scale):
    """The override values a plan on ``scale`` allows."""
    return SCALE_VALUES.get(scale, SCALE_VALUES[ScaleKind.RAG])


def on_scale(value, scale):
    """A rating as a plan on ``scale`` shows it."""
    value = Rag(value)
    if scale != ScaleKind.FIVE:
        return THREE_POINT.get(value, value)
    return value


def label(value, scale=ScaleKind.RAG):
    """The words for a rating on a scale: complete is "Blue: complete" on BRAG."""
    value = on_scale(value, scale)
    if value == Rag.COMPLETE and scale == ScaleKind.BRAG:
        return "Blue: complete"
    return value.label


def _override(action, today):
    """The action's override if it is a value of a scale and has not expired; else ""."""
    value = action.rag_override
    if not value or value not in OVERRIDE_VALUES:
        return ""
    until = getattr(action, "rag_override_until", None)
    if until is not None and until < today:
        return ""
    return value


def is_stale(action, today, last_update_on, limits=DEFAULTS):
    """No update for ``stale_days``, counted from the later of the last update and creation."""
    since = today - dt.timedelta(days=limits.stale_days)
    return (_last_activity(action, last_update_on) or dt.date.min) < since


def _last_activity(action, last_update_on):
    """The later of the last update and the action's creation (None if neither is known)."""
    # ``created_on``, where a caller rating one action on many days has worked it out once.
    created_on = getattr(action, "created_on", None)
    if created_on is None and getattr(action, "created_at", None):
        created_on = timezone.localdate(action.created_at)
    return max((d for d in (last_update_on, created_on) if d is not None), default=None)


def reading_value(reading):
    """A reading's value as the rule compares it: the value, or a count as a percentage."""
    if reading.value is not None:
        return float(reading.value)
    if reading.numerator is not None and reading.denominator:
        return float(reading.numerator) * 100 / reading.denominator
    return None


def has_line(measure):
    b, t = measure.baseline_value, measure.target_value
    bd, td = measure.baseline_date, measure.target_date
    return None not in (b, t, bd, td) and b != t and td > bd


def expected_on(measure, day):
    """Where the straight line from baseline to target stands on ``day`` (flat beyond its ends)."""
    total = (measure.target_date - measure.baseline_date).days
    gone = min(max((day - measure.baseline_date).days, 0), total)
    b, t = float(measure.baseline_value), float(measure.target_value)
    return b + (t - b) * gone / total


def is_behind(measure, reading):
    """True when ``reading`` falls short of the line, in the direction of the target.

    Written without division as the database writes it: (v - b)·D·(t - b) < (t - b)²·d.
    """
    value = reading_value(reading)
    if value is None or reading.taken_on is None or not has_line(measure):
        return False
    total = (measure.target_date - measure.baseline_date).days
    gone = min(max((reading.taken_on - measure.baseline_date).days, 0), total)
    b, t = float(measure.baseline_value), float(measure.target_value)
    return (value - b) * total * (t - b) < (t - b) * (t - b) * gone


def latest_reading(readings):
    """The reading the rule looks at: the latest dated one with a value."""
    dated = [r for r in readings if r.taken_on is not None and reading_value(r) is not None]
    return max(dated, key=lambda r: (r.taken_on, r.id), default=None)


def measures_behind(measures_with_readings):
    """True when the latest reading of any of the measures is behind its line.

    ``measures_with_readings``: (measure, its readings) pairs.
    """
    for measure, readings in measures_with_readings:
        latest = latest_reading(readings)
        if latest is not None and is_behind(measure, latest):
            return True
    return False


def rate(action, today, limits=DEFAULTS, *, last_update_on=None, behind=False):
    """The rating of one action on ``today``, given the facts not on its row: the date of its last
    progress update and whether a measure of it is behind its line (``measures_behind``)."""
    override = _override(action, today)
    if override:
        return Rag(override)
    if action.status == COMPLETE_STATUS:
        return Rag.COMPLETE
    if action.status == AWAITING_STATUS:
        return Rag.AWAITING
    due = action.planned_completion_date
    if due is not None and due < today:
        return Rag.RED
    if (
        (due is not None and due <= today + dt.timedelta(days=limits.amber_days))
        or is_stale(action, today, last_update_on, limits)
        or behind
    ):
        return Rag.AMBER
    if due is None:
        return Rag.NONE
    return Rag.GREEN


def holds_until(action, today, limits=DEFAULTS, *, last_update_on=None):
    """The first day after ``today`` on which ``rate`` of the same facts could differ (None: never).

    The rule compares ``today`` with fixed dates only, so a rating holds until one of them is
    crossed: an override's last day, the planned date (red the day after, amber from
    ``amber_days`` before), and the day the action goes stale. A caller rating many days (the
    trend) rates again only then, or when the facts change."""
    due = action.planned_completion_date
    until = getattr(action, "rag_override_until", None)
    latest = _last_activity(action, last_update_on)
    one = dt.timedelta(days=1)
    edges = [
        until + one if until else None,
        due + one if due else None,
        due - dt.timedelta(days=limits.amber_days) if due else None,
        latest + dt.timedelta(days=limits.stale_days) + one if latest else None,
    ]
    return min((d for d in edges if d is not None and d > today), default=None)


def words(action, rating, scale=ScaleKind.RAG, today=None):
    """What a rating says: the rule's wording, or for an override who set it, why and until when.

    An override reads "Amber (set by Jane Smith: reason)", not the computed wording, which would be
    untrue of it. Select ``rag_override_by`` with the action to keep this free of queries.
    """
    today = today or timezone.localdate()
    override = _override(action, today)
    if not override or Rag(rating).value != override:
        return label(rating, scale)
    manager = action.rag_override_by
    who = person_name(manager, nobody="a manager")
    reason = (action.rag_override_reason or "").strip()
    until = getattr(action, "rag_override_until", None)
    until = f", until {until:%-d %B %Y}" if until else ""
    shown = label(override, scale).split(":")[0]
    return f"{shown} (set by {who}" + (f": {reason}" if reason else "") + f"{until})"


# The same rule in the database.


class _DateArithmetic(Func):
    """Arithmetic on two date expressions, written for PostgreSQL and for SQLite."""

    sql = {"sqlite": "", "postgresql": ""}  # "{a}" and "{b}": the two arguments

    def as_sql(self, compiler, connection, **extra):
        (a, a_params), (b, b_params) = (compiler.compile(e) for e in self.source_expressions)
        template = self.sql["sqlite" if connection.vendor == "sqlite" else "postgresql"]
        return template.format(a=a, b=b), (*a_params, *b_params)


class DaysBetween(_DateArithmetic):
    """Whole days from ``start`` to ``end`` (two dates), as an integer."""

    output_field = IntegerField()
    sql = {
        "sqlite": "CAST(julianday({a}) - julianday({b}) AS INTEGER)",
        "postgresql": "(({a})::date - ({b})::date)",
    }

    def __init__(self, end, start):
        super().__init__(end, start)


class DaysBefore(_DateArithmetic):
    """The date ``days`` (an integer expression) before ``date``."""

    output_field = DateField()
    sql = {
        "sqlite": "date({a}, '-' || ({b}) || ' days')",
        "postgresql": "(({a})::date - ({b}))",
    }

    def __init__(self, date, days):
        super().__init__(date, days)


def _float(expression):
    return Cast(expression, FloatField())


def stale_expression(today, plan="recommendation__plan__"):
    """The staleness fact in SQL: created more than ``stale_days`` ago, and no update since.

    The updates are looked up per action through their (action, date) index (NOT EXISTS), so the
    cost follows the actions being rated: a few for a home page, every one for a dashboard.
    """
    from .models import ProgressUpdate

    # ``written_on >= today - stale_days`` rather than a difference of dates, so that each lookup
    # is one probe of the (action, written_on) index. Progress only: a manager's return or
    # sign-off note is no news of the work (models.PROGRESS_KINDS), as in ``rate``'s callers.
    recent = ProgressUpdate.objects.progress().filter(
        action=OuterRef("pk"),
        written_on__gte=DaysBefore(Value(today), OuterRef(f"{plan}stale_days")),
    )
    return Q(
        GreaterThan(DaysBetween(Value(today), TruncDate("created_at")), F(f"{plan}stale_days"))
    ) & ~Exists(recent)


@lru_cache(maxsize=1)
def behind_expression():
    """The measure fact in SQL: the latest dated reading of one of the action's measures with a
    line is behind it (``is_behind``).

    Built once per process: building it was half the cost of a list page's query, and Django
    copies an expression when a query uses it, so one can serve every query."""
    from .models import Measure, Reading

    value = Coalesce(
        _float("value"),
        _float("numerator") * Value(100.0) / _float("denominator"),
        output_field=FloatField(),
    )
    latest = (
        Reading.objects.filter(measure=OuterRef("pk"), taken_on__isnull=False)
        .filter(Q(value__isnull=False) | Q(numerator__isnull=False, denominator__gt=0))
        .order_by("-taken_on", "-pk")
    )
    total = DaysBetween(F("target_date"), F("baseline_date"))
    gone = Least(Greatest(DaysBetween(F("last_on"), F("baseline_date")), Value(0)), total)
    b, t = _float("baseline_value"), _float("target_value")
    behind = LessThan(
        ExpressionWrapper((F("last_value") - b) * total * (t - b), output_field=FloatField()),
        ExpressionWrapper((t - b) * (t - b) * gone, output_field=FloatField()),
    )
    measures = (
        Measure.objects.filter(
            action=OuterRef("pk"),
            baseline_value__isnull=False,
            target_value__isnull=False,
            baseline_date__isnull=False,
            target_date__gt=F("baseline_date"),
        )
        .exclude(target_value=F("baseline_value"))
        .annotate(
            last_value=Subquery(latest.annotate(v=value).values("v")[:1], FloatField()),
            last_on=Subquery(latest.values("taken_on")[:1]),
        )
        .filter(last_value__isnull=False)
        .filter(behind)
    )
    return Exists(measures)


def annotate(queryset, today):
    """Actions with a ``rag`` column computed by the same rule, for filtering and sorting."""
    return queryset.annotate(rag=_rating(today))


@lru_cache(maxsize=4)
def _rating(today):
    """``annotate``'s expression for ``today``, built once a day per process (as ``behind``)."""
    plan = "recommendation__plan__"
    in_force = Q(rag_override__in=Scale.values) & (
        Q(rag_override_until__isnull=True) | Q(rag_override_until__gte=today)
    )
    due_in = DaysBetween(F("planned_completion_date"), Value(today))
    return Case(
        When(in_force, then=F("rag_override")),
        When(status=COMPLETE_STATUS, then=Value(Rag.COMPLETE.value)),
        When(status=AWAITING_STATUS, then=Value(Rag.AWAITING.value)),
        When(planned_completion_date__lt=today, then=Value(Rag.RED.value)),
        When(
            Q(planned_completion_date__isnull=False)
            & Q(LessThanOrEqual(due_in, F(f"{plan}amber_days"))),
            then=Value(Rag.AMBER.value),
        ),
        When(stale_expression(today), then=Value(Rag.AMBER.value)),
        When(behind_expression(), then=Value(Rag.AMBER.value)),
        When(planned_completion_date__isnull=True, then=Value(Rag.NONE.value)),
        default=Value(Rag.GREEN.value),
        output_field=models.CharField(),
    )


def position_expression(field="rag"):
    """A rating's place on the five-point line (None for no date), for averaging in SQL."""
    return Case(
        *[When(**{field: value.value}, then=Value(pos)) for value, pos in POSITION.items()],
        default=Value(None),
        output_field=IntegerField(),
    )


def roll_up(ratings):
    """A recommendation's or plan's rating from its actions' (``ROLL_UP_RULE``)."""
    ratings = [Rag(r) for r in ratings]
    placed = [POSITION[r] for r in ratings if r in POSITION]
    if not placed:
        return Rag.NONE
    if all(r == Rag.COMPLETE for r in ratings if r in POSITION):
        return Rag.COMPLETE
    return FIVE_POINT[sum(placed) // len(placed)]


def roll_up_from(average, unfinished):
    """``roll_up`` from the database's ``roll_up_columns``."""
    if average is None:
        return Rag.NONE
    if not unfinished:
        return Rag.COMPLETE
    # A small allowance: an average of exactly 3 computed as 2.9999999 is still 3.
    return FIVE_POINT[int(average + 1e-9)]


def rate_one(action, today):
    """One action's rating and, beside an override in force, its computed rating (else None),
    reading the facts it needs in two queries."""
    limits = Thresholds.of(action.recommendation.plan)
    last = action.updates.progress().aggregate(last=models.Max("written_on"))["last"]
    measures = action.measures.prefetch_related("readings")
    facts = {
        "last_update_on": last,
        "behind": measures_behind((m, list(m.readings.all())) for m in measures),
    }
    rating = rate(action, today, limits, **facts)
    if not _override(action, today):
        return rating, None
    saved = action.rag_override
    try:
        action.rag_override = ""
        return rating, rate(action, today, limits, **facts)
    finally:
        action.rag_override = saved


def roll_up_columns():
    """Aggregates over ``annotate``d actions from which ``roll_up_from`` gives the roll-up:
    ``average`` (position) and ``unfinished`` (placed actions not complete)."""
    unfinished = [r.value for r in POSITION if r != Rag.COMPLETE]
    return {
        "average": models.Avg(position_expression()),
        "unfinished": models.Count("pk", filter=Q(rag__in=unfinished)),
    }
