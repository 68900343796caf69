"""Model-level rules the database cannot check on its own."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from actionplans.models import Action, Measure, Plan, ProgressUpdate
from inspections.models import Inspection

from .factories import (
    ActionFactory,
    InspectionFactory,
    MeasureFactory,
    OwnerFactory,
    PlanFactory,
    ProgressUpdateFactory,
    ReadingFactory,
    RecommendationFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def errors_of(obj):
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_measure_target_date_cannot_precede_baseline():
    measure = MeasureFactory.build(
        plan=PlanFactory(), baseline_date=dt.date(2011, 6, 1), target_date=dt.date(2011, 1, 31)
    )
    assert "target_date_text" in errors_of(measure)


@pytest.mark.parametrize("field", ["baseline_value", "target_value"])
@pytest.mark.parametrize("value", [-1, 100.5, 250])
def test_percentage_measure_values_stay_within_0_and_100(field, value):
    measure = MeasureFactory.build(plan=PlanFactory(), **{field: value})
    assert errors_of(measure)[field] == ["A percentage must be between 0 and 100."]


def test_count_measures_may_exceed_100():
    MeasureFactory.build(plan=PlanFactory(), unit=Measure.Unit.COUNT, target_value=653).full_clean()


@pytest.mark.parametrize("value", [-5, 101])
def test_percentage_reading_outside_0_to_100_is_refused(value):
    reading = ReadingFactory.build(measure=MeasureFactory(), value=value)
    assert "value" in errors_of(reading)


def test_reading_as_a_count_out_of_a_total_gives_its_percentage():
    reading = ReadingFactory.build(
        measure=MeasureFactory(), value=None, numerator=45, denominator=53
    )
    reading.full_clean()
    assert str(reading.effective_value) == "84.9"
    assert reading.display_value == "84.9%"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"value": None}, "value"),
        ({"value": None, "numerator": 60, "denominator": 53}, "numerator"),
        ({"value": None, "numerator": 5, "denominator": None}, "denominator"),
        ({"value": None, "numerator": 0, "denominator": 0}, "denominator"),
    ],
)
def test_bad_counts_are_refused(values, field):
    reading = ReadingFactory.build(measure=MeasureFactory(), **values)
    assert field in errors_of(reading)


def test_reading_denominator_is_checked_by_the_database_too():
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadingFactory(value=None, numerator=0, denominator=0)


def test_approved_plan_needs_an_owner_on_every_action():
    plan = PlanFactory()
    owned = ActionFactory(recommendation__plan=plan, reference="(1a)", owners=[OwnerFactory()])
    ActionFactory(recommendation=owned.recommendation, reference="(1b)")
    plan.status = Plan.Status.APPROVED
    message = errors_of(plan)["status"][0]
    assert "(1b)" in message and "(1a)" not in message


def test_approved_plan_with_owned_actions_is_valid():
    plan = PlanFactory()
    ActionFactory(recommendation__plan=plan, owners=[OwnerFactory()])
    plan.status = Plan.Status.APPROVED
    plan.full_clean()


def test_draft_plan_may_have_unowned_actions():
    plan = PlanFactory()
    ActionFactory(recommendation__plan=plan)
    plan.full_clean()


def test_completed_date_only_on_a_complete_action():
    action = ActionFactory.build(
        recommendation=RecommendationFactory(),
        status=Action.Status.UNDERWAY,
        completed_on=dt.date(2012, 10, 1),
    )
    assert "completed_on" in errors_of(action)
    with pytest.raises(IntegrityError), transaction.atomic():
        action.save()


def test_completed_date_cannot_be_in_the_future():
    action = ActionFactory.build(
        recommendation=RecommendationFactory(),
        status=Action.Status.COMPLETE,
        completed_on=timezone.localdate() + dt.timedelta(days=1),
    )
    assert "completed_on" in errors_of(action)


@pytest.mark.parametrize("year", [1066, 2101, 9999])
def test_dates_out_of_range_are_refused(year):
    action = ActionFactory.build(
        recommendation=RecommendationFactory(), planned_completion_date=dt.date(year, 1, 1)
    )
    assert errors_of(action)["planned_completion_date"] == ["Enter a date between 1990 and 2099."]


def test_update_cannot_be_dated_in_the_future():
    update = ProgressUpdateFactory.build(
        action=ActionFactory(), written_on=timezone.localdate() + dt.timedelta(days=1)
    )
    assert "written_on" in errors_of(update)


def test_update_belongs_to_an_action_or_a_recommendation_not_both():
    action = ActionFactory()
    update = ProgressUpdateFactory.build(action=action, recommendation=action.recommendation)
    assert errors_of(update)
    with pytest.raises(IntegrityError), transaction.atomic():
        update.save()


def test_update_on_neither_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressUpdate.objects.create(written_on=dt.date(2012, 1, 1), text="Orphan")


def test_recommendation_section_must_belong_to_the_same_plan():
    rec = RecommendationFactory.build(plan=PlanFactory(), section=SectionFactory())
    assert "section" in errors_of(rec)


def test_measure_must_hang_off_its_own_plan():
    measure = MeasureFactory.build(plan=PlanFactory(), recommendation=RecommendationFactory())
    assert "recommendation" in errors_of(measure)


def test_inspection_cannot_end_before_it_starts():
    inspection = InspectionFactory.build(
        started_on=dt.date(2012, 7, 2), ended_on=dt.date(2012, 6, 1)
    )
    assert "ended_on" in errors_of(inspection)
    with pytest.raises(IntegrityError), transaction.atomic():
        inspection.save()


def test_report_cannot_be_published_before_the_inspection():
    inspection = InspectionFactory.build(published_on=dt.date(2012, 1, 1))
    assert "published_on" in errors_of(inspection)
    assert Inspection.objects.count() == 0


def test_only_a_person_has_a_login():
    team = OwnerFactory.build(kind="team", user=UserFactory())
    assert "user" in errors_of(team)


def test_owner_names_are_unique_within_an_organisation():
    OwnerFactory(name="LSCB P&QA Sub Group", organisation="Rotherham")
    OwnerFactory(name="LSCB P&QA Sub Group", organisation="Merton")
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnerFactory(name="LSCB P&QA Sub Group", organisation="Rotherham")


def test_overdue_uses_the_real_date_and_ignores_complete_and_undated_actions():
    day = dt.date(2012, 12, 1)
    late = ActionFactory(planned_completion_date=dt.date(2012, 11, 30))
    ActionFactory(planned_completion_date=dt.date(2012, 11, 30), status=Action.Status.COMPLETE)
    ActionFactory(planned_completion_text="Ongoing", planned_completion_date=None)
    ActionFactory(planned_completion_date=dt.date(2012, 12, 31))
    assert list(Action.objects.overdue(on=day)) == [late]
