"""A council's pages run the same queries whether it is alone or one among many (issue 28).

Every page that narrows to the user's council (home, the plan page, the dashboards, the action
list, the reminders) is counted on one council's data, then again once two other councils' plans,
owners and logins are beside it. The site administrator's pages, which cross councils, are
counted the same way: they show more rows, never more queries.
"""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from bench.dataset import generate
from bench.scale import council_names, site_administrator
from reminders import digest

pytestmark = pytest.mark.django_db

SIZE = {"plans": 2, "actions": 40, "updates": 200}
FILTERED = "?status=underway&overdue=on&q=review&o=planned_completion_date"


@pytest.fixture(autouse=True)
def session_not_refreshed(settings):
    """The session's keep-alive save (once a minute at most) is not counted in a slow run."""
    settings.SESSION_REFRESH_SECONDS = 24 * 60 * 60


def counted(call):
    caches[settings.PAGE_CACHE].clear()  # made afresh, nothing reused
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured.captured_queries), result


def page(client, user, url):
    client.force_login(user)
    count, response = counted(lambda: client.get(url))
    assert response.status_code == 200, url
    found = response.context.get("page_obj")
    return count, found.paginator.count if found else None


def every_count(client, data, site_admin, council):
    # Fresh from the database: a user object keeps the owners and council it was asked about.
    users = {who: type(u).objects.get(pk=u.pk) for who, u in data["users"].items()}
    today = data["today"]
    big = data["big_plan_id"]
    of_council = "?" + urlencode({"organisation": council, "o": "reference"})
    return {
        "home officer": page(client, users["officer"], reverse("home")),
        "home manager": page(client, users["manager"], reverse("home")),
        "home clerk": page(client, users["clerk"], reverse("home")),
        "plan": page(client, users["manager"], reverse("plan_detail", args=[big])),
        "plan dashboard": page(client, users["manager"], reverse("plan_dashboard", args=[big])),
        "manager dashboard": page(client, users["manager"], reverse("manager_dashboard")),
        "action list": page(client, users["clerk"], reverse("action_list")),
        "filtered list": page(client, users["clerk"], reverse("action_list") + FILTERED),
        "digest": counted(lambda: bool(digest.owner_digest(users["officer"], today))),
        "summary": counted(lambda: bool(digest.manager_summary(users["manager"], today))),
        "site admin home": page(client, site_admin, reverse("home"))[0],
        "site admin list": page(client, site_admin, reverse("action_list"))[0],
        # One council chosen: its plans, inspections, owners and bodies offered.
        "site admin council's list": page(client, site_admin, reverse("action_list") + of_council),
        "site admin plans": page(client, site_admin, reverse("plan_list"))[0],
    }


def test_a_councils_pages_run_the_same_queries_beside_other_councils(client):
    names = council_names(3)
    data = generate(**SIZE, council=names[0])
    site_admin = site_administrator()
    alone = every_count(client, data, site_admin, names[0])
    for i, name in enumerate(names[1:], 1):
        generate(**SIZE, seed=1 + i, today=data["today"], council=name, logins=f"c{i}")
    among_three = every_count(client, data, site_admin, names[0])
    # The same queries, and (where a page counts what it found) the same actions: its own.
    assert among_three == alone
    assert alone["action list"][1] == SIZE["actions"]
    assert alone["site admin council's list"][1] == SIZE["actions"]
    assert data["today"] == timezone.localdate()


def test_a_persons_new_role_replaces_only_the_plans_they_see():
    """Their pages are made again; another council's are not (every plan's were, issue 28)."""
    from django.contrib.auth.models import Group, Permission

    from actionplans.models import Plan

    names = council_names(2)
    first = generate(plans=2, actions=4, updates=4, council=names[0])
    generate(
        plans=2, actions=4, updates=4, seed=2, today=first["today"], council=names[1], logins="c1"
    )

    def changed(call):
        before = dict(Plan.objects.values_list("pk", "rows_token"))
        call()
        return {
            pk for pk, token in Plan.objects.values_list("pk", "rows_token") if before[pk] != token
        }

    manager = Group.objects.get(name="Manager")
    officer = first["users"]["officer"]
    assert changed(lambda: officer.groups.add(manager)) == set(first["plan_ids"])
    assert changed(lambda: officer.groups.remove(manager)) == set(first["plan_ids"])
    # A role's permissions are everyone's in that role: every plan.
    permission = Permission.objects.get(codename="view_all_plans")
    assert changed(lambda: manager.permissions.add(permission)) == set(
        Plan.objects.values_list("pk", flat=True)
    )
