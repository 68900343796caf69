"""How people and owners are named, and the plan page's status line (issue 12's wording faults)."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.urls import reverse

from actionplans import workflow
from actionplans.models import Action, Owner, Plan
from core import errors, records
from core.people import person_name

from .factories import (
    ActionFactory,
    OwnerFactory,
    PlanFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def render_person(user, argument=""):
    source = "{% load plans %}{{ who|person" + (f':"{argument}"' if argument else "") + " }}"
    return Template(source).render(Context({"who": user}))


def test_person_name_is_full_name_else_username_else_the_system():
    jane = UserFactory(username="jsmith", first_name="Jane", last_name="Smith")
    bare = UserFactory(username="jdoe")
    assert person_name(jane) == "Jane Smith"
    assert person_name(bare) == "jdoe"
    assert person_name(None) == "The system"
    assert person_name(None, "Nobody") == "Nobody"
    assert person_name(AnonymousUser()) == "The system"
    # The filter is the same function.
    assert render_person(jane) == "Jane Smith"
    assert render_person(bare) == "jdoe"
    assert render_person(None) == "The system"
    assert render_person(None, "Unknown") == "Unknown"
    assert render_person("") == "The system"  # a missing template variable
    # Names are text, escaped like any other.
    evil = UserFactory(username="evil", first_name="<script>x</script>")
    assert render_person(evil) == "&lt;script&gt;x&lt;/script&gt;"


def test_no_template_formats_a_name_itself():
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text()
        assert "get_full_name" not in text and "get_username" not in text, path


@pytest.fixture
def jane(world):
    user = world.manager
    user.first_name, user.last_name = "Jane", "Smith"
    user.save()
    return user


def test_pages_name_people_by_the_one_rule(client, world, jane):
    client.force_login(jane)
    home = client.get(reverse("home")).content.decode()
    assert "Signed in as Jane Smith." in home
    assert 'Sign out<span class="govuk-visually-hidden"> (Jane Smith)</span>' in home

    workflow.progress_add(
        world.own, author=jane, written_on=dt.date(2012, 10, 19), text="Checked by Jane."
    )
    action_page = client.get(reverse("action_detail", args=[world.own.pk])).content.decode()
    assert "By Jane Smith" in action_page
    plan_page = client.get(
        reverse("plan_detail", args=[world.plan.pk]), {"updates": "all"}
    ).content.decode()
    assert "Checked by Jane." in plan_page


def test_an_edit_conflict_names_the_other_editor_by_name(world, jane):
    action = Action.objects.get(pk=world.own.pk)
    stale = Action.objects.get(pk=world.own.pk)
    action.text = "First"
    records.record_save_versioned(action, actor=jane, expected_version=1)
    stale.text = "Second"
    with pytest.raises(errors.StaleEdit) as caught:
        records.record_save_versioned(stale, actor=world.admin, expected_version=1)
    assert {c["who"] for c in caught.value.changes} == {"Jane Smith"}


def test_history_names_the_user_by_the_one_rule(client, world, jane):
    action = Action.objects.get(pk=world.own.pk)
    action.text = "Changed by Jane"
    records.record_save_versioned(action, actor=jane, expected_version=1)
    client.force_login(world.clerk)
    page = client.get(reverse("action_history", args=[world.own.pk])).content.decode()
    assert "Jane Smith changed" in page


def test_an_owner_named_by_initials_is_not_named_twice():
    assert str(Owner(name="CMc", initials="CMc")) == "CMc"
    assert str(Owner(name="Carol McKenzie", initials="CMc")) == "Carol McKenzie (CMc)"
    assert str(Owner(name="Youth Offending Team")) == "Youth Offending Team"


def test_an_update_attributed_to_an_owner_named_by_initials(client, world):
    owner = OwnerFactory(name="CMc", initials="CMc")
    action = ActionFactory(recommendation=world.rec, owners=[owner])
    ProgressUpdateFactory(action=action, author=None, attributed_to=owner, text="Newest")
    ProgressUpdateFactory(
        action=action,
        author=None,
        attributed_to=owner,
        text="Older",
        written_on=dt.date(2012, 1, 1),
    )
    client.force_login(world.clerk)
    plan_page = client.get(
        reverse("plan_detail", args=[world.plan.pk]), {"updates": "all"}
    ).content.decode()
    assert "CMc (CMc)" not in plan_page
    assert ", CMc</p>" in plan_page  # the earlier update's attribution
    action_page = client.get(reverse("action_detail", args=[action.pk])).content.decode()
    assert "CMc (CMc)" not in action_page and "By CMc" in action_page


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Plan.Status.SUBMITTED, "Submitted to the inspectorate on 3 October 2011"),
        (
            Plan.Status.APPROVED,
            "Approved, in delivery, submitted to the inspectorate on 3 October 2011",
        ),
    ],
)
def test_plan_status_says_submitted_once(client, world, status, expected):
    plan = PlanFactory(status=status, submitted_on=dt.date(2011, 10, 3))
    RecommendationFactory(plan=plan)
    client.force_login(world.clerk)
    page = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert f'<dd class="govuk-summary-list__value">{expected}</dd>' in page
    assert page.lower().count("submitted to the inspectorate") == 1
