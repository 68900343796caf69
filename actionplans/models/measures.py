"""How a plan measures its effect: performance indicators (measures) and their readings."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.validators import one_of, plausible_date

from .. import fuzzy_dates
from .plans import Plan
from .structure import Action, Recommendation


class MeasureUnit(models.TextChoices):
    PERCENT = "percent", "Percentage"
    COUNT = "count", "Count"
    NUMBER = "number", "Number"
    TEXT = "text", "Described in words"


class Measure(models.Model):
    """A performance indicator: a baseline from the inspection, a target with a date, readings."""

    Unit = MeasureUnit

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, blank=True, related_name="measures"
    )
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="measures"
    )
    # Blank when the plan gives the measure no name of its own (its cell says what it is).
    name = models.CharField(max_length=300, blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.PERCENT)
    baseline_text = models.TextField("baseline", blank=True, help_text="As written.")
    baseline_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True, validators=[plausible_date])
    baseline_source = models.CharField(max_length=300, blank=True)
    target_text = models.TextField("target", blank=True, help_text="As written.")
    target_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    target_date_text = models.TextField("target date", blank=True)
    target_date = models.DateField(null=True, blank=True, validators=[plausible_date])
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "pk"]
        constraints = [one_of("measure_unit_valid", "unit", MeasureUnit.choices)]

    def __str__(self):
        return self.name or self.baseline_text or self.target_text or f"Measure {self.pk}"

    def derive_target_date(self):
        self.target_date = fuzzy_dates.derive_date(self.target_date_text)

    def clean(self):
        errors = {}
        if self.baseline_date and self.target_date and self.target_date < self.baseline_date:
            # Keyed to the text the user types; the real date is derived from it.
            errors["target_date_text"] = "The target date cannot be before the baseline date."
        if self.unit == self.Unit.PERCENT:
            for field in ("baseline_value", "target_value"):
                value = getattr(self, field)
                if value is not None and not 0 <= value <= 100:
                    errors[field] = "A percentage must be between 0 and 100."
        if not (self.name.strip() or self.baseline_text.strip() or self.target_text.strip()):
            # A plan need not name a measure, but a measure must say what it measures somehow.
            errors["name"] = "Give the measure a name, or its baseline or target as written."
        if self.recommendation_id and self.plan_id and self.recommendation.plan_id != self.plan_id:
            errors["recommendation"] = "The recommendation belongs to another plan."
        if self.action_id and self.plan_id and self.action.plan_id != self.plan_id:
            errors["action"] = "The action belongs to another plan."
        if errors:
            raise ValidationError(errors)


class Reading(models.Model):
    """One reported value of a measure: a value, or a count out of a total ("45 of 53 on time")."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="readings")
    period_label = models.CharField(max_length=100, blank=True, help_text='"Sept 2011", "Q2"')
    taken_on = models.DateField(null=True, blank=True, validators=[plausible_date])
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "taken_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(denominator__isnull=True) | models.Q(denominator__gt=0),
                name="reading_denominator_positive",
            ),
        ]

    def __str__(self):
        return f"{self.measure}: {self.display_value}"

    @property
    def effective_value(self):
        """The value, or for a count out of a total its percentage."""
        if self.value is not None:
            return self.value
        if self.numerator is not None and self.denominator:
            return (Decimal(self.numerator) * 100 / self.denominator).quantize(Decimal("0.1"))
        return None

    @property
    def display_value(self):
        value = self.effective_value
        if value is None:
            return ""
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))  # "50%", not "50.00%"
        return f"{value}%" if self.measure.unit == Measure.Unit.PERCENT else f"{value}"

    def clean(self):
        errors = {}
        has_count = self.numerator is not None or self.denominator is not None
        if self.value is None and not has_count:
            errors["value"] = "Enter a value, or a count and the total it is out of."
        if has_count and (self.numerator is None or self.denominator is None):
            errors["denominator"] = "Enter both the count and the total it is out of."
        if self.denominator == 0:
            errors["denominator"] = "The total must be more than zero."
        elif (
            self.numerator is not None
            and self.denominator
            and self.numerator > self.denominator
            and self.measure.unit == Measure.Unit.PERCENT
        ):
            errors["numerator"] = "The count cannot be more than the total."
        is_percent = self.measure.unit == Measure.Unit.PERCENT
        if self.value is not None and is_percent and not 0 <= self.value <= 100:
            errors["value"] = "A percentage must be between 0 and 100."
        if self.taken_on and self.taken_on > timezone.localdate():
            errors["taken_on"] = "A reading cannot be dated in the future."
        if errors:
            raise ValidationError(errors)
