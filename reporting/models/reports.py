"""Committee reports and their packs: a cover report in the council's shape for a meeting of one
of its governance bodies, followed by its appendices; what a published pack froze, version by
version; the pack's renders and its publication on the queue."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from core.errors import Refused
from core.validators import one_of, plausible_date

from .committees import Meeting


class AppendixNumbering(models.TextChoices):
    LETTERS = "letters", "Letters: Appendix A, Appendix B (as Merton does)"
    NUMBERS = "numbers", "Numbers: Appendix 1, Appendix 2 (as Rotherham does)"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


def letter(n):
    """1 -> A, 26 -> Z, 27 -> AA: the council's lettering of recommendations and appendices."""
    text = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


# What a clerk writes on a report's cover (the form's fields): the meeting first (the cover prints
# its body and date), the numbering last, not printed as a line of the cover.
REPORT_FIELDS = [
    "meeting",
    "agenda_item",
    "wards",
    "subject",
    "lead_officer",
    "lead_member",
    "forward_plan_reference",
    "contact_officer",
    "reason_for_urgency",
    "appendix_numbering",
    "public",
]


class CommitteeReport(models.Model):
    """The cover report of a committee pack, as the seeds' cover reports are laid out."""

    Numbering = AppendixNumbering
    Status = ReportStatus

    organisation = models.CharField(max_length=200, help_text="The council the report is of.")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="reports")
    # The cover's copy of the meeting's body and date, taken whenever the meeting is set
    # (services.report_create and report_edit): the packs' keys, file names and lists read them.
    committee = models.CharField(max_length=200, editable=False)
    meeting_date = models.DateField(validators=[plausible_date], editable=False)
    agenda_item = models.CharField(max_length=20, blank=True)
    wards = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=1000)
    lead_officer = models.CharField(max_length=300, blank=True)
    lead_member = models.CharField(max_length=300, blank=True)
    forward_plan_reference = models.CharField(max_length=100, blank=True)
    contact_officer = models.CharField(max_length=300, blank=True)
    reason_for_urgency = models.TextField(blank=True)
    appendix_numbering = models.CharField(
        max_length=10, choices=AppendixNumbering.choices, default=AppendixNumbering.LETTERS
    )
    # The pack's appendices in their public version (actionplans.publication).
    public = models.BooleanField(
        "publish the public version",
        default=False,
        help_text="Leaves out what is marked not for publication (Schedule 12A) and shows "
        "officers below your council's chosen level by their post.",
    )
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default="draft")
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Bumped on every edit, so that a save based on a stale copy is refused (core.records).
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-meeting_date", "committee", "pk"]
        constraints = [
            one_of("report_numbering_valid", "appendix_numbering", AppendixNumbering.choices),
            one_of("report_status_valid", "status", ReportStatus.choices),
            # Published exactly when it has a publication time.
            models.CheckConstraint(
                condition=models.Q(status="draft", published_at__isnull=True)
                | models.Q(status="published", published_at__isnull=False),
                name="report_published_at_iff_published",
            ),
        ]

    def __str__(self):
        return f"{self.committee}, {self.meeting_date:%-d %B %Y}: {self.subject[:80]}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("report_detail", args=[self.pk])

    @property
    def is_published(self):
        return self.status == ReportStatus.PUBLISHED

    @property
    def published_pack(self):
        """The latest version of the published pack (None for a draft)."""
        return self.published_packs.order_by("-number").first()

    def appendix_label(self, position):
        """``position`` from 1: "Appendix A" or "Appendix 1", as the council numbers them."""
        mark = (
            letter(position) if self.appendix_numbering == AppendixNumbering.LETTERS else position
        )
        return f"Appendix {mark}"


class ReportRecommendation(models.Model):
    """A recommendation to the committee, lettered A, B, C in order."""

    report = models.ForeignKey(
        CommitteeReport, on_delete=models.CASCADE, related_name="recommendations"
    )
    order = models.PositiveIntegerField(default=0)
    text = models.TextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "order", "pk"]

    def __str__(self):
        return self.text[:80]


class ReportSection(models.Model):
    """A numbered section of the report (1 Purpose of report, 2 Details...) the clerk writes."""

    report = models.ForeignKey(CommitteeReport, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(default=0)
    heading = models.CharField(max_length=300)
    text = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "order", "pk"]

    def __str__(self):
        return self.heading


class ReportAppendix(models.Model):
    """A plan rendered as an appendix: its render settings kept as one value (see packs.py)."""

    report = models.ForeignKey(CommitteeReport, on_delete=models.CASCADE, related_name="appendices")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    # {"plan": id, "layout": id or null (the plan's default), "as_at": "YYYY-MM-DD",
    #  "updates": "latest" | "all" | "since:YYYY-MM-DD"}: read and checked by packs.Settings.
    render_settings = models.JSONField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "order", "pk"]
        verbose_name_plural = "report appendices"

    def __str__(self):
        return self.title


class PublishedPack(models.Model):
    """What a published report froze: its PDF and the settings each appendix was rendered with.

    Never changed once saved. A correction is a new version (``number`` 2, 3...) saying what it
    corrects; every version stays downloadable with its own checksum."""

    report = models.ForeignKey(
        CommitteeReport, on_delete=models.PROTECT, related_name="published_packs"
    )
    number = models.PositiveIntegerField(default=1, help_text="The version: 1 as first published.")
    corrects = models.TextField(blank=True, help_text="What a correction corrects, in words.")
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    # [{"label": "Appendix A", "title": ..., "settings": {...}, "layout_name": ...}, ...]
    appendices = models.JSONField(default=list)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["pdf"])

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="published_pack_version"),
            # A correction says what it corrects; the first version corrects nothing.
            models.CheckConstraint(
                condition=models.Q(number=1, corrects="")
                | (models.Q(number__gt=1) & ~models.Q(corrects="")),
                name="published_pack_correction_says_what",
            ),
        ]

    def __str__(self):
        return f"{self.report} (version {self.number}, published {self.published_at:%-d %B %Y})"

    def save(self, *args, **kwargs):
        # Saved once: what was published is never rewritten (a correction is a new version).
        if not self._state.adding:
            raise Refused("A published pack is never changed: publish a correction instead.")
        super().save(*args, **kwargs)

    @property
    def is_correction(self):
        return self.number > 1


class PackFailureReason(models.TextChoices):
    TIME = "time", "Ran out of time"
    MEMORY = "memory", "Ran out of memory"
    ERROR = "error", "Failed"
    APPENDIX = "appendix", "An appendix could not be made"


class PackRendering(models.Model):
    """A draft committee pack's PDF, or why it could not be made, kept under a key that says
    exactly what it shows (reporting.packs.key: the cover as written and each appendix's
    document key). The download is served from it, publishing freezes it, and any change to the
    report or to a plan as it is shown makes a new key, so nothing stale is served."""

    Reason = PackFailureReason

    report = models.ForeignKey(CommitteeReport, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, unique=True)
    pdf = models.BinaryField(null=True)
    # What publishing records of each appendix (packs.frozen_settings), as it was rendered.
    appendices = models.JSONField(default=list)
    # Blank: rendered. Else why it stopped; "Try again" deletes the record.
    reason = models.CharField(max_length=10, choices=PackFailureReason.choices, blank=True)
    detail = models.TextField(blank=True, help_text="What stopped it, for an administrator.")
    seconds = models.FloatField(default=0, help_text="How long the render took.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            one_of("pack_rendering_reason_valid", "reason", PackFailureReason.choices, blank=True),
            models.CheckConstraint(
                condition=models.Q(reason="", pdf__isnull=False) | ~models.Q(reason=""),
                name="pack_rendering_pdf_unless_failed",
            ),
        ]

    def __str__(self):
        return f"{self.report_id}: {self.get_reason_display() or 'rendered'}"

    @property
    def failed(self):
        return bool(self.reason)


class PackPublishing(models.Model):
    """A clerk's "Publish the pack", carried out on the task queue (services.report_publish_ask):
    one per report, so a second press finds it and adds nothing; the report cannot be changed
    while it waits. Removed once the pack is published; ``failure`` says why it could not be."""

    report = models.OneToOneField(
        CommitteeReport, on_delete=models.CASCADE, related_name="publishing"
    )
    version = models.PositiveIntegerField(help_text="The report's version the clerk published.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    failure = models.TextField(blank=True, help_text="Why it could not be published, in words.")
    # Blank: the pack's first publication. Else a correction of a published pack (a new version),
    # saying what it corrects.
    corrects = models.TextField(blank=True)

    def __str__(self):
        return f"{self.report_id}: {self.failure or 'publishing'}"
