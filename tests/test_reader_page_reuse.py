"""A reader's home and the action list are made once and reused (page_cache.for_reader): what is
reused is this reader's, for this address and day, and any change to what it shows is seen at once.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplans import plan_setup, workflow
from inspections import services as inspection_services

from .factories import InspectionFactory

pytestmark = pytest.mark.django_db


def shown(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        shown(client, url)
    return len(captured.captured_queries)


def without_tokens(page):
    """A page without its CSRF tokens, which Django masks afresh for every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


PAGES = {
    "officer's home": ("officer", lambda w: reverse("home")),
    "clerk's home": ("clerk", lambda w: reverse("home")),
    "action list": ("clerk", lambda w: reverse("action_list") + "?status=underway&o=-rag"),
    "plan page, editing": ("manager", lambda w: reverse("plan_detail", args=[w.plan.pk])),
    "plan page, narrowed": (
        "officer",
        lambda w: reverse("plan_detail", args=[w.plan.pk]) + "?red_amber=on&updates=all",
    ),
    "manager's dashboard": ("manager", lambda w: reverse("manager_dashboard")),
    "plan dashboard": ("manager", lambda w: reverse("plan_dashboard", args=[w.plan.pk])),
}
# Queries to make each page, then to reuse it. Reused, a page asks only for the 4 that say whose
# and which it is: the session, the user with their permissions, the owners they act as with
# their council, and the plans they may read (whose tokens change with their rows); the plan
# page reads whether the reader manages the plan with the plan.
REUSED = 4
QUERIES = {
    "officer's home": (10, REUSED),
    "clerk's home": (14, REUSED),
    "action list": (11, REUSED),
    # The plan page reads its updates in three queries: every one's kind, then the latest of
    # each action's progress (snapshots._updates); its outline token, then its outline.
    "plan page, editing": (17, REUSED),
    "plan page, narrowed": (16, REUSED),
    # With the dates moved (by plan, owner and recommendation; by recommendation and owner) and
    # the assured actions due for re-check.
    "manager's dashboard": (12, REUSED),
    "plan dashboard": (14, REUSED),
}


@pytest.mark.parametrize("name", PAGES)
def test_a_reused_page_is_the_page_made_afresh(client, world, proposed, name):
    who, url = PAGES[name]
    client.force_login(getattr(world, who))
    url = url(world)
    with CaptureQueriesContext(connection) as making:
        made = shown(client, url)
    with CaptureQueriesContext(connection) as reusing:
        reused = shown(client, url)
    assert (len(making.captured_queries), len(reusing.captured_queries)) == QUERIES[name]
    assert without_tokens(reused) == without_tokens(made)


@pytest.mark.parametrize(
    ("url", "made", "news"),
    [
        # Home tells the officer; the overdue list has the returned action again.
        (reverse("home"), 10, lambda action: "returned your proposal"),
        (reverse("action_list") + "?overdue=on", 12, lambda action: action.get_absolute_url()),
    ],
    ids=["home", "overdue actions"],
)
def test_the_second_view_is_reused_and_a_change_shows_at_once(
    client, world, proposed, url, made, news
):
    client.force_login(world.officer)
    assert queries_of(client, url) == made
    before = shown(client, url)
    assert queries_of(client, url) == REUSED  # the rows are not asked for again
    assert "Awaiting sign-off" in before or "awaiting" in before.lower()
    workflow.completion_return(proposed, manager=world.manager, reason="Attach the audit")
    after = shown(client, url)
    assert after != before
    assert news(proposed) not in before and news(proposed) in after


def test_each_reader_is_served_their_own_home(client, world):
    client.force_login(world.officer)
    assert "Signed in as Terry" in shown(client, reverse("home"))
    client.force_login(world.other_officer)
    page = shown(client, reverse("home"))
    assert "Signed in as Sue" in page and "Terry" not in page


def test_a_new_role_shows_at_once(client, world):
    client.force_login(world.officer)
    assert "Awaiting your sign-off" not in shown(client, reverse("home"))
    world.officer.groups.add(Group.objects.get(name="Manager"))
    assert "Awaiting your sign-off" in shown(client, reverse("home"))


def test_a_plan_a_reader_comes_to_see_shows_in_their_list(client, world):
    """A partner agency sees only the plans it has actions in: given one in another plan, it sees
    that plan's action at once, and no longer when the action is taken from it."""
    link = f'href="{world.elsewhere.get_absolute_url()}"'
    client.force_login(world.partner)
    assert link not in shown(client, reverse("action_list"))
    owners = list(world.elsewhere.owners.all())

    def give(action, owners):
        plan_setup.action_edit(
            action, actor=world.other_manager, version=action.version, fields=[], owners=owners
        )
        action.refresh_from_db()

    give(world.elsewhere, [*owners, world.partner_owner])
    assert link in shown(client, reverse("action_list"))
    give(world.elsewhere, owners)
    assert link not in shown(client, reverse("action_list"))


def test_an_inspection_renamed_shows_in_the_filter_at_once(client, world):
    inspection = InspectionFactory(title="Single inspection of services")
    world.plan.inspections.add(inspection)
    client.force_login(world.clerk)
    assert "Single inspection of services" in shown(client, reverse("action_list"))
    inspection.title = "Inspection of local authority children's services"
    inspection_services.inspection_edit(
        inspection, actor=world.manager, version=inspection.version, fields=["title"]
    )
    page = shown(client, reverse("action_list"))
    assert "Inspection of local authority children&#x27;s services" in page


def test_the_filter_lists_are_read_again_for_an_outline_change_only(client, world, monkeypatch):
    """Issue 28: the action list made afresh after a progress update does not read its lists of
    plans, inspections, owners and bodies again (they are kept under the plans' outline tokens);
    an owner renamed is in the owner list at once."""
    from django.forms.models import ModelChoiceIterator

    read = []
    real = ModelChoiceIterator.__iter__
    monkeypatch.setattr(ModelChoiceIterator, "__iter__", lambda self: read.append(1) or real(self))
    url = reverse("action_list") + "?o=-last_update"
    client.force_login(world.clerk)
    made = queries_of(client, url)
    assert len(read) == 4
    workflow.progress_add(world.own, author=world.officer, written_on=dt.date.today(), text="On")
    read.clear()
    assert queries_of(client, url) == made - 4  # the rows read again, not the lists
    assert not read
    owner = world.officer_owner
    owner.name = "Terry Irvine-Smith"
    plan_setup.owner_edit(owner, actor=world.manager, version=owner.version, fields=["name"])
    assert ">Terry Irvine-Smith</option>" in shown(client, url)
    assert len(read) == 4
    # A kept list marks the record asked for, as the form's own would.
    page = shown(client, f"{url}&owner={owner.pk}&plan={world.plan.pk}")
    assert f'<option value="{owner.pk}" selected>Terry Irvine-Smith</option>' in page
    assert f'<option value="{world.plan.pk}" selected>' in page
    assert len(read) == 4


def test_what_is_reused_is_for_one_day(client, world, monkeypatch):
    client.force_login(world.officer)
    today = timezone.localdate()
    assert today.strftime("%A") in shown(client, reverse("home"))
    tomorrow = today + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert f"Today is {tomorrow.strftime('%A')}" in shown(client, reverse("home"))


def test_hostile_queries_are_escaped_and_kept_apart(client, world):
    client.force_login(world.clerk)
    url = reverse("action_list")
    script = shown(client, url + "?q=<script>alert(1)</script>&due_after=31/02/2012&page=x")
    assert "<script>alert(1)" not in script and "&lt;script&gt;alert(1)" in script
    assert "Enter a valid date" in script
    plain = shown(client, url + "?q=CP4")
    assert "&lt;script&gt;" not in plain and "Enter a valid date" not in plain
    # The same words in another order of parameters is still answered rightly.
    assert "Enter a valid date" in shown(client, url + "?page=x&due_after=31/02/2012&q=a")


def test_the_plan_dashboard_shows_a_new_reading_at_once(client, world):
    from actionplans.models import Reading

    client.force_login(world.manager)
    url = reverse("plan_dashboard", args=[world.plan.pk])
    assert queries_of(client, url) == QUERIES["plan dashboard"][0]
    assert queries_of(client, url) == REUSED
    assert "Quarter four reading" not in shown(client, url)
    plan_setup.reading_add(
        Reading(
            measure=world.measure,
            value=37,
            taken_on=dt.date(2012, 12, 31),
            period_label="Quarter four reading",
        ),
        actor=world.manager,
    )
    assert "Quarter four reading" in shown(client, url)


def test_what_is_reused_never_holds_a_csrf_token(rf, world, settings, tmp_path):
    """A form that posts, put by mistake in a reused part, gets no token (so it is refused and
    seen at once), never the token of the request that happened to make the part."""
    from actionplans import page_cache

    form = '<form method="post">{% csrf_token %}</form>'
    (tmp_path / "reused.html").write_text(
        f"{{{{ body }}}}{{% partialdef body %}}{form}{{% endpartialdef %}}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    request = rf.get("/")
    request.user = world.officer
    page = page_cache.render_reused(request, "reused.html", timezone.localdate(), dict)
    assert "<form" in page.content.decode() and "csrfmiddlewaretoken" not in page.content.decode()
