"""The completion ladder's steps above signed off: assured and impact shown.

Complete (the owner's proposal) and signed off (a manager's decision) are the action's status and
its log; the two steps above are records of their own, each with who, when and its evidence (a
note, and files on the log entry it made). A reopened step is kept, marked with who reopened it
and why; only one standing record of a step per action (the database holds to it).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.validators import one_of, plausible_date

from .measures import Reading
from .progress import ProgressUpdate
from .structure import Action


class LadderStep(models.TextChoices):
    ASSURED = "assured", "Assured"
    IMPACT_SHOWN = "impact_shown", "Impact shown"


class CompletionStepQuerySet(models.QuerySet):
    def standing(self):
        """Steps not reopened, of actions still complete (an action's status changed by hand
        leaves no step standing above it)."""
        return self.filter(reopened_at__isnull=True, action__status=Action.Status.COMPLETE)


class CompletionStep(models.Model):
    Step = LadderStep

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="completion_steps")
    step = models.CharField(max_length=20, choices=LadderStep.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_on = models.DateField(default=timezone.localdate, validators=[plausible_date])
    recorded_at = models.DateTimeField(default=timezone.now)
    evidence_text = models.TextField("evidence", blank=True)
    # The log entry the step made: the timeline shows it, and its files are the step's evidence.
    entry = models.OneToOneField(
        ProgressUpdate, on_delete=models.PROTECT, null=True, blank=True, related_name="ladder_step"
    )
    # Impact shown: the reading that reached the measure's target.
    reading = models.ForeignKey(
        Reading, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recheck_on = models.DateField(
        "re-check date", null=True, blank=True, validators=[plausible_date]
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reopen_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = CompletionStepQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            one_of("completion_step_valid", "step", LadderStep.choices),
            models.UniqueConstraint(
                fields=["action", "step"],
                condition=models.Q(reopened_at__isnull=True),
                name="one_standing_step_per_action",
            ),
            models.CheckConstraint(
                condition=models.Q(recheck_on__isnull=True) | models.Q(step="assured"),
                name="recheck_only_when_assured",
            ),
        ]
        indexes = [models.Index(fields=["recheck_on"], name="completion_step_recheck")]

    def __str__(self):
        return f"{self.get_step_display()} ({self.recorded_on:%d/%m/%Y})"

    @property
    def is_standing(self):
        return self.reopened_at is None
