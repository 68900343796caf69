"""Named people for every test: who owns what, who manages what, who only reads."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from actionplans.models import Action, Owner

from .factories import (
    ActionFactory,
    MeasureFactory,
    OwnerFactory,
    PlanFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    UserFactory,
)

COUNCIL = "Example Council"
POLICE = "Example Police"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def empty_page_cache(settings):
    """Each test starts with nothing reused: ids (and so cache keys) repeat between tests."""
    from django.core.cache import caches

    caches[settings.PAGE_CACHE].clear()


def person(username, group, organisation=COUNCIL, name=None):
    user = UserFactory(username=username, first_name=(name or username).split()[0])
    if group:
        user.groups.add(Group.objects.get(name=group))
    owner = OwnerFactory(name=name or username.title(), organisation=organisation, user=user)
    return user, owner


def pdf(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def world(db):
    """Two plans of one council; officers, managers, a clerk, the council's administrator, a
    partner agency's officer, and the site administrator."""
    plan = PlanFactory(organisation=COUNCIL, title="Child protection improvement plan")
    other_plan = PlanFactory(organisation=COUNCIL, title="Youth justice improvement plan")
    officer, officer_owner = person("officer", "Officer", name="Terry Irvine")
    other_officer, other_owner = person("other_officer", "Officer", name="Sue Wilson")
    partner, partner_owner = person("partner", "Officer", POLICE, name="Jason Harwin")
    manager, _ = person("manager", "Manager")
    other_manager, _ = person("other_manager", "Manager")
    clerk, _ = person("clerk", "Clerk")
    admin, _ = person("administrator", "Administrator")  # the council's administrator
    # The site administrator works for no council and alone crosses councils.
    site_admin = UserFactory(username="site_admin", first_name="Sita")
    site_admin.groups.add(Group.objects.get(name="Site administrator"))
    plan.managers.add(manager)
    other_plan.managers.add(other_manager)
    team = OwnerFactory(name="LSCB P&QA Sub Group", kind=Owner.Kind.SUB_GROUP, organisation=COUNCIL)
    team.members.add(officer_owner)

    rec = RecommendationFactory(plan=plan, reference="CP4")
    own = ActionFactory(recommendation=rec, reference="(a)", owners=[officer_owner])
    via_team = ActionFactory(recommendation=rec, reference="(b)", owners=[team])
    others = ActionFactory(recommendation=rec, reference="(c)", owners=[other_owner])
    partners = ActionFactory(recommendation=rec, reference="(d)", owners=[partner_owner])
    other_rec = RecommendationFactory(plan=other_plan, reference="YOS 1")
    elsewhere = ActionFactory(recommendation=other_rec, owners=[other_owner])
    ProgressUpdateFactory(action=own, written_on=dt.date(2012, 10, 18))
    return SimpleNamespace(
        measure=MeasureFactory(plan=plan, recommendation=rec),
        other_measure=MeasureFactory(plan=other_plan),
        plan=plan,
        other_plan=other_plan,
        rec=rec,
        other_rec=other_rec,
        own=own,
        via_team=via_team,
        others=others,
        partners=partners,
        elsewhere=elsewhere,
        team=team,
        officer=officer,
        officer_owner=officer_owner,
        other_officer=other_officer,
        partner=partner,
        partner_owner=partner_owner,
        manager=manager,
        other_manager=other_manager,
        clerk=clerk,
        admin=admin,
        site_admin=site_admin,
    )


@pytest.fixture
def proposed(world):
    """The officer's own action, proposed complete with evidence."""
    from actionplans import workflow

    workflow.completion_propose(
        world.own,
        author=world.officer,
        written_on=dt.date(2012, 10, 18),
        text="Done",
        files=[pdf()],
    )
    world.own.refresh_from_db()
    return world.own


@pytest.fixture
def user(db):
    return UserFactory(username="reader")


@pytest.fixture
def reader_client(client, world):
    """A signed-in clerk: reads every plan."""
    client.force_login(world.clerk)
    return client


def action_form_data(action, **changes):
    """What the action edit form posts for ``action`` as it stands, with ``changes``."""
    data = {
        "reference": action.reference,
        "text": action.text,
        "owners": [o.pk for o in action.owners.all()],
        "accountable_body": "",
        "planned_completion_text": action.planned_completion_text,
        "status": action.status,
        "completed_on": "",
        "performance_indicator": action.performance_indicator,
        "target": action.target,
        "rag_override": "",
        "rag_override_reason": "",
        "version": action.version,
    }
    data.update(changes)
    return data


@pytest.fixture(scope="module")
def demo_plans(django_db_setup, django_db_blocker):
    """The seed plans and the preset layouts, loaded once for a module (loading takes seconds)
    and flushed after, leaving what the migrations made."""
    from django.core.management import call_command

    from importers.demo import load_demo
    from reporting import presets
    from reporting.models import Layout, LayoutColumn

    with django_db_blocker.unblock():
        presets.install(Layout, LayoutColumn)
        load_demo()
        yield
        call_command("flush", interactive=False, verbosity=0)
        restore_groups()
        presets.install(Layout, LayoutColumn)


@pytest.fixture
def committed_world(transactional_db, request):
    """The named people and plans, committed, so that other connections (and transactions that
    commit as in production) see them. An earlier transactional test may have flushed the
    groups the data migrations made, so they are made again first."""
    restore_groups()
    return request.getfixturevalue("world")


def restore_groups():
    """Re-create the role groups (a flush removes what the data migration made)."""
    from importlib import import_module

    from django.apps import apps

    import_module("actionplans.migrations.0003_groups").create_groups(apps, None)
    import_module("actionplans.migrations.0007_versions_and_manager_permissions").grant_set_up(
        apps, None
    )
    import_module("actionplans.migrations.0011_council_boundary").council_roles(apps, None)
    import_module("actionplans.migrations.0016_completion_ladder").quality_roles(apps, None)


@pytest.fixture
def locmem(settings):
    """Email kept in memory (mail.outbox), links made absolute."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://plans.example.gov.uk"


@pytest.fixture
def emails(world):
    """``world`` with email addresses and the officer's own action overdue: reminders to send."""
    for user in (world.officer, world.manager):
        user.email = f"{user.username}@example.gov.uk"
        user.save()
    # The officer's own action is overdue (Nov 2012).
    Action.objects.filter(pk=world.own.pk).update(planned_completion_date=dt.date(2012, 11, 30))
    return world
