"""Each move of an action's planned completion, with its reason (the rule: ``date_moves``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .structure import Action


class DateMove(models.Model):
    """One move of an action's planned completion: from what, to what, why, by whom and when.

    Written once, in the transaction of the action's edit, whose history record keeps the same
    change and reason (that record is what changes the plan's pages: actionplans.changes). Kept
    so that the dashboards add moves and days up in one query, however long the history.
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="date_moves")
    from_text = models.TextField("moved from", blank=True)
    from_date = models.DateField(null=True, blank=True)
    to_text = models.TextField("moved to", blank=True)
    to_date = models.DateField(null=True, blank=True)
    # Days later the new date is than the old (negative when brought forward); None unless both
    # are real dates.
    days = models.IntegerField(null=True, blank=True)
    reason = models.TextField()
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["action", "moved_at", "pk"]
        indexes = [models.Index(fields=["action", "moved_at"])]

    def __str__(self):
        return f"{self.action}: {self.from_text or '(none)'} to {self.to_text or '(none)'}"
