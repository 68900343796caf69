"""The plan page, the action list and home run a fixed number of queries whatever the data size."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.urls import reverse

from actionplans.models import Action
from bench.dataset import generate

pytestmark = pytest.mark.django_db

LIMIT = 25


@pytest.fixture
def big(db):
    """A generated plan of 200 actions and 2,000 updates, beside a plan a tenth of its size."""
    data = generate(plans=2, actions=220, updates=2200)
    data["small_plan_id"] = next(pk for pk in data["plan_ids"] if pk != data["big_plan_id"])
    return data


def made_afresh():
    """Nothing reused (page_cache): what is counted is what it costs to make the page."""
    caches[settings.PAGE_CACHE].clear()


def count_queries(client, url, django_assert_max_num_queries):
    made_afresh()
    with django_assert_max_num_queries(LIMIT) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def list_queries(client, url, django_assert_max_num_queries):
    """Queries for an action list page, and how many it found (empty pages skip prefetches)."""
    made_afresh()
    with django_assert_max_num_queries(LIMIT) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.context["page_obj"].paginator.count


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
def test_plan_page_queries_do_not_grow(client, big, query, django_assert_max_num_queries):
    client.force_login(big["users"]["manager"])
    counts = [
        count_queries(
            client, reverse("plan_detail", args=[pk]) + query, django_assert_max_num_queries
        )
        for pk in (big["small_plan_id"], big["big_plan_id"])
    ]
    assert big["counts"]["big_plan_actions"] == 200
    assert big["counts"]["big_plan_updates"] == 2000
    assert Action.objects.in_plan(big["small_plan_id"]).count() == 20
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("", (20, 200)),
        ("?status=underway&overdue=on&q=review&o=planned_completion_date", (0, 3)),
        ("?rag=red&rag=amber&o=-rag", (5, 64)),
        ("?owner=1&no_update_since=01/01/2020&o=last_update", (0, 2)),
    ],
)
def test_action_list_queries_do_not_grow(client, big, query, found, django_assert_max_num_queries):
    client.force_login(big["users"]["clerk"])
    url = reverse("action_list") + query
    joiner = "&" if query else "?"
    few, found_few = list_queries(
        client, f"{url}{joiner}plan={big['small_plan_id']}", django_assert_max_num_queries
    )
    many, found_many = list_queries(
        client, f"{url}{joiner}plan={big['big_plan_id']}", django_assert_max_num_queries
    )
    assert (found_few, found_many) == found
    # A page that found nothing does not ask for its rows, nor for their owners and measures.
    assert few == (many if found_few else many - 3), (few, many)


@pytest.mark.parametrize("who", ["officer", "manager"])
def test_home_queries_are_bounded(client, big, who, django_assert_max_num_queries):
    client.force_login(big["users"][who])
    count_queries(client, reverse("home"), django_assert_max_num_queries)


def test_clerk_home_queries_are_bounded(client, big, django_assert_max_num_queries):
    client.force_login(big["users"]["clerk"])
    response = client.get(reverse("home"))
    assert len([p for body in response.context["bodies"] for p in body["plans"]]) == 2
    count_queries(client, reverse("home"), django_assert_max_num_queries)


@pytest.mark.parametrize("query", ["since=01/01/2000", "kind=structure&until=31/12/2098"])
def test_filtered_history_queries_are_bounded(client, big, query, django_assert_max_num_queries):
    """A page of 25 entries costs the same bound on a plan of 20 actions and one of 200 (which
    sources a page draws from can vary, so the bound, not the exact count, is what holds)."""
    client.force_login(big["users"]["clerk"])
    for pk in (big["small_plan_id"], big["big_plan_id"]):
        url = reverse("plan_history", args=[pk]) + "?" + query
        count_queries(client, url, django_assert_max_num_queries)


def test_plan_page_narrowed_to_one_section_queries_do_not_grow(
    client, big, django_assert_max_num_queries
):
    from actionplans.models import Section

    client.force_login(big["users"]["manager"])
    counts = []
    for pk in (big["small_plan_id"], big["big_plan_id"]):
        section = Section.objects.filter(plan_id=pk).order_by("order", "pk").first()
        url = f"{reverse('plan_detail', args=[pk])}?section={section.pk}&red_amber=on"
        counts.append(count_queries(client, url, django_assert_max_num_queries))
    assert counts[0] == counts[1], counts
