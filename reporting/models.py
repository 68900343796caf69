"""Appendix layouts: which fields of a plan's rows, under which headings, in which house style.

A layout is data, kept in history like everything else: a clerk can make a council's own without a
release, and a plan remembers the one it is published in.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.validators import one_of, plausible_date

from . import fields


class RagDisplay(models.TextChoices):
    COLOURED = "coloured", "A coloured cell with its word"
    HIDDEN = "hidden", "Not shown"


# What a clerk sets on a layout (the form's fields, what a copy takes, what an appendix reads).
LAYOUT_FIELDS = [
    "name",
    "running_heading",
    "title_block",
    "preamble",
    "include_introduction",
    "include_findings",
    "group_sections",
    "span_recommendations",
    "span_repeated_cells",
    "bold_recommendations",
    "bold_complete",
    "complete_word",
    "rag_display",
]


class Layout(models.Model):
    RagDisplay = RagDisplay

    name = models.CharField(max_length=120)
    # A council's own layout, which only its people see and change; blank for a preset, which
    # every council may use and copy but none may change.
    organisation = models.CharField(max_length=200, blank=True, editable=False)
    running_heading = models.CharField(
        max_length=120, blank=True, help_text='Printed at the top of every page, e.g. "Appendix B".'
    )
    title_block = models.BooleanField(
        default=True,
        help_text="Council, directorate, plan title and the as-at date above the table.",
    )
    preamble = models.TextField(blank=True, help_text="Text printed before the table.")
    include_introduction = models.BooleanField(
        default=False, help_text="Print the plan's own introduction before the table."
    )
    include_findings = models.BooleanField(
        default=False,
        help_text="List what the plan's inspection found (strengths, requirements met, areas for "
        "development) before the table.",
    )
    group_sections = models.BooleanField(
        default=True, help_text="Each section of the plan as a full-width row above its rows."
    )
    span_recommendations = models.BooleanField(
        default=True,
        help_text="A recommendation's cells once over its action rows, rather than on every row.",
    )
    span_repeated_cells = models.BooleanField(
        default=False,
        help_text="A cell that is the same on each of a recommendation's actions (a time scale, "
        "an indicator, a target) printed once over them, as a table whose cells span its rows.",
    )
    bold_recommendations = models.BooleanField(
        default=False, help_text="The column naming each recommendation in bold."
    )
    bold_complete = models.BooleanField(
        default=True, help_text="Completed actions shown in bold with the plan's word for it."
    )
    complete_word = models.CharField(max_length=40, default="complete")
    rag_display = models.CharField(
        max_length=20, choices=RagDisplay.choices, default=RagDisplay.COLOURED
    )
    applies_to_title = models.CharField(
        max_length=300,
        blank=True,
        help_text="The default layout of plans with exactly this title, unless a plan has its own.",
    )
    # Bumped on every edit, so that a save based on a stale copy is refused (core.records).
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            one_of("layout_rag_display_valid", "rag_display", RagDisplay.choices),
            models.UniqueConstraint(fields=["organisation", "name"], name="layout_unique_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_preset(self):
        return not self.organisation


class LayoutColumn(models.Model):
    layout = models.ForeignKey(Layout, on_delete=models.CASCADE, related_name="columns")
    order = models.PositiveIntegerField(default=0)
    heading = models.CharField(max_length=120)
    field = models.CharField(max_length=40, choices=fields.CHOICES)
    width = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Relative width: a column of 20 is twice as wide as one of 10.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["layout", "order", "pk"]
        constraints = [
            one_of("layout_column_field_valid", "field", fields.CHOICES),
            models.CheckConstraint(
                condition=models.Q(width__gte=1, width__lte=100), name="layout_column_width_range"
            ),
        ]

    def __str__(self):
        return f"{self.heading} ({self.field})"


class PlanLayout(models.Model):
    """The layout a plan is published in unless the clerk picks another."""

    plan = models.OneToOneField(
        "actionplans.Plan", on_delete=models.CASCADE, related_name="default_layout"
    )
    layout = models.ForeignKey(Layout, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    def __str__(self):
        return f"{self.plan}: {self.layout}"


class RenderFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word"
    XLSX = "xlsx", "Excel"


class Rendering(models.Model):
    """A rendered appendix, kept so that the same document is served again at once.

    ``key`` says exactly what was rendered (see reporting.renders.key): the plan's rows as they
    stood, the layout, the date and the update range. Kept in the database, so every app server
    sees what any of them (or the task worker) rendered.
    """

    Format = RenderFormat

    plan = models.ForeignKey("actionplans.Plan", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, unique=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.PDF)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    seconds = models.FloatField(default=0, help_text="How long the render took.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [one_of("rendering_format_valid", "format", RenderFormat.choices)]

    def __str__(self):
        return self.file_name


# Committee packs: a cover report in the council's shape, followed by its appendices.


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


# What a clerk writes on a report's cover (the form's fields); the numbering last, not printed
# as a line of the cover.
REPORT_FIELDS = [
    "committee",
    "meeting_date",
    "agenda_item",
    "wards",
    "subject",
    "lead_officer",
    "lead_member",
    "forward_plan_reference",
    "contact_officer",
    "reason_for_urgency",
    "appendix_numbering",
]


class CommitteeReport(models.Model):
    """The cover report of a committee pack, as the seeds' cover reports are laid out."""

    Numbering = AppendixNumbering
    Status = ReportStatus

    organisation = models.CharField(max_length=200, help_text="The council the report is of.")
    committee = models.CharField(max_length=200)
    meeting_date = models.DateField(validators=[plausible_date])
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
    """What a published report froze: its PDF and the settings each appendix was rendered with."""

    report = models.OneToOneField(
        CommitteeReport, on_delete=models.PROTECT, related_name="published_pack"
    )
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    # [{"label": "Appendix A", "title": ..., "settings": {...}, "layout_name": ...}, ...]
    appendices = models.JSONField(default=list)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["pdf"])

    def __str__(self):
        return f"{self.report} (published {self.published_at:%-d %B %Y})"


class RenderFailureReason(models.TextChoices):
    TIME = "time", "Ran out of time"
    MEMORY = "memory", "Ran out of memory"
    ERROR = "error", "Failed"


class RenderFailure(models.Model):
    """A render that ran out of time or memory, or failed, kept under the key of the document it
    was making (see reporting.renders.key): the clerk is shown it at once rather than each click
    starting the render again. A change to the plan makes a new key, and so a new attempt."""

    Reason = RenderFailureReason
    Format = RenderFormat

    plan = models.ForeignKey("actionplans.Plan", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, unique=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.PDF)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    detail = models.TextField(blank=True, help_text="For an administrator: how it stopped.")
    seconds = models.FloatField(default=0, help_text="How long it ran before it stopped.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            one_of("render_failure_format_valid", "format", RenderFormat.choices),
            one_of("render_failure_reason_valid", "reason", RenderFailureReason.choices),
        ]

    def __str__(self):
        return f"{self.get_format_display()}: {self.get_reason_display()}"


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

    def __str__(self):
        return f"{self.report_id}: {self.failure or 'publishing'}"
