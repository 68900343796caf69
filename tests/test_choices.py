"""Every field with a fixed set of values: the database refuses anything else, and no page breaks.

A manager once typed "Amber" into the RAG override; from then on the action's page and its whole
plan answered 500 for everyone. These tests walk every such field rather than that one.
"""

import datetime as dt

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from actionplans.models import Action, CompletionStep, PublicationPolicy, Withholding

from .factories import FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db

APPS = ("actionplans", "inspections")
BAD = "Amber!"  # what a person might type; in no field's set of values


def choice_fields(historical):
    return [
        (model, field)
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        if model.__name__.startswith("Historical") == historical
        for field in model._meta.concrete_fields
        if field.choices and field.name != "history_type"  # simple-history's own +, ~, -
    ]


LIVE = choice_fields(historical=False)
HISTORY = choice_fields(historical=True)


def test_the_walk_finds_the_fields_it_should():
    names = {f"{model.__name__}.{field.name}" for model, field in LIVE}
    assert {
        "Owner.kind",
        "Plan.status",
        "Plan.overall_rating",
        "Action.status",
        "Action.rag_override",
        "Measure.unit",
        "ProgressUpdate.kind",
        "ProgressUpdate.status",
        "Inspection.kind",
        "Finding.kind",
    } <= names


def bad_for(field):
    """BAD, cut to the column's width: too long a value is refused for its length, not its kind."""
    return BAD[: field.max_length] if field.max_length else BAD


def records_the_world_lacks(world):
    """One of each record with choices that the shared world has none of."""
    CompletionStep.objects.create(action=world.own, step="assured", recorded_by=world.manager)
    Withholding.objects.create(action=world.own, field="text", category="1")
    PublicationPolicy.objects.create(organisation=world.plan.organisation, name_from="officer")


@pytest.mark.parametrize(("model", "field"), LIVE, ids=[f"{m.__name__}.{f.name}" for m, f in LIVE])
def test_the_database_refuses_a_value_outside_the_choices(world, model, field):
    FindingFactory(inspection=InspectionFactory())
    records_the_world_lacks(world)
    obj = model.objects.first()
    assert obj is not None, f"no {model.__name__} to try"
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=obj.pk).update(**{field.name: bad_for(field)})


def test_a_bad_value_kept_in_history_breaks_no_page(client, world):
    """History tables keep what was once stored (no constraint there): every page copes with it."""
    FindingFactory(inspection=InspectionFactory())
    for model, field in HISTORY:
        model.objects.update(**{field.name: bad_for(field)})
    client.force_login(world.manager)
    today = dt.date.today().strftime("%d/%m/%Y")
    urls = [
        reverse("home"),
        reverse("plan_detail", args=[world.plan.pk]),
        reverse("plan_as_of", args=[world.plan.pk]) + f"?date={today}",
        reverse("plan_history", args=[world.plan.pk]),
        reverse("recommendation_history", args=[world.rec.pk]),
        reverse("action_detail", args=[world.own.pk]),
        reverse("action_history", args=[world.own.pk]),
        reverse("action_list") + "?rag=amber&status=underway",
        reverse("plan_measures", args=[world.plan.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_a_rag_override_outside_the_scale_is_ignored_by_the_rule():
    """Defence in depth: were one ever read (an old row), the rule rates as if none was set."""
    from actionplans import rag

    action = Action(status="underway", planned_completion_date=None, rag_override="Amber")
    assert rag.rate(action, dt.date(2012, 11, 1)) == rag.Rag.NONE
    assert rag.words(action, rag.Rag.NONE) == "No date"
