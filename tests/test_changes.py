"""One registry of what changes a plan (actionplans/changes.py), which the page cache, the render
store's key and rendering ahead all follow: nothing a page or an appendix shows is left out of it,
and the three readers agree on each kind of change."""

import dataclasses
import datetime as dt

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from actionplans import changes, page_cache, plan_setup, snapshots, workflow
from actionplans.models import (
    Action,
    CompletionStep,
    DateMove,
    Owner,
    Plan,
    Recommendation,
    Withholding,
)
from inspections import services as inspection_services
from inspections.models import Finding
from reporting import appendix, signals
from reporting.models import Layout, LayoutColumn

from .factories import FindingFactory, InspectionFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def with_history():
    """Every model simple-history keeps history of."""
    return [m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")]


def test_every_model_with_history_is_in_the_registry():
    missing = [m._meta.label for m in with_history() if m not in changes.SOURCES]
    assert not missing, (
        f"Say in actionplans/changes.py which plans a change to these changes: {missing}"
    )


def test_every_model_their_records_point_to_is_in_the_registry():
    """What a page or appendix shows of a record's related rows (an update's author, an action's
    owners, a plan's inspections) is in it too: users included."""
    missing = {
        f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}"
        for model in with_history()
        for field in [*model._meta.fields, *model._meta.many_to_many]
        if field.is_relation and field.related_model not in changes.SOURCES
    }
    assert not missing
    assert User in changes.SOURCES


# The fields of plans' records naming an owner or a user that no row shows, and why.
NOT_IN_THE_ROWS = {
    (Owner, "user"): "an owner is named by its own name, not its sign-in's",
    (Plan, "managers"): "who manages a plan decides what they may do, keyed by reader",
    (Owner, "members"): "a team's members: who owns what, on the pages (every plan changes)",
    (Plan, "sponsor"): "the plan page's heading, made for each request",
    (Plan, "governance_body"): "the clerk's home and the dashboards (every plan changes)",
    (Recommendation, "accountable_body"): "the dashboards (every plan changes)",
    (Action, "accountable_body"): "the dashboards and the action list's filter (every plan)",
    (DateMove, "moved_by"): "who moved a date: the action's own page, made afresh each time",
    (Withholding, "marked_by"): "who marked an entry not for publication: its own page only",
    (CompletionStep, "recorded_by"): "the action's own page, made afresh each time",
    (CompletionStep, "reopened_by"): "the action's own page, made afresh each time",
}


@pytest.mark.parametrize("target", [Owner, User], ids=["owners", "users"])
def test_every_owner_and_user_the_rows_name_is_in_the_render_key(target):
    """A field of a plan's records that names an owner or a user is shown in the rows as it is
    now (NAMED_BY: a change to what it names moves the render key) or said here not to be."""
    unsaid = []
    for model, source in changes.SOURCES.items():
        if source.plans is changes.no_plan or model is target:
            continue
        for field in [*model._meta.fields, *model._meta.many_to_many]:
            if field.is_relation and field.related_model is target:
                said = changes.NAMED_BY[target].get(model) == field.name
                if not (said or (model, field.name) in NOT_IN_THE_ROWS):
                    unsaid.append(f"{model._meta.label}.{field.name}")
    assert not unsaid


def test_a_layout_is_in_the_render_key_as_its_values():
    """reporting's own records are in the key as values (Spec, from renders.key's "layout"): each
    field of a layout and its columns that the document prints is one of the Spec's."""
    spec = {f.name for f in dataclasses.fields(appendix.Spec)}
    not_printed = {"id", "organisation", "applies_to_title", "version"}
    layout = {f.name for f in Layout._meta.concrete_fields} - not_printed
    assert layout <= spec, layout - spec
    column = {f.name for f in dataclasses.fields(appendix.Column)}
    assert (
        {"heading", "field", "width"}
        == {f.name for f in LayoutColumn._meta.concrete_fields} - {"id", "layout", "order"}
        <= column
    )


def test_the_three_readers_follow_the_one_registry():
    assert page_cache.bump in changes._watchers
    assert signals.plans_changed in changes._watchers


# The readers agree on each kind of change: the plan's pages get a new rows token, its current
# appendix is queued when the change commits, and the render key moves.


def enqueued(callbacks):
    return sorted({c.plan_id for c in callbacks if isinstance(c, signals._Enqueue)})


def agree(world, change, django_capture_on_commit_callbacks, *, moment=None, rows=True):
    from django.db import connection

    plan = world.plan
    token, version = plan.rows_token, snapshots.rows_version(plan, moment)
    at = moment or appendix.end_of(timezone.localdate())
    today = snapshots.rows_version(plan, at)
    snapshots.kept_as_of(plan, at)  # kept before the change, to be made again after it
    # What the fixtures queued, never to run in a test that does not commit: one render a plan
    # a transaction, so it would stand for this change's.
    connection.run_on_commit.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        change()
    plan.refresh_from_db()
    assert plan.rows_token != token, "the reused pages"
    assert world.plan.pk in enqueued(callbacks), "rendering ahead"
    assert (snapshots.rows_version(plan, moment) != version) is rows, "the render key"
    assert snapshots.rows_version(plan, at) != today, "the render key of today's appendix"
    assert snapshots.kept_as_of(plan, at) == snapshots.as_of(plan, at), "the appendix's rows"


def test_a_finding_edited_changes_the_plan_everywhere(world, django_capture_on_commit_callbacks):
    inspection = InspectionFactory()
    world.plan.inspections.add(inspection)
    finding = FindingFactory(inspection=inspection, kind=Finding.Kind.STRENGTH, text="Strong QA")

    def change():
        finding.text = "Strong quality assurance"
        inspection_services.finding_edit(finding, actor=world.manager, fields=["text"])

    agree(world, change, django_capture_on_commit_callbacks)


def test_an_owner_renamed_changes_every_plan_everywhere(world, django_capture_on_commit_callbacks):
    owner = world.officer_owner

    def change():
        owner.name = "Terry Irvine-Smith"
        plan_setup.owner_edit(owner, actor=world.manager, version=owner.version, fields=["name"])

    agree(world, change, django_capture_on_commit_callbacks)


def test_a_user_renamed_changes_the_plans_that_name_them(world, django_capture_on_commit_callbacks):
    workflow.progress_add(world.own, author=world.officer, written_on=dt.date.today(), text="Met")

    def change():
        world.officer.last_name = "Irvine"
        world.officer.save()

    agree(world, change, django_capture_on_commit_callbacks)


def test_a_sign_in_or_a_new_password_changes_nothing(world, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import update_last_login
    from django.db import connection

    world.plan.refresh_from_db()
    token = world.plan.rows_token
    connection.run_on_commit.clear()  # as in ``agree``
    with django_capture_on_commit_callbacks() as callbacks:
        update_last_login(None, world.officer)
        world.officer.set_password("another")
        world.officer.save()
        world.officer.is_active = False
        world.officer.save()
    world.plan.refresh_from_db()
    assert world.plan.rows_token == token and not enqueued(callbacks)


def test_an_owner_renamed_changes_the_plan_as_it_stood_too(world):
    """Rows as they stood name owners as they are now: a rename after the moment moves the key of
    the plan as it stood then (it was counted only up to the moment)."""
    from django.db.models import F

    for model in apps.get_app_config("actionplans").get_models():
        if model.__name__.startswith("Historical") and hasattr(model, "history_date"):
            model.objects.update(history_date=F("history_date") - dt.timedelta(days=10))
    yesterday = appendix.end_of(timezone.localdate() - dt.timedelta(days=1))
    before = snapshots.rows_version(world.plan, yesterday)
    owner = world.officer_owner
    owner.name = "Terry Irvine-Smith"
    plan_setup.owner_edit(owner, actor=world.manager, version=owner.version, fields=["name"])
    then = snapshots.as_of(world.plan, yesterday)
    owners = {
        o.name
        for s in then.sections
        for r in s.recommendations
        for a in r.actions
        for o in a.owners
    }
    assert "Terry Irvine-Smith" in owners
    assert snapshots.rows_version(world.plan, yesterday) != before


def test_an_action_moved_changes_both_plans(world):
    assert sorted(changes.plans_changed_by(world.own)) == [world.plan.pk]
    Action.objects.filter(pk=world.own.pk).update(recommendation=world.other_rec)
    world.own.refresh_from_db()
    assert sorted(changes.plans_changed_by(world.own)) == sorted(
        [world.plan.pk, world.other_plan.pk]
    )


def test_an_owner_the_plan_does_not_name_leaves_its_render_key(world):
    from .factories import OwnerFactory

    stranger = OwnerFactory(name="Someone Elsewhere", organisation=world.plan.organisation)
    version = snapshots.rows_version(world.plan)
    stranger.name = "Someone Else Entirely"
    plan_setup.owner_edit(stranger, actor=world.manager, version=stranger.version, fields=["name"])
    assert snapshots.rows_version(world.plan) == version


def test_the_render_key_reads_the_history_once_a_change(world, django_assert_max_num_queries):
    """Issue 28: a download asks the plan's history again only after a change (the rows version
    is kept under the plan's rows token); the agreement tests above show it moves with one."""
    first = snapshots.rows_version(world.plan)
    with django_assert_max_num_queries(1):  # the token alone
        assert snapshots.rows_version(world.plan) == first


def test_the_render_key_as_at_today_reads_no_history(world, django_assert_max_num_queries):
    """Issue 28: the rows at a moment later today are the rows now, so the render key of today's
    appendix is the plan's rows token (moved by every change, as the agreement tests show); the
    first download after a write reads no history for it."""
    at = appendix.end_of(timezone.localdate())
    workflow.progress_add(world.own, author=world.officer, written_on=dt.date.today(), text="Met")
    with django_assert_max_num_queries(1):  # the token alone
        version = snapshots.rows_version(world.plan, at)
    world.plan.refresh_from_db()
    assert version == {"rows token": world.plan.rows_token}
    past = appendix.end_of(timezone.localdate() - dt.timedelta(days=1))
    assert "changed" in snapshots.rows_version(world.plan, past)  # the history, as it stood


def test_the_appendix_rows_are_read_once_a_change(world, django_assert_max_num_queries):
    """Issue 28: after a change the Word and the Excel appendix read the history once between
    them; the agreement tests above show the kept rows are the ones read afresh."""
    at = appendix.end_of(timezone.localdate())
    first = snapshots.kept_as_of(world.plan, at)
    with django_assert_max_num_queries(1):  # the token alone
        again = snapshots.kept_as_of(world.plan, at)
    assert again == first == snapshots.as_of(world.plan, at)
