from django.conf import settings
from django.db import models


class PendingImport(models.Model):
    """An uploaded plan file kept between its preview and the manager's confirmation; only the
    person who uploaded it can see or confirm it. Written and consumed through
    ``importers.service``: confirming it makes the plan and marks it used in one transaction.
    A used one keeps the plan it made (its file emptied), so a second confirmation of the same
    upload is told what the first made instead of making another plan.

    Its file is read once, when it is uploaded: ``document`` keeps what was read (the tables, as
    ``readers.to_json`` writes them, or why the file cannot be read), so its preview, a change
    to its mapping and its confirmation never read the file again."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_imports"
    )
    name = models.CharField(max_length=255)
    data = models.BinaryField()
    organisation = models.CharField(max_length=200)
    title = models.CharField(max_length=300, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # heading -> field, "" = left out
    document = models.JSONField(null=True, blank=True, editable=False)  # None: not read yet
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)  # set: used, the file emptied
    plan = models.ForeignKey(  # the plan it made (None once that plan is deleted)
        "actionplans.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return self.name
