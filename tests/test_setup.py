"""Managers set up plans, owners and inspections in the service's pages: who may, what is refused,
what history keeps, and that the Django admin stays for administrators."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplans import plan_setup, rules
from actionplans.models import CrossCouncilRead, Owner, Plan, Section
from core import errors
from inspections.models import Finding, Inspection, Judgement

from .conftest import COUNCIL, POLICE
from .factories import (
    FindingFactory,
    InspectionFactory,
    OwnerFactory,
    PlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "officer",
    "other_officer",
    "partner",
    "manager",
    "other_manager",
    "clerk",
    "admin",
    "site_admin",
]
OTHER_COUNCIL = "Other Council"
HUGE = "x" * 100_000
SCRIPT = "<script>alert('owned')</script>"


@pytest.fixture
def setup(world):
    """The world, with an inspection of its council and another council's plan, owner and
    inspection."""
    inspection = InspectionFactory(organisation=COUNCIL, title="Unannounced inspection 2012")
    judgement = Judgement.objects.create(inspection=inspection, area="Safeguarding", grade="Good")
    finding = FindingFactory(inspection=inspection, reference="R1")
    PlanFactory(organisation=OTHER_COUNCIL, title="Another council's plan")
    stranger = OwnerFactory(name="Someone elsewhere", organisation=OTHER_COUNCIL)
    elsewhere = InspectionFactory(organisation=OTHER_COUNCIL, title="Elsewhere")
    return SimpleNamespace(
        world=world,
        inspection=inspection,
        judgement=judgement,
        finding=finding,
        stranger=stranger,
        elsewhere=elsewhere,
        elsewhere_finding=FindingFactory(inspection=elsewhere),
        police=world.partner_owner,
    )


def expect(default=200, **overrides):
    return {**dict.fromkeys(ROLES, default), **overrides}


SETTERS_UP = expect(403, manager=200, other_manager=200, admin=200, site_admin=200)
COUNCIL_EDIT = expect(403, partner=404, manager=200, other_manager=200, admin=200, site_admin=200)
COUNCIL_READ = expect(200, partner=404)
# Another council's: its own administrator no more than anyone; the site administrator only.
SITE_ADMIN_ONLY = expect(404, site_admin=200)

PAGES = [
    ("plan_create", None, SETTERS_UP),
    ("owner_list", None, SETTERS_UP),
    ("owner_add", None, SETTERS_UP),
    ("inspection_list", None, SETTERS_UP),
    ("inspection_add", None, SETTERS_UP),
    # The council's own owners and inspections: its people read them, its managers change them.
    ("owner_detail", lambda s: s.world.team.pk, COUNCIL_READ),
    ("owner_edit", lambda s: s.world.team.pk, COUNCIL_EDIT),
    ("inspection_detail", lambda s: s.inspection.pk, COUNCIL_READ),
    ("inspection_edit", lambda s: s.inspection.pk, COUNCIL_EDIT),
    ("judgement_add", lambda s: s.inspection.pk, COUNCIL_EDIT),
    ("judgement_edit", lambda s: s.judgement.pk, COUNCIL_EDIT),
    ("finding_add", lambda s: s.inspection.pk, COUNCIL_EDIT),
    ("finding_edit", lambda s: s.finding.pk, COUNCIL_EDIT),
    # A partner agency's owners: the council's managers change them; its own people read them.
    ("owner_detail", lambda s: s.police.pk, expect(200)),
    ("owner_edit", lambda s: s.police.pk, SETTERS_UP),
    # Another council's: nobody but the site administrator even sees them.
    ("owner_detail", lambda s: s.stranger.pk, SITE_ADMIN_ONLY),
    ("owner_edit", lambda s: s.stranger.pk, SITE_ADMIN_ONLY),
    ("inspection_detail", lambda s: s.elsewhere.pk, SITE_ADMIN_ONLY),
    ("inspection_edit", lambda s: s.elsewhere.pk, SITE_ADMIN_ONLY),
    ("finding_add", lambda s: s.elsewhere.pk, SITE_ADMIN_ONLY),
    ("finding_edit", lambda s: s.elsewhere_finding.pk, SITE_ADMIN_ONLY),
]


@pytest.mark.parametrize(("name", "arg", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_every_set_up_page_for_every_role(client, setup, name, arg, expected):
    url = reverse(name, args=[arg(setup)] if arg else [])
    assert client.get(url).status_code == 302  # anonymous: sign in first
    got = {}
    for role in ROLES:
        client.force_login(getattr(setup.world, role))
        got[role] = client.get(url).status_code
    assert got == expected


@pytest.mark.parametrize("role", ["officer", "clerk", "partner"])
def test_officers_clerks_and_partners_cannot_create_anything(client, setup, role):
    client.force_login(getattr(setup.world, role))
    before = (Plan.objects.count(), Owner.objects.count(), Inspection.objects.count())
    # The same answers as their GETs in PAGES: 403 for a page their role may not use; the
    # partner does not even see the council's inspection, so its judgement page is not found.
    posts = [
        ("plan_create", [], {"title": "Sneaky plan"}, SETTERS_UP),
        (
            "owner_add",
            [],
            {"name": "Sneaky", "kind": "person", "organisation": COUNCIL},
            SETTERS_UP,
        ),
        (
            "inspection_add",
            [],
            {"inspectorate": "Ofsted", "kind": "other", "title": "Sneaky"},
            SETTERS_UP,
        ),
        ("judgement_add", [setup.inspection.pk], {"area": "A", "grade": "B"}, COUNCIL_EDIT),
    ]
    got, expected = {}, {}
    for name, args, data, answers in posts:
        got[name] = client.post(reverse(name, args=args), {**data, "version": 1}).status_code
        expected[name] = answers[role]
    assert got == expected
    assert (Plan.objects.count(), Owner.objects.count(), Inspection.objects.count()) == before
    assert Judgement.objects.count() == 1


def test_a_manager_without_a_council_cannot_set_up(client, db):
    from django.contrib.auth.models import Group

    lost = UserFactory(username="unlinked")
    lost.groups.add(Group.objects.get(name="Manager"))
    client.force_login(lost)
    for name in ("plan_create", "owner_add", "inspection_add"):
        assert client.get(reverse(name)).status_code == 403


def test_service_navigation_links_the_set_up_pages_for_managers_only(client, setup):
    client.force_login(setup.world.manager)
    nav = client.get(reverse("home")).content.decode()
    assert (
        f'href="{reverse("owner_list")}"' in nav and f'href="{reverse("inspection_list")}"' in nav
    )
    client.force_login(setup.world.officer)
    nav = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("owner_list")}"' not in nav
    # The plan's edit page links to them.
    client.force_login(setup.world.manager)
    page = client.get(reverse("plan_edit", args=[setup.world.plan.pk])).content.decode()
    assert reverse("owner_list") in page and reverse("inspection_list") in page


# The Django admin


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_the_admin_is_for_the_site_administrator_only(client, setup, who):
    # Even flagged as staff, a manager or a council's administrator does not get in: the admin
    # crosses councils.
    user = getattr(setup.world, who)
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/actionplans/owner/").status_code == 302
    assert 'href="/admin/"' not in client.get(reverse("home")).content.decode()


def test_the_site_administrators_admin_pages_are_recorded(client, setup):
    site_admin = setup.world.site_admin
    site_admin.is_staff = True
    site_admin.save()
    client.force_login(site_admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/actionplans/owner/").status_code == 200
    assert 'href="/admin/"' in client.get(reverse("home")).content.decode()
    assert list(
        CrossCouncilRead.objects.filter(user=site_admin).values_list("what", flat=True)
    ) == ["GET /admin/actionplans/owner/", "GET /admin/"]


# Creating and editing through the pages


def test_manager_creates_a_plan_of_their_council_and_manages_it(client, setup):
    world = setup.world
    sponsor = OwnerFactory(name="Director", organisation=COUNCIL)
    client.force_login(world.other_manager)
    response = client.post(
        reverse("plan_create"),
        {
            "title": "Safeguarding improvement plan",
            "organisation": OTHER_COUNCIL,  # not a field for a manager: ignored
            "inspections": [setup.inspection.pk],
            "sponsor": sponsor.pk,
            "introduction": SCRIPT,
        },
    )
    plan = Plan.objects.get(title="Safeguarding improvement plan")
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.organisation == COUNCIL
    assert list(plan.managers.all()) == [world.other_manager]
    assert list(plan.inspections.all()) == [setup.inspection]
    created = plan.history.earliest()
    assert (created.history_user, created.history_change_reason) == (
        world.other_manager,
        "Plan created",
    )
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert" in page and SCRIPT not in page
    assert rules.can_edit_plan(world.other_manager, plan)


def test_site_administrator_names_the_council_and_links_only_its_inspections(client, setup):
    data = {
        "title": "Their plan",
        "organisation": OTHER_COUNCIL,
        "inspections": [setup.elsewhere.pk],
    }
    # A council's own administrator makes plans of their council only.
    client.force_login(setup.world.admin)
    client.post(reverse("plan_create"), data)
    assert not Plan.objects.filter(organisation=OTHER_COUNCIL, title="Their plan").exists()
    client.force_login(setup.world.site_admin)
    data["inspections"] = [setup.inspection.pk]
    response = client.post(reverse("plan_create"), data)
    assert response.status_code == 200
    assert f"is not an inspection of {OTHER_COUNCIL}" in response.content.decode()
    assert not Plan.objects.filter(title="Their plan").exists()
    data["inspections"] = [setup.elsewhere.pk]
    assert client.post(reverse("plan_create"), data).status_code == 302
    assert Plan.objects.get(title="Their plan").organisation == OTHER_COUNCIL


def test_manager_adds_a_team_with_a_member_linked_to_a_sign_in(client, setup):
    world = setup.world
    newcomer = UserFactory(username="jbloggs", first_name="Jo", last_name="Bloggs")
    client.force_login(world.manager)
    form = client.get(reverse("owner_add")).content.decode()
    assert "jbloggs (Jo Bloggs)" in form
    assert "officer (" not in form  # already linked to an owner: not offered
    response = client.post(
        reverse("owner_add"),
        {
            "name": "Jo Bloggs",
            "kind": "person",
            "organisation": COUNCIL,
            "user": newcomer.pk,
            "version": 1,
        },
    )
    person = Owner.objects.get(name="Jo Bloggs")
    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    assert person.user == newcomer
    record = person.history.latest()
    assert record.history_user == world.manager
    assert record.history_change_reason == "Owner added, linked to a sign-in"

    response = client.post(
        reverse("owner_add"),
        {
            "name": "Front door team",
            "kind": "team",
            "organisation": COUNCIL,
            "members": [person.pk, world.officer_owner.pk],
            "version": 1,
        },
    )
    team = Owner.objects.get(name="Front door team")
    assert set(team.members.all()) == {person, world.officer_owner}
    # The new sign-in now acts through the team, and sees the council's plans.
    assert team.pk in rules.owner_ids(newcomer)
    assert world.plan in rules.visible_plans(newcomer)


def test_owner_edit_writes_only_its_fields_and_records_the_link(client, setup):
    world = setup.world
    owner = world.partner_owner
    newcomer = UserFactory(username="pc_smith")
    client.force_login(world.manager)
    data = {
        "name": owner.name,
        "kind": "person",
        "organisation": POLICE,
        "job_title": "DCI",
        "user": newcomer.pk,
        "version": owner.version,
    }
    # The partner's sign-in is taken already; a free one can be linked instead.
    data_taken = {**data, "user": world.officer.pk}
    response = client.post(reverse("owner_edit", args=[owner.pk]), data_taken)
    assert "Select a valid choice" in response.content.decode()
    response = client.post(reverse("owner_edit", args=[owner.pk]), data)
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.job_title, owner.user, owner.version) == ("DCI", newcomer, 2)
    record = owner.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        world.manager,
        "Owner edited, linked to a sign-in",
    )


def test_manager_records_an_inspection_with_a_judgement_and_a_finding(client, setup):
    client.force_login(setup.world.manager)
    response = client.post(
        reverse("inspection_add"),
        {
            "inspectorate": "HMI Probation",
            "kind": "core_case",
            "title": "Core case inspection",
            "organisation": OTHER_COUNCIL,
            "started_on": "05/09/2011",
            "ended_on": "09/09/2011",
            "version": 1,
        },
    )
    inspection = Inspection.objects.get(title="Core case inspection")
    assert response.status_code == 302
    assert response["Location"] == reverse("inspection_detail", args=[inspection.pk])
    assert inspection.organisation == COUNCIL  # a manager's inspection is of their council
    url = reverse("judgement_add", args=[inspection.pk])
    assert client.post(url, {"area": "Safeguarding", "grade": "Poor"}).status_code == 302
    url = reverse("finding_add", args=[inspection.pk])
    data = {"kind": "recommendation", "reference": "1", "text": "Improve risk assessments."}
    assert client.post(url, data).status_code == 302
    assert inspection.judgements.get().grade == "Poor"
    finding = inspection.findings.get()
    assert finding.history.latest().history_change_reason == "Finding added"
    assert finding.history.latest().history_user == setup.world.manager
    page = client.get(reverse("inspection_detail", args=[inspection.pk])).content.decode()
    assert "Safeguarding" in page and "Improve risk assessments." in page


# Hostile input: a clear message, and nothing changed


def snapshot():
    return (
        list(Plan.objects.order_by("pk").values_list("title", "organisation", "version")),
        list(
            Owner.objects.order_by("pk").values_list(
                "name", "kind", "organisation", "user_id", "version"
            )
        ),
        list(Inspection.objects.order_by("pk").values_list("title", "started_on", "version")),
        list(Judgement.objects.order_by("pk").values_list("area", "grade")),
        list(Finding.objects.order_by("pk").values_list("kind", "text")),
        sorted(Owner.members.through.objects.values_list("from_owner_id", "to_owner_id")),
        sorted(Plan.inspections.through.objects.values_list("plan_id", "inspection_id")),
    )


def refused(client, url, data, message):
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert snapshot() == before


OWNER = {"name": "New officer", "kind": "person", "organisation": COUNCIL, "version": 1}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": HUGE}, "at most 200 characters"),
        ({"kind": "wizard"}, "Select a valid choice. wizard is not one of the available choices."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"organisation": OTHER_COUNCIL}, f"{OTHER_COUNCIL} is another council."),
        ({"user": "abc"}, "Select a valid choice."),
        ({"user": "999999"}, "Select a valid choice."),
        ({"kind": "team", "user": "LINKABLE"}, "Only a person can have a login."),
        ({"members": ["TEAM"]}, "A person has no members"),
        ({"kind": "team", "members": ["STRANGER"]}, "is not one of the available choices."),
        ({"kind": "team", "members": ["x"]}, "is not a valid value"),
        ({"version": "abc"}, "Enter a whole number."),
        ({"name": "Terry Irvine"}, "already exists"),
    ],
)
def test_owner_form(client, setup, changes, message):
    linkable = UserFactory(username="linkable")
    swap = {"LINKABLE": linkable.pk, "TEAM": setup.world.team.pk, "STRANGER": setup.stranger.pk}
    data = {**OWNER, **changes}
    for key, value in data.items():
        if isinstance(value, list):
            data[key] = [swap.get(v, v) for v in value]
        else:
            data[key] = swap.get(value, value)
    client.force_login(setup.world.manager)
    refused(client, reverse("owner_add"), data, message)


def test_owner_edit_refuses_moving_an_owner_to_another_council(client, setup):
    client.force_login(setup.world.manager)
    team = setup.world.team
    data = {
        "name": team.name,
        "kind": team.kind,
        "organisation": OTHER_COUNCIL,
        "version": team.version,
    }
    refused(client, reverse("owner_edit", args=[team.pk]), data, "is another council")


def test_html_in_an_owner_is_shown_escaped(client, setup):
    client.force_login(setup.world.manager)
    client.post(reverse("owner_add"), {**OWNER, "name": SCRIPT, "organisation": SCRIPT})
    assert Owner.objects.filter(name=SCRIPT, organisation=SCRIPT).exists()
    for url in [reverse("owner_list"), reverse("owner_add")]:
        page = client.get(url).content.decode()
        assert SCRIPT not in page and "&lt;script&gt;" in page


INSPECTION = {"inspectorate": "Ofsted", "kind": "unannounced", "title": "Inspection", "version": 1}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"started_on": "01/01/1066"}, "Enter a date between 1990 and 2099."),
        ({"published_on": "31/12/2101"}, "Enter a date between 1990 and 2099."),
        ({"started_on": "31/02/2012"}, "Enter a real date, for example 18 10 2012."),
        ({"started_on": "<script>"}, "Enter the date in numbers, for example 18 10 2012."),
        (
            {"started_on": "10/09/2011", "ended_on": "05/09/2011"},
            "The inspection cannot end before it starts.",
        ),
        ({"kind": "surprise"}, "Select a valid choice."),
        ({"title": HUGE}, "at most 300 characters"),
        ({"summary": HUGE}, "at most 20000 characters"),
        ({"title": ""}, "This field is required."),
        ({"version": "-1"}, "greater than or equal to 1"),
    ],
)
def test_inspection_form(client, setup, changes, message):
    client.force_login(setup.world.manager)
    refused(client, reverse("inspection_add"), {**INSPECTION, **changes}, message)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("judgement_add", {"area": HUGE, "grade": "Good"}, "at most 200 characters"),
        ("judgement_add", {"area": "Safeguarding", "grade": ""}, "This field is required."),
        ("finding_add", {"kind": "rumour", "text": "x"}, "Select a valid choice."),
        ("finding_add", {"kind": "strength", "text": ""}, "This field is required."),
        ("finding_add", {"kind": "strength", "text": HUGE}, "at most 20000 characters"),
        (
            "finding_add",
            {"kind": "strength", "text": "x", "reference": "r" * 41},
            "at most 40 characters",
        ),
    ],
)
def test_judgement_and_finding_forms(client, setup, name, data, message):
    client.force_login(setup.world.manager)
    refused(client, reverse(name, args=[setup.inspection.pk]), data, message)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": HUGE}, "at most 300 characters"),
        ({"inspections": ["ELSEWHERE"]}, "is not one of the available choices."),
        ({"sponsor": "STRANGER"}, "Select a valid choice."),
        ({"governance_body": "abc"}, "Select a valid choice."),
    ],
)
def test_plan_create_form(client, setup, changes, message):
    swap = {"ELSEWHERE": setup.elsewhere.pk, "STRANGER": setup.stranger.pk}
    data = {"title": "A plan", **changes}
    data = {
        k: [swap.get(x, x) for x in v] if isinstance(v, list) else swap.get(v, v)
        for k, v in data.items()
    }
    client.force_login(setup.world.manager)
    refused(client, reverse("plan_create"), data, message)


def test_plan_edit_refuses_another_councils_inspection(client, setup):
    plan = setup.world.plan
    client.force_login(setup.world.manager)
    data = {
        "title": plan.title,
        "status": plan.status,
        "inspections": [setup.elsewhere.pk],
        "version": plan.version,
    }
    refused(client, reverse("plan_edit", args=[plan.pk]), data, "Select a valid choice.")


# Version checks: the second of two people editing is refused and shown what changed


def two_clients(setup):
    first, second = Client(), Client()
    first.force_login(setup.world.manager)
    second.force_login(setup.world.admin)
    return first, second


# The plan form's rating settings (rag.py's defaults), which every plan edit posts.
RATING_SETTINGS = {"rag_scale": "rag", "amber_days": 14, "stale_days": 30, "due_soon_days": 30}


@pytest.mark.parametrize("what", ["plan", "owner", "inspection"])
def test_a_stale_edit_is_refused(setup, what):
    world = setup.world
    obj, url, data, field = {
        "plan": (
            world.plan,
            reverse("plan_edit", args=[world.plan.pk]),
            {"title": world.plan.title, "status": "draft", **RATING_SETTINGS},
            "directorate",
        ),
        "owner": (
            world.team,
            reverse("owner_edit", args=[world.team.pk]),
            {"name": world.team.name, "kind": world.team.kind, "organisation": COUNCIL},
            "service",
        ),
        "inspection": (
            setup.inspection,
            reverse("inspection_edit", args=[setup.inspection.pk]),
            {
                "inspectorate": "Ofsted",
                "kind": "unannounced",
                "title": setup.inspection.title,
                "organisation": COUNCIL,
            },
            "service",
        ),
    }[what]
    first, second = two_clients(setup)
    opened = int(first.get(url).context["form"]["version"].value())
    assert int(second.get(url).context["form"]["version"].value()) == opened
    data["version"] = opened
    assert first.post(url, {**data, field: "First's change"}).status_code == 302
    response = second.post(url, {**data, field: "Second's change"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved changes while you were editing" in page
    assert "First&#x27;s change" in page
    obj.refresh_from_db()
    assert getattr(obj, field) == "First's change" and obj.version == opened + 1
    # The second person's input is kept, now based on the current version: saving is deliberate.
    form = response.context["form"]
    assert form[field].value() == "Second's change"
    again = second.post(url, {**data, field: "Second's change", "version": form["version"].value()})
    assert again.status_code == 302
    obj.refresh_from_db()
    assert getattr(obj, field) == "Second's change"


def test_services_refuse_with_the_domains_own_error(setup):
    world = setup.world
    with pytest.raises(errors.Refused) as caught:
        plan_setup.owner_add(Owner(name="X", organisation=OTHER_COUNCIL), actor=world.manager)
    assert caught.value.field == "organisation"
    assert issubclass(errors.StaleEdit, errors.Refused)
    plan = Plan.objects.get(pk=world.plan.pk)
    with pytest.raises(errors.StaleEdit):
        plan_setup.plan_edit(plan, actor=world.manager, version=99, fields=["title"])
    assert not hasattr(plan_setup, "create")  # every write has a name that says what it does


# Every write changes only the fields it means to


def test_edits_write_only_the_forms_fields(setup):
    """A change the form does not carry, made after the editor's copy was loaded, survives."""
    world = setup.world
    plan = Plan.objects.get(pk=world.plan.pk)
    Plan.objects.filter(pk=plan.pk).update(column_names=["Ref", "Action"])
    plan.title = "Renamed plan"
    plan_setup.plan_edit(plan, actor=world.manager, version=plan.version, fields=["title"])
    plan.refresh_from_db()
    assert (plan.title, plan.column_names, plan.version) == ("Renamed plan", ["Ref", "Action"], 2)
    record = plan.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        world.manager,
        "Plan details edited",
    )

    section = Section.objects.get(pk=world.rec.section_id)
    Section.objects.filter(pk=section.pk).update(order=7)  # someone reorders meanwhile
    section.title = "Within 3 months"
    plan_setup.section_rename(section, actor=world.manager)
    section.refresh_from_db()
    assert (section.title, section.order) == ("Within 3 months", 7)
    assert section.history.latest().history_change_reason == "Section renamed"

    measure = type(world.measure).objects.get(pk=world.measure.pk)
    type(measure).objects.filter(pk=measure.pk).update(order=5, baseline_text="50% timely")
    measure.name, measure.target_date_text = "Timely plans", "Dec 12"
    measure.derive_target_date()
    plan_setup.measure_edit(measure, actor=world.manager, fields=["name", "target_date_text"])
    measure.refresh_from_db()
    assert (measure.name, measure.order, measure.baseline_text, str(measure.target_date)) == (
        "Timely plans",
        5,
        "50% timely",
        "2012-12-31",
    )

    owner = Owner.objects.get(pk=world.team.pk)
    Owner.objects.filter(pk=owner.pk).update(email="pqa@example.org")
    owner.job_title = "Sub-group of the board"
    plan_setup.owner_edit(owner, actor=world.manager, version=owner.version, fields=["job_title"])
    owner.refresh_from_db()
    assert (owner.job_title, owner.email) == ("Sub-group of the board", "pqa@example.org")
    assert list(owner.members.all()) == [world.officer_owner]  # members not in the fields: kept


@pytest.mark.parametrize(
    ("name", "arg", "data", "reason"),
    [
        ("section_add", "plan", {"title": "Immediate"}, "Section added"),
        ("measure_add", "plan", {"name": "Timely", "unit": "count"}, "Measure added"),
        ("reading_add", "measure", {"value": "50"}, "Reading added"),
        (
            "recommendation_add",
            "plan",
            {"reference": "R9", "text": "Do more.", "version": 1},
            "Recommendation added",
        ),
    ],
)
def test_structure_additions_record_who_and_why(client, setup, name, arg, data, reason):
    from actionplans.models import Measure, Reading, Recommendation

    world = setup.world
    target = {"plan": world.plan, "measure": world.measure}[arg]
    model = {
        "section_add": Section,
        "measure_add": Measure,
        "reading_add": Reading,
        "recommendation_add": Recommendation,
    }[name]
    client.force_login(world.manager)
    assert client.post(reverse(name, args=[target.pk]), data).status_code == 302
    record = model.history.order_by("-history_date").first()
    assert (record.history_user, record.history_change_reason, record.history_type) == (
        world.manager,
        reason,
        "+",
    )


# Lists: filters, and a query count that does not grow with the data


def test_owner_list_filters_by_kind_and_organisation(client, setup):
    client.force_login(setup.world.manager)
    url = reverse("owner_list")
    names = lambda response: [o.name for o in response.context["page_obj"].object_list]  # noqa: E731
    everyone = names(client.get(url))
    assert "Someone elsewhere" not in everyone  # another council's
    assert {"Terry Irvine", "Jason Harwin", "LSCB P&QA Sub Group"} <= set(everyone)
    assert names(client.get(url, {"kind": "sub_group"})) == ["LSCB P&QA Sub Group"]
    assert names(client.get(url, {"organisation": POLICE})) == ["Jason Harwin"]
    assert names(client.get(url, {"q": "irvine"})) == ["Terry Irvine"]
    page = client.get(url, {"kind": "wizard", "organisation": OTHER_COUNCIL})
    assert page.status_code == 200 and "Select a valid choice" in page.content.decode()


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_list_queries_do_not_grow(client, setup, settings):
    settings.SESSION_REFRESH_SECONDS = 24 * 60 * 60  # no keep-alive save of the session counted
    client.force_login(setup.world.manager)
    pages = [
        reverse("owner_list"),
        reverse("inspection_list"),
        reverse("owner_detail", args=[setup.world.team.pk]),
        reverse("inspection_detail", args=[setup.inspection.pk]),
    ]
    # Each begins with the session, the user with their permissions, and the owners they act as
    # with their council. Owners: the page, counted, and their users (6); inspections: counted, then
    # the page with its judgements and findings (5); an owner: itself with its user, its members
    # and whom it is a member of (6); an inspection: itself, its plans, judgements and findings
    # (7).
    few = [_count(client, url) for url in pages]
    assert few == [6, 5, 6, 7]
    for n in range(40):
        owner = OwnerFactory(
            name=f"Team {n}",
            kind="team",
            organisation=COUNCIL,
            user=UserFactory(username=f"member{n}"),
        )
        owner.members.add(setup.world.officer_owner)
        setup.world.team.members.add(owner)
        inspection = InspectionFactory(organisation=COUNCIL)
        Judgement.objects.create(inspection=inspection, area="A", grade="B")
        Judgement.objects.create(inspection=setup.inspection, area=f"Area {n}", grade="B")
        FindingFactory(inspection=setup.inspection, kind=Finding.Kind.STRENGTH)
    many = [_count(client, url) for url in pages]
    assert many == few


def test_plan_edit_keeps_an_inspection_it_already_answers(client, setup):
    """An inspection linked before (here of another organisation) is offered, and kept on save."""
    plan = setup.world.plan
    plan.inspections.add(setup.elsewhere)
    client.force_login(setup.world.manager)
    url = reverse("plan_edit", args=[plan.pk])
    assert setup.elsewhere in client.get(url).context["form"].fields["inspections"].queryset
    data = {
        "title": plan.title,
        "status": plan.status,
        "version": plan.version,
        "inspections": [setup.elsewhere.pk, setup.inspection.pk],
    }
    data.update(RATING_SETTINGS)
    assert client.post(url, data).status_code == 302
    assert set(plan.inspections.all()) == {setup.elsewhere, setup.inspection}
