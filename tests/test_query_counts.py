"""The plan page, the action list and home run a fixed number of queries whatever the data size.

Every count is exact. Each page's first 3 queries are the same: the session, the user with their
permissions, and the owners they act as with their council.
"""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplans.models import Action
from bench.dataset import generate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def session_not_refreshed(settings):
    """The session's keep-alive save (once a minute at most) is not counted in a slow run."""
    settings.SESSION_REFRESH_SECONDS = 24 * 60 * 60


@pytest.fixture
def big(db):
    """A generated plan of 200 actions and 2,000 updates, beside a plan a tenth of its size."""
    data = generate(plans=2, actions=220, updates=2200)
    data["small_plan_id"] = next(pk for pk in data["plan_ids"] if pk != data["big_plan_id"])
    return data


def made_afresh():
    """Nothing reused (page_cache): what is counted is what it costs to make the page."""
    caches[settings.PAGE_CACHE].clear()


def count_queries(client, url):
    made_afresh()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def list_queries(client, url):
    """Queries for an action list page, and how many it found (empty pages skip prefetches)."""
    made_afresh()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.context["page_obj"].paginator.count


# The plan page: the 3, the plan (with whether the manager manages it), its updates (two queries;
# three for the latest of each: every one's kind, then those shown), its outline token and then
# its outline (measures, readings, actions, the actions' owners, recommendations, their leads,
# sections, the inspections' findings), inspections and owners (twice).
PLAN_PAGE = 19
EVERY_UPDATE = 18


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?open_only=on",
        "?red_amber=on&open_only=on&updates=all",
        "?sections=closed",
        "?section=x",
    ],
)
def test_plan_page_queries_do_not_grow(client, big, query):
    client.force_login(big["users"]["manager"])
    counts = [
        count_queries(client, reverse("plan_detail", args=[pk]) + query)
        for pk in (big["small_plan_id"], big["big_plan_id"])
    ]
    assert big["counts"]["big_plan_actions"] == 200
    assert big["counts"]["big_plan_updates"] == 2000
    assert Action.objects.in_plan(big["small_plan_id"]).count() == 20
    expected = EVERY_UPDATE if "updates=all" in query else PLAN_PAGE
    assert counts == [expected, expected]


@pytest.mark.parametrize(
    ("query", "found", "queries"),
    [
        # The 3, the plans the clerk may read, the plan chosen, the count, a page of actions, their
        # owners and measures, and the filters' choices: plans, inspections and owners (twice).
        ("", (20, 200), (13, 13)),
        # A page that found nothing asks for no rows, so neither for their owners and measures.
        ("?status=underway&overdue=on&q=review&o=planned_completion_date", (0, 3), (10, 13)),
        # Rated in one query with their measures (a RAG is worked out, not stored): no count.
        # How many are red or amber moves with today's date: both plans find some (None).
        ("?rag=red&rag=amber&o=-rag", None, (12, 12)),
        # The owner chosen is looked up too.
        ("?owner=1&no_update_since=01/01/2020&o=last_update", (0, 2), (11, 14)),
    ],
)
def test_action_list_queries_do_not_grow(client, big, query, found, queries):
    client.force_login(big["users"]["clerk"])
    url = reverse("action_list") + query
    joiner = "&" if query else "?"
    few, found_few = list_queries(client, f"{url}{joiner}plan={big['small_plan_id']}")
    many, found_many = list_queries(client, f"{url}{joiner}plan={big['big_plan_id']}")
    if found is None:  # date-dependent: what matters is that neither page is empty
        assert found_few > 0 and found_many > 0, (found_few, found_many)
    else:
        assert (found_few, found_many) == found
    assert (few, many) == queries


# The 3, the plans the user may read, then the officer's work: their actions, updates (the
# latest, returned and awaiting sign-off, counted as they are listed), owners and measures; the
# manager's: the plans they manage, counted and with their latest updates, owners and measures.
@pytest.mark.parametrize(("who", "queries"), [("officer", 10), ("manager", 8)])
def test_home_queries_are_fixed(client, big, who, queries):
    client.force_login(big["users"][who])
    assert count_queries(client, reverse("home")) == queries


def test_clerk_home_queries_are_fixed(client, big):
    client.force_login(big["users"]["clerk"])
    response = client.get(reverse("home"))
    assert len([p for body in response.context["bodies"] for p in body["plans"]]) == 2
    # The 3, the plans the clerk may read, with their governance bodies, and their recent
    # activity: one query a source of history (plans, sections, recommendations, actions,
    # updates, measures), then the latest change's recommendation and its author.
    assert count_queries(client, reverse("home")) == 13


@pytest.mark.parametrize(
    ("query", "queries"),
    [("since=01/01/2000", [13, 12]), ("kind=structure&until=31/12/2098", [11, 10])],
)
def test_filtered_history_queries_are_fixed(client, big, query, queries):
    """A page of 25 entries costs the same on a plan of 20 actions and one of 200, but for the
    authors of its entries: one query for each kind of record on the page. The 3, the plan, one
    query a source of history, and the authors: of actions on both plans' first page, and of
    recommendations on the small plan's too."""
    client.force_login(big["users"]["clerk"])
    counts = [
        count_queries(client, reverse("plan_history", args=[pk]) + "?" + query)
        for pk in (big["small_plan_id"], big["big_plan_id"])
    ]
    assert counts == queries


def test_plan_page_narrowed_to_one_section_queries_do_not_grow(client, big):
    from actionplans.models import Section

    client.force_login(big["users"]["manager"])
    counts = []
    for pk in (big["small_plan_id"], big["big_plan_id"]):
        section = Section.objects.filter(plan_id=pk).order_by("order", "pk").first()
        url = f"{reverse('plan_detail', args=[pk])}?section={section.pk}&red_amber=on"
        counts.append(count_queries(client, url))
    assert counts == [PLAN_PAGE, PLAN_PAGE]


# The 3, the plan, then the plan as it stood at each end (snapshots.as_of, twice), the
# actions' history records and the log entries in between.
CHANGES_PAGE = 28


def test_changes_since_page_queries_are_fixed(client, big):
    """Changes since the plan's first day on a plan of 20 actions and one of 200: the 3, the plan,
    then the plan as it stood at each end, the actions' history and the log entries in between."""
    from actionplans.models import Plan

    client.force_login(big["users"]["clerk"])
    counts = []
    for pk in (big["small_plan_id"], big["big_plan_id"]):
        first = Plan.history.filter(id=pk).earliest("history_date").history_date
        day = first.astimezone(timezone.get_current_timezone()).date()
        url = f"{reverse('changes_since', args=[pk])}?since={day:%d/%m/%Y}"
        counts.append(count_queries(client, url))
    assert counts == [CHANGES_PAGE, CHANGES_PAGE]


def _packs_of(plan_id, clerk, reports, drafts):
    """``reports`` published reports with ``plan_id`` as an appendix, each in two versions (the
    second a correction), and ``drafts`` drafts; each for its own meeting."""
    import datetime as dt

    from actionplans.models import Plan
    from reporting import services
    from reporting.models import PublishedPack, ReportAppendix

    from .factories import published_directly

    plan = Plan.objects.get(pk=plan_id)
    for i in range(reports + drafts):
        report = services.report_create(
            {
                "committee": "Scrutiny Panel",
                "meeting_date": dt.date(2012, 1, 1 + i),
                "subject": "S",
            },
            actor=clerk,
            organisation=plan.organisation,
        )
        ReportAppendix.objects.create(
            report=report,
            title=plan.title,
            render_settings={"plan": plan.pk, "as_at": "2012-01-01", "updates": "latest"},
        )
        if i < reports:
            published_directly(report, actor=clerk, pdf=f"%PDF {i}".encode())
            PublishedPack.objects.create(
                report=report,
                number=2,
                corrects="A typo.",
                pdf=b"%PDF again",
                sha256="0" * 64,
                published_at=report.published_at,
                published_by=clerk,
            )


PLAN_PACKS = 6


def test_plan_packs_page_queries_do_not_grow(client, big):
    """The 3, the plan (among those the clerk may read), the published versions with their
    reports, meetings, bodies and publishers (one query), and the drafts with their meetings and
    bodies (one): the same for a plan in one pack and one in six packs and two drafts."""
    clerk = big["users"]["clerk"]
    _packs_of(big["small_plan_id"], clerk, reports=1, drafts=0)
    _packs_of(big["big_plan_id"], clerk, reports=6, drafts=2)
    client.force_login(clerk)
    counts = [
        count_queries(client, reverse("plan_packs", args=[pk]))
        for pk in (big["small_plan_id"], big["big_plan_id"])
    ]
    assert counts == [PLAN_PACKS, PLAN_PACKS]


def propose(world, count):
    """``count`` changes from one returned copy, and as many decided, over the plan's actions."""
    from importers.models import ProposedChange, ReturnedFile

    returned = ReturnedFile.objects.create(
        plan=world.plan, name="returned.docx", doubts=["Row 3: a doubt"]
    )
    actions = [world.own, world.via_team, world.others, world.partners]
    for i in range(count):
        for state in ("pending", "rejected"):
            ProposedChange.objects.create(
                returned=returned,
                plan=world.plan,
                action=actions[i % len(actions)],
                kind="date",
                new_value=f"{i + 1} March 2013",
                state=state,
                decided_by=world.manager if state != "pending" else None,
            )


# The returned copies' page: the 3, the plan with whether the manager manages it, the changes
# waiting and those decided (each with its action, recommendation, file and decider, in the same
# query), and the files with doubts.
RETURNED_PAGE = 7


@pytest.mark.parametrize("count", [1, 20])
def test_returned_changes_page_queries_do_not_grow(client, world, count):
    propose(world, count)
    client.force_login(world.manager)
    queries = count_queries(client, reverse("returned_changes", args=[world.plan.pk]))
    assert queries == RETURNED_PAGE


def test_action_publication_page_queries_do_not_grow(client, big):
    """The page that marks an action's entries not for publication: the same on an action with
    one update as on the one with most."""
    from django.db.models import Count

    client.force_login(big["users"]["manager"])
    actions = (
        Action.objects.filter(recommendation__plan_id=big["big_plan_id"])
        .annotate(n=Count("updates"))
        .order_by("n", "pk")
    )
    fewest, most = actions.first(), actions.last()
    assert most.n > fewest.n
    counts = [
        count_queries(client, reverse("action_publication", args=[a.pk])) for a in (fewest, most)
    ]
    assert counts[0] == counts[1]


def test_the_public_version_reads_a_fixed_number_of_queries(big):
    """The public rows (actionplans.publication) cost the same few queries more on a plan of 20
    actions as on one of 200, with a council policy naming some people by post."""
    from actionplans import snapshots
    from actionplans.models import Plan, PublicationPolicy

    counts = []
    for pk in (big["small_plan_id"], big["big_plan_id"]):
        plan = Plan.objects.get(pk=pk)
        PublicationPolicy.objects.get_or_create(
            organisation=plan.organisation, defaults={"name_from": "head_of_service"}
        )
        pair = []
        for public in (False, True):
            with CaptureQueriesContext(connection) as captured:
                snapshots.current(plan, public=public)
            pair.append(len(captured.captured_queries))
        counts.append(pair[1] - pair[0])
    assert counts[0] == counts[1] <= 4
