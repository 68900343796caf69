"""History pages narrowed by date and kind of change; one wording for history and edit conflicts;
the action list's search by owner."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from actionplans import history, workflow
from actionplans.models import Action, ProgressUpdate, Recommendation
from core import errors, records

from .conftest import action_form_data
from .factories import ActionFactory, OwnerFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def entries(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    page = response.context["page_obj"]
    return response, [] if page is None else list(page.object_list)


@pytest.fixture
def dated(client, world):
    """The plan's history: created in 2012 (backdated), then a manager's edit and an update now."""
    for model in (Recommendation, Action, ProgressUpdate):
        model.history.all().update(history_date=dt.datetime(2012, 10, 18, 12, tzinfo=LONDON))
    client.force_login(world.manager)
    data = action_form_data(world.own, status="delayed")
    assert client.post(reverse("action_edit", args=[world.own.pk]), data).status_code == 302
    workflow.progress_add(
        world.own, author=world.manager, written_on=dt.date(2012, 11, 1), text="Going well."
    )
    client.force_login(world.clerk)
    return world


@pytest.mark.parametrize("name", ["plan_history", "recommendation_history", "action_history"])
def test_history_by_date_range(client, dated, name):
    obj = {
        "plan_history": dated.plan,
        "recommendation_history": dated.rec,
        "action_history": dated.own,
    }[name]
    url = reverse(name, args=[obj.pk])
    _, everything = entries(client, url)
    _, in_2012 = entries(client, url, since="01/10/2012", until="31/12/2012")
    _, later = entries(client, url, since="01/01/2013")
    assert in_2012 and later
    assert {e.when.year for e in in_2012} == {2012}
    assert all(e.when.year > 2012 for e in later)
    assert len(in_2012) + len(later) == len(everything)
    _, one_day = entries(client, url, since="18/10/2012", until="18/10/2012")
    assert len(one_day) == len(in_2012)
    _, none = entries(client, url, until="17/10/2012")
    assert none == []


def test_history_by_kind_of_change(client, dated):
    url = reverse("plan_history", args=[dated.plan.pk])
    _, progress = entries(client, url, kind="progress")
    assert progress and {e.what.split(" of ")[0] for e in progress} == {"Progress update"}
    _, edits = entries(client, url, kind="edits")
    assert [(e.verb, e.what) for e in edits][-1] == ("changed", "Action (a)")
    assert {e.verb for e in edits} == {"changed"}
    assert {e.what.split()[0] for e in edits} <= {"Action", "Recommendation"}
    _, structure = entries(client, url, kind="structure")
    assert "created" in {e.verb for e in structure}
    assert not {e.what.split()[0] for e in structure} & {"Progress"}
    _, both = entries(client, url, kind=["progress", "edits"])
    assert len(both) == len(progress) + len(edits)
    page = client.get(url, {"kind": "progress"}).content.decode()
    assert "Progress updates, proposals and sign-offs" in page  # named in plain words


def test_pagination_keeps_the_filters(client, world):
    for day in range(1, 31):
        ProgressUpdateFactory(action=world.own, written_on=dt.date(2012, 9, day))
    client.force_login(world.clerk)
    url = reverse("action_history", args=[world.own.pk])
    response = client.get(url, {"kind": "progress", "since": "01/01/2012"})
    page = response.content.decode()
    assert response.context["page_obj"].paginator.num_pages == 2
    assert "?kind=progress&amp;since=01%2F01%2F2012&amp;page=2" in page
    second = client.get(url, {"kind": "progress", "since": "01/01/2012", "page": "2"})
    assert second.context["page_obj"].number == 2


@pytest.mark.parametrize(
    "params, message",
    [
        ({"since": "31/02/2012"}, "Enter a real date, for example 18 10 2012."),
        ({"since": "yesterday"}, "Enter the date in numbers, for example 18 10 2012."),
        ({"until": "x" * 100_000}, "Enter the date in numbers, for example 18 10 2012."),
        (
            {"since": "<script>alert(1)</script>"},
            "Enter the date in numbers, for example 18 10 2012.",
        ),
        ({"since": "31/12/2101"}, "Enter a date between 1990 and 2099."),
        ({"until": "01/01/1066"}, "Enter a date between 1990 and 2099."),
        ({"since": "-1"}, "Enter the date in numbers, for example 18 10 2012."),
        ({"since": "01/11/2012", "until": "01/10/2012"}, "must be the same as or after"),
        ({"kind": "everything"}, "Choose kinds of change from the list."),
        ({"kind": "<script>alert(1)</script>"}, "Choose kinds of change from the list."),
        ({"kind": ["progress", "1" * 5000]}, "Choose kinds of change from the list."),
    ],
)
def test_bad_history_filters_are_explained_not_run(client, world, params, message):
    client.force_login(world.clerk)
    for name, obj in [("plan_history", world.plan), ("action_history", world.own)]:
        response = client.get(reverse(name, args=[obj.pk]), params)
        assert response.status_code == 200
        page = response.content.decode()
        assert "govuk-error-summary" in page and "There is a problem" in page
        assert message in page
        assert "<script>alert(1)</script>" not in page
        assert response.context["page_obj"] is None
        assert page.count('class="app-timeline__item"') == 0


def test_a_bad_page_number_shows_a_page(client, world):
    client.force_login(world.clerk)
    url = reverse("plan_history", args=[world.plan.pk])
    for page in ["abc", "-1", "99999999999999999999", "<b>"]:
        assert client.get(url, {"page": page, "kind": "edits"}).status_code == 200


def test_another_councils_history_stays_hidden_whatever_the_filters(client, world):
    client.force_login(world.partner)
    url = reverse("plan_history", args=[world.other_plan.pk])
    assert client.get(url, {"since": "01/01/2012", "kind": "progress"}).status_code == 404


# One wording for history pages and the conflict page


def test_the_conflict_page_words_changes_as_the_history_page_does(world):
    first = Action.objects.get(pk=world.own.pk)
    stale = Action.objects.get(pk=world.own.pk)
    first.status = Action.Status.DELAYED
    first.text = "x" * 400
    records.record_save_versioned(first, actor=world.manager, expected_version=1)
    stale.text = "Mine"
    with pytest.raises(errors.StaleEdit) as caught:
        records.record_save_versioned(stale, actor=world.admin, expected_version=1)
    conflict = {c["field"]: (c["old"], c["new"]) for c in caught.value.changes}
    described = history.describe(Action.history.filter(id=world.own.pk).latest())
    worded = {c.field: (c.old, c.new) for c in described.changes}
    # The same labels ("Underway", not "underway") and fields from the same code...
    assert conflict["status"] == worded["status"] == ("Underway", "Delayed")
    assert conflict.keys() == worded.keys()
    # ...but the editor sees the other person's text in full, to compare it with their own.
    assert conflict["action required"][1] == "x" * 400
    assert worded["action required"][1] == "x" * 300 + "…"
    assert caught.value.changes[0]["who"] == "manager"


def test_the_conflict_page_shows_owners_by_name(world):
    client = Client()
    client.force_login(world.manager)
    url = reverse("action_edit", args=[world.own.pk])
    opened = Action.objects.get(pk=world.own.pk)
    new_owner = OwnerFactory(name="Warren Carratt", initials="WC")
    assert client.post(url, action_form_data(opened, owners=[new_owner.pk])).status_code == 302
    refused = client.post(url, action_form_data(opened, text="Mine."))
    page = refused.content.decode()
    assert "Someone else saved changes" in page
    assert "Warren Carratt (WC)" in page and "Terry Irvine" in page


# The action list's search


def test_search_finds_owners_by_name_and_initials_once_each(client, world):
    smith = OwnerFactory(name="Jane Smith", initials="JS")
    smiths = OwnerFactory(name="John Smithson", initials="JSn")
    both = ActionFactory(recommendation=world.rec, reference="(e)", owners=[smith, smiths])
    spaced = OwnerFactory(name="Mary Wilson-Smith", initials="M W-S")
    ActionFactory(recommendation=world.rec, reference="(f)", owners=[spaced])
    client.force_login(world.clerk)

    def found(q):
        response = client.get(reverse("action_list"), {"q": q})
        pks = [a.pk for a in response.context["page_obj"].object_list]
        assert len(pks) == len(set(pks)) == response.context["page_obj"].paginator.count
        return pks

    assert found("smith") == [both.pk, Action.objects.get(reference="(f)").pk]
    assert found("js") == [both.pk]
    assert found("JSN") == [both.pk]
    assert found("M W-S") == [Action.objects.get(reference="(f)").pk]
    assert found("Irvine") == [world.own.pk]
    assert found("Irvine referral") == [world.own.pk]  # every word must match somewhere
    assert found("Irvine nothing-like-this") == []


def test_search_for_carratt_in_the_demo_plans(client, db):
    from importers.demo import load_demo

    load_demo()
    client.login(request=HttpRequest(), username="clerk", password="demo")
    response = client.get(reverse("action_list"), {"q": "Carratt"})
    pks = [a.pk for a in response.context["page_obj"].object_list]
    expected = set(
        Action.objects.filter(owners__name__icontains="Carratt").values_list("pk", flat=True)
    )
    assert len(expected) >= 8
    assert len(pks) == len(set(pks)) == len(expected)
    assert set(pks) == expected
