from django.conf import settings
from django.db import models


class PendingImport(models.Model):
    """An uploaded plan file kept between its preview and the manager's confirmation; only the
    person who uploaded it can see or confirm it. Deleted once confirmed."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_imports"
    )
    name = models.CharField(max_length=255)
    data = models.BinaryField()
    organisation = models.CharField(max_length=200)
    title = models.CharField(max_length=300, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # heading -> field, "" = left out
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name
