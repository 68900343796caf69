"""History in words, and a plan as it stood on a chosen date."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpRequest
from django.urls import reverse

from actionplans import snapshots
from actionplans.models import Action
from core.people import person_name

from .conftest import action_form_data
from .factories import OwnerFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def edit_action(client, action, **changes):
    data = action_form_data(action, **changes)
    response = client.post(reverse("action_edit", args=[action.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]
    action.refresh_from_db()


def test_history_says_who_changed_which_field_from_what_to_what(client, world):
    client.force_login(world.manager)
    new_owner = OwnerFactory(name="Warren Carratt", organisation=world.plan.organisation)
    edit_action(
        client,
        world.own,
        planned_completion_text="Dec 12",
        date_reason="Waiting for the board",
        status="delayed",
        owners=[new_owner.pk],
    )
    for url in [
        reverse("action_history", args=[world.own.pk]),
        reverse("plan_history", args=[world.plan.pk]),
        reverse("recommendation_history", args=[world.rec.pk]),
    ]:
        page = client.get(url).content.decode()
        assert "manager changed Action (a)" in page
        assert "Planned completion</strong> from “Nov 12” to “Dec 12”" in page
        assert "Status</strong> from “Underway” to “Delayed”" in page
        assert "Owners</strong> from “Terry Irvine” to “Warren Carratt”" in page
        assert "to “(none)”" not in page  # one entry for the whole edit


def test_plan_as_it_stood_on_a_date(client, world):
    client.force_login(world.manager)
    before = world.own.history.latest().history_date
    edit_action(client, world.own, text="Rewritten later.")
    Action.history.filter(id=world.own.pk, history_date__gt=before).update(
        history_date=dt.datetime(2030, 1, 1, 12, tzinfo=LONDON)
    )
    then = snapshots.as_of(world.plan, dt.datetime(2029, 12, 31, tzinfo=LONDON))
    texts = [a.text for s in then.sections for r in s.recommendations for a in r.actions]
    assert world.own.text not in texts and "Refresh the referral form." in texts
    assert snapshots.as_of(world.plan, dt.datetime(1999, 1, 1, tzinfo=LONDON)) is None


def refs(outline):
    return [a.reference for s in outline.sections for r in s.recommendations for a in r.actions]


def test_removed_action_still_shows_as_it_stood(client, world):
    client.force_login(world.manager)
    before_removal = dt.datetime.now(LONDON)
    client.post(reverse("remove", args=["action", world.others.pk]))
    assert "(c)" in refs(snapshots.as_of(world.plan, before_removal))
    assert "(c)" not in refs(snapshots.current(world.plan))
    assert "(c)" not in refs(snapshots.as_of(world.plan, dt.datetime.now(LONDON)))


def test_as_of_page_on_the_demo_plan(client, db):
    from actionplans.models import Plan
    from importers.demo import load_demo

    load_demo()
    plan = Plan.objects.get(title__startswith="Improvement Panel")
    client.login(request=HttpRequest(), username="clerk", password="demo")
    url = reverse("plan_as_of", args=[plan.pk])
    page = client.get(url, {"date": "31/10/2012"}).content.decode()
    assert "as it stood on 31 October 2012" in page and "36 actions" in page
    assert "Multi Agency Referral Form (MARF)" in page
    assert "Terry Irvine" in page  # owners as they stood
    page = client.get(url, {"date": "01/10/2012"}).content.decode()
    assert "The plan had not been recorded yet on 1 October 2012." in page


def test_a_record_from_a_plans_own_document_says_so_and_who_brought_it_in(world):
    from actionplans.history import describe

    imported = world.own.history.first()
    imported.history_type = "+"
    imported.history_change_reason = "Imported from a file"
    imported.history_user = world.manager
    assert describe(imported).who == "Imported from the plan by " + person_name(world.manager)
    imported.history_user = None
    assert describe(imported).who == "Imported from the plan"
    imported.history_change_reason = "Edited"
    assert describe(imported).who == "The system"


def test_a_new_plan_is_one_history_record_with_its_inspections_and_managers(world):
    from actionplans import plan_setup
    from actionplans.models import Plan

    from .factories import InspectionFactory

    inspection = InspectionFactory()
    plan = plan_setup.plan_create(
        Plan(title="Youth justice plan", organisation=world.plan.organisation),
        actor=world.manager,
        inspections=[inspection],
    )
    (record,) = plan.history.all()
    assert record.history_type == "+" and record.history_user == world.manager
    assert [m.user_id for m in record.managers.all()] == [world.manager.pk]
    assert [i.inspection_id for i in record.inspections.all()] == [inspection.pk]
    assert list(plan.managers.all()) == [world.manager]
    assert list(plan.inspections.all()) == [inspection]
