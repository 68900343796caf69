"""Appendix layouts: which fields of a plan's rows, under which headings, in which house style.

A layout is data, kept in history like everything else: a clerk can make a council's own without a
release, and a plan remembers the one it is published in.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.validators import one_of

from .. import fields


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
