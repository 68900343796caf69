"""Signing in and permissions: Django's model backend, asking for permissions once."""

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db.models import Q, StringAgg, Subquery, Value
from django.db.models.functions import Concat

from .prepared import Prepared


class ModelBackend(backends.ModelBackend):
    """Django's, reading a user's permissions (their own and their groups') in one query, not
    two, and for a signed-in user's request in the query that reads the user (``_SIGNED_IN``):
    the access rules ask on every page (issue 28). The same answers, read afresh at each request
    and kept for it on the user as Django keeps them."""

    def get_user(self, user_id):
        try:
            user = _SIGNED_IN.objects(get_user_model()._meta.pk.to_python(user_id))
        except (ValidationError, ValueError):
            return None
        user = user[0] if user else None
        if user is None or not self.user_can_authenticate(user):
            return None
        if not user.is_superuser:  # a superuser has every permission: asked when needed
            user._perm_cache = set((user.permission_names or "").split())
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            perms = Permission.objects.all()
            if not user_obj.is_superuser:
                perms = _permissions(user_obj.pk)
            user_obj._perm_cache = set(_named(perms).values_list("full_name", flat=True))
        return user_obj._perm_cache


def _permissions(user_id):
    """A user's permissions: their own and their groups', each found through its index (as an
    OR across the two joins, PostgreSQL read every permission of every group)."""
    own = get_user_model().user_permissions.through.objects.filter(user=user_id)
    groups = get_user_model().groups.through.objects.filter(user=user_id).values("group")
    of_groups = Group.permissions.through.objects.filter(group__in=groups)
    return Permission.objects.filter(
        Q(pk__in=own.values("permission")) | Q(pk__in=of_groups.values("permission"))
    )


def _named(permissions):
    """Each permission with its ``full_name``, "app_label.codename", as has_perm asks for it."""
    return permissions.order_by().annotate(
        full_name=Concat("content_type__app_label", Value("."), "codename")
    )


def _signed_in(user_id):
    """The user, with their permissions' full names (space-separated) as ``permission_names``."""
    names = _named(_permissions(user_id)).values(one=Value(1))  # one group: every row
    names = names.values(names=StringAgg("full_name", delimiter=Value(" ")))
    return (
        get_user_model()
        ._default_manager.filter(pk=user_id)
        .annotate(permission_names=Subquery(names))
    )


_SIGNED_IN = Prepared(get_user_model(), _signed_in)
