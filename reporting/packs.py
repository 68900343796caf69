"""A committee pack: the cover report followed by its appendices, as ONE tagged PDF.

The pack is one WeasyPrint HTML document, not PDFs merged: a merge drops the structure tree. The
cover report is on portrait pages (a named page), each appendix starts a new landscape page with
its own running heading ("Appendix A") and as-at footer, and "Page N of M" counts across the whole
pack, as an agenda pack is paginated: members cite "page 43 of the agenda", not a page of an
appendix.

Each appendix keeps its render settings as one value (``Settings``), so a published pack can record
exactly what it was rendered from.
"""

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field, replace

from django.template.loader import render_to_string

from actionplans.models import Plan

from . import appendix, printing
from .fields import Updates
from .models import Layout, PublishedPack, letter

MAX_APPENDICES = 20


class SettingsError(ValueError):
    """A stored or submitted settings value that cannot be read."""


@dataclass(frozen=True)
class Settings:
    """How one appendix is rendered: which plan, in which layout, as at which date, which updates.

    Stored as ``{"plan": 7, "layout": 3 or null, "as_at": "2012-12-01", "updates": "latest"}``;
    a null layout is the plan's default at the time of rendering (a published pack records the
    one it used).
    """

    plan: int
    as_at: dt.date
    layout: int | None = None
    updates: Updates = Updates()

    @classmethod
    def load(cls, value):
        if not isinstance(value, dict):
            raise SettingsError("The appendix settings are not a set of values.")
        unknown = set(value) - {"plan", "layout", "as_at", "updates"}
        if unknown:
            raise SettingsError(f"Unknown appendix settings: {', '.join(sorted(unknown))}.")
        plan, layout = value.get("plan"), value.get("layout")
        if not isinstance(plan, int) or isinstance(plan, bool) or plan < 1:
            raise SettingsError("The appendix names no plan.")
        if layout is not None and (not isinstance(layout, int) or isinstance(layout, bool)):
            raise SettingsError("The appendix's layout is not a layout's id.")
        try:
            as_at = dt.date.fromisoformat(str(value.get("as_at")))
        except ValueError:
            raise SettingsError("The appendix's as-at date is not a date (YYYY-MM-DD).") from None
        try:
            updates = Updates.parse(value.get("updates"))
        except ValueError as error:
            raise SettingsError(str(error)) from None
        return cls(plan=plan, as_at=as_at, layout=layout, updates=updates)

    @property
    def words(self):
        """How a clerk reads the settings: "as at 15 November 2011, with every update"."""
        return f"as at {self.as_at:%-d %B %Y}, with {self.updates.words}"

    def dump(self):
        return {
            "plan": self.plan,
            "layout": self.layout,
            "as_at": self.as_at.isoformat(),
            "updates": str(self.updates),
        }


@dataclass
class PackAppendix:
    label: str
    title: str
    settings: Settings
    doc: appendix.Document
    prefix: str
    layout_id: int | None = None  # the stored layout used (None: the plan's own columns)

    @property
    def layout_name(self):
        return self.doc.spec.name


@dataclass
class Paragraph:
    number: str
    text: str


@dataclass
class Pack:
    report: object
    recommendations: list  # (letter, text)
    sections: list  # (number, heading, [Paragraph])
    appendices: list = field(default_factory=list)

    @property
    def title(self):
        report = self.report
        item = f"Agenda item {report.agenda_item}: " if report.agenda_item else ""
        public = appendix.PUBLIC_SUFFIX * report.public
        return (
            f"{item}{report.subject} ({report.committee}, {report.meeting_date:%-d %B %Y}){public}"
        )

    @property
    def appendices_number(self):
        """The cover's own closing section, after the clerk's: the list of appendices."""
        return len(self.sections) + 1


def _paragraphs(number, text):
    """The clerk's text in paragraphs numbered 1.1, 1.2 (blank lines part them), as the seeds."""
    parts = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return [Paragraph(f"{number}.{i}", part) for i, part in enumerate(parts, 1)]


def _rows(doc, prefix, contd=frozenset(), forced=frozenset()):
    """The appendix's table rows with keys unique in the pack (two appendices may show one plan)."""

    def own(keys):
        return frozenset(k[len(prefix) :] for k in keys if k.startswith(prefix))

    rows = appendix.table_rows(doc, own(contd), own(forced))
    return [replace(row, key=prefix + row.key) for row in rows]


def _appendices(report):
    """Each appendix of the report as (label, item, settings, plan, layout or None), in order;
    AppendixError names one whose settings cannot be read or whose plan or layout is gone."""
    for i, item in enumerate(report.appendices.all(), 1):
        label = report.appendix_label(i)
        try:
            settings = Settings.load(item.render_settings)
        except SettingsError as error:
            raise appendix.AppendixError(f"{label}: {error}") from None
        plan = Plan.objects.filter(pk=settings.plan).first()
        layout = Layout.objects.filter(pk=settings.layout).first() if settings.layout else None
        if plan is None or (settings.layout and layout is None):
            missing = "plan" if plan is None else "layout"
            raise appendix.AppendixError(f"{label}: its {missing} no longer exists.")
        yield label, item, settings, plan, layout


def _spec(label, plan, layout):
    # The pack letters its appendices: the layout's own running heading gives way.
    return replace(appendix.spec_for(plan, layout), running_heading=label)


def build(report):
    """The pack as it renders now; AppendixError names the appendix that cannot be made."""
    recommendations = [
        (letter(i), rec.text) for i, rec in enumerate(report.recommendations.all(), 1)
    ]
    sections = [
        (str(i), section.heading, _paragraphs(i, section.text))
        for i, section in enumerate(report.sections.all(), 1)
    ]
    pack = Pack(report, recommendations, sections)
    for i, (label, item, settings, plan, layout) in enumerate(_appendices(report), 1):
        spec = _spec(label, plan, layout)
        try:
            doc = appendix.build(plan, spec, settings.as_at, settings.updates, report.public)
        except appendix.AppendixError as error:
            raise appendix.AppendixError(f"{label}: {error}") from None
        prefix = f"p{i}-"
        doc = replace(doc, rows=_rows(doc, prefix))
        used = layout or appendix.default_layout(plan)
        pack.appendices.append(
            PackAppendix(label, item.title, settings, doc, prefix, used.pk if used else None)
        )
    return pack


# Bump when a change to the pack's templates or rules changes what a render looks like.
PACK_VERSION = 1
# The report's own fields that the pack does not print.
NOT_PRINTED = {"id", "version", "status", "published_at"}


def key(report):
    """What the draft pack shows, as one key, without laying anything out: the cover as written,
    the recommendations and sections, and each appendix's label, title and document key
    (renders.key: the plan's rows as they stood, the layout as values, the date and updates).
    Any change to any of them is a new key, so a render kept under it is never stale.
    AppendixError names an appendix whose settings, plan or layout are gone."""
    from . import renders

    appendices = [
        (
            label,
            item.title,
            renders.key(
                plan,
                _spec(label, plan, layout),
                settings.as_at,
                settings.updates,
                public=report.public,
            ),
        )
        for label, item, settings, plan, layout in _appendices(report)
    ]
    what = {
        "pack": PACK_VERSION,
        "report": report.pk,
        "cover": {
            f.attname: getattr(report, f.attname)
            for f in report._meta.concrete_fields
            if f.attname not in NOT_PRINTED
        },
        "recommendations": [r.text for r in report.recommendations.all()],
        "sections": [(s.heading, s.text) for s in report.sections.all()],
        "appendices": appendices,
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()


def html(pack, *, for_print=True):
    template = "reporting/pack.html" if for_print else "reporting/_pack.html"
    return render_to_string(template, {"pack": pack, "for_print": for_print})


def layout_pdf(pack):
    """Lay the pack out (``printing.settle``) over every appendix at once: the rows that open
    pages are read from one layout of the whole document. Returns (WeasyPrint document, passes)."""
    from weasyprint import HTML

    def render():
        return HTML(string=html(pack), base_url=None).render(
            pdf_tags=True, presentational_hints=True
        )

    def relayout(contd, forced):
        for item in pack.appendices:
            item.doc = replace(item.doc, rows=_rows(item.doc, item.prefix, contd, forced))

    firsts = {
        r.key
        for item in pack.appendices
        for r in item.doc.rows
        if r.first_of_recommendation or r.group
    }
    return printing.settle(render, firsts, relayout)


def write_pdf(pack):
    laid_out, _ = layout_pdf(pack)
    return laid_out.write_pdf(pdf_tags=True)


def frozen_settings(pack):
    """What a published pack records of each appendix: the settings, with the layout it used."""
    frozen = []
    for item in pack.appendices:
        settings = {**item.settings.dump(), "layout": item.layout_id}
        frozen.append(
            {
                "label": item.label,
                "title": item.title,
                "layout_name": item.layout_name,
                "settings": settings,
            }
        )
    return frozen


def digest(pdf):
    return hashlib.sha256(pdf).hexdigest()


def file_name(report, version=None):
    """The pack's file name; a correction's says its version ("-version-2")."""
    public = " public" if report.public else ""
    stem = re.sub(
        r"[^A-Za-z0-9]+",
        "-",
        f"{report.committee} {report.meeting_date:%Y-%m-%d}{public} {report.subject}",
    )
    suffix = f"-version-{version}" if version and version > 1 else ""
    return stem.strip("-")[:120] + suffix + ".pdf"


def packs_with(plan):
    """The published versions of the packs ``plan`` is an appendix of (whoever may see them)."""
    return PublishedPack.objects.filter(report__appendices__render_settings__plan=plan.pk)
