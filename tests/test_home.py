"""Home pages: an officer sees what happened to their work; a clerk sees the plans they read."""

import datetime as dt
import re
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplans import plan_setup, queries, rules, workflow
from actionplans.models import Action, Owner, ProgressUpdate

from .conftest import action_form_data, pdf
from .factories import ActionFactory, OwnerFactory, PlanFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LONG_AGO = timezone.now() - dt.timedelta(days=400)


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def rows(response):
    """The action ids listed in the home page's attention table, in order (repeats kept)."""
    return [int(pk) for pk in re.findall(r'id="attention-(\d+)"', response.content.decode())]


def reasons_of(response, action):
    """The reasons the attention table gives for ``action``, as the page shows them."""
    page = response.content.decode()
    row = page[page.index(f'id="attention-{action.pk}"') :]
    return re.findall(r'data-reason="(\w+)"', row[: row.index("</tr>")])


def make_old(*actions):
    Action.objects.filter(pk__in=[a.pk for a in actions]).update(created_at=LONG_AGO)


def return_it(action, manager, reason="Attach the audit report, please."):
    workflow.completion_return(action, manager=manager, reason=reason)
    action.refresh_from_db()


# An officer's home


def test_a_returned_proposal_is_shown_at_the_top_until_the_officer_answers(client, world, proposed):
    return_it(proposed, world.manager, "Attach the audit report, please.")
    page = home(client, world.officer).content.decode()
    banner = page[page.index('class="govuk-notification-banner"') : page.index("<h1")]
    assert "A manager returned your proposal" in banner
    assert "Attach the audit report, please." in banner
    assert f'href="{reverse("action_detail", args=[proposed.pk])}"' in banner
    assert reasons_of(home(client, world.officer), proposed)[0] == "returned"
    # Nobody else is told: not the other officer.
    assert "returned your proposal" not in home(client, world.other_officer).content.decode()

    # The officer answers with a progress update: the banner goes.
    client.force_login(world.officer)
    response = client.post(
        reverse("action_update", args=[proposed.pk]),
        {"written_on": "18/10/2012", "text": "Audit report attached.", "status": ""},
    )
    assert response.status_code == 302
    answered = home(client, world.officer)
    assert "returned your proposal" not in answered.content.decode()
    assert "Returned to you:" not in answered.content.decode()


def test_a_new_proposal_also_answers_a_return(client, world, proposed):
    return_it(proposed, world.manager)
    workflow.completion_propose(
        proposed,
        author=world.officer,
        written_on=dt.date(2012, 10, 19),
        text="Again",
        files=[pdf()],
    )
    assert "returned your proposal" not in home(client, world.officer).content.decode()


def test_each_action_is_listed_once_with_every_reason(client, world):
    make_old(world.own, world.via_team)
    response = home(client, world.officer)
    # world.own is past its date (Nov 2012) and its last update was in October 2012.
    assert rows(response).count(world.own.pk) == 1
    assert reasons_of(response, world.own) == ["overdue", "stale"]
    assert sorted(rows(response)) == sorted({world.own.pk, world.via_team.pk})
    page = response.content.decode()
    assert "Overdue</li><li" in page and "No recent update" in page


def test_the_counts_are_of_every_action_needing_attention_not_of_those_shown(world):
    nothing = queries.my_work(world.officer, dt.date(1990, 1, 1))  # before any of it was due
    assert (nothing.total, nothing.actions) == (0, [])
    assert set(nothing.counts.values()) == {0}
    late = TODAY - dt.timedelta(days=1)
    for _ in range(queries.ATTENTION_SHOWN + 4):
        ActionFactory(
            recommendation=world.rec, owners=[world.officer_owner], planned_completion_date=late
        )
    make_old(*Action.objects.all())
    work = queries.my_work(world.officer, TODAY)
    assert len(work.actions) == queries.ATTENTION_SHOWN
    overdue = queries.overdue_rule(TODAY) & Q(pk__in=rules.owned_actions(world.officer))
    stale = queries.stale_rule(TODAY) & Q(pk__in=rules.owned_actions(world.officer))
    assert work.counts["overdue"] == Action.objects.filter(overdue).count() > len(work.actions)
    assert work.counts["stale"] == Action.objects.filter(stale).count() > len(work.actions)
    assert work.total == Action.objects.filter(overdue | stale).count()


def test_an_action_awaiting_sign_off_is_shown_as_such_not_as_overdue(client, world, proposed):
    make_old(proposed)
    response = home(client, world.officer)
    assert reasons_of(response, proposed) == ["awaiting_manager"]
    row = re.search(
        rf'id="attention-{proposed.pk}".*?</tr>', response.content.decode(), flags=re.S
    ).group()
    assert "Awaiting sign-off" in row
    assert "Red: overdue" not in row
    assert "overdue" in reasons_of(response, world.via_team)  # the officer's other action
    # The manager who signs it off sees it as theirs to sign off, first.
    manager_view = home(client, world.manager)
    assert reasons_of(manager_view, proposed) == ["awaiting_you"]
    assert rows(manager_view)[0] == proposed.pk


def test_a_new_action_is_not_stale_on_the_day_it_is_created(world):
    fresh = ActionFactory(recommendation=world.rec, owners=[world.officer_owner])
    assert fresh.pk not in queries.stale(Action.objects.all(), TODAY).values_list("pk", flat=True)
    work = queries.my_work(world.officer, TODAY)
    assert "stale" not in [k for a in work.actions if a.pk == fresh.pk for k, _ in a.reasons]
    # A month and a day later, still without an update, it is.
    Action.objects.filter(pk=fresh.pk).update(
        created_at=timezone.now() - dt.timedelta(days=queries.STALE_DAYS + 1)
    )
    assert queries.stale(Action.objects.filter(pk=fresh.pk), TODAY).exists()
    # An update within the window counts from the later of the two.
    ProgressUpdateFactory(action=fresh, written_on=TODAY - dt.timedelta(days=3))
    assert not queries.stale(Action.objects.filter(pk=fresh.pk), TODAY).exists()


def test_the_plan_says_how_long_is_stale(client, world):
    ProgressUpdateFactory(action=world.via_team, written_on=TODAY - dt.timedelta(days=10))
    make_old(world.via_team)
    assert "stale" not in reasons_of(home(client, world.officer), world.via_team)
    # Through the plan's own edit, which the pages' reuse sees (page_cache).
    world.plan.stale_days = 7
    plan_setup.plan_edit(
        world.plan, actor=world.manager, version=world.plan.version, fields=["stale_days"]
    )
    response = home(client, world.officer)
    assert "stale" in reasons_of(response, world.via_team)
    assert "No recent update" in response.content.decode()
    # The action list's filter and the rating read the same setting.
    listed = client.get(reverse("action_list") + "?stale=on").content.decode()
    assert f'href="{world.via_team.get_absolute_url()}"' in listed


def test_what_the_officer_completed_recently(client, world, proposed):
    workflow.completion_sign_off(proposed, manager=world.manager)
    done_long_ago = ActionFactory(
        recommendation=world.rec,
        owners=[world.officer_owner],
        status=Action.Status.COMPLETE,
        completed_on=dt.date(2012, 6, 1),
    )
    response = home(client, world.officer)
    work = response.context["work"]
    assert [a.pk for a in work.completed] == [proposed.pk]
    assert work.completed_count == 1
    assert done_long_ago.pk not in rows(response)
    assert "Completed recently (1)" in response.content.decode()


def test_created_at_is_backfilled_from_the_earliest_history(world):
    first = world.own.history.earliest().history_date
    Action.objects.filter(pk=world.own.pk).update(created_at=timezone.now())
    migration = import_module("actionplans.migrations.0006_action_created_at")
    migration.backfill_created_at(apps, None)
    world.own.refresh_from_db()
    assert world.own.created_at == first
    assert {h.created_at for h in world.own.history.all()} == {first}


def test_home_queries_do_not_grow_with_the_officers_work(client, world, settings):
    settings.SESSION_REFRESH_SECONDS = 24 * 60 * 60  # no keep-alive save of the session counted

    def add_work(n):
        """``n`` actions of the officer's, proposed: alternately returned and signed off."""
        for i in range(n):
            action = ActionFactory(
                recommendation=world.rec, owners=[world.officer_owner, world.team]
            )
            ProgressUpdateFactory(action=action, written_on=dt.date(2012, 10, 1))
            workflow.completion_propose(
                action,
                author=world.officer,
                written_on=dt.date(2012, 10, 2),
                text="Done",
                files=[pdf()],
            )
            action.refresh_from_db()
            (return_it if i % 2 else workflow.completion_sign_off)(action, manager=world.manager)
        make_old(*Action.objects.all())

    def count(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured.captured_queries)

    # Both begin with the same 3: the session, the user with their permissions, the owners they
    # act as with their council; then the plans they may read and their actions.
    # The officer's work: its updates (3 queries, the counts in its list's), its owners and
    # measures (14);
    # the manager's: the plans they manage, counted and with their latest updates (10).
    add_work(2)
    assert [count(world.officer), count(world.manager)] == [10, 6]
    add_work(20)
    assert [count(world.officer), count(world.manager)] == [10, 6]


# A clerk's home


def test_a_clerk_is_told_by_their_role(world):
    assert rules.is_clerk(world.clerk)
    for user in (world.officer, world.manager, world.admin):
        assert not rules.is_clerk(user)


def test_the_clerks_home_lists_plans_by_governance_body(client, world):
    board = OwnerFactory(name="Improvement Board", kind=Owner.Kind.BOARD)
    audit = OwnerFactory(name="Audit Committee", kind=Owner.Kind.BOARD)
    world.plan.governance_body = board
    world.plan.save()
    third = PlanFactory(title="Early help plan", governance_body=audit)
    response = home(client, world.clerk)
    page = response.content.decode()
    assert "Your work" not in page and "Plans you read" in page
    headings = re.findall(r'<h2 class="govuk-heading-l" id="body-\d+">(.*?)</h2>', page)
    assert headings == ["Audit Committee", "Improvement Board", "No governance body"]
    for plan in (world.plan, world.other_plan, third):
        assert f'href="{reverse("plan_detail", args=[plan.pk])}"' in page
        assert f'href="{reverse("plan_history", args=[plan.pk])}"' in page
    assert (
        page.index(third.title) < page.index(world.plan.title) < page.index(world.other_plan.title)
    )


def test_the_clerks_home_says_what_changed_lately(client, world):
    client.force_login(world.manager)
    data = action_form_data(world.own, text="Relaunch the referral form.")
    assert client.post(reverse("action_edit", args=[world.own.pk]), data).status_code == 302
    response = home(client, world.clerk)
    plans = {p.pk: p for body in response.context["bodies"] for p in body["plans"]}
    activity = plans[world.plan.pk].activity
    # Every record of the plan's history is from today (the fixture), one of them an update.
    since = queries.start_of(TODAY - dt.timedelta(days=queries.STALE_DAYS))
    expected = sum(
        qs.filter(history_date__gte=since).count()
        for qs in queries.history_sources(plan=world.plan)
    )
    assert activity.changes == expected
    assert (
        activity.updates
        == ProgressUpdate.history.filter(action__recommendation__plan=world.plan).count()
    )
    assert activity.latest.sentence == "manager changed Action (a)"
    row = re.search(rf'id="plan-{world.plan.pk}".*?</tr>', response.content.decode(), re.S)
    assert f"{activity.changes} changes" in row.group()
    assert "manager changed Action (a)" in row.group()


def test_the_clerks_home_names_old_changes_too(client, world):
    ProgressUpdate.history.all().update(history_date=LONG_AGO)
    plans = queries.clerk_overview(world.clerk, TODAY)
    activity = {p.pk: p.activity for body in plans for p in body["plans"]}
    assert activity[world.other_plan.pk].latest is not None
    assert activity[world.plan.pk].updates == 0


def test_clerk_home_queries_do_not_grow(client, world, settings):
    settings.SESSION_REFRESH_SECONDS = 24 * 60 * 60  # no keep-alive save of the session counted
    client.force_login(world.clerk)

    def add_plans(start, end):
        for n in range(start, end):
            body = Owner.objects.get_or_create(name=f"Board {n % 3}", kind=Owner.Kind.BOARD)[0]
            plan = PlanFactory(governance_body=body)
            action = ActionFactory(recommendation__plan=plan, reference=f"({n})")
            ProgressUpdateFactory(action=action)
            if n % 2:
                ProgressUpdateFactory(recommendation=action.recommendation, action=None)
            else:
                action.text = "Changed."
                action.save()

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured.captured_queries)

    # The 3, the plans the clerk may read, with their governance bodies, and their recent
    # activity: a query a source of history (plans, sections, recommendations, actions, updates,
    # measures), then the latest changes' recommendations, actions and authors.
    add_plans(0, 2)
    assert count() == 15
    add_plans(2, 20)
    assert count() == 15
