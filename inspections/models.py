"""What the inspectorate found: inspections, their published judgements and their findings."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from core.validators import one_of, plausible_date


class InspectionKind(models.TextChoices):
    UNANNOUNCED = "unannounced", "Unannounced inspection"
    CORE_CASE = "core_case", "Core case inspection"
    SHORT_QUALITY_SCREENING = "short_quality_screening", "Short quality screening"
    PEER_REVIEW = "peer_review", "Peer review"
    FULL = "full", "Full inspection"
    OTHER = "other", "Other"


class Inspection(models.Model):
    Kind = InspectionKind

    inspectorate = models.CharField(max_length=120, help_text="Ofsted, HMI Probation, …")
    kind = models.CharField(max_length=40, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=300)
    organisation = models.CharField(max_length=200, help_text="The council inspected.")
    service = models.CharField(max_length=300, blank=True, help_text="The service inspected.")
    started_on = models.DateField(null=True, blank=True, validators=[plausible_date])
    ended_on = models.DateField(null=True, blank=True, validators=[plausible_date])
    published_on = models.DateField(null=True, blank=True, validators=[plausible_date])
    summary = models.TextField(blank=True)
    # Bumped on every edit, so that a save based on a stale copy is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "-started_on", "title"]
        # A council's inspections among every council's, in the order lists show them (issue 28).
        indexes = [
            models.Index(fields=["organisation", "-started_on", "title"], name="inspection_council")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="inspection_ends_after_start",
            ),
            one_of("inspection_kind_valid", "kind", InspectionKind.choices),
        ]

    def __str__(self):
        return f"{self.inspectorate}: {self.title}"

    def clean(self):
        errors = {}
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = "The inspection cannot end before it starts."
        if self.started_on and self.published_on and self.published_on < self.started_on:
            errors["published_on"] = "The report cannot be published before the inspection starts."
        if errors:
            raise ValidationError(errors)


class Judgement(models.Model):
    """A published judgement on one area ("Safeguarding: substantial improvement required")."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgements")
    area = models.CharField(max_length=200)
    grade = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "order", "pk"]

    def __str__(self):
        return f"{self.area}: {self.grade}"


class FindingKind(models.TextChoices):
    STRENGTH = "strength", "Strength"
    MEETS_REQUIREMENTS = "meets_requirements", "Meeting statutory requirements"
    AREA_FOR_DEVELOPMENT = "area_for_development", "Area for development"
    RECOMMENDATION = "recommendation", "Recommendation"


class Finding(models.Model):
    """A strength, area for development or recommendation, as the inspectorate wrote it."""

    Kind = FindingKind

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    reference = models.CharField(max_length=40, blank=True, help_text="As numbered in the report.")
    paragraph = models.CharField(max_length=40, blank=True, help_text="Paragraph of the report.")
    text = models.TextField()
    responsible = models.CharField(max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "kind", "order", "pk"]
        constraints = [one_of("finding_kind_valid", "kind", FindingKind.choices)]

    def __str__(self):
        label = self.get_kind_display()
        return f"{label} {self.reference}".strip() + f": {self.text[:60]}"
