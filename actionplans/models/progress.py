"""Progress on the work: dated updates and managers' decisions, and the evidence attached."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.validators import one_of, plausible_date

from .owners import Owner
from .structure import Action, ActionStatus, Recommendation


class UpdateKind(models.TextChoices):
    UPDATE = "update", "Progress update"
    PROPOSAL = "proposal", "Proposed complete"
    SIGN_OFF = "sign_off", "Signed off as complete"
    RETURNED = "returned", "Returned by the manager"
    REOPENED = "reopened", "Reopened by the manager"
    ASSURED = "assured", "Assured"
    IMPACT_SHOWN = "impact_shown", "Impact shown"
    ASSURED_REOPENED = "assured_reopened", "Assurance reopened by the manager"
    IMPACT_REOPENED = "impact_reopened", "Impact shown reopened by the manager"


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
    UpdateKind.ASSURED: "Assured",
    UpdateKind.IMPACT_SHOWN: "Impact shown",
    UpdateKind.ASSURED_REOPENED: "Assurance reopened",
    UpdateKind.IMPACT_REOPENED: "Impact shown reopened",
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
        Action,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="updates",
        db_index=False,  # the (action, date) index below leads with it
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
        indexes = [
            models.Index(fields=["action", "-written_on"]),
            # Whether an action has had progress since a day (rag.stale_expression), asked of
            # every action a dashboard rates: answered from this index alone, not by reading
            # each of the action's updates to find their kind (issue 28).
            models.Index(
                fields=["action", "written_on"],
                condition=models.Q(kind__in=sorted(PROGRESS_KINDS)),
                name="progress_by_action_date",
            ),
        ]

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
