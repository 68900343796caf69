"""The reporting app's models, by subject: appendix layouts and renders (``layouts``), governance
bodies and their meetings (``committees``), committee reports and their packs (``reports``)."""

from .committees import BodyKind, GovernanceBody, Meeting
from .layouts import (
    LAYOUT_FIELDS,
    Layout,
    LayoutColumn,
    PlanLayout,
    RagDisplay,
    RenderFailure,
    RenderFailureReason,
    RenderFormat,
    Rendering,
)
from .reports import (
    REPORT_FIELDS,
    AppendixNumbering,
    CommitteeReport,
    PackFailureReason,
    PackPublishing,
    PackRendering,
    PublishedPack,
    ReportAppendix,
    ReportRecommendation,
    ReportSection,
    ReportStatus,
    letter,
)

__all__ = [
    "LAYOUT_FIELDS",
    "REPORT_FIELDS",
    "AppendixNumbering",
    "BodyKind",
    "CommitteeReport",
    "GovernanceBody",
    "Layout",
    "LayoutColumn",
    "Meeting",
    "PackFailureReason",
    "PackPublishing",
    "PackRendering",
    "PlanLayout",
    "PublishedPack",
    "RagDisplay",
    "RenderFailure",
    "RenderFailureReason",
    "RenderFormat",
    "Rendering",
    "ReportAppendix",
    "ReportRecommendation",
    "ReportSection",
    "ReportStatus",
    "letter",
]
