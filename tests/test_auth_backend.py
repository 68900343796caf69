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
