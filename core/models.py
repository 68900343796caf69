"""The shared parts' one table: the one-time keys of forms that made a record (see once.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Submission(models.Model):
    """A post that made a record, by the one-time key its form carried (see ``once.py``): a
    repeat of that post (a double click, a retry after an error) finds this and makes nothing."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # What the first post made; empty only inside the transaction that makes it.
    made_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, related_name="+"
    )
    made_id = models.PositiveBigIntegerField(null=True)

    class Meta:
        db_table = "actionplans_submission"  # made there first; moved here without a copy

    def __str__(self):
        return self.key
