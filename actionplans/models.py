"""What the council does about an inspection: plans, recommendations, actions and their progress.

Every model keeps its full history (django-simple-history), so any plan can be shown as it stood on
a past date. Texts are kept as the council wrote them; derived values (a real date from "Nov 12")
sit beside them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.validators import one_of, plausible_date
from inspections.models import Finding, Inspection

from . import fuzzy_dates, rag
from .rag import Scale, ScaleKind


class OwnerKind(models.TextChoices):
    PERSON = "person", "Person"
    ROLE = "role", "Role"
    TEAM = "team", "Team"
    BOARD = "board", "Board"
    SUB_GROUP = "sub_group", "Sub-group"
    PARTNER_AGENCY = "partner_agency", "Partner agency"


class Owner(models.Model):
    """Who owns, leads or oversees work: a named officer, a role, a team, a board or a partner."""

    Kind = OwnerKind

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    organisation = models.CharField(
        max_length=200, help_text="The council, or the partner agency the owner belongs to."
    )
    service = models.CharField(
        max_length=200,
        blank=True,
        help_text="The service within the organisation, to tell apart posts with the same title.",
    )
    job_title = models.CharField(max_length=200, blank=True)
    initials = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owner",
        help_text="The login of a named officer, if they use the service.",
    )
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="member_of",
        help_text="People (or teams) who belong to this team, role, board or sub-group.",
    )

    # Bumped on every edit, so that a save based on a stale copy is refused (see services).
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["organisation", "service", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service", "name"], name="owner_unique_name"
            ),
            one_of("owner_kind_valid", "kind", OwnerKind.choices),
        ]

    def __str__(self):
        return self.name if self.initials in ("", self.name) else f"{self.name} ({self.initials})"

    def get_absolute_url(self):
        return reverse("owner_detail", args=[self.pk])

    def clean(self):
        if self.user_id and self.kind != self.Kind.PERSON:
            raise ValidationError({"user": "Only a person can have a login."})


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted to the inspectorate"
    APPROVED = "approved", "Approved, in delivery"
    CLOSED = "closed", "Closed"


class PlanRating(models.TextChoices):
    # The five-point scale some councils give a whole plan.
    RED = "red", "Red"
    AMBER_RED = "amber_red", "Amber-red"
    AMBER = "amber", "Amber"
    AMBER_GREEN = "amber_green", "Amber-green"
    GREEN = "green", "Green"


class Plan(models.Model):
    Status = PlanStatus
    Rating = PlanRating

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

    history = HistoricalRecords(m2m_fields=[inspections, managers], excluded_fields=["rows_token"])

    class Meta:
        ordering = ["organisation", "title"]
        constraints = [
            one_of("plan_status_valid", "status", PlanStatus.choices),
            one_of("plan_overall_rating_valid", "overall_rating", PlanRating.choices, blank=True),
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


class Section(models.Model):
    """A headed part of a plan: a timeframe group ("Immediate") or a theme."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=300, blank=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "pk"]

    def __str__(self):
        return self.title or "(untitled section)"


class Recommendation(models.Model):
    """A recommendation or area for improvement, as the council's plan states it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="recommendations")
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, null=True, blank=True, related_name="recommendations"
    )
    reference = models.CharField(max_length=120, blank=True, help_text='"CP4", "YOS 1", "1.1"')
    text = models.TextField()
    paragraph = models.CharField(
        max_length=60, blank=True, help_text='The inspection report\'s paragraph ("para 42").'
    )
    outcomes = models.TextField(blank=True, help_text="Outcomes to achieve.")
    # The plan's benchmark and target cells as written, beside the measures derived from them:
    # one cell may hold several measures ("ROSH – 50% timely completion / 22% sufficient Quality").
    benchmark_as_written = models.TextField(
        "current benchmark, as written", blank=True, help_text="The benchmark cell as written."
    )
    target_as_written = models.TextField(
        "target/date, as written", blank=True, help_text="The target/date cell as written."
    )
    leads = models.ManyToManyField(Owner, blank=True, related_name="led_recommendations")
    accountable_body = models.ForeignKey(
        Owner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accountable_recommendations",
    )
    findings = models.ManyToManyField(Finding, blank=True, related_name="recommendations")
    order = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[leads, findings])

    class Meta:
        ordering = ["plan", "section__order", "order", "pk"]

    def __str__(self):
        return f"{self.reference} {self.text[:60]}".strip()

    def get_absolute_url(self):
        return reverse("recommendation_detail", args=[self.pk])

    def clean(self):
        if self.section_id and self.plan_id and self.section.plan_id != self.plan_id:
            raise ValidationError({"section": "The section belongs to another plan."})


class OwnerRole(models.TextChoices):
    LEAD = "lead", "Lead"
    SUPPORTING = "supporting", "Supporting"


class ActionOwner(models.Model):
    """One owner of an action, in its place in the plan's list: a lead or a supporting owner.

    Rotherham writes supporting owners in italics under the lead ("Joyce Thacker *Alan Hazell*").
    Written through the action (services, demo loader), whose next history record keeps the list.
    """

    Role = OwnerRole

    action = models.ForeignKey("Action", on_delete=models.CASCADE, related_name="owner_links")
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="action_links")
    order = models.PositiveIntegerField(default=0)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.LEAD)
    as_written = models.CharField(
        max_length=300,
        blank=True,
        help_text='The plan\'s own words for this owner, when not just the name ("with P&Q Team").',
    )

    class Meta:
        ordering = ["action", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["action", "owner"], name="action_owner_once"),
            one_of("action_owner_role_valid", "role", OwnerRole.choices),
        ]

    def __str__(self):
        return f"{self.owner} ({self.get_role_display().lower()})"

    @classmethod
    def write(cls, action, entries):
        """Make ``action``'s owners ``entries``, (owner, role, as_written) in the plan's order.

        Writes the links only: the caller's next save of the action records the list in history
        (one record for the whole edit). ``as_written`` None keeps an owner's present wording.
        """
        present = {link.owner_id: link for link in cls.objects.filter(action=action)}
        wanted = {owner.pk for owner, _, _ in entries}
        cls.objects.filter(action=action).exclude(owner_id__in=wanted).delete()
        changed, new = [], []
        for order, (owner, role, as_written) in enumerate(entries):
            link = present.get(owner.pk)
            if link is None:
                new.append(cls(action=action, owner=owner, order=order, role=role,
                               as_written=as_written or ""))  # fmt: skip
                continue
            wording = link.as_written if as_written is None else as_written
            if (link.order, link.role, link.as_written) != (order, role, wording):
                link.order, link.role, link.as_written = order, role, wording
                changed.append(link)
        cls.objects.bulk_update(changed, ["order", "role", "as_written"])
        cls.objects.bulk_create(new)

    @classmethod
    def entries_keeping_order(cls, action, leads, supporting=()):
        """Entries for ``leads`` then ``supporting``: owners already on the action keep their
        place; new ones follow in the order given."""
        place = {}
        if action.pk:
            place = dict(cls.objects.filter(action=action).values_list("owner_id", "order"))
        entries = []
        for role, owners in ((cls.Role.LEAD, leads), (cls.Role.SUPPORTING, supporting)):
            owners = list(owners)
            ranked = sorted(
                range(len(owners)),
                key=lambda i: (owners[i].pk not in place, place.get(owners[i].pk, 0), i),
            )
            entries += [(owners[i], role, None) for i in ranked]
        return entries


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Action.Status.COMPLETE)

    def overdue(self, on):
        """Open actions whose real planned completion date is before ``on``."""
        return self.open().filter(planned_completion_date__lt=on)

    def in_plan(self, plan):
        return self.filter(recommendation__plan=plan)


class ActionStatus(models.TextChoices):
    NOT_RECORDED = "not_recorded", "No status recorded"
    NOT_STARTED = "not_started", "Not started"
    UNDERWAY = "underway", "Underway"
    ON_SCHEDULE = "on_schedule", "On schedule"
    DELAYED = "delayed", "Delayed"
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Complete, awaiting sign-off"
    COMPLETE = "complete", "Complete"
    ONGOING = "ongoing", "Ongoing (business as usual)"


class Action(models.Model):
    Status = ActionStatus

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="actions"
    )
    also_answers = models.ManyToManyField(
        Recommendation,
        blank=True,
        related_name="also_answered_by",
        help_text="Other recommendations of the plan this action answers.",
    )
    reference = models.CharField(max_length=60, blank=True, help_text='"(1a)", "5(C)"')
    text = models.TextField("action required", blank=True)
    # In the order the plan gives them, each a lead or a supporting owner (ActionOwner).
    owners = models.ManyToManyField(Owner, through=ActionOwner, blank=True, related_name="actions")
    owners_as_written = models.TextField(
        blank=True, help_text="The lead cell exactly as the council wrote it."
    )
    accountable_body = models.ForeignKey(
        Owner, on_delete=models.PROTECT, null=True, blank=True, related_name="accountable_actions"
    )
    planned_completion_text = models.TextField(
        "planned completion",
        blank=True,
        help_text='As the council wrote it: "Nov 12", "Immediate effect", "Ongoing".',
    )
    planned_completion_date = models.DateField(
        null=True,
        blank=True,
        validators=[plausible_date],
        help_text="The real date the text stands for, where there is one.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    completed_on = models.DateField(null=True, blank=True, validators=[plausible_date])
    performance_indicator = models.TextField(blank=True)
    target = models.TextField(blank=True, help_text="A target stated as text.")
    rag_override = models.CharField(
        "RAG override",
        max_length=20,
        choices=Scale.choices,
        blank=True,
        help_text="A manager's rating that replaces the computed one.",
    )
    rag_override_reason = models.TextField("reason for the RAG override", blank=True)
    rag_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="The manager who set the override.",
    )
    rag_override_until = models.DateField(
        "override until",
        null=True,
        blank=True,
        validators=[plausible_date],
        help_text="The last day the override holds; after it the computed rating returns.",
    )
    order = models.PositiveIntegerField(default=0)
    # Bumped on every edit, so that a save based on a stale copy is refused (see services).
    version = models.PositiveIntegerField(default=1, editable=False)
    # When the action was added: a new action has had no time yet to go without an update.
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[owners, also_answers])

    class Meta:
        ordering = ["recommendation__plan", "recommendation__order", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True) | models.Q(status="complete"),
                name="action_completed_on_only_when_complete",
            ),
            one_of("action_status_valid", "status", ActionStatus.choices),
            one_of("action_rag_override_valid", "rag_override", Scale.choices, blank=True),
        ]
        indexes = [models.Index(fields=["status", "planned_completion_date"])]
        permissions = [("sign_off_action", "Can sign off an action as complete")]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("action_detail", args=[self.pk])

    @property
    def label(self):
        """How a council refers to the action: its own reference, else its recommendation's."""
        return self.reference or f"{self.recommendation.reference} action".strip()

    @property
    def plan_id(self):
        return self.recommendation.plan_id

    @property
    def ordered_owner_links(self):
        """The owner links in the plan's order (uses prefetched ``owner_links`` when there are)."""
        return sorted(self.owner_links.all(), key=lambda link: (link.order, link.pk))

    @property
    def ordered_owners(self):
        """The owners in the plan's order: the lead(s) first, as the plan lists them."""
        return [link.owner for link in self.ordered_owner_links]

    @property
    def owners_note(self):
        """The plan's own wording of the owners, when it says more than their names do."""
        names = ", ".join(str(owner) for owner in self.ordered_owners)
        return "" if self.owners_as_written in ("", names) else self.owners_as_written

    @property
    def latest_update(self):
        """The most recent progress update, not a decision (uses prefetched updates if any)."""
        return next((u for u in self.updates.all() if u.is_progress), None)

    # What a progress update may set: complete comes only by sign-off, and a complete action is
    # reopened only by a manager, with a reason (workflow.action_reopen).
    PROGRESS_STATUSES = [
        ActionStatus.NOT_STARTED,
        ActionStatus.UNDERWAY,
        ActionStatus.ON_SCHEDULE,
        ActionStatus.DELAYED,
        ActionStatus.ONGOING,
    ]

    def progress_statuses(self):
        """The statuses a progress update may give the action now: none while it is complete or
        awaiting a manager's decision."""
        if self.status in (ActionStatus.COMPLETE, ActionStatus.AWAITING_SIGN_OFF):
            return []
        return self.PROGRESS_STATUSES

    def derive_planned_completion_date(self):
        """Set the real planned date from the council's text (see fuzzy_dates)."""
        self.planned_completion_date = fuzzy_dates.derive_date(self.planned_completion_text)

    derive_on_save = derive_planned_completion_date  # core.records calls it before each save

    def clean(self):
        errors = {}
        if self.completed_on and self.status != self.Status.COMPLETE:
            errors["completed_on"] = "Only a complete action has a completed date."
        if self.completed_on and self.completed_on > timezone.localdate():
            errors["completed_on"] = "The completed date cannot be in the future."
        if errors:
            raise ValidationError(errors)


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


class UpdateKind(models.TextChoices):
    UPDATE = "update", "Progress update"
    PROPOSAL = "proposal", "Proposed complete"
    SIGN_OFF = "sign_off", "Signed off as complete"
    RETURNED = "returned", "Returned by the manager"
    REOPENED = "reopened", "Reopened by the manager"


# The one rule of what counts as progress, wherever progress is shown, dated or counted (the plan
# page, appendices, exports, "last update", staleness, reminders): what the officer writes about the
# work. A proposal to complete is progress: it is the officer's own account of what was done, often
# the last one. A manager's sign-off note, return reason and reopen reason are decisions about the
# work, not progress: shown only where asked for, in words that say what they are (DECISION_WORDS).
PROGRESS_KINDS = frozenset({UpdateKind.UPDATE, UpdateKind.PROPOSAL})
DECISION_WORDS = {
    UpdateKind.SIGN_OFF: "Signed off",
    UpdateKind.RETURNED: "Returned to its owner",
    UpdateKind.REOPENED: "Reopened",
}


def decision_note(kind, text):
    """A decision's note or reason as the manager wrote it, on one line; "" for the default a
    sign-off without a note is given (its kind's label), which adds nothing to the words."""
    text = " ".join((text or "").split())
    return "" if text.rstrip(".") == dict(UpdateKind.choices).get(kind, kind) else text


def decision_words(kind, who, written_on, text):
    """A decision as a reader should take it: "Signed off by J Smith on 3 December 2012: note"."""
    label = dict(UpdateKind.choices).get(kind, kind)
    words = f"{DECISION_WORDS.get(kind, label)} by {who or 'a manager'}"
    if written_on:
        words += f" on {written_on:%-d %B %Y}"
    note = decision_note(kind, text)
    return f"{words}: {note}" if note else words


class ProgressUpdateQuerySet(models.QuerySet):
    def progress(self):
        """Entries that are progress (PROGRESS_KINDS), not a manager's decisions."""
        return self.filter(kind__in=PROGRESS_KINDS)

    def decisions(self):
        return self.exclude(kind__in=PROGRESS_KINDS)


class ProgressUpdate(models.Model):
    """A dated progress note on an action (or, as some plans have it, on a whole recommendation)."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="updates"
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="updates",
        help_text="Only for progress a plan writes against a whole recommendation.",
    )

    Kind = UpdateKind

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.UPDATE)
    written_on = models.DateField("date", validators=[plausible_date])
    period_label = models.CharField(
        max_length=100, blank=True, help_text='"Update (July 2013)", "November update"'
    )
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_updates",
    )
    attributed_to = models.ForeignKey(
        Owner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_updates",
        help_text="Who the document attributes the update to, when the author has no login.",
    )
    status = models.CharField(
        "new status", max_length=20, choices=Action.Status.choices, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    cited_evidence = models.ManyToManyField(
        "Evidence",
        blank=True,
        related_name="cited_by",
        help_text="Evidence already attached to the action's earlier updates that this one cites.",
    )

    history = HistoricalRecords(m2m_fields=[cited_evidence])

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-written_on", "-created_at", "-pk"]
        get_latest_by = ["written_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__isnull=False, recommendation__isnull=True)
                | models.Q(action__isnull=True, recommendation__isnull=False),
                name="update_on_action_or_recommendation",
            ),
            one_of("update_kind_valid", "kind", UpdateKind.choices),
            one_of("update_status_valid", "status", ActionStatus.choices, blank=True),
        ]
        indexes = [models.Index(fields=["action", "-written_on"])]

    def __str__(self):
        return f"{self.written_on:%d/%m/%Y}: {self.text[:60]}"

    @property
    def is_progress(self):
        return self.kind in PROGRESS_KINDS

    @property
    def once_noun(self):
        """What a repeated post's message calls it (core.once)."""
        return "proposal" if self.kind == UpdateKind.PROPOSAL else "update"

    def clean(self):
        if self.written_on and self.written_on > timezone.localdate():
            raise ValidationError({"written_on": "An update cannot be dated in the future."})
        if bool(self.action_id) == bool(self.recommendation_id):
            raise ValidationError("An update belongs to an action or to a recommendation.")


def evidence_storage():
    # A callable, so migrations do not bake in this machine's path.
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def evidence_path(instance, filename):
    return f"{timezone.now():%Y/%m}/{filename}"


class Evidence(models.Model):
    """A file attached to a progress update, stored privately and served only to its readers."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, storage=evidence_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.original_name
