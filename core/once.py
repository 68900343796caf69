"""One form shown, one record made, however often it is posted.

A form that makes a record carries a one-time key, made when the form is shown (``new_key``).
The service that writes the record claims the key in its own transaction (``claim``) and notes
what it made (``record``), so the key is taken if and only if the record exists. A repeat of the
post (a double click, a retry after an error that came after the commit) finds the key taken and
makes nothing: the service answers with what the first post made (``errors.Repeated``). Two
posts at the same moment meet at the key's unique index: the second waits there until the first
commits, then finds its key taken.

A key is its user's: another user's key is refused, and says nothing of what it made. A post
with no key (a form opened before keys were added, a script) is saved as before, unguarded.
"""

import functools
import secrets

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import Refused, Repeated
from .models import Submission

# What ``new_key`` makes (32 characters) and a little slack; anything else is not ours.
KEY_PATTERN = r"^[A-Za-z0-9_-]{20,64}$"


def new_key():
    return secrets.token_urlsafe(24)


def claim(key, user):
    """Take ``key`` for ``user`` inside the caller's transaction.

    Returns (submission, True) for the first post with the key, (the first's submission, False)
    for a repeat, or (None, False) if the key could not be claimed. The insert runs in a
    savepoint, so a key already taken (or taken meanwhile by a post that has now committed)
    leaves the caller's transaction usable.
    """
    for _ in range(3):
        try:
            with transaction.atomic():
                return Submission.objects.create(key=key, user=user), True
        except IntegrityError:
            pass
        earlier = Submission.objects.filter(key=key).first()
        if earlier is not None:
            return earlier, False
        # Taken and gone between the two statements (removed by hand): claim it again.
    return None, False


def taken(key):
    """Whether a post with ``key`` has made its record (whoever sent it)."""
    return bool(key) and Submission.objects.filter(key=key).exists()


def record(submission, made):
    """Note what the post that claimed ``submission`` made (in the same transaction)."""
    submission.made_type = ContentType.objects.get_for_model(made)
    submission.made_id = made.pk
    submission.save(update_fields=["made_type", "made_id"])


def made_by(submission):
    """The record the first post made, or None if it has been removed since."""
    if submission.made_type_id is None:
        return None
    model = ContentType.objects.get_for_id(submission.made_type_id).model_class()
    return model._default_manager.filter(pk=submission.made_id).first()


def noun(made):
    """What ``made`` is, in the words of the message about it."""
    if made is None:
        return "form"
    return getattr(made, "once_noun", None) or made._meta.verbose_name


def repeated_message(submission, made):
    when = timezone.localtime(submission.created_at)
    at = f"{when:%H:%M}"
    if when.date() != timezone.localdate():
        at += f" on {when:%-d %B %Y}"
    message = f"This {noun(made)} was already saved at {at}; it was not saved twice."
    if made is None:
        message += " What it saved has since been removed."
    return message


def guarded(actor):
    """Guard a service that makes a record with the form's one-time key (keyword ``once``).

    The key is claimed in the same transaction as the record, before anything is written, so a
    repeat of the post (or a second at the same moment, which waits on the key) makes nothing
    and is told what the first made (``Repeated``). ``actor`` names the keyword that holds the
    user the key must belong to."""

    def guard(service):
        @functools.wraps(service)
        def guarded_service(*args, once=None, **kwargs):
            if not once:
                return service(*args, **kwargs)
            user = kwargs[actor]
            with transaction.atomic():
                submission, first = claim(once, user)
                if submission is None or submission.user_id != user.pk:
                    # Another user's key: refused, without a word of what it made.
                    raise Refused(
                        "This form cannot be sent again. Nothing was saved: open the page again "
                        "and send the form from there."
                    )
                if not first:
                    made = made_by(submission)
                    raise Repeated(repeated_message(submission, made), made)
                made = service(*args, **kwargs)
                record(submission, made)
                return made

        return guarded_service

    return guard
