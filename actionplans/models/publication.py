"""What a council does not publish: progress updates and cells of a plan marked exempt under
Schedule 12A of the Local Government Act 1972, and the level below which officers are shown by
their post rather than their name. The public version of an appendix honours both
(``actionplans.publication``)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.validators import one_of

from .owners import OfficerLevel
from .progress import ProgressUpdate
from .structure import Action


class Exemption(models.TextChoices):
    """The paragraphs of Part 1 of Schedule 12A a council cites, in short words of our own."""

    INDIVIDUAL = "1", "1 – information relating to an individual"
    IDENTITY = "2", "2 – information likely to reveal who an individual is"
    AFFAIRS = "3", "3 – financial or business affairs of a person (the council included)"
    LABOUR = "4", "4 – consultations or negotiations on labour relations"
    LEGAL = "5", "5 – information covered by legal professional privilege"
    NOTICE_OR_ORDER = "6", "6 – a notice, order or direction the council proposes to give or make"
    CRIME = "7", "7 – prevention, investigation or prosecution of crime"


# The cells of an action that can be marked not for publication, as the appendix's fields name
# them: what is to be done, who does it, by when, and how success is measured.
WITHHOLDABLE_FIELDS = {
    "text": "What is to be done",
    "owners": "Who is responsible",
    "planned_completion": "Time scale or planned completion",
    "performance_indicator": "Performance indicator",
    "target": "Target",
}


class Withholding(models.Model):
    """A progress update, or one cell of an action, marked not for publication, with the
    paragraph of Schedule 12A the council cites. Removing the mark publishes it again; history
    keeps who marked it and when."""

    update = models.OneToOneField(
        ProgressUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="withholding",
    )
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="withholdings"
    )
    field = models.CharField(
        max_length=40,
        blank=True,
        choices=list(WITHHOLDABLE_FIELDS.items()),
        help_text="The action's cell not published (blank for a progress update).",
    )
    category = models.CharField(
        "exemption", max_length=2, choices=Exemption.choices, help_text="Schedule 12A paragraph"
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(update__isnull=False, action__isnull=True, field="")
                | models.Q(update__isnull=True, action__isnull=False) & ~models.Q(field=""),
                name="withholding_of_update_or_cell",
            ),
            models.UniqueConstraint(
                fields=["action", "field"],
                condition=models.Q(action__isnull=False),
                name="withholding_one_per_cell",
            ),
            one_of("withholding_category_valid", "category", Exemption.choices),
            one_of(
                "withholding_field_valid", "field", list(WITHHOLDABLE_FIELDS.items()), blank=True
            ),
        ]

    def __str__(self):
        what = f"update {self.update_id}" if self.update_id else f"{self.field} of {self.action_id}"
        return f"{what}: paragraph {self.category}"

    def clean(self):
        if bool(self.update_id) == bool(self.action_id):
            raise ValidationError("A mark is on a progress update or on a cell of an action.")


class PublicationPolicy(models.Model):
    """A council's choice of whom the public version names: people at ``name_from`` or above
    by name, the rest by their post (blank: everyone by name)."""

    organisation = models.CharField(max_length=200, unique=True)
    name_from = models.CharField(
        "name officers at this level and above",
        max_length=20,
        choices=OfficerLevel.choices,
        blank=True,
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "publication policies"
        constraints = [
            one_of("policy_name_from_valid", "name_from", OfficerLevel.choices, blank=True)
        ]

    def __str__(self):
        return f"{self.organisation}: {self.get_name_from_display() or 'everyone named'}"

    def shown_by_post(self, level):
        """Whether a person of ``level`` is shown by their post rather than their name."""
        if not self.name_from:
            return False
        return OfficerLevel.rank(level) > OfficerLevel.rank(self.name_from)
