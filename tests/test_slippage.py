"""Dates that slip in plain sight (issue 27): a moved planned completion needs a reason, the first
date is kept and shown, layouts print the original and revised dates, and the dashboards add the
moves up by plan, owner and recommendation in a fixed number of queries."""

import datetime as dt
import io
from importlib import import_module

import pypdf
import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplans import fuzzy_dates, plan_setup
from actionplans.models import Action, DateMove, Owner
from core.errors import Refused
from importers.plan_writer import plan_import
from reporting import appendix, printing
from reporting.appendix import Column, Spec

from .conftest import action_form_data, person
from .factories import ActionFactory, OwnerFactory, PlanFactory, RecommendationFactory

pytestmark = pytest.mark.django_db

OTHER_COUNCIL = "Other Borough Council"
REQUIRED = "Say why the date moved"


def edit(client, action, **changes):
    action.refresh_from_db()
    return client.post(
        reverse("action_edit", args=[action.pk]), action_form_data(action, **changes)
    )


def move(action, text, reason, actor):
    """Move ``action``'s planned completion to ``text`` through the service, as the form does."""
    action = Action.objects.get(pk=action.pk)
    action.planned_completion_text = text
    plan_setup.action_edit(
        action,
        actor=actor,
        version=action.version,
        fields=["planned_completion_text"],
        owners=action.ordered_owners,
        date_reason=reason,
    )
    return Action.objects.get(pk=action.pk)


@pytest.fixture
def manager(client, world):
    client.force_login(world.manager)
    return client


def unchanged(action):
    """The action as stored, and no move recorded, after a refused edit."""
    stored = Action.objects.get(pk=action.pk)
    assert (stored.planned_completion_text, stored.version) == (
        action.planned_completion_text,
        action.version,
    )
    assert stored.date_revisions == 0
    assert not DateMove.objects.filter(action=action).exists()


# --- A reason, or nothing saved ----------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_moving_the_date_without_a_reason_is_refused_and_nothing_saved(manager, world, reason):
    response = edit(manager, world.own, planned_completion_text="Jan 13", date_reason=reason)
    assert response.status_code == 200
    assert REQUIRED in response.content.decode()
    unchanged(world.own)


def test_the_service_refuses_a_move_without_a_reason(world):
    with pytest.raises(Refused, match=REQUIRED):
        move(world.own, "Jan 13", "", world.manager)
    unchanged(world.own)


def test_the_first_date_is_kept_after_two_moves(manager, world):
    edit(manager, world.own, planned_completion_text="Jan 13", date_reason="Recruitment delayed")
    response = edit(
        manager, world.own, planned_completion_text="March 2013", date_reason="Board in March"
    )
    assert response.status_code == 302
    action = Action.objects.get(pk=world.own.pk)
    assert action.planned_completion_text == "March 2013"
    assert action.planned_completion_date == dt.date(2013, 3, 31)
    assert action.first_planned_completion_text == "Nov 12"
    assert action.first_planned_completion_date == dt.date(2012, 11, 30)
    assert action.date_revisions == 2
    moves = list(DateMove.objects.filter(action=action).order_by("moved_at", "pk"))
    assert [(m.from_text, m.to_text, m.days, m.reason) for m in moves] == [
        ("Nov 12", "Jan 13", 62, "Recruitment delayed"),
        ("Jan 13", "March 2013", 59, "Board in March"),
    ]
    assert {m.moved_by for m in moves} == {world.manager}
    reasons = action.history.order_by("-history_date").values_list(
        "history_change_reason", flat=True
    )
    assert list(reasons[:2]) == ["Date moved: Board in March", "Date moved: Recruitment delayed"]


def test_revised_twice_and_the_first_date_are_shown(manager, world):
    edit(manager, world.own, planned_completion_text="Jan 13", date_reason="Recruitment delayed")
    edit(manager, world.own, planned_completion_text="March 2013", date_reason="Board in March")
    action_page = manager.get(reverse("action_detail", args=[world.own.pk])).content.decode()
    assert "Revised twice; first due Nov 12" in action_page
    assert "Board in March" in action_page  # the moves, each with its reason
    plan_page = manager.get(world.plan.get_absolute_url()).content.decode()
    assert plan_page.count("Revised twice; first due Nov 12") == 1  # the moved action's row only
    history = manager.get(reverse("action_history", args=[world.own.pk])).content.decode()
    for words in (
        "Date moved: Recruitment delayed",
        "Date moved: Board in March",
        "from “Nov 12” to “Jan 13”",
        "from “Jan 13” to “March 2013”",
    ):
        assert words in history


def test_the_reason_is_asked_on_the_edit_form_not_when_adding(manager, world):
    label = "Why has the planned completion moved?"
    assert label in manager.get(reverse("action_edit", args=[world.own.pk])).content.decode()
    assert label not in manager.get(reverse("action_add", args=[world.rec.pk])).content.decode()


def test_a_first_move_of_an_action_is_once(world):
    action = move(world.others, "Ongoing", "Folded into business as usual", world.manager)
    assert action.revision_words == "revised once; first due Nov 12"
    assert action.date_moves.get().days is None  # to words without a date: a move, no days


# --- What is not a move ------------------------------------------------------------------------


def test_the_date_an_action_is_added_or_imported_with_is_its_first(world):
    added = plan_setup.action_add(
        Action(recommendation=world.rec, text="Added", planned_completion_text="Dec 12"),
        actor=world.manager,
    )
    spec = {
        "title": "Imported plan",
        "sections": [
            {
                "title": "",
                "recommendations": [
                    {
                        "reference": "R1",
                        "text": "Improve",
                        "actions": [{"text": "Imported", "planned_completion": "Mar 13"}],
                    }
                ],
            }
        ],
    }
    plan_import(spec, actor=world.manager, organisation=world.plan.organisation)
    for text, first in (("Added", ("Dec 12", 2012, 12)), ("Imported", ("Mar 13", 2013, 3))):
        action = Action.objects.get(text=text)
        assert action.first_planned_completion_text == first[0]
        assert action.first_planned_completion_date.timetuple()[:2] == first[1:]
        assert (action.date_revisions, action.revision_words) == (0, "")
    assert added.pk and not DateMove.objects.exists()


@pytest.mark.parametrize("text", ["November 2012", "30/11/2012", "nov 12", "Nov  12"])
def test_the_same_date_in_other_words_is_not_a_move(manager, world, text):
    response = edit(manager, world.own, planned_completion_text=text, date_reason="")
    assert response.status_code == 302
    action = Action.objects.get(pk=world.own.pk)
    assert action.planned_completion_text == text
    assert action.date_revisions == 0
    assert not DateMove.objects.exists()


def test_an_edit_leaving_the_date_alone_needs_no_reason(manager, world):
    assert edit(manager, world.own, target="95% on time", date_reason="").status_code == 302
    assert Action.objects.get(pk=world.own.pk).target == "95% on time"
    assert not DateMove.objects.exists()


def test_a_date_set_apart_from_its_text_is_not_moved_by_an_edit_leaving_the_text(manager, world):
    # The date follows the text: the form and the service read a move from the text alike.
    Action.objects.filter(pk=world.own.pk).update(planned_completion_date=dt.date(2013, 6, 30))
    assert edit(manager, world.own, target="All on time", date_reason="").status_code == 302
    assert not DateMove.objects.exists()
    assert Action.objects.get(pk=world.own.pk).date_revisions == 0


def test_a_first_date_given_to_an_action_without_one_is_no_move(manager, world):
    undated = ActionFactory(
        recommendation=world.rec, planned_completion_text="", planned_completion_date=None
    )
    assert edit(manager, undated, planned_completion_text="Jan 13").status_code == 302
    action = Action.objects.get(pk=undated.pk)
    assert (action.first_planned_completion_text, action.date_revisions) == ("Jan 13", 0)
    assert action.first_planned_completion_date == dt.date(2013, 1, 31)
    # Moving it now is a move, from its first date.
    response = edit(manager, action, planned_completion_text="Feb 13")
    assert REQUIRED in response.content.decode()


@pytest.mark.parametrize(
    "before, after, moved",
    [
        ("Ongoing", "Immediate effect", True),  # neither names a date: the words moved
        ("Ongoing", "ongoing", False),
        ("Nov 12", "", True),  # a date taken away
        ("Ongoing", "Nov 12", True),  # words become a date
    ],
)
def test_what_counts_as_a_move_between_words(manager, world, before, after, moved):
    action = ActionFactory(
        recommendation=world.rec, planned_completion_text=before, planned_completion_date=None
    )
    action.derive_planned_completion_date()
    action.save()
    response = edit(manager, action, planned_completion_text=after, date_reason="")
    assert (REQUIRED in response.content.decode()) is moved
    assert response.status_code == (200 if moved else 302)


# --- Hostile input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reason, message",
    [
        ("x" * 1_000_000, "characters or fewer"),
        ("x" * 89, "characters or fewer"),
        ("a\x00b", "Null characters are not allowed"),
    ],
)
def test_a_hostile_reason_is_refused_and_nothing_saved(manager, world, reason, message):
    response = edit(manager, world.own, planned_completion_text="Jan 13", date_reason=reason)
    assert response.status_code == 200
    assert message in response.content.decode()
    unchanged(world.own)


def test_a_script_in_the_reason_is_kept_as_text(manager, world):
    script = "<script>alert(1)</script>"
    edit(manager, world.own, planned_completion_text="Jan 13", date_reason=script)
    assert DateMove.objects.get().reason == script
    page = manager.get(reverse("action_detail", args=[world.own.pk])).content.decode()
    assert script not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("text", ["31/12/9999", "01/01/0001", "not a date at all", "x" * 5000])
def test_dates_out_of_range_or_garbage_move_to_no_date_with_a_reason(manager, world, text):
    response = edit(manager, world.own, planned_completion_text=text, date_reason="")
    assert REQUIRED in response.content.decode()
    unchanged(world.own)
    response = edit(manager, world.own, planned_completion_text=text, date_reason="Unknown")
    assert response.status_code == 302
    action = Action.objects.get(pk=world.own.pk)
    # Whatever date the one rule reads in it (none in a year out of range), counted from Nov 12.
    due = fuzzy_dates.derive_date(text)
    assert (action.planned_completion_date, action.date_revisions) == (due, 1)
    assert DateMove.objects.get().days == ((due - dt.date(2012, 11, 30)).days if due else None)


def test_another_councils_action_is_not_found(client, world):
    elsewhere, _ = person("elsewhere_manager", "Manager", OTHER_COUNCIL)
    theirs = ActionFactory(
        recommendation=RecommendationFactory(plan=PlanFactory(organisation=OTHER_COUNCIL))
    )
    client.force_login(elsewhere)
    url = reverse("action_edit", args=[world.own.pk])
    assert client.get(url).status_code == 404
    data = action_form_data(world.own, planned_completion_text="Jan 13", date_reason="Mine now")
    assert client.post(url, data).status_code == 404
    unchanged(world.own)
    # And the dashboards never count the other council's moves.
    move(theirs, "Jan 13", "Their own reason", elsewhere)
    client.force_login(world.admin)
    tables = client.get(reverse("manager_dashboard")).context["slippage"]
    assert all(table.rows == [] for table in tables)


# --- The dashboards ----------------------------------------------------------------------------


@pytest.fixture
def moved(world):
    """Known moves: the officer's action twice (+62 days, then -16), Sue Wilson's once to words
    (no days), and Sue Wilson's action in the other plan once (+31)."""
    move(world.own, "Jan 13", "Recruitment delayed", world.manager)
    move(world.own, "15/01/2013", "Brought forward", world.manager)
    move(world.others, "Ongoing", "Business as usual", world.manager)
    move(world.elsewhere, "Dec 12", "Waiting for the board", world.other_manager)
    return world


def figures(table):
    return {row.label: (row.actions, row.moves, row.days) for row in table.rows}


def test_the_manager_dashboard_adds_up_moves_by_plan_owner_and_recommendation(client, moved):
    client.force_login(moved.admin)
    response = client.get(reverse("manager_dashboard"))
    by_plan, by_owner, by_rec = response.context["slippage"]
    assert figures(by_plan) == {
        "Child protection improvement plan": (2, 3, 46),
        "Youth justice improvement plan": (1, 1, 31),
    }
    assert figures(by_owner) == {"Terry Irvine": (1, 2, 46), "Sue Wilson": (2, 2, 31)}
    assert figures(by_rec) == {
        "CP4 (Child protection improvement plan)": (2, 3, 46),
        "YOS 1 (Youth justice improvement plan)": (1, 1, 31),
    }
    page = response.content.decode()
    assert "Dates moved by plan" in page and "Days moved in total" in page
    assert f'href="{reverse("plan_dashboard", args=[moved.plan.pk])}"' in page


def test_the_plan_dashboard_adds_up_its_own_moves(client, moved):
    client.force_login(moved.manager)
    response = client.get(reverse("plan_dashboard", args=[moved.plan.pk]))
    by_rec, by_owner = response.context["slippage"]
    assert figures(by_rec) == {"CP4": (2, 3, 46)}
    assert figures(by_owner) == {"Terry Irvine": (1, 2, 46), "Sue Wilson": (1, 1, 0)}
    # A table a screen reader reads: captioned, headed columns, the figures as text, not a chart.
    page = response.content.decode()
    table = page[page.index("Dates moved by recommendation</caption>") :]
    table = table[: table.index("</table>")]
    assert (
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Days moved'
        in table
    )
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">46</td>' in table


def test_a_move_made_since_the_dashboards_were_last_seen_is_counted(client, world):
    """The dashboards are reused while nothing they show changes (page_cache): a move is a change
    of its plan, recorded in the same transaction."""
    client.force_login(world.admin)
    urls = [reverse("manager_dashboard"), reverse("plan_dashboard", args=[world.plan.pk])]
    for url in urls:
        page = client.get(url).content.decode()
        assert "No planned completion dates have moved." in page
        assert "Days moved in total" not in page
    move(world.own, "Jan 13", "Recruitment delayed", world.manager)
    for url in urls:
        page = client.get(url).content.decode()
        assert "Days moved in total" in page  # a table's heading: only over rows
        assert "No planned completion dates have moved." not in page


def test_each_plans_moves_kept_add_up_as_made_afresh(client, moved):
    """The manager's dashboard keeps each plan's moves while the plan is unchanged: after a move
    in one plan and an owner renamed (which changes every plan), what it shows is what it shows
    made afresh."""
    client.force_login(moved.admin)
    url = reverse("manager_dashboard")
    client.get(url)
    move(moved.elsewhere, "Jan 13", "Later still", moved.other_manager)
    sue = Owner.objects.get(name="Sue Wilson")
    sue.name = "Susan Wilson"
    plan_setup.owner_edit(sue, actor=moved.admin, version=sue.version, fields=["name"])
    kept = [figures(table) for table in client.get(url).context["slippage"]]
    caches[settings.PAGE_CACHE].clear()
    assert kept == [figures(table) for table in client.get(url).context["slippage"]]
    assert kept[1] == {"Terry Irvine": (1, 2, 46), "Susan Wilson": (2, 3, 62)}


def test_a_dashboard_without_moves_says_so(client, world):
    client.force_login(world.manager)
    page = client.get(reverse("plan_dashboard", args=[world.plan.pk])).content.decode()
    assert "No planned completion dates have moved." in page


def queries_for(client, url):
    caches[settings.PAGE_CACHE].clear()  # what it costs to make the page, nothing reused
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_dashboard_queries_stay_the_same_as_moves_grow(client, moved, settings):
    settings.SESSION_REFRESH_SECONDS = 24 * 60 * 60  # no keep-alive save of the session counted
    client.force_login(moved.admin)
    urls = [reverse("manager_dashboard"), reverse("plan_dashboard", args=[moved.plan.pk])]
    before = [queries_for(client, url) for url in urls]
    for n in range(12):
        owner = OwnerFactory(name=f"Owner {n}")
        action = ActionFactory(
            recommendation=RecommendationFactory(plan=moved.plan), owners=[owner]
        )
        move(action, "Jan 13", "Later", moved.manager)
        move(action, "Feb 13", "Later again", moved.manager)
    assert [queries_for(client, url) for url in urls] == before
    by_plan = client.get(urls[0]).context["slippage"][0]
    assert figures(by_plan)["Child protection improvement plan"] == (14, 27, 46 + 12 * (62 + 28))


# --- Layouts -----------------------------------------------------------------------------------


def test_layout_columns_print_the_original_and_revised_dates(world):
    move(world.own, "Feb 13", "Waiting for the panel", world.manager)
    spec = Spec(
        name="Dates",
        columns=[
            Column("Ref", "action_reference", 10),
            Column("Original date", "original_date", 20),
            Column("Revised date", "revised_date", 20),
        ],
    )
    doc = appendix.build(world.plan, spec, timezone.localdate())
    cells = {
        row.cells[0].paras[0].text: [" ".join(p.text for p in c.paras) for c in row.cells[1:]]
        for row in doc.rows
        if row.cells and row.cells[0].paras
    }
    assert cells["(a)"] == ["Nov 12", "Feb 13"]
    assert cells["(b)"] == ["Nov 12", ""]  # never moved: its date is the original
    laid_out, _, _ = printing.layout_pdf(doc)
    pdf = pypdf.PdfReader(io.BytesIO(laid_out.write_pdf(pdf_tags=True)))
    text = " ".join(page.extract_text() for page in pdf.pages)
    for words in ("Original date", "Revised date", "Nov 12", "Feb 13"):
        assert words in text


# --- Actions from before ------------------------------------------------------------------------


def test_the_data_migration_fills_first_dates_and_moves_from_history(world):
    moved = move(world.own, "Jan 13", "Recruitment delayed", world.manager)
    moved = move(moved, "Mar 13", "Board in March", world.manager)
    # As an action stood before the migration: no first date, no count, no moves recorded.
    DateMove.objects.all().delete()
    Action.objects.update(
        first_planned_completion_text="", first_planned_completion_date=None, date_revisions=0
    )
    Action.history.update(
        first_planned_completion_text="", first_planned_completion_date=None, date_revisions=0
    )
    import_module("actionplans.migrations.0014_date_revisions").fill_from_history(apps, None)
    action = Action.objects.get(pk=world.own.pk)
    assert action.revision_words == "revised twice; first due Nov 12"
    assert [(m.from_text, m.to_text, m.reason) for m in action.date_moves.all()] == [
        ("Nov 12", "Jan 13", "Recruitment delayed"),
        ("Jan 13", "Mar 13", "Board in March"),
    ]
    never = Action.objects.get(pk=world.others.pk)  # never moved: its date is its first
    assert (never.first_planned_completion_text, never.date_revisions) == ("Nov 12", 0)
    first = Action.history.filter(id=world.own.pk).order_by("history_date").first()
    assert (first.first_planned_completion_text, first.date_revisions) == ("Nov 12", 0)
