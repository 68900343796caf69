"""A plan, who it is shared with, and the site administrator's reads of other councils' plans."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.validators import one_of, plausible_date
from inspections.models import Inspection

from .. import rag
from ..rag import Scale, ScaleKind
from .owners import Owner


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted to the inspectorate"
    APPROVED = "approved", "Approved, in delivery"
    CLOSED = "closed", "Closed"


class Plan(models.Model):
    Status = PlanStatus
    # A whole plan's overall rating takes the five-point values a manager may set on an action.
    Rating = Scale

    title = models.CharField(max_length=300)
    organisation = models.CharField(max_length=200)
    directorate = models.CharField(max_length=200, blank=True)
    inspections = models.ManyToManyField(Inspection, blank=True, related_name="plans")
    sponsor = models.ForeignKey(
        Owner, on_delete=models.PROTECT, null=True, blank=True, related_name="sponsored_plans"
    )
    governance_body = models.ForeignKey(
        Owner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governed_plans",
        help_text="The board or group the plan reports to.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_on = models.DateField(
        null=True,
        blank=True,
        validators=[plausible_date],
        help_text="Date submitted to the inspectorate.",
    )
    overall_rating = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    introduction = models.TextField(blank=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_plans",
        help_text="Managers who may restructure the plan and sign off its actions.",
    )
    column_names = models.JSONField(
        default=list, blank=True, help_text="The plan's own column headings, as written."
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    # How the plan's actions are rated (rag.py): its scale and thresholds, in days.
    rag_scale = models.CharField(
        "RAG scale", max_length=10, choices=ScaleKind.choices, default=ScaleKind.RAG
    )
    amber_days = models.PositiveSmallIntegerField(
        "amber within (days)",
        default=rag.AMBER_DAYS,
        validators=[MaxValueValidator(366)],
        help_text="An action due within this many days is amber.",
    )
    stale_days = models.PositiveSmallIntegerField(
        "update needed every (days)",
        default=rag.STALE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text="An open action with no progress update for this many days is amber.",
    )
    due_soon_days = models.PositiveSmallIntegerField(
        "due soon within (days)",
        default=rag.DUE_SOON_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text="Owners are reminded of actions due within this many days.",
    )

    # Changed (page_cache) in the same transaction as anything the plan's rows show, so a page
    # made from its rows can be kept under it. Not history: it says nothing about the plan.
    rows_token = models.CharField(max_length=32, blank=True, editable=False)
    # Changed with it by every such change but progress (changes.py, ``progress``): what the
    # plan's rows show but its progress can be kept under it (snapshots.Shape).
    outline_token = models.CharField(max_length=32, blank=True, editable=False)

    history = HistoricalRecords(
        m2m_fields=[inspections, managers], excluded_fields=["rows_token", "outline_token"]
    )

    class Meta:
        ordering = ["organisation", "title"]
        # A council's plans among every council's, in the order lists show them (issue 28).
        indexes = [models.Index(fields=["organisation", "title"], name="plan_council")]
        constraints = [
            one_of("plan_status_valid", "status", PlanStatus.choices),
            one_of("plan_overall_rating_valid", "overall_rating", Scale.choices, blank=True),
            one_of("plan_rag_scale_valid", "rag_scale", ScaleKind.choices),
            models.CheckConstraint(
                condition=models.Q(amber_days__lte=366)
                & models.Q(stale_days__gte=1, stale_days__lte=366)
                & models.Q(due_soon_days__gte=1, due_soon_days__lte=366),
                name="plan_rag_thresholds_in_range",
            ),
        ]
        permissions = [
            # The site administrator's: every council's plans, each such read recorded.
            ("view_all_plans", "Can see every council's plans (site administrator)"),
            ("manage_all_plans", "Can manage every plan of their own council"),
            ("export_plan", "Can export a plan as a committee appendix"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plan_detail", args=[self.pk])

    def unowned_actions(self):
        """Actions of the plan that name no owner (a plan loaded from a document may have some)."""
        from .structure import Action  # an action belongs to a plan: its module imports this one

        return Action.objects.filter(recommendation__plan=self, owners__isnull=True)

    def clean(self):
        # A manager approving in the browser; a plan loaded from a document keeps the status the
        # document gives it (demo.py), and its page flags the unowned actions instead.
        if self.status == self.Status.APPROVED and self.pk:
            unowned = self.unowned_actions()
            refs = [a.label for a in unowned.select_related("recommendation")]
            if refs:
                raise ValidationError(
                    {
                        "status": "An approved plan needs an owner for every action. "
                        f"Without one: {', '.join(refs)}."
                    }
                )


class PlanShare(models.Model):
    """A plan shared, read only, with another council by name (e.g. a peer reviewing it)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="shares")
    organisation = models.CharField(max_length=200, help_text="The council it is shared with.")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "organisation"], name="plan_share_unique")
        ]
        indexes = [models.Index(fields=["organisation"], name="plan_share_council")]

    def __str__(self):
        return f"{self.plan} shared with {self.organisation}"


class CrossCouncilRead(models.Model):
    """A site administrator's read of another council's record: every one is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.CharField(max_length=200)
    what = models.CharField(max_length=300)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} read {self.what} of {self.organisation}"
