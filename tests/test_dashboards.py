"""The dashboards: every number is the count of the action list it links to; charts are accessible
SVG with their data as a table; queries stay the same as the data grows; other plans stay hidden."""

import datetime as dt
import io
import re
from dataclasses import replace
from html import unescape

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplans import page_cache, plan_setup, workflow
from actionplans.models import Action, Owner, Plan
from bench.dataset import generate
from dashboards import charts, data
from dashboards.templatetags.boards import chart_rows

from .conftest import person
from .factories import (
    ActionFactory,
    MeasureFactory,
    OwnerFactory,
    PlanFactory,
    ProgressUpdateFactory,
    ReadingFactory,
    RecommendationFactory,
)

pytestmark = pytest.mark.django_db


def links_with_counts(page):
    """(count, url) for every number on the page that is a link to the action list."""
    found = re.findall(
        r'<a class="govuk-link" href="([^"]*/actions/\?[^"]*)">(?:<strong>)?(\d+)', page
    )
    return [(int(n), unescape(url)) for url, n in found]


def test_every_number_on_the_manager_dashboard_is_its_action_lists_count(client, world):
    client.force_login(world.manager)
    page = client.get(reverse("manager_dashboard")).content.decode()
    assert "Overdue" in page and "accountable body" in page
    pairs = links_with_counts(page)
    assert len(pairs) >= 8
    for count, url in pairs:
        listed = client.get(url)
        assert listed.status_code == 200, url
        assert listed.context["page_obj"].paginator.count == count, url


def test_an_owner_counts_their_teams_actions_once_as_the_owner_filter_does(client, world):
    # The officer owns one action both directly and through their team, and a second member owns
    # nothing directly: each owner's numbers must still be the owner filter's counts.
    ActionFactory(recommendation=world.rec, owners=[world.officer_owner, world.team])
    only_team = OwnerFactory(name="Team member without actions of their own")
    world.team.members.add(only_team)
    client.force_login(world.manager)
    page = client.get(reverse("manager_dashboard")).content.decode()
    by_owner = {
        url: count
        for count, url in links_with_counts(page)
        if "owner=" in url and "rag=" not in url
    }
    expected = {world.officer_owner.pk: 3, world.team.pk: 2, only_team.pk: 2}
    for owner_id, n in expected.items():
        assert by_owner[f"{reverse('action_list')}?owner={owner_id}"] == n
    for url, count in by_owner.items():
        assert client.get(url).context["page_obj"].paginator.count == count, url


def test_the_manager_dashboard_shows_a_change_made_since_it_was_last_seen(client, world):
    # The counts are reused while the plans are unchanged: an override must show at once.
    def reds():
        """The red actions the first table (by plan) counts, as the page shows them."""
        page = client.get(reverse("manager_dashboard")).content.decode()
        first = page[page.index("<table") : page.index("</table>")]
        found = re.findall(r'href="([^"]*)">(\d+)</a>', first)
        return sum(int(n) for url, n in found if "rag=red" in url.replace("&amp;", "&"))

    client.force_login(world.manager)
    before = reds()
    assert reds() == before  # seen again, unchanged
    action = world.via_team
    action.rag_override, action.rag_override_reason = "green", "Done in all but name"
    plan_setup.action_edit(
        action,
        actor=world.manager,
        version=action.version,
        fields=["rag_override", "rag_override_reason"],
        changed=["rag_override"],
        owners=list(action.owners.all()),
    )
    assert before and reds() == before - 1


def test_after_a_write_only_the_plan_written_to_is_counted_again(client, world, monkeypatch):
    """Issue 28: a write makes the dashboard's readers pay for the plan it changed, not all."""
    counted, real = [], data._counts

    def counting(plans, today):
        counted.append(sorted(plans))
        return real(plans, today)

    monkeypatch.setattr(data, "_counts", counting)
    world.plan.managers.add(world.other_manager)  # the other plan's manager sees both
    client.force_login(world.other_manager)
    first = client.get(reverse("manager_dashboard")).content.decode()
    assert counted == [sorted([world.plan.pk, world.other_plan.pk])]
    workflow.progress_add(
        world.elsewhere, author=world.other_officer, written_on=dt.date.today(), text="Done"
    )
    counted.clear()
    again = client.get(reverse("manager_dashboard")).content.decode()
    assert counted == [[world.other_plan.pk]]
    assert again.count("<table") == first.count("<table")


def test_the_dashboards_show_only_what_the_user_may_see(client, world):
    client.force_login(world.other_officer)
    page = client.get(reverse("manager_dashboard")).content.decode()
    assert world.plan.title in page  # they own an action in it
    client.force_login(world.partner)
    page = client.get(reverse("manager_dashboard")).content.decode()
    assert world.other_plan.title not in page
    assert client.get(reverse("plan_dashboard", args=[world.other_plan.pk])).status_code == 404
    assert client.get(reverse("plan_dashboard", args=[999999])).status_code == 404


def test_the_plan_dashboard_charts_measures_and_the_weekly_trend(client, world):
    measure = MeasureFactory(
        plan=world.plan,
        action=world.own,
        name="Assessments in time <b>",
        baseline_value=40,
        target_value=80,
        baseline_date=dt.date(2012, 1, 1),
        target_date=dt.date(2012, 12, 31),
    )
    ReadingFactory(measure=measure, taken_on=dt.date(2012, 6, 1), value=45, period_label="June")
    client.force_login(world.manager)
    page = client.get(reverse("plan_dashboard", args=[world.plan.pk])).content.decode()
    assert "<svg" in page and "<title" in page and "<desc" in page
    assert "Assessments in time &lt;b&gt;" in page and "<b>" not in page.split("<main")[1]
    assert "June" in page and "45%" in page
    assert "Ratings week by week" in page and "Week ending" in page
    assert 'style="' not in page and "<script" not in page.split("<main")[1].split("</main>")[0]
    assert "average of its actions" in page


def test_a_charts_data_is_a_table_each_row_headed_by_its_first_cell_escaped():
    chart = charts.Chart(
        "Reading", "", "", ["Period", "Date", "Reading"], [["<i>June</i>", "1 June 2012", 45]]
    )
    assert chart_rows(chart) == (
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
        '&lt;i&gt;June&lt;/i&gt;</th><td class="govuk-table__cell">1 June 2012</td>'
        '<td class="govuk-table__cell">45</td></tr>'
    )
    assert chart_rows(replace(chart, rows=[["<b>", "<b>"]])).count("&lt;b&gt;") == 2
    assert chart_rows(replace(chart, rows=[])) == (
        '<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="3">'
        "No data yet.</td></tr>"
    )


def test_a_measure_with_nothing_to_draw_is_listed_not_charted(client, world):
    MeasureFactory(
        plan=world.plan,
        name="Charted",
        baseline_value=40,
        target_value=80,
        baseline_date=dt.date(2012, 1, 1),
        target_date=dt.date(2012, 12, 31),
    )
    MeasureFactory(
        plan=world.plan,
        name="Nothing yet",
        baseline_value=None,
        target_value=None,
        baseline_date=None,
        target_date=None,
    )
    client.force_login(world.manager)
    board = client.get(reverse("plan_dashboard", args=[world.plan.pk])).context["board"]
    assert "Charted" in [chart.title for chart in board.measures]
    assert "Nothing yet" in board.uncharted and "Charted" not in board.uncharted
    assert "Nothing yet" not in [chart.title for chart in board.measures]


@pytest.fixture
def big(db):
    data = generate(plans=2, actions=220, updates=2200)
    data["small_plan_id"] = next(pk for pk in data["plan_ids"] if pk != data["big_plan_id"])
    return data


def queries_for(client, url):
    caches[settings.PAGE_CACHE].clear()  # what it costs to make the page, nothing reused
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_dashboard_queries_do_not_grow(client, big, settings):
    settings.SESSION_REFRESH_SECONDS = 24 * 60 * 60  # no keep-alive save of the session counted
    client.force_login(big["users"]["manager"])
    small, large = (
        queries_for(client, reverse("plan_dashboard", args=[pk]))
        for pk in (big["small_plan_id"], big["big_plan_id"])
    )
    # The 3 every page begins with (the session, the user with their permissions, the owners
    # they act as with their council), the plan, its actions rated with their updates and
    # readings, recommendations, measures, readings, weeks of history: of the plan, how much
    # of its actions' history and updates is on record up to last week, those records (or only
    # this week's, once the weeks before are kept), the dates moved by recommendation and by
    # owner, and the assured actions due for re-check.
    assert (small, large) == (16, 16)
    # The 3, the plans the manager may read (once: the page is kept under them and made from
    # them) and manages, their actions rated, the plans' inspections, plans, inspections and
    # owners, the dates moved by plan, owner and recommendation, and the assured actions due
    # for re-check.
    assert queries_for(client, reverse("manager_dashboard")) == 13
    plan = Plan.objects.get(pk=big["big_plan_id"])
    owners = list(Owner.objects.all()[:5])
    for n in range(40):
        action = ActionFactory(
            recommendation=RecommendationFactory(plan=plan),
            accountable_body=owners[n % 5],
            owners=[owners[n % 3]],
        )
        ProgressUpdateFactory(action=action)
    assert queries_for(client, reverse("manager_dashboard")) == 13


def test_the_weeks_kept_are_the_weeks_walked_afresh(big):
    """The trend's weeks before this one are kept (dashboards.data.trend): after a write today,
    a backdated update, new thresholds and an action taken out, the trend is the one walked
    from the start."""
    plan = Plan.objects.get(pk=big["big_plan_id"])
    today = dt.date.today()
    action = plan.recommendations.first().actions.first()

    def drawn(chart):  # each chart drawn has ids of its own
        return replace(chart, svg=re.sub(r"chart-\d+-", "chart-", chart.svg))

    def afresh():
        caches[settings.PAGE_CACHE].clear()
        return drawn(data.trend(plan, today))

    def kept():
        return drawn(data.trend(plan, today))

    before = afresh()
    assert len(before.rows) > 50 and kept() == before
    workflow.progress_add(action, author=big["users"]["officer"], written_on=today, text="Now")
    assert kept() == afresh()
    workflow.progress_add(
        action,
        author=big["users"]["officer"],
        written_on=today - dt.timedelta(days=200),
        text="Found in an old file",
    )
    backdated = kept()
    assert backdated == afresh() and backdated.rows[:-1] != before.rows[:-1]
    Plan.objects.filter(pk=plan.pk).update(stale_days=5, amber_days=60)
    plan.refresh_from_db()
    rethought = kept()
    assert rethought == afresh() != backdated
    # An action taken out today (the site administrator's admin) takes its updates with it,
    # back to the plan's first weeks.
    action.delete()
    assert kept() == afresh() and afresh().rows[:-1] != rethought.rows[:-1]


def test_counted_ahead_a_new_days_first_dashboard_counts_no_plan(client, world, monkeypatch):
    """Issue 28: the daily job counts every plan for the day ahead (``manage.py count_ahead``),
    so the day's first view of a manager's dashboard counts none again, and shows what the page
    made afresh shows."""
    world.plan.managers.add(world.other_manager)  # they see both plans
    client.force_login(world.other_manager)
    made_afresh = links_with_counts(client.get(reverse("manager_dashboard")).content.decode())
    assert made_afresh
    caches[settings.PAGE_CACHE].clear()  # as on a new day: nothing kept for it
    out = io.StringIO()
    call_command("count_ahead", stdout=out)
    assert "Counted 2 plan(s)" in out.getvalue()
    counted, real = [], data._counts

    def counting(plans, today):
        counted.append(today)
        return real(plans, today)

    monkeypatch.setattr(data, "_counts", counting)
    ahead = links_with_counts(client.get(reverse("manager_dashboard")).content.decode())
    assert counted == []
    assert ahead == made_afresh


def test_counting_ahead_takes_first_the_councils_whose_people_signed_in_last(world, monkeypatch):
    """With room for one plan, the plan counted ahead is one of the council someone signed in
    to last, never one of a council nobody has signed in to."""
    monkeypatch.setattr(page_cache, "room", lambda: 3)  # room for one plan's counts
    elsewhere = PlanFactory(organisation="Another Council")
    theirs, _ = person("their_manager", "Manager", organisation="Another Council")
    nobodys = PlanFactory(organisation="A council nobody signs in to")
    for plan in (elsewhere, nobodys):
        ActionFactory(recommendation=RecommendationFactory(plan=plan))
    counted, real = [], data._counts

    def counting(plans, today):
        counted.append(sorted(plans))
        return real(plans, today)

    monkeypatch.setattr(data, "_counts", counting)
    now = timezone.now()
    for signs_in, first in ((theirs, elsewhere), (world.other_manager, world.plan)):
        now += dt.timedelta(minutes=1)
        type(signs_in).objects.filter(pk=signs_in.pk).update(last_login=now)
        caches[settings.PAGE_CACHE].clear()
        counted.clear()
        assert data.count_ahead(timezone.localdate()) == (1, 3)
        assert counted == [[first.pk]]


def test_counting_ahead_keeps_to_half_the_pages_caches_room(client, world, monkeypatch):
    """Past its room the pages cache drops entries, the pages readers reuse among them once
    yesterday's are gone: ``count_ahead`` keeps to half of it, says how many plans it left, and
    those are counted at their first view."""
    monkeypatch.setattr(page_cache, "room", lambda: 3)  # room for one plan's counts
    world.plan.managers.add(world.other_manager)
    client.force_login(world.other_manager)
    caches[settings.PAGE_CACHE].clear()
    out = io.StringIO()
    call_command("count_ahead", stdout=out)
    assert "Counted 1 plan(s)" in out.getvalue()
    assert "1 plan(s) left" in out.getvalue() and "PAGE_CACHE_MAX_ENTRIES" in out.getvalue()
    counted, real = [], data._counts

    def counting(plans, today):
        counted.append(sorted(plans))
        return real(plans, today)

    monkeypatch.setattr(data, "_counts", counting)
    assert client.get(reverse("manager_dashboard")).status_code == 200
    # The first plan by id was counted ahead; only the other is counted now.
    assert counted == [[max(world.plan.pk, world.other_plan.pk)]]


def test_the_counting_query_kept_for_a_day_and_plans_counts_each_day_by_its_own_date(world):
    """Issue 28: ``_counts`` keeps its query built for the same plans and day; another day is
    another query, so an action due tomorrow counts as due soon today and overdue in a week."""
    today = timezone.localdate()
    others = Action.objects.filter(recommendation__plan=world.plan).exclude(pk=world.own.pk)
    others.update(status=Action.Status.COMPLETE)
    Action.objects.filter(pk=world.own.pk).update(
        planned_completion_date=today + dt.timedelta(days=1), status=Action.Status.UNDERWAY
    )

    def own_chase(day):
        counts = data._counts([world.plan.pk], day)[world.plan.pk]
        return counts[3]["overdue"], counts[3]["due_soon"]

    assert own_chase(today) == (0, 1)
    assert own_chase(today + dt.timedelta(days=7)) == (1, 0)
    assert own_chase(today) == (0, 1)  # kept, and still today's


def test_a_plan_with_no_history_of_its_own_starts_its_weeks_at_its_actions_first_record(world):
    """A plan whose own history records are gone (as after an import of old rows) still has its
    weekly trend, from its actions' first record; one with no history at all has none."""
    from dashboards import weekly

    world.plan.history.all().delete()
    today = timezone.localdate()
    columns = weekly.columns(world.plan, today)
    assert (
        columns
        and sum(columns[-1][1].values())
        == world.plan.recommendations.aggregate(n=Count("actions"))["n"]
    )
    Action.history.filter(recommendation__plan=world.plan).delete()
    assert weekly.columns(world.plan, today) == []
