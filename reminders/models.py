"""What reminders were sent, so none goes twice, and who asked for none."""

from django.conf import settings
from django.db import models

from core.validators import one_of


class ReminderPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    emails_off = models.BooleanField("no reminder emails", default=False)

    def __str__(self):
        return f"{self.user}: {'no emails' if self.emails_off else 'emails'}"


class ReminderKind(models.TextChoices):
    DIGEST = "digest", "Owner's digest of actions to chase"
    WEEKLY = "weekly", "Manager's weekly summary of their plans"


class ReminderSent(models.Model):
    Kind = ReminderKind

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "sent_on"], name="reminder_once_a_day"),
            one_of("reminder_kind_valid", "kind", ReminderKind.choices),
        ]

    def __str__(self):
        return f"{self.kind} to {self.user} on {self.sent_on}"
