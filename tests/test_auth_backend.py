"""The model backend (core/auth_backend.py) answers as Django's does, in one query."""

import pytest
from django.contrib.auth import backends
from django.contrib.auth.models import Group, Permission

from core.auth_backend import ModelBackend

from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("group", ["Officer", "Manager", "Clerk", "Site administrator", None])
def test_the_same_permissions_as_djangos_in_one_query(group, django_assert_num_queries):
    user = UserFactory()
    if group:
        user.groups.add(Group.objects.get(name=group))
    user.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    expected = backends.ModelBackend().get_all_permissions(type(user).objects.get(pk=user.pk))
    with django_assert_num_queries(1):
        assert ModelBackend().get_all_permissions(user) == expected
        assert ModelBackend().has_perm(user, "actionplans.view_all_plans")


def test_an_inactive_user_and_a_superuser():
    inactive = UserFactory(is_active=False)
    inactive.groups.add(Group.objects.get(name="Manager"))
    assert ModelBackend().get_all_permissions(inactive) == set()
    superuser = UserFactory(is_superuser=True)
    assert len(ModelBackend().get_all_permissions(superuser)) == Permission.objects.count()


def test_a_request_reads_the_user_and_their_permissions_in_one_query(django_assert_num_queries):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Manager"))
    user.user_permissions.add(Permission.objects.get(codename="view_all_plans"))
    expected = backends.ModelBackend().get_all_permissions(type(user).objects.get(pk=user.pk))
    with django_assert_num_queries(1):
        signed_in = ModelBackend().get_user(str(user.pk))  # as the session keeps it
        assert signed_in == user
        assert signed_in.get_all_permissions() == expected
        assert signed_in.has_perm("actionplans.change_plan")


def test_each_request_reads_the_permissions_afresh():
    """A role taken away counts from the user's next request: nothing is kept between them."""
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Manager"))
    assert ModelBackend().get_user(user.pk).has_perm("actionplans.change_plan")
    user.groups.clear()
    assert not ModelBackend().get_user(user.pk).has_perm("actionplans.change_plan")
    assert ModelBackend().get_user(user.pk).get_all_permissions() == set()


@pytest.mark.parametrize("user_id", ["abc", "1 OR 1=1", "", None, "99999999999999999999", -1])
def test_no_user_for_a_bad_or_missing_id(user_id):
    UserFactory()
    assert ModelBackend().get_user(user_id) is None


def test_no_user_when_inactive_and_every_permission_for_a_superuser():
    assert ModelBackend().get_user(UserFactory(is_active=False).pk) is None
    superuser = ModelBackend().get_user(UserFactory(is_superuser=True).pk)
    assert len(superuser.get_all_permissions()) == Permission.objects.count()
