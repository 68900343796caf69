"""Writes of the reminders app, named for what they do, taking the actor."""

from core.errors import Refused

from .models import ReminderPreference


def reminder_preference_set(user, *, actor, emails_off):
    """A user turns their own reminder emails off or on."""
    if actor.pk != user.pk:
        raise Refused("You can change only your own reminders.")
    pref, _ = ReminderPreference.objects.get_or_create(user=user)
    pref.emails_off = bool(emails_off)
    pref.save(update_fields=["emails_off"])
    return pref
