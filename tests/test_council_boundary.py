"""The council is the boundary: every URL of the service, asked by each role of the object's own
council, each role of another council, a partner agency's officer, the site administrator and
someone not signed in, for an object of each council.

Another council's people get 404 for every object URL, by GET and by POST, and nothing changes;
the object's own council's people never get 404 (403 at most, for what their role may not do); a
partner agency's officer sees only the plan they have an action in, and the evidence of their own
action only; the site administrator sees both councils, and each such read is recorded.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from actionplans import rules, workflow
from actionplans.models import CrossCouncilRead, Owner, Plan, PlanShare
from importers.models import PendingImport, ProposedChange, ReturnedFile
from inspections.models import Judgement
from reporting import services as reporting_services
from reporting.models import Layout
from reporting.packs import Settings

from .conftest import pdf, person
from .factories import (
    ActionFactory,
    FindingFactory,
    InspectionFactory,
    MeasureFactory,
    OwnerFactory,
    PlanFactory,
    RecommendationFactory,
    SectionFactory,
    UserFactory,
    published_directly,
)

pytestmark = pytest.mark.django_db

ROLES = ["officer", "manager", "clerk", "admin"]
GROUPS = {"officer": "Officer", "manager": "Manager", "clerk": "Clerk", "admin": "Administrator"}
COUNCILS = {"a": "Rotherham Metropolitan Borough Council", "b": "London Borough of Merton"}
POLICE = "South Yorkshire Police"


def council_world(key):
    """One council's people and one of each thing the service's URLs name."""
    name = COUNCILS[key]
    people = {role: person(f"{key}-{role}", GROUPS[role], name)[0] for role in ROLES}
    officer_owner = Owner.objects.get(user=people["officer"])
    plan = PlanFactory(organisation=name, title=f"{name} improvement plan")
    plan.managers.add(people["manager"])
    section = SectionFactory(plan=plan)
    rec = RecommendationFactory(plan=plan, section=section, reference="R1")
    action = ActionFactory(
        recommendation=rec,
        reference="(a)",
        owners=[officer_owner],
        text=f"The own action of {name}",
    )
    update = workflow.progress_add(
        action,
        author=people["officer"],
        written_on=dt.date(2026, 1, 5),
        text="Audit done.",
        files=[pdf()],
    )
    inspection = InspectionFactory(organisation=name)
    clerk = people["clerk"]
    cover = {"committee": "Scrutiny panel", "meeting_date": dt.date(2026, 2, 1), "subject": "Plan"}
    report = reporting_services.report_create(cover, actor=clerk, organisation=name)
    settings = Settings.load(
        {
            "plan": plan.pk,
            "layout": None,
            "as_at": timezone.localdate().isoformat(),
            "updates": "latest",
        }
    )
    reporting_services.appendix_add(report, actor=clerk, plan=plan, settings=settings)
    published = reporting_services.report_create(
        {**cover, "subject": "Published"}, actor=clerk, organisation=name
    )
    reporting_services.appendix_add(published, actor=clerk, plan=plan, settings=settings)
    published = published_directly(published, actor=clerk)
    report.meeting.body.plans.add(plan)
    layout = Layout.objects.create(name="Panel style", organisation=name)
    returned = ReturnedFile.objects.create(plan=plan, name="returned.docx", typed_by="Jo")
    change = ProposedChange.objects.create(
        returned=returned,
        plan=plan,
        action=action,
        kind=ProposedChange.Kind.DATE,
        new_value="31 March 2026",
        base_version=action.version,
    )
    return SimpleNamespace(
        change=change,
        **people,
        plan=plan,
        section=section,
        rec=rec,
        action=action,
        measure=MeasureFactory(plan=plan, recommendation=rec),
        evidence=update.evidence.get(),
        owner=OwnerFactory(name="Safeguarding board", kind=Owner.Kind.BOARD, organisation=name),
        inspection=inspection,
        judgement=Judgement.objects.create(inspection=inspection, area="Help", grade="Good"),
        finding=FindingFactory(inspection=inspection),
        layout=layout,
        report=report,
        published=published,
        body=report.meeting.body,
        meeting=report.meeting,
        report_appendix=report.appendices.get(),
        share=PlanShare.objects.create(plan=plan, organisation=POLICE),
        pending_import=PendingImport.objects.create(
            uploaded_by=people["manager"],
            name="plan.csv",
            data=b"Ref,Recommendation,Action,Lead officer\n1,Do better,x,Jo Bloggs\n",
            organisation=name,
        ),
    )


@pytest.fixture
def two_councils(db):
    a, b = council_world("a"), council_world("b")
    partner, partner_owner = person("partner", "Officer", POLICE, name="Police Officer")
    partners_action = ActionFactory(recommendation=a.rec, reference="(p)", owners=[partner_owner])
    partners_update = workflow.progress_add(
        partners_action,
        author=partner,
        written_on=dt.date(2026, 1, 5),
        text="Notifications.",
        files=[pdf("police.pdf")],
    )
    site_admin = UserFactory(username="site-admin")
    site_admin.groups.add(Group.objects.get(name="Site administrator"))
    return SimpleNamespace(
        a=a,
        b=b,
        partner=partner,
        partners_evidence=partners_update.evidence.get(),
        site_admin=site_admin,
    )


# Every URL that names an object: what it names, and its arguments for a council's world.
OBJECT_URLS = {
    "plan_detail": "plan",
    "plan_as_of": "plan",
    "plan_history": "plan",
    "plan_edit": "plan",
    "plan_sharing": "plan",
    "section_add": "plan",
    "recommendation_add": "plan",
    "plan_measures": "plan",
    "measure_add": "plan",
    "appendix_prepare": "plan",
    "appendix_download": "plan",
    "appendix_download_docx": "plan",
    "appendix_download_xlsx": "plan",
    "appendix_progress": "plan",
    "appendix_default_set": "plan",
    "changes_since": "plan",
    "changes_download": "plan",
    "changes_download_docx": "plan",
    "changes_download_xlsx": "plan",
    "plan_dashboard": "plan",
    "plan_table_export": "plan",
    "returned_changes": "plan",
    "returned_accept_all": "plan",
    "returned_change_accept": "plan",  # a proposed change, under its plan's address
    "returned_change_reject": "plan",
    "plan_share_remove": "share",
    "section_edit": "section",
    "recommendation_detail": "rec",
    "recommendation_edit": "rec",
    "recommendation_history": "rec",
    "action_add": "rec",
    "action_detail": "action",
    "action_edit": "action",
    "action_update": "action",
    "action_propose": "action",
    "action_sign_off": "action",
    "action_reopen": "action",
    "completion_assure": "action",
    "completion_impact": "action",
    "completion_step_reopen": "action",
    "action_history": "action",
    "action_publication": "action",
    "move": "action",
    "remove": "action",
    "measure_edit": "measure",
    "reading_add": "measure",
    "evidence_download": "evidence",
    "owner_detail": "owner",
    "owner_edit": "owner",
    "inspection_detail": "inspection",
    "inspection_edit": "inspection",
    "judgement_add": "inspection",
    "finding_add": "inspection",
    "judgement_edit": "judgement",
    "finding_edit": "finding",
    "layout_edit": "layout",
    "layout_copy": "layout",
    "report_detail": "report",
    "report_edit": "report",
    "report_appendix_add": "report",
    "report_preview": "report",
    "report_download": "report",
    "report_publish": "report",
    "report_pack_progress": "report",
    "report_correct": "published",
    "report_version_download": "published",
    "body_detail": "body",
    "meeting_add": "body",
    "body_plans": "body",
    "meeting_detail": "meeting",
    "plan_packs": "plan",
    "report_appendix_remove": "report_appendix",
    "report_appendix_move": "report_appendix",
    "import_preview": "pending_import",
    "import_confirm": "pending_import",
    "import_owner_edit": "pending_import",
}
# URLs that name no object: each user's own pages and lists, filtered by the same rules.
OWN_PAGES = {
    "healthz",
    "login",
    "logout",
    "home",
    "plan_list",
    "plan_create",
    "action_list",
    "owner_list",
    "owner_add",
    "inspection_list",
    "inspection_add",
    "layout_list",
    "layout_add",
    "report_list",
    "report_add",
    "body_list",
    "body_add",
    "manager_dashboard",
    "reminder_preferences",
    "import_upload",
    "action_table_export",
    "publication_policy",
}
# What a partner agency's officer, who has one action in council A's plan, may see of A's.
PARTNER_SEES = {"plan", "section", "rec", "action", "measure", "share"}


def url_names(patterns=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                yield from url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name


def test_every_url_is_in_the_matrix():
    """A new URL must say what it names, so that it is asked here by every council's people."""
    assert set(url_names()) == set(OBJECT_URLS) | OWN_PAGES


def url_for(name, world):
    obj = getattr(world, OBJECT_URLS[name])
    if name == "plan_share_remove":
        return reverse(name, args=[obj.plan_id, obj.pk])
    if name in ("move", "remove"):
        return reverse(name, kwargs={"kind": "action", "pk": obj.pk})
    if name == "plan_table_export":
        return reverse(name, args=[obj.pk, "csv"])
    if name == "import_owner_edit":  # the import's first owner
        return reverse(name, args=[obj.pk, 0])
    if name == "report_version_download":
        return reverse(name, args=[obj.pk, 1])
    if name in ("returned_change_accept", "returned_change_reject"):
        return reverse(name, args=[obj.pk, world.change.pk])
    return reverse(name, args=[obj.pk])


def row_counts():
    """Rows of every model but those signing in writes (sessions, the sign-in log)."""
    skip = {"sessions", "axes"}
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label not in skip
    }


def asked(client, user, url):
    client.force_login(user)
    return client.get(url).status_code, client.post(url, {"name": "x"}).status_code


# A page that answers for something named in its query string, not only for the object.
QUERY_NAMED = {"appendix_progress"}  # ?task=: an unknown task is not found either way
# URLs that only take a POST: a GET answers 405 before any view reads the object.
POST_ONLY = {
    "appendix_default_set",
    "import_confirm",
    "layout_copy",
    "move",
    "plan_share_remove",
    "report_appendix_move",
    "report_appendix_remove",
    "report_correct",
    "returned_accept_all",
    "returned_change_accept",
    "returned_change_reject",
}


def refused_alike(client, user, url, got, own_url):
    """Another council's object answers 404, or the very answer the user gets for the same page
    of their own council's object (403 for a page their role may not use at all): either way
    the answer says nothing of the object."""
    return (set(got) <= {404, 405} and 404 in got) or (
        set(got) <= {403, 405} and got == asked(client, user, own_url)
    )


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_each_url_for_each_role_of_each_council(client, two_councils, name):
    w = two_councils
    own, other = w.a, w.b
    url, others_own_url = url_for(name, own), url_for(name, other)
    kind = OBJECT_URLS[name]

    assert client.get(url).status_code == 302  # not signed in: sign in first
    assert client.post(url).status_code in (302, 405)

    # Another council's people, by GET and POST: not found, and nothing changed.
    before = row_counts()
    for role in ROLES:
        user = getattr(other, role)
        got = asked(client, user, url)
        assert refused_alike(client, user, url, got, others_own_url), (role, got)
    assert row_counts() == before

    # A partner agency's officer sees the plan they have an action in, nothing else of A's.
    got = asked(client, w.partner, url)
    if kind in PARTNER_SEES:
        assert 404 not in got or name in QUERY_NAMED, got
    else:
        assert refused_alike(client, w.partner, url, got, others_own_url), got

    # The object's own council's people: allowed, or refused with 403; never "not found"
    # (an import being previewed is its uploader's alone). Asked by GET: a POST would do it.
    for role in ROLES:
        user = getattr(own, role)
        if kind == "pending_import" and user != own.pending_import.uploaded_by:
            continue
        client.force_login(user)
        assert client.get(url).status_code != 404 or name in QUERY_NAMED, role

    # The site administrator crosses councils, and each read of another's is kept; an import
    # being previewed stays its uploader's alone, and a GET of a POST-only URL reads nothing.
    reads = CrossCouncilRead.objects.count()
    client.force_login(w.site_admin)
    status = client.get(others_own_url).status_code
    assert (status == 405) is (name in POST_ONLY), status
    assert status != 404 or name in QUERY_NAMED or kind == "pending_import", status
    read = CrossCouncilRead.objects.count() > reads
    assert read is (kind != "pending_import" and name not in POST_ONLY), status


def test_partner_opens_only_their_own_actions_evidence(client, two_councils):
    w = two_councils
    client.force_login(w.partner)
    assert (
        client.get(reverse("evidence_download", args=[w.partners_evidence.pk])).status_code == 200
    )
    assert client.get(reverse("evidence_download", args=[w.a.evidence.pk])).status_code == 404
    # The action page of another's action lists its files without a link to them.
    page = client.get(reverse("action_detail", args=[w.a.action.pk])).content.decode()
    assert reverse("evidence_download", args=[w.a.evidence.pk]) not in page
    assert "only the council's people and the action's owners may open" in page
    client.force_login(w.a.officer)
    page = client.get(reverse("action_detail", args=[w.a.action.pk])).content.decode()
    assert reverse("evidence_download", args=[w.a.evidence.pk]) in page


@pytest.mark.parametrize(
    "name",
    [
        "plan_list",
        "action_list",
        "manager_dashboard",
        "home",
        "owner_list",
        "inspection_list",
        "layout_list",
        "report_list",
        "body_list",
    ],
)
def test_lists_name_nothing_of_another_council(client, two_councils, name):
    w = two_councils
    for role in ROLES:
        client.force_login(getattr(w.b, role))
        page = client.get(reverse(name)).content.decode()
        for text in (w.a.plan.title, COUNCILS["a"], w.a.action.text[:40]):
            assert text not in page, (role, text)


def test_table_exports_of_every_action_hold_only_the_councils(client, two_councils):
    w = two_councils
    client.force_login(w.b.clerk)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("action_table_export", args=[fmt]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert w.a.plan.title.encode() not in body and w.a.action.text[:40].encode() not in body


def test_a_shared_plan_is_read_only_to_the_council_it_is_shared_with(client, two_councils):
    w = two_councils
    client.force_login(w.a.manager)
    response = client.post(
        reverse("plan_sharing", args=[w.a.plan.pk]), {"organisation": COUNCILS["b"]}
    )
    assert response.status_code == 302
    client.force_login(w.b.manager)
    assert client.get(reverse("plan_detail", args=[w.a.plan.pk])).status_code == 200
    assert client.get(reverse("plan_edit", args=[w.a.plan.pk])).status_code == 403
    assert client.get(reverse("action_update", args=[w.a.action.pk])).status_code == 403
    # A shared plan shares no evidence.
    assert client.get(reverse("evidence_download", args=[w.a.evidence.pk])).status_code == 404
    # Stopping sharing ends it.
    client.force_login(w.a.manager)
    share = PlanShare.objects.get(plan=w.a.plan, organisation=COUNCILS["b"])
    client.post(reverse("plan_share_remove", args=[w.a.plan.pk, share.pk]))
    client.force_login(w.b.manager)
    assert client.get(reverse("plan_detail", args=[w.a.plan.pk])).status_code == 404


def test_one_plans_rules_answer_as_the_lists_of_plans_do(two_councils):
    """``rules.may_read`` and ``can_edit_plan`` (the access helpers' quick answers for one plan)
    agree with ``visible_plans`` and ``managed_plans`` for every person and plan: own council,
    another, shared, a partner's, the site administrator, someone no longer active or with no
    council, a manager of the council who does not manage the plan."""
    w = two_councils
    PlanShare.objects.create(plan=w.b.plan, organisation=COUNCILS["a"])
    PlanFactory(organisation=POLICE, title="A plan of the partner's own organisation")
    gone = UserFactory(username="gone", is_active=False)
    OwnerFactory(user=gone, name="Gone", organisation=COUNCILS["a"])
    people = [getattr(world, role) for world in (w.a, w.b) for role in ROLES]
    not_its_manager = person("a-manager-2", "Manager", COUNCILS["a"])[0]
    people += [w.partner, w.site_admin, gone, UserFactory(username="no-council"), not_its_manager]
    answers = {}
    for user in people:
        listed = set(rules.visible_plans(user).values_list("pk", flat=True))
        for plan in Plan.objects.all():
            assert rules.may_read(user, plan) == (plan.pk in listed), (user.username, plan.title)
            answers[user.username, plan.title] = plan.pk in listed
    for user in people:  # and the one plan's rule for changing it, as the list of them
        managed = set(rules.managed_plans(user).values_list("pk", flat=True))
        for plan in Plan.objects.all():
            assert rules.can_edit_plan(user, plan) == (plan.pk in managed), user.username
    assert rules.can_edit_plan(w.a.manager, w.a.plan)
    assert rules.can_edit_plan(w.a.admin, w.a.plan) and rules.can_edit_plan(w.site_admin, w.b.plan)
    assert not rules.can_edit_plan(w.b.manager, w.a.plan)
    assert not rules.can_edit_plan(not_its_manager, w.a.plan)
    # Each way in is taken: own council, shared, acted in, and refused.
    assert answers["b-officer", f"{COUNCILS['b']} improvement plan"]
    assert answers["a-clerk", f"{COUNCILS['b']} improvement plan"]
    assert answers["partner", f"{COUNCILS['a']} improvement plan"]
    assert not answers["b-clerk", f"{COUNCILS['a']} improvement plan"]
    assert not answers["gone", f"{COUNCILS['a']} improvement plan"]


def test_sharing_refuses_what_is_not_another_council(client, two_councils):
    w = two_councils
    client.force_login(w.a.manager)
    url = reverse("plan_sharing", args=[w.a.plan.pk])
    for hostile in ["<script>alert(1)</script>", "x" * 100_000, COUNCILS["a"], "\x00", ""]:
        response = client.post(url, {"organisation": hostile})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Choose one of the councils listed" in page or "Choose the council" in page
    assert not PlanShare.objects.exclude(organisation=POLICE).exists()


def test_a_preset_is_read_only_and_copied_for_the_council_that_uses_it(client, two_councils):
    w = two_councils
    preset = Layout.objects.filter(organisation="").first()
    client.force_login(w.b.clerk)
    assert client.get(reverse("layout_edit", args=[preset.pk])).status_code == 404
    response = client.post(reverse("layout_copy", args=[preset.pk]))
    copy = Layout.objects.get(organisation=COUNCILS["b"], name=preset.name)
    assert response["Location"] == reverse("layout_edit", args=[copy.pk])
    assert [c.heading for c in copy.columns.all()] == [c.heading for c in preset.columns.all()]
    # Council A's manager makes the preset the plan's default: A gets its own copy.
    client.force_login(w.a.manager)
    client.post(reverse("appendix_default_set", args=[w.a.plan.pk]), {"layout": preset.pk})
    chosen = w.a.plan.default_layout.layout
    assert chosen.pk != preset.pk and chosen.organisation == COUNCILS["a"]
    # B's edit of its copy changes nothing of A's.
    assert chosen.pk != copy.pk
