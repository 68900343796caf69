"""The RAG rule (actionplans/rag.py): override in force; complete; awaiting sign-off; overdue red;
due within the plan's amber days, no update for its stale days, or a measure behind its line is
amber; no date none; else green. Python (``rate``) and the database (``annotate``) agree."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from actionplans import rag
from actionplans.models import Action, Measure
from actionplans.rag import Rag, ScaleKind, Thresholds

from .factories import (
    ActionFactory,
    MeasureFactory,
    PlanFactory,
    ProgressUpdateFactory,
    ReadingFactory,
    RecommendationFactory,
)

TODAY = dt.date(2012, 11, 15)
LONG_AGO = timezone.make_aware(dt.datetime(2012, 1, 1))
LATELY = timezone.make_aware(dt.datetime(2012, 11, 1))


@pytest.mark.parametrize(
    ("status", "due", "override", "expected"),
    [
        ("complete", dt.date(2012, 1, 31), "", Rag.COMPLETE),
        ("complete", None, "", Rag.COMPLETE),
        ("underway", dt.date(2012, 11, 14), "", Rag.RED),
        # Awaiting a manager's decision is not overdue: the owner has done what they can.
        ("awaiting_sign_off", dt.date(2012, 10, 31), "", Rag.AWAITING),
        ("underway", TODAY, "", Rag.AMBER),
        ("underway", TODAY + dt.timedelta(days=14), "", Rag.AMBER),
        ("underway", TODAY + dt.timedelta(days=15), "", Rag.GREEN),
        ("not_recorded", None, "", Rag.NONE),
        ("underway", dt.date(2012, 1, 31), "green", Rag.GREEN),
        ("complete", None, "red", Rag.RED),
        ("underway", None, "amber_red", Rag.AMBER_RED),
    ],
)
def test_rating(status, due, override, expected):
    action = Action(
        status=status, planned_completion_date=due, rag_override=override, created_at=LATELY
    )
    assert rag.rate(action, TODAY) == expected


def test_the_plan_thresholds_decide_amber_and_stale():
    action = Action(
        status="underway", planned_completion_date=TODAY + dt.timedelta(days=20), created_at=LATELY
    )
    assert rag.rate(action, TODAY) == Rag.GREEN
    assert rag.rate(action, TODAY, Thresholds(amber_days=20)) == Rag.AMBER
    # Stale: no update for stale_days, counted from the later of the last update and creation.
    action.created_at = LONG_AGO
    assert rag.rate(action, TODAY) == Rag.AMBER
    assert rag.rate(action, TODAY, last_update_on=TODAY - dt.timedelta(days=30)) == Rag.GREEN
    assert rag.rate(action, TODAY, last_update_on=TODAY - dt.timedelta(days=31)) == Rag.AMBER
    assert rag.rate(action, TODAY, Thresholds(stale_days=60), last_update_on=dt.date(2012, 10, 1))
    assert (
        rag.rate(action, TODAY, Thresholds(stale_days=60), last_update_on=dt.date(2012, 10, 1))
        == Rag.GREEN
    )
    # Not stale when it is no longer with its owner.
    action.status = "awaiting_sign_off"
    assert rag.rate(action, TODAY) == Rag.AWAITING


def test_an_override_expires_after_its_last_day():
    action = Action(
        status="underway",
        planned_completion_date=TODAY + dt.timedelta(days=60),
        rag_override="red",
        rag_override_until=TODAY,
        created_at=LATELY,
    )
    assert rag.rate(action, TODAY) == Rag.RED
    assert rag.rate(action, TODAY + dt.timedelta(days=1)) == Rag.GREEN


def measure(**values):
    defaults = {
        "baseline_value": Decimal(40),
        "target_value": Decimal(80),
        "baseline_date": dt.date(2012, 1, 1),
        "target_date": dt.date(2012, 12, 31),
    }
    return Measure(**(defaults | values))


DOWN = {"baseline_value": Decimal(30), "target_value": Decimal(10)}


@pytest.mark.parametrize(
    ("values", "taken_on", "reading", "behind"),
    [
        ({}, dt.date(2012, 7, 1), 60, False),  # on the line (182 of 365 days: 59.9)
        ({}, dt.date(2012, 7, 1), 55, True),
        ({}, dt.date(2013, 3, 1), 79, True),  # past the target date the line is the target
        ({}, dt.date(2013, 3, 1), 80, False),
        # A target below the baseline (fewer repeat referrals): above the line is behind.
        (DOWN, dt.date(2012, 7, 1), 25, True),
        (DOWN, dt.date(2012, 7, 1), 15, False),
        ({"target_date": None}, dt.date(2012, 7, 1), 0, False),  # no line without both ends
    ],
)
def test_a_reading_behind_the_straight_line(values, taken_on, reading, behind):
    from actionplans.models import Reading

    m = measure(**values)
    assert rag.is_behind(m, Reading(measure=m, taken_on=taken_on, value=Decimal(reading))) is behind


def test_scales_map_once_and_roll_up():
    assert rag.on_scale(Rag.AMBER_RED, ScaleKind.RAG) == Rag.RED
    assert rag.on_scale(Rag.AMBER_GREEN, ScaleKind.BRAG) == Rag.AMBER
    assert rag.on_scale(Rag.AMBER_GREEN, ScaleKind.FIVE) == Rag.AMBER_GREEN
    assert rag.label(Rag.COMPLETE, ScaleKind.BRAG) == "Blue: complete"
    assert rag.label(Rag.COMPLETE, ScaleKind.RAG) == "Complete"
    assert rag.roll_up(["red", "green"]) == Rag.AMBER
    assert rag.roll_up(["red", "green", "green"]) == Rag.AMBER
    assert rag.roll_up(["amber", "green", "green", "green"]) == Rag.AMBER_GREEN
    assert rag.roll_up(["complete", "complete", "none"]) == Rag.COMPLETE
    assert rag.roll_up(["none"]) == Rag.NONE
    assert rag.roll_up(["red", "awaiting"]) == Rag.AMBER
    assert [v.value for v in rag.scale_values(ScaleKind.RAG)] == ["red", "amber", "green"]
    assert len(rag.scale_values(ScaleKind.FIVE)) == 5


def python_ratings(today):
    """Each action rated in Python from its objects, as the pages that rate one at a time do."""
    ratings = {}
    for action in Action.objects.select_related("recommendation__plan"):
        updates = [u.written_on for u in action.updates.all()]
        pairs = [(m, list(m.readings.all())) for m in action.measures.all()]
        ratings[action.pk] = rag.rate(
            action,
            today,
            Thresholds.of(action.recommendation.plan),
            last_update_on=max(updates, default=None),
            behind=rag.measures_behind(pairs),
        ).value
    return ratings


@pytest.mark.django_db
def test_database_annotation_follows_the_same_rule():
    strict = PlanFactory(amber_days=30, stale_days=10)
    cases = [
        ("complete", None, "", None),
        ("underway", dt.date(2012, 11, 1), "", None),
        ("delayed", TODAY, "", None),
        ("underway", dt.date(2012, 11, 29), "", None),
        ("underway", dt.date(2012, 11, 30), "", None),
        ("ongoing", None, "", None),
        ("awaiting_sign_off", dt.date(2012, 1, 1), "", None),
        ("underway", dt.date(2012, 1, 1), "amber", None),
        ("underway", dt.date(2013, 1, 1), "amber_red", TODAY),
        ("underway", dt.date(2013, 1, 1), "amber_green", None),
        ("underway", dt.date(2013, 1, 1), "red", TODAY - dt.timedelta(days=1)),  # expired
    ]
    for status, due, override, until in cases:
        ActionFactory(
            status=status,
            planned_completion_date=due,
            rag_override=override,
            rag_override_until=until,
            created_at=LATELY,
        )
    # Per-plan thresholds: amber within 30 days; stale after 10.
    ActionFactory(
        recommendation=RecommendationFactory(plan=strict),
        created_at=LATELY,
        planned_completion_date=dt.date(2012, 12, 10),
    )
    ActionFactory(
        recommendation=RecommendationFactory(plan=strict),
        created_at=LATELY,
        planned_completion_date=dt.date(2013, 12, 10),
    )
    # Staleness: created long ago; updates at the edge of the window.
    for written_on in (None, TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=31)):
        action = ActionFactory(planned_completion_date=dt.date(2013, 6, 1), created_at=LONG_AGO)
        if written_on:
            ProgressUpdateFactory(action=action, written_on=written_on)
    # Measures: one behind its line, one on it, one with no line, one with a count reading.
    for value, numerator, line in (
        (50, None, True),
        (70, None, True),
        (10, None, False),
        (None, (30, 40), True),
    ):
        action = ActionFactory(planned_completion_date=dt.date(2013, 6, 1), created_at=LATELY)
        m = MeasureFactory(
            plan=action.recommendation.plan,
            action=action,
            baseline_value=40,
            target_value=80,
            baseline_date=dt.date(2012, 1, 1),
            target_date=dt.date(2012, 12, 31) if line else None,
        )
        ReadingFactory(measure=m, taken_on=dt.date(2012, 3, 1), value=90)  # earlier, ignored
        ReadingFactory(
            measure=m,
            taken_on=dt.date(2012, 10, 1),
            value=value,
            numerator=numerator and numerator[0],
            denominator=numerator and numerator[1],
        )
    annotated = {a.pk: a.rag for a in rag.annotate(Action.objects.all(), TODAY)}
    assert annotated == python_ratings(TODAY)
    assert set(annotated.values()) == {r.value for r in Rag}
    assert list(annotated.values()).count(Rag.AMBER.value) >= 6


@pytest.mark.django_db
def test_the_roll_up_in_the_database_agrees():
    plan = PlanFactory()
    for due in (dt.date(2012, 11, 1), dt.date(2013, 11, 1), dt.date(2013, 11, 1), None):
        ActionFactory(
            recommendation=RecommendationFactory(plan=plan),
            planned_completion_date=due,
            created_at=LATELY,
        )
    rows = rag.annotate(Action.objects.all(), TODAY)
    ratings = [a.rag for a in rows]
    totals = rows.aggregate(**rag.roll_up_columns())
    from_db = rag.roll_up_from(totals["average"], totals["unfinished"])
    assert from_db == rag.roll_up(ratings) == Rag.AMBER


DAY = dt.date(2026, 6, 1)
# Dates near the day rated, where the rule's edges are.
near = st.one_of(st.none(), st.integers(-120, 120).map(lambda n: DAY + dt.timedelta(days=n)))


@settings(max_examples=500, deadline=None)
@given(
    status=st.sampled_from(Action.Status.values),
    due=near,
    override=st.sampled_from(["", "red"]),
    until=near,
    created=near,
    last=near,
    amber=st.integers(0, 30),
    stale=st.integers(1, 60),
)
def test_a_rating_holds_until_the_day_holds_until_names(
    status, due, override, until, created, last, amber, stale
):
    # The trend rates an action again only on that day: every day before it must rate the same.
    action = SimpleNamespace(
        status=status,
        planned_completion_date=due,
        rag_override=override,
        rag_override_until=until,
        created_on=created,
    )
    limits = Thresholds(amber_days=amber, stale_days=stale)
    rating = rag.rate(action, DAY, limits, last_update_on=last)
    until_day = rag.holds_until(action, DAY, limits, last_update_on=last)
    assert until_day is None or until_day > DAY
    end = until_day or DAY + dt.timedelta(days=400)
    for n in range(1, (end - DAY).days):
        later = DAY + dt.timedelta(days=n)
        assert rag.rate(action, later, limits, last_update_on=last) == rating, later


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_the_stale_check_is_answered_from_the_progress_index(world):
    """Whether an action has had progress since a day is asked of every action a dashboard
    rates (issue 28): the partial index of progress by action and date answers it, with the
    date in the index's condition, not by reading the action's every update for its kind."""
    today = timezone.localdate()
    rated = rag.annotate(Action.objects.order_by(), today).values_list("pk", "rag")
    sql, params = rated.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE actionplans_progressupdate")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    probe = plan.split("progress_by_action_date", 1)
    assert len(probe) == 2, plan
    assert "written_on >=" in probe[1].split("\n", 2)[1], plan  # in the index's condition
