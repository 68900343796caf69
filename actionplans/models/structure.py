"""A plan's structure: its sections, recommendations and actions, and the owners of each action."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.validators import one_of, plausible_date
from inspections.models import Finding

from .. import date_moves, fuzzy_dates
from ..rag import Scale
from .owners import Owner
from .plans import Plan


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
                new.append(
                    cls(
                        action=action,
                        owner=owner,
                        order=order,
                        role=role,
                        as_written=as_written or "",
                    )
                )
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
    # The planned completion the action was first given, and how often it has moved since
    # (date_moves: the rule; DateMove: each move), so pages say so without reading history.
    first_planned_completion_text = models.TextField("first planned completion", blank=True)
    first_planned_completion_date = models.DateField(
        "first planned completion date", null=True, blank=True, validators=[plausible_date]
    )
    date_revisions = models.PositiveIntegerField(
        "times the planned completion moved", default=0, editable=False
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
        permissions = [
            ("sign_off_action", "Can sign off an action as complete"),
            ("assure_action", "Can record that an audit or dip sample confirms an action"),
        ]

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
        """Set the real planned date from the council's text (see fuzzy_dates); the first
        planned completion an action is given is kept as its first (see date_moves)."""
        self.planned_completion_date = fuzzy_dates.derive_date(self.planned_completion_text)
        text, date = self.planned_completion_text, self.planned_completion_date
        first = (self.first_planned_completion_text, self.first_planned_completion_date)
        if not date_moves.has_planned(*first) and date_moves.has_planned(text, date):
            self.first_planned_completion_text, self.first_planned_completion_date = text, date

    @property
    def revision_words(self):
        """ "revised twice; first due Nov 12", or "" if the date never moved."""
        return date_moves.revision_words(
            self.date_revisions,
            self.first_planned_completion_text,
            self.first_planned_completion_date,
        )

    derive_on_save = derive_planned_completion_date  # core.records calls it before each save

    def clean(self):
        errors = {}
        if self.completed_on and self.status != self.Status.COMPLETE:
            errors["completed_on"] = "Only a complete action has a completed date."
        if self.completed_on and self.completed_on > timezone.localdate():
            errors["completed_on"] = "The completed date cannot be in the future."
        if errors:
            raise ValidationError(errors)
