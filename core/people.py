"""How a person who signs in is named on pages, in history and in messages: one rule, one place.

And the rule for a sign-in that leaves: once history names it, it is deactivated, never deleted
(``named_in_history``, below, says why).
"""

from django.conf import settings
from django.db.models import ProtectedError, Q
from django.db.models.signals import pre_delete

NOBODY = "The system"
# What a name is made of (``name_from_parts``' arguments, in order): a change to one of them
# changes what pages and appendices show (actionplans.changes).
SHOWN_FIELDS = ("first_name", "last_name", "username")


def person_name(user, nobody=NOBODY):
    """A user's full name, else their username; ``nobody`` when there is no user (or no name).

    Names read from ``.values()`` rows (no User object) go through ``name_from_parts`` below, so
    both follow this rule.
    """
    if not user:  # None, or a template's missing variable
        return nobody
    return name_from_parts(
        getattr(user, "first_name", ""), getattr(user, "last_name", ""), user.get_username(), nobody
    )


def name_from_parts(first_name, last_name, username, nobody=NOBODY):
    """The same rule for a user's columns read without loading the user."""
    return f"{first_name or ''} {last_name or ''}".strip() or username or nobody


def sign_in_label(user):
    """A sign-in as a manager picks it: the username, and the person's name when it says more."""
    name = person_name(user, nobody="")
    username = user.get_username()
    return f"{username} ({name})" if name and name != username else username


# A sign-in that history names is deactivated, never deleted. History is the service's record of
# who did what, and it names people by their sign-in: its tables (simple-history's) keep the id
# with no database constraint, so a deleted sign-in left rows naming nobody ("set by a manager"
# where the page had said who), a backup that could not write them, and live rows changed with no
# record (an override's manager set to none). Deactivated (Active unticked in the admin), it signs
# in no more (Django refuses an inactive user's session), is offered, reminded and counted
# nowhere, and history, pages and appendices keep its name. A sign-in nothing names (made by
# mistake) may still be deleted.


def named_in_history(user):
    """Where history names ``user`` (as who made a change, or in what changed: an author, an
    override, a plan's managers, an owner's sign-in), as "3 historical actions"; [] if nowhere."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    found = []
    for model in apps.get_models(include_auto_created=True):
        if not hasattr(model, "instance_type"):  # simple-history's tables only
            continue
        naming = [
            Q(**{field.attname: user.pk})
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model is get_user_model()
        ]
        if naming:
            count = model._default_manager.filter(Q(*naming, _connector=Q.OR)).count()
            if count:
                found.append(f"{count} {model._meta.verbose_name_plural}")
    return found


def _refuse_deleting_named(sender, instance, **kwargs):
    named = named_in_history(instance)
    if named:
        raise ProtectedError(
            f"{person_name(instance)} is named in history ({', '.join(named)}): deactivate the "
            "sign-in instead of deleting it.",
            [instance],
        )


pre_delete.connect(
    _refuse_deleting_named, sender=settings.AUTH_USER_MODEL, dispatch_uid="people_keep_named"
)
