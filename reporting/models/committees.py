"""A council's governance bodies (a scrutiny panel, an improvement board, the executive) and
their meetings, as records: a committee report is for a meeting, and a body receives plans."""

from django.db import models
from simple_history.models import HistoricalRecords

from core.validators import one_of, plausible_date


class BodyKind(models.TextChoices):
    SCRUTINY = "scrutiny", "Scrutiny panel or committee"
    IMPROVEMENT = "improvement", "Improvement board"
    SAFEGUARDING = "safeguarding", "Safeguarding partnership board"
    EXECUTIVE = "executive", "Executive or cabinet"
    OTHER = "other", "Other"


class GovernanceBody(models.Model):
    """A body of one council that plans report to and whose meetings receive packs."""

    Kind = BodyKind

    organisation = models.CharField(max_length=200, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=BodyKind.choices, default=BodyKind.SCRUTINY)
    # The plans the body receives: of its own council only (services.body_plans_set checks).
    plans = models.ManyToManyField("actionplans.Plan", blank=True, related_name="+")

    history = HistoricalRecords(m2m_fields=[plans])

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name_plural = "governance bodies"
        constraints = [
            one_of("governance_body_kind_valid", "kind", BodyKind.choices),
            models.UniqueConstraint(
                fields=["organisation", "name"], name="governance_body_unique_name"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("body_detail", args=[self.pk])


class Meeting(models.Model):
    """A meeting of a body on a date; the committee reports are for it."""

    body = models.ForeignKey(GovernanceBody, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField(validators=[plausible_date])
    title = models.CharField(
        max_length=200, blank=True, help_text="For example, Extraordinary meeting."
    )
    agenda_reference = models.CharField(
        max_length=200, blank=True, help_text="The agenda's reference or web address, if any."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "body__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "date", "title"], name="meeting_unique_per_body_day"
            )
        ]

    def __str__(self):
        title = f" ({self.title})" if self.title else ""
        return f"{self.body.name}, {self.date:%-d %B %Y}{title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("meeting_detail", args=[self.pk])

    @property
    def organisation(self):
        return self.body.organisation
