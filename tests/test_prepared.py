"""Queries built once a process (core/prepared.py): the same rows as the ORM's, for each id."""

import pytest
from django.http import Http404
from django.urls import reverse

from actionplans import rules
from actionplans.models import Owner, Plan
from core.auth_backend import ModelBackend
from core.prepared import Prepared

pytestmark = pytest.mark.django_db


def test_built_once_and_run_with_each_id(world):
    built = []

    def build(user_id):
        built.append(user_id)
        return rules._whose(user_id)

    who = Prepared(Owner, build)
    for user in (world.officer, world.partner, world.manager, world.officer):
        assert sorted(who.rows(user.pk)) == sorted(rules._whose(user.pk))
    assert len(built) == 1


def test_a_query_that_leaves_out_an_id_is_refused():
    unused = Prepared(Plan, lambda plan_id, user_id: Plan.objects.filter(pk=plan_id))
    with pytest.raises(ValueError, match="left out an id"):
        unused.rows(1, 2)


def test_the_plan_is_read_with_whether_this_user_manages_it(world, django_assert_num_queries):
    for user in (world.manager, world.other_manager):
        user = ModelBackend().get_user(user.pk)  # as a request reads them, permissions too
        plan = rules.get_plan_for_user(user, world.plan.pk)
        with django_assert_num_queries(0):  # the plan's read answered it
            assert rules.can_edit_plan(user, plan) == (user == world.manager)


def test_the_answer_read_with_the_plan_is_for_its_reader_only(world):
    """A plan read for its manager says nothing of another manager of the council, who is asked."""
    plan = rules.get_plan_for_user(world.manager, world.plan.pk)
    assert rules.can_edit_plan(world.manager, plan)
    assert not rules.can_edit_plan(world.other_manager, plan)
    world.plan.managers.remove(world.manager)
    assert not rules.can_edit_plan(world.manager, rules.get_plan_for_user(world.manager, plan.pk))


@pytest.mark.parametrize("pk", ["abc", "1 OR 1=1", 99999999999999999999, -5])
def test_a_bad_or_missing_plan_id_is_404(world, pk):
    with pytest.raises(Http404):
        rules.get_plan_for_user(world.manager, pk)


def test_the_plan_page_to_a_manager_who_no_longer_manages_it(client, world):
    """Removed from the plan's managers, the next page offers no change to it."""
    client.force_login(world.manager)
    edit = reverse("plan_edit", args=[world.plan.pk])
    assert client.get(edit).status_code == 200
    world.plan.managers.remove(world.manager)
    assert client.get(edit).status_code == 403
