"""A manager's RAG override: a value of the scale, with a reason, shown as what it is."""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from actionplans.models import Action

from .conftest import action_form_data

pytestmark = pytest.mark.django_db


def edit(client, action, **changes):
    return client.post(
        reverse("action_edit", args=[action.pk]), action_form_data(action, **changes)
    )


def test_the_override_is_a_choice_of_the_scale(client, world):
    client.force_login(world.manager)
    page = client.get(reverse("action_edit", args=[world.own.pk])).content.decode()
    assert 'type="radio" name="rag_override" value="amber"' in page.replace("\n", " ") or (
        'name="rag_override"' in page and 'value="amber"' in page
    )
    assert "No override: use the computed rating" in page
    for typed in ("Amber", "purple", "<script>x</script>", "a" * 5000, "1"):
        response = edit(client, world.own, rag_override=typed, rag_override_reason="Because.")
        assert response.status_code == 200, typed
        assert "Choose red, amber or green, or no override." in response.content.decode()
    world.own.refresh_from_db()
    assert world.own.rag_override == ""


def test_an_override_reads_as_what_it_is_everywhere(client, world):
    Action.objects.filter(pk=world.own.pk).update(
        planned_completion_date=dt.date.today() + dt.timedelta(days=20)
    )
    action = Action.objects.get(pk=world.own.pk)
    client.force_login(world.manager)
    world.manager.first_name, world.manager.last_name = "Jane", "Smith"
    world.manager.save()
    assert (
        edit(client, action, rag_override="amber", rag_override_reason="Staffing risk").status_code
        == 302
    )
    action.refresh_from_db()
    assert (action.rag_override, action.rag_override_by) == ("amber", world.manager)
    words = "Amber (set by Jane Smith: Staffing risk)"
    for url in (
        reverse("action_detail", args=[action.pk]),
        reverse("plan_detail", args=[world.plan.pk]),
        reverse("action_list"),
    ):
        page = client.get(url).content.decode()
        assert words in page, url
        assert "due within 14 days" not in page.split(words)[0][-200:], url
    # Another manager's edit of the text does not take the override over.
    client.force_login(world.admin)
    action.refresh_from_db()
    assert (
        edit(
            client,
            action,
            rag_override="amber",
            rag_override_reason="Staffing risk",
            text="New words",
        ).status_code
        == 302
    )
    action.refresh_from_db()
    assert action.rag_override_by == world.manager


def test_clearing_the_override_clears_its_reason_and_setter(client, world):
    client.force_login(world.manager)
    edit(client, world.own, rag_override="red", rag_override_reason="Slipping.")
    action = Action.objects.get(pk=world.own.pk)
    edit(client, action, rag_override="", rag_override_reason="Slipping.")
    action.refresh_from_db()
    assert (action.rag_override, action.rag_override_reason, action.rag_override_by) == (
        "",
        "",
        None,
    )


@pytest.mark.parametrize(
    ("typed", "stored", "note"),
    [
        ("Amber", "amber", False),
        (" RED ", "red", False),
        ("g", "green", False),
        ("purple", "", True),
        ("Amber-ish", "", True),
    ],
)
def test_the_data_migration_mends_what_was_typed(world, typed, stored, note):
    """Run the migration's own function on rows stored before the constraint (history has none)."""
    mend = import_module("actionplans.migrations.0004_mend_rag_overrides").mend
    record = Action.history.filter(id=world.own.pk).first()
    Action.history.filter(history_id=record.history_id).update(
        rag_override=typed, rag_override_reason="Set by hand."
    )
    mend(apps, None)
    record = Action.history.get(history_id=record.history_id)
    assert record.rag_override == stored
    assert (f'"{typed}" was not a RAG rating' in record.rag_override_reason) is note


def test_a_five_point_plan_offers_its_scale_and_the_override_expires(client, world):
    from actionplans.models import Plan

    Plan.objects.filter(pk=world.plan.pk).update(rag_scale="five")
    client.force_login(world.manager)
    page = client.get(reverse("action_edit", args=[world.own.pk])).content.decode()
    assert 'value="amber_green"' in page
    until = dt.date.today() + dt.timedelta(days=7)
    response = edit(
        client,
        world.own,
        rag_override="amber_red",
        rag_override_reason="Slipping.",
        rag_override_until_0=until.day,
        rag_override_until_1=until.month,
        rag_override_until_2=until.year,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    action = Action.objects.get(pk=world.own.pk)
    assert (action.rag_override, action.rag_override_until) == ("amber_red", until)
    # In history, beside the computed rating on the pages, and gone after its last day.
    assert action.history.first().rag_override_until == until
    page = client.get(reverse("action_detail", args=[action.pk])).content.decode()
    assert "Amber-red (set by" in page and "Computed by the rule" in page
    from actionplans import rag

    assert rag.rate(action, until) == rag.Rag.AMBER_RED
    assert rag.rate(action, until + dt.timedelta(days=1)) != rag.Rag.AMBER_RED


def test_a_three_point_plan_refuses_five_point_values_and_past_expiry(client, world):
    client.force_login(world.manager)
    response = edit(client, world.own, rag_override="amber_red", rag_override_reason="x")
    assert "Choose red, amber or green, or no override." in response.content.decode()
    response = edit(
        client,
        world.own,
        rag_override="red",
        rag_override_reason="x",
        rag_override_until_0="1",
        rag_override_until_1="1",
        rag_override_until_2="2001",
    )
    assert "cannot be in the past" in response.content.decode()
    world.own.refresh_from_db()
    assert world.own.rag_override == ""
