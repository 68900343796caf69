from django.conf import settings
from django.db import models

from core.validators import one_of


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


class ReturnedFile(models.Model):
    """A plan's table that came back from its officers with cells typed into, read against the
    plan (``importers.returns``): what it proposes is its ``changes``, each for a manager to
    accept or reject; nothing in the plan changes until one is accepted."""

    plan = models.ForeignKey("actionplans.Plan", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    typed_by = models.CharField(max_length=200, blank=True)  # the file's last_modified_by
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # What the file says that is not a change to accept: rows that match no action, a date
    # that is no date, an owner the council does not have; plain strings, shown as they are.
    doubts = models.JSONField(default=list, blank=True)

    def __str__(self):
        return self.name


class ChangeKind(models.TextChoices):
    PROGRESS = "progress", "Progress update"
    DATE = "date", "Date moved"
    OWNERS = "owners", "Owners changed"


class ChangeState(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class ProposedChange(models.Model):
    """One cell of a returned file that differs from what the plan's export printed."""

    Kind = ChangeKind
    State = ChangeState

    returned = models.ForeignKey(ReturnedFile, on_delete=models.CASCADE, related_name="changes")
    plan = models.ForeignKey("actionplans.Plan", on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(
        "actionplans.Action", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recommendation = models.ForeignKey(  # progress written on a whole recommendation
        "actionplans.Recommendation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    row = models.PositiveIntegerField(default=0)  # the file's row, for the manager to find it
    old_value = models.TextField(blank=True)  # as the export printed it
    new_value = models.TextField()
    owner_ids = models.JSONField(default=list, blank=True)  # an owners change: the owners named
    typed_by = models.CharField(max_length=200, blank=True)
    # What the action (or the recommendation's newest update) was when the file was read: a
    # change made since refuses the proposal rather than overwrite it.
    base_version = models.PositiveIntegerField(default=0)
    base_update = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["plan", "state"])]
        constraints = [
            one_of("proposed_change_kind_valid", "kind", ChangeKind.choices),
            one_of("proposed_change_state_valid", "state", ChangeState.choices),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.new_value[:60]}"
