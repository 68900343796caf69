"""The plan page's rows are rendered once and reused (actionplans/page_cache.py): every kind of
change the rows show is seen at once, and what is reused never crosses days or readers' rights."""

import datetime as dt

import pytest
from django.urls import reverse

from actionplans import page_cache, plan_setup, workflow
from actionplans.models import Measure, Plan, Reading, Section
from core import records

from .conftest import action_form_data
from .factories import ActionFactory, ProgressUpdateFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def page(client, plan, query=""):
    response = client.get(reverse("plan_detail", args=[plan.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def changes_page(client, world, change, before, after, query=""):
    """``before`` is on the (reused) page, then ``change`` runs and ``after`` is on it."""
    client.force_login(world.manager)
    assert before in page(client, world.plan, query)
    shown = page(client, world.plan, query)  # served again from what was kept
    assert before in shown and after not in shown
    change()
    assert after in page(client, world.plan, query)


def test_a_progress_update_shows_at_once(client, world):
    def change():
        workflow.progress_add(
            world.others,
            author=world.other_officer,
            written_on=dt.date.today(),
            text="Audit of forty cases finished",
        )

    changes_page(client, world, change, "None yet", "Audit of forty cases finished")


def test_an_action_edit_and_an_override_show_at_once(client, world):
    client.force_login(world.manager)
    url = reverse("action_edit", args=[world.own.pk])
    page(client, world.plan)
    response = client.post(url, action_form_data(world.own, text="Rewritten action text"))
    assert response.status_code == 302
    assert "Rewritten action text" in page(client, world.plan)
    world.own.refresh_from_db()
    response = client.post(
        url, action_form_data(world.own, rag_override="red", rag_override_reason="Not convinced")
    )
    assert response.status_code == 302
    assert "Not convinced" in page(client, world.plan)


def test_recommendation_section_and_structure_changes_show_at_once(client, world):
    rec = world.rec
    rec.text = "A recommendation reworded"
    changes_page(
        client,
        world,
        lambda: plan_setup.recommendation_edit(
            rec, actor=world.manager, version=rec.version, fields=["text"]
        ),
        "CP4",
        "A recommendation reworded",
    )
    section = plan_setup.section_add(
        Section(plan=world.plan, title="Early help"), actor=world.manager
    )
    assert "Early help" in page(client, world.plan)
    section.title = "Early help and prevention"
    plan_setup.section_rename(section, actor=world.manager)
    assert "Early help and prevention" in page(client, world.plan)
    added = plan_setup.action_add(
        ActionFactory.build(recommendation=rec, text="A brand new action"), actor=world.manager
    )
    assert "A brand new action" in page(client, world.plan)
    records.record_move(added, actor=world.manager, siblings=rec.actions.all(), up=True)
    shown = page(client, world.plan)
    assert shown.index(f'id="action-{added.pk}"') < shown.index(f'id="action-{world.partners.pk}"')
    records.record_remove(added, actor=world.manager)
    assert "A brand new action" not in page(client, world.plan)


def test_an_owner_renamed_shows_at_once(client, world):
    owner = world.officer_owner
    owner.name = "Terry Irvine-Smith"
    changes_page(
        client,
        world,
        lambda: plan_setup.owner_edit(
            owner, actor=world.manager, version=owner.version, fields=["name"]
        ),
        "Terry Irvine<",
        "Terry Irvine-Smith",
    )


def test_an_author_renamed_shows_at_once(client, world):
    update = ProgressUpdateFactory(action=world.own, author=world.officer, text="Earlier")
    ProgressUpdateFactory(action=world.own, written_on=dt.date.today(), text="Later")
    assert update.written_on < dt.date.today()
    world.officer.first_name, world.officer.last_name = "Theresa", "Irvine"

    changes_page(client, world, world.officer.save, "Earlier", "Theresa Irvine", "?updates=all")


def test_the_plans_thresholds_and_a_reading_change_the_ratings_at_once(client, world):
    action = world.others
    action.planned_completion_date = dt.date.today() + dt.timedelta(days=10)
    action.save()
    plan = world.plan
    plan.amber_days = 5

    def shorter_amber():
        plan_setup.plan_edit(plan, actor=world.manager, version=plan.version, fields=["amber_days"])

    changes_page(client, world, shorter_amber, "Amber: due", "Green")
    measure = plan_setup.measure_add(
        Measure(
            plan=plan,
            action=action,
            name="Audits",
            baseline_value=0,
            target_value=100,
            baseline_date=dt.date.today() - dt.timedelta(days=100),
            target_date=dt.date.today() + dt.timedelta(days=100),
        ),
        actor=world.manager,
    )
    assert "Green" in page(client, world.plan)
    plan_setup.reading_add(
        Reading(measure=measure, value=1, taken_on=dt.date.today()), actor=world.manager
    )
    assert "Amber" in page(client, world.plan)


def test_what_is_kept_is_for_one_day(world):
    action = world.others
    action.planned_completion_date = dt.date(2030, 1, 20)
    action.save()
    plan = Plan.objects.get(pk=world.plan.pk)
    kept = [
        page_cache.PlanPage(plan, day)
        .rows(can_edit=False, all_updates=False, sections_closed=False, narrowing={})
        .html.decode()
        for day in (dt.date(2030, 1, 1), dt.date(2030, 1, 25))
    ]
    assert kept[1].count("Red: overdue") == kept[0].count("Red: overdue") + 1


def test_controls_only_for_those_who_may_edit_with_their_own_csrf_token(client, world):
    client.force_login(world.manager)
    shown = page(client, world.plan)
    token = client.cookies["csrftoken"].value
    assert "Move up" in shown
    # The shared rows hold no token: every Move button posts the page's one form, made for the
    # reader (its token is the one posted below).
    rows = page_cache.PlanPage(world.plan, dt.date.today()).rows(
        can_edit=True, all_updates=False, sections_closed=False, narrowing={}
    )
    assert b"csrfmiddlewaretoken" not in rows.html and b'form="app-move"' in rows.html
    assert '<form id="app-move" method="post"' in shown
    client.force_login(world.clerk)
    assert "Move up" not in page(client, world.plan)
    # A manager served what another made posts the form with a token of their own.
    world.plan.managers.add(world.other_manager)
    other = type(client)(enforce_csrf_checks=True)
    other.force_login(world.other_manager)
    shown = page(other, world.plan)
    mark = 'name="csrfmiddlewaretoken" value="'
    form = shown[shown.index('<form id="app-move"') :]
    posted = form[form.index(mark) + len(mark) :].split('"', 1)[0]
    assert posted != token
    response = other.post(
        reverse("move", args=["action", world.via_team.pk]),
        {"direction": "up", "csrfmiddlewaretoken": posted},
    )
    assert response.status_code == 302


def test_a_write_renders_again_only_the_recommendation_it_changed(client, world, monkeypatch):
    """Issue 28: a reader after a write pays for the rows it changed, not for the whole plan."""
    other_rec = RecommendationFactory(plan=world.plan, reference="CP5")
    ActionFactory(recommendation=other_rec, reference="(a)", text="Train every social worker")
    rendered = []
    real = page_cache.render_to_string

    def counting(template, context=None, *args, **kwargs):
        if template == page_cache.RECOMMENDATION_TEMPLATE:
            rendered.append(context["rec"].reference)
        return real(template, context, *args, **kwargs)

    monkeypatch.setattr(page_cache, "render_to_string", counting)
    client.force_login(world.manager)
    page(client, world.plan)
    assert sorted(rendered) == ["CP4", "CP5"]
    rendered.clear()
    workflow.progress_add(
        world.others, author=world.other_officer, written_on=dt.date.today(), text="Audit done"
    )
    shown = page(client, world.plan)
    assert rendered == ["CP4"]  # CP5 is served as it was rendered
    assert "Audit done" in shown and "Train every social worker" in shown
    # A change every row shows (an owner's name) renders them all again.
    rendered.clear()
    owner = world.team
    owner.name = "Quality Assurance Sub Group"
    plan_setup.owner_edit(owner, actor=world.manager, version=owner.version, fields=["name"])
    assert "Quality Assurance Sub Group" in page(client, world.plan)
    assert rendered == ["CP4"]  # the team owns only CP4's actions: CP5's rows are unchanged


def test_a_progress_update_reads_the_plan_again_for_its_progress_only(client, world, monkeypatch):
    """Issue 28: after a progress update the plan page reads the plan's updates again, not its
    sections, recommendations, actions, owners and measures (snapshots.Shape, kept under the
    plan's outline token); any other change reads those again too."""
    from actionplans import snapshots

    read = []
    real = snapshots.shape_of
    monkeypatch.setattr(snapshots, "shape_of", lambda plan: read.append(plan.pk) or real(plan))
    client.force_login(world.manager)
    page(client, world.plan)
    assert read == [world.plan.pk]
    outline = Plan.objects.get(pk=world.plan.pk).outline_token
    workflow.progress_add(
        world.others, author=world.other_officer, written_on=dt.date.today(), text="Audit done"
    )
    assert "Audit done" in page(client, world.plan)
    assert read == [world.plan.pk]
    assert Plan.objects.get(pk=world.plan.pk).outline_token == outline
    world.others.refresh_from_db()
    workflow.progress_add(
        world.others,
        author=world.other_officer,
        written_on=dt.date.today(),
        text="Underway now",
        status=next(s for s in world.others.progress_statuses() if s != world.others.status),
    )
    assert "Underway now" in page(client, world.plan)
    assert read == [world.plan.pk, world.plan.pk]  # the status is the action's own


def test_the_kept_outline_holds_no_password_hash_or_address(client, world):
    import pickle

    from actionplans import snapshots

    client.force_login(world.manager)
    url = reverse("action_edit", args=[world.own.pk])
    data = action_form_data(world.own, rag_override="red", rag_override_reason="Not convinced")
    assert client.post(url, data).status_code == 302
    world.manager.refresh_from_db()
    kept = pickle.dumps(snapshots.shape_of(world.plan))
    assert world.manager.username.encode() in kept  # the override is by them, named
    assert world.manager.password.encode() not in kept
    assert not world.manager.email or world.manager.email.encode() not in kept


def test_a_plan_read_before_a_change_gives_the_rows_after_it(world):
    """The outline is kept under the token read from the database, not the one of the plan in
    hand: a caller that read the plan, then changed it, reads the rows as they now are."""
    from actionplans import snapshots

    plan = Plan.objects.get(pk=world.plan.pk)
    snapshots.current(plan)  # its outline kept
    owner = world.officer_owner
    owner.name = "Terry Irvine-Smith"
    plan_setup.owner_edit(owner, actor=world.manager, version=owner.version, fields=["name"])
    names = {
        o.name
        for s in snapshots.current(plan).sections
        for r in s.recommendations
        for a in r.actions
        for o in a.owners
    }
    assert "Terry Irvine-Smith" in names


def test_the_latest_of_each_action_shows_what_every_update_would(world):
    """The plan page reads only the latest progress of each action by default (issue 28): what
    it shows of each action (the latest, how many came before, status words, rating) is what the
    rows with every update show."""
    from actionplans import snapshots

    for day in (3, 1, 2):
        ProgressUpdateFactory(action=world.others, written_on=dt.date(2026, 1, day), text=f"D{day}")
    for day, text in ((4, "On rec"), (1, "Older")):
        ProgressUpdateFactory(
            action=None, recommendation=world.rec, written_on=dt.date(2026, 1, day), text=text
        )

    def shown(outline):
        return [
            (
                a.id,
                a.latest_update,
                a.earlier_count,
                a.status_label,
                a.rag,
                a.rag_label,
                r.latest_update,
            )
            for s in outline.sections
            for r in s.recommendations
            for a in r.actions
        ]

    latest = snapshots.current(world.plan, latest=True)
    every = snapshots.current(world.plan)
    assert shown(latest) == shown(every)
    others = next(row for row in shown(latest) if row[0] == world.others.pk)
    assert others[1].text == "D3" and others[2] == 2 and others[6].text == "On rec"
