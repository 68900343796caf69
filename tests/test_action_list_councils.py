"""The action list's council filter: the site administrator's alone, narrowing the plan,
inspection, owner and accountable body lists to the council chosen (every council's together were
22,000 options among 150 councils, issue 28); a council's own people see no change."""

import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from actionplans.models import Owner

from .conftest import person
from .factories import ActionFactory, InspectionFactory, PlanFactory, RecommendationFactory

pytestmark = pytest.mark.django_db

A, B = "Ashford Borough Council", "Barnley City Council"


def council(key, name):
    officer, officer_owner = person(
        f"{key}-officer", "Officer", name, name=f"{key.upper()} Officer"
    )
    clerk, _ = person(f"{key}-clerk", "Clerk", name)
    manager, _ = person(f"{key}-manager", "Manager", name)
    board = Owner.objects.create(
        name=f"{key.upper()} Board", kind=Owner.Kind.BOARD, organisation=name
    )
    plan = PlanFactory(organisation=name, title=f"{key.upper()} improvement plan")
    plan.inspections.add(InspectionFactory(organisation=name, title=f"{key.upper()} inspection"))
    rec = RecommendationFactory(plan=plan, reference=f"{key.upper()}1")
    action = ActionFactory(
        recommendation=rec,
        text=f"The own action of {name}",
        owners=[officer_owner],
        accountable_body=board,
    )
    return SimpleNamespace(
        name=name,
        officer=officer,
        clerk=clerk,
        manager=manager,
        owner=officer_owner,
        board=board,
        plan=plan,
        inspection=plan.inspections.get(),
        action=action,
    )


@pytest.fixture
def councils(db):
    site_admin, _ = person("site-admin", "Site administrator", "", name="Sita Admin")
    return SimpleNamespace(a=council("a", A), b=council("b", B), site_admin=site_admin)


def listed(client, user, query=""):
    client.force_login(user)
    response = client.get(reverse("action_list") + query)
    assert response.status_code == 200
    return response


def shown(response):
    return {action.pk for action in response.context["page_obj"].object_list}


def options(response, name):
    """The values and labels a select of the filter form offers (None when it is not offered)."""
    page = response.content.decode()
    select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', page, re.S)
    if select is None:
        return None
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))


def offered(response, name):
    found = options(response, name)
    return None if found is None else {label for value, label in found if value}


def errors(response):
    return {name: list(e) for name, e in response.context["filter"].form.errors.items()}


PER_COUNCIL = ("plan", "inspection", "owner", "body")


def test_the_site_administrator_chooses_a_council_before_its_lists(client, councils):
    w = councils
    response = listed(client, w.site_admin)
    assert offered(response, "organisation") == {A, B}
    # Every council's plans, inspections, owners and bodies are not offered at all...
    for name in PER_COUNCIL:
        assert options(response, name) is None, name
    assert "Choose a council and apply the filters" in response.content.decode()
    # ...and the list is every council's.
    assert shown(response) == {w.a.action.pk, w.b.action.pk}


def test_a_council_chosen_narrows_the_lists_and_the_actions(client, councils):
    w = councils
    response = listed(client, w.site_admin, f"?organisation={A}")
    assert errors(response) == {}
    assert shown(response) == {w.a.action.pk}
    assert offered(response, "plan") == {w.a.plan.title}
    assert offered(response, "inspection") == {str(w.a.inspection)}
    assert offered(response, "owner") == {str(w.a.owner)}
    assert offered(response, "body") == {str(w.a.board)}
    chosen = [label for value, label in options(response, "organisation") if value == A]
    assert chosen == [A] and f'<option value="{A}" selected>' in response.content.decode()
    # With a plan of that council chosen too.
    response = listed(client, w.site_admin, f"?organisation={A}&plan={w.a.plan.pk}")
    assert errors(response) == {} and shown(response) == {w.a.action.pk}


@pytest.mark.parametrize("name", PER_COUNCIL)
def test_another_councils_record_with_a_council_chosen_is_an_error(client, councils, name):
    w = councils
    record = {"plan": w.b.plan, "inspection": w.b.inspection, "owner": w.b.owner, "body": w.b.board}
    response = listed(client, w.site_admin, f"?organisation={A}&{name}={record[name].pk}")
    words = {"plan": "plans", "inspection": "inspections", "owner": "owners"}.get(name)
    words = words or "accountable bodies"
    assert errors(response) == {name: [f"Choose one of {A}'s {words}, or any council."]}
    # The council still narrows; the other council's record is neither offered nor applied.
    assert shown(response) == {w.a.action.pk}
    assert str(record[name]) not in response.content.decode()


@pytest.mark.parametrize(
    "value",
    ["Nowhere District Council", "<script>alert(1)</script>", "x" * 20_000, A.upper()],
)
def test_a_council_not_in_the_list_is_an_error_and_changes_nothing(client, councils, value):
    w = councils
    response = listed(client, w.site_admin, "?" + f"organisation={value}")
    assert errors(response) == {"organisation": ["Choose a council from the list."]}
    assert shown(response) == {w.a.action.pk, w.b.action.pk}
    page = response.content.decode()
    form = page[page.index('<form method="get"') : page.index("</form>")]
    assert "<script>alert" not in page and "x" * 100 not in form  # not echoed in the form
    for name in PER_COUNCIL:
        assert options(response, name) is None, name


def test_a_link_naming_a_plan_still_filters_with_no_council_chosen(client, councils):
    """A plan page's "Filter its actions" (``?plan=``): that plan alone is offered and applied."""
    w = councils
    response = listed(client, w.site_admin, f"?plan={w.b.plan.pk}")
    assert errors(response) == {}
    assert shown(response) == {w.b.action.pk}
    assert offered(response, "plan") == {w.b.plan.title}
    assert options(response, "owner") is None
    response = listed(client, w.site_admin, f"?owner={w.a.owner.pk}")
    assert shown(response) == {w.a.action.pk} and offered(response, "owner") == {str(w.a.owner)}


@pytest.mark.parametrize("value", ["abc", "9" * 30, "-1", "<b>", "9" * 5000])
def test_a_bad_id_with_no_council_chosen_is_an_error(client, councils, value):
    w = councils
    response = listed(client, w.site_admin, f"?plan={value}")
    assert list(errors(response)) == ["plan"]
    assert shown(response) == {w.a.action.pk, w.b.action.pk}


@pytest.mark.parametrize("role", ["officer", "manager", "clerk"])
def test_a_councils_people_see_no_council_filter_and_it_widens_nothing(client, councils, role):
    w = councils
    user = getattr(w.b, role)
    before = listed(client, user)
    assert options(before, "organisation") is None
    assert "Choose a council" not in before.content.decode()
    # Their own lists, as before: every select offered at once.
    assert offered(before, "plan") == {w.b.plan.title}
    assert offered(before, "owner") == {str(w.b.owner)}
    assert offered(before, "body") == {str(w.b.board)}
    assert shown(before) == {w.b.action.pk}
    # Naming another council is ignored: nothing of it shown, nothing of theirs hidden.
    after = listed(client, user, f"?organisation={A}")
    assert shown(after) == {w.b.action.pk} and errors(after) == {}
    assert A not in after.content.decode()


def test_a_shared_plan_gives_a_council_officer_no_council_filter(client, councils):
    """The filter is the site administrator's, not anyone's who reads two councils' plans."""
    from actionplans.models import PlanShare

    w = councils
    PlanShare.objects.create(plan=w.a.plan, organisation=B)
    response = listed(client, w.b.officer, f"?organisation={B}")
    assert options(response, "organisation") is None
    assert shown(response) == {w.a.action.pk, w.b.action.pk}


def test_the_export_follows_the_council_chosen(client, councils):
    w = councils
    client.force_login(w.site_admin)
    response = client.get(reverse("action_table_export", args=["csv"]) + f"?organisation={B}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert w.b.action.text.encode() in body and w.a.action.text.encode() not in body
    # A council's clerk naming another council gets their own, as without it.
    client.force_login(w.b.clerk)
    response = client.get(reverse("action_table_export", args=["csv"]) + f"?organisation={A}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert w.b.action.text.encode() in body and w.a.action.text.encode() not in body


def test_the_site_administrator_group_is_what_offers_it(client, councils):
    """Taken out of the role, the same person is a council-less reader: no filter, no plans."""
    w = councils
    w.site_admin.groups.remove(Group.objects.get(name="Site administrator"))
    response = listed(client, type(w.site_admin).objects.get(pk=w.site_admin.pk))
    assert options(response, "organisation") is None and shown(response) == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the shape PostgreSQL is given")
def test_a_councils_actions_are_found_from_its_recommendations_first(councils):
    """As a join, PostgreSQL found the clerk's "underway and overdue" among every council's
    actions, then kept the council's (bench/README.md, issue 28)."""
    from actionplans import rules

    assert "= ANY(ARRAY(SELECT" in str(rules.visible_actions(councils.b.clerk).query)
    assert "ANY(ARRAY" not in str(rules.visible_actions(councils.site_admin).query)


def test_the_pages_of_a_long_list_are_linked_near_this_one_and_at_the_ends(
    client, councils, monkeypatch
):
    from actionplans.views import actions

    monkeypatch.setattr(actions, "PAGE_SIZE", 1)
    for _ in range(18):
        ActionFactory(recommendation=councils.a.action.recommendation)
    response = listed(client, councils.site_admin, "?page=10")
    page = response.content.decode()
    linked = {int(n) for n in re.findall(r'aria-label="Page (\d+)"', page)}
    assert linked == {1, 2, 7, 8, 9, 10, 11, 12, 13, 19, 20}
    assert "govuk-pagination__item--ellipses" in page
