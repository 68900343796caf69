"""The plan page: references, controls named for what they act on, narrowing, folding sections."""

import datetime as dt
import re
from collections import Counter

import pytest
from django.urls import reverse

from actionplans.models import Action, Recommendation

from .factories import ActionFactory, RecommendationFactory, SectionFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def page(client, plan, **params):
    response = client.get(reverse("plan_detail", args=[plan.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def hidden_names(html, visible):
    """Accessible names of the controls whose visible text is ``visible`` (visible + hidden)."""
    found = re.findall(rf">{visible}<span class=\"govuk-visually-hidden\"> ([^<]*)</span>", html)
    return [f"{visible} {name}" for name in found]


def action_rows(html):
    return re.findall(r'<tr class="govuk-table__row" id="action-(\d+)">(.*?)</tr>', html, re.S)


@pytest.fixture
def plan_with_repeats(world):
    """References as councils write them: repeated across sections, and actions with none."""
    plan = world.plan
    first = SectionFactory(plan=plan, title="Areas of Development", order=1)
    second = SectionFactory(plan=plan, title="General Service Enhancements", order=2)
    rec_a = RecommendationFactory(plan=plan, section=first, reference="1")
    rec_b = RecommendationFactory(plan=plan, section=second, reference="1")
    actions = {
        "a1": ActionFactory(recommendation=rec_a, text="Recruit permanent managers", order=1),
        "a2": ActionFactory(recommendation=rec_a, text="Audit case records", order=2),
        "b1": ActionFactory(recommendation=rec_b, reference="(1a)", text="Own ref", order=1),
    }
    return plan, first, second, actions


def test_ref_column_shows_each_actions_reference(client, world, plan_with_repeats):
    plan, _, _, actions = plan_with_repeats
    client.force_login(world.manager)
    html = page(client, plan)
    rows = dict(action_rows(html))
    ref = r'<td class="govuk-table__cell app-plan-table__ref">([^<]*)</td>'
    assert re.search(ref, rows[str(actions["a1"].pk)]).group(1) == "1"
    assert re.search(ref, rows[str(actions["b1"].pk)]).group(1) == "(1a)"
    assert re.search(ref, rows[str(world.own.pk)]).group(1) == "(a)"
    # The old "View" link in the Ref column is gone.
    assert ">View<span" not in "".join(re.findall(ref, html))


def test_controls_sit_in_the_last_column_with_unique_names(client, world, plan_with_repeats):
    plan, _, _, actions = plan_with_repeats
    client.force_login(world.manager)
    html = page(client, plan)
    for pk, row in action_rows(html):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        assert "View" in cells[-1] and "Edit" in cells[-1] and "Move up" in cells[-1], pk
        assert all("Move up" not in c and ">Edit<" not in c for c in cells[:-1]), pk
    names = []
    for visible in ["View", "Edit", "Move up", "Move down"]:
        found = hidden_names(html, visible)
        assert found, visible
        names += found
    assert "View action 1 of 1 in Areas of Development" in names
    assert "Move up action 2 of 1 in Areas of Development" in names
    assert "Move down action (1a) of 1 in General Service Enhancements" in names
    assert "Edit action (a) of CP4" in names
    # No name ends without saying what it acts on, and none is used twice.
    assert not [n for n in names if n.rstrip().endswith(("action", "of"))]
    assert [n for n, count in Counter(names).items() if count > 1] == []


def test_a_reader_sees_only_view_links(client, world):
    client.force_login(world.clerk)
    html = page(client, world.plan)
    assert hidden_names(html, "View") and not hidden_names(html, "Edit")
    assert "Move up" not in html


def test_sections_fold_away_without_javascript(client, world, plan_with_repeats):
    plan, *_ = plan_with_repeats
    client.force_login(world.clerk)
    html = page(client, plan)
    assert html.count('<details class="govuk-details app-section-details" open>') == 3
    assert "2 recommendations" not in html and "1 recommendation and 2 actions" in html
    closed = page(client, plan, sections="closed")
    assert closed.count('<details class="govuk-details app-section-details">') == 3
    assert "Open every section" in closed
    # The rows are still there (a details element only hides them).
    assert len(action_rows(closed)) == len(action_rows(html))


@pytest.fixture
def mixed(world):
    """One action of each kind the filters tell apart, in two sections."""
    plan = world.plan
    other = SectionFactory(plan=plan, title="Within 3 Months", order=5)
    rec = RecommendationFactory(plan=plan, section=other, reference="CP9")
    make = ActionFactory
    return {
        "section": other,
        "red": make(recommendation=rec, planned_completion_date=TODAY - dt.timedelta(days=3)),
        "amber": make(recommendation=rec, planned_completion_date=TODAY + dt.timedelta(days=3)),
        "green": make(recommendation=rec, planned_completion_date=TODAY + dt.timedelta(days=90)),
        "done": make(
            recommendation=rec,
            status=Action.Status.COMPLETE,
            completed_on=TODAY,
            planned_completion_date=TODAY - dt.timedelta(days=30),
        ),
    }


def shown(html):
    return {int(pk) for pk, _ in action_rows(html)}


def test_narrowing(client, world, mixed):
    client.force_login(world.clerk)
    everything = shown(page(client, world.plan))
    assert {mixed[k].pk for k in ("red", "amber", "green", "done")} <= everything

    open_only = page(client, world.plan, open_only="on")
    assert mixed["done"].pk not in shown(open_only)
    assert mixed["green"].pk in shown(open_only)
    assert f"Showing {len(everything) - 1} of {len(everything)} actions." in open_only

    red_amber = shown(page(client, world.plan, red_amber="on"))
    assert {mixed["red"].pk, mixed["amber"].pk} <= red_amber
    assert not red_amber & {mixed["green"].pk, mixed["done"].pk}

    one_section = page(client, world.plan, section=mixed["section"].pk)
    assert shown(one_section) == {mixed[k].pk for k in ("red", "amber", "green", "done")}
    assert "CP4" not in one_section.split('id="shown-count"')[1]
    assert f'<option value="{mixed["section"].pk}" selected>' in one_section
    assert 'name="open_only" id="narrow_open_only">' in one_section  # not checked

    both = page(client, world.plan, red_amber="on", open_only="on", updates="all")
    assert 'name="red_amber" id="narrow_red_amber" checked>' in both
    assert '<input type="hidden" name="updates" value="all">' in both


def test_narrowing_to_nothing_says_so(client, world):
    client.force_login(world.clerk)
    Action.objects.filter(recommendation__plan=world.plan).update(planned_completion_date=None)
    html = page(client, world.plan, red_amber="on")
    assert shown(html) == set()
    assert "No actions match what you chose." in html
    assert "Showing 0 of 4 actions." in html


@pytest.mark.parametrize(
    "params",
    [
        {"section": "abc"},
        {"section": "99999999999999999999999"},
        {"section": "-1"},
        {"section": "<script>alert(1)</script>"},
        {"open_only": "<script>", "red_amber": "x" * 10000},
        {"sections": "<b>", "updates": "'\"><script>"},
    ],
)
def test_bad_narrowing_is_reported_or_ignored(client, world, params):
    client.force_login(world.clerk)
    html = page(client, world.plan, **params)
    assert "<script>alert" not in html and "'\"><script>" not in html
    # A section that is not one of the plan's is reported; the other flags' bad values ignored.
    reported = "section" in params
    assert ("Choose a section of this plan from the list." in html) is reported
    assert ('href="#narrow_section"' in html) is reported  # the error summary's link, to the select
    described = 'id="narrow_section" name="section" aria-describedby="narrow_section_error"'
    assert (described in html) is reported
    assert ("<title>Error: " in html) is reported
    assert str(world.own.pk) in {pk for pk, _ in action_rows(html)}  # the plan is shown either way


def test_another_plans_section_is_refused(client, world):
    elsewhere = SectionFactory(plan=world.other_plan, title="Secret section")
    client.force_login(world.clerk)
    html = page(client, world.plan, section=elsewhere.pk)
    assert "Choose a section of this plan from the list." in html
    assert "Secret section" not in html


def test_without_titled_sections_each_list_of_actions_folds(client, world):
    untitled = SectionFactory(plan=world.other_plan, title="")
    rec = RecommendationFactory(plan=world.other_plan, section=untitled, reference="YOS 2")
    ActionFactory(recommendation=rec)
    client.force_login(world.clerk)
    old_section = world.other_rec.section
    Recommendation.objects.filter(pk=world.other_rec.pk).update(section=None)
    old_section.delete()  # YOS 1 is left without a section
    html = page(client, world.other_plan)
    assert html.count('<details class="govuk-details app-section-details" open>') == 2
    assert "Close every list of actions" in html
    closed = page(client, world.other_plan, sections="closed")
    assert closed.count('<details class="govuk-details app-section-details">') == 2
    assert '1 action<span class="govuk-visually-hidden"> for recommendation YOS 2' in closed
