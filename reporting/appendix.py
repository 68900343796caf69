"""A plan as a committee appendix: rows from ``actionplans.snapshots`` in a layout.

``build`` makes the one intermediate every format renders: a ``Document`` (title block, preamble,
running heading, columns with widths, rows of cells of paragraphs, group rows, rowspans, RAG word
and colour). The HTML template and the PDF (``reporting.printing``), ``reporting.word`` (.docx)
and ``reporting.excel`` (.xlsx) all read it; none reads the plan again. A layout is read as plain
values (``Spec``): a stored Layout's, a plan's own headings, or a command's --columns.
"""

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from django.db.models import Q
from django.utils import timezone

from actionplans import snapshots

from . import fields
from .fields import Context, Para, Updates, marked
from .models import LAYOUT_FIELDS, Layout, PlanLayout

# The fields that name a recommendation: repeated with "(contd.)" where it crosses a page.
NAMING_FIELDS = {"reference", "recommendation", "recommendation_text"}
# How a layout that lists the inspection's findings introduces each kind. A plan whose document
# lists them in its own words (Merton's) has them in its introduction instead.
FINDING_HEADINGS = {
    "strength": "The inspection identified the following strengths",
    "meets_requirements": "Areas where the service was meeting the requirements of statutory "
    "guidance",
    "area_for_development": "The areas for development identified by the inspection",
    "recommendation": "The inspection's recommendations",
}


# A column narrower than this share of the table makes WeasyPrint shape each paragraph in it once
# a line (see printing.breakable): 4 x 8.5 pt and the cell's padding, of the 273 mm table.
MIN_COLUMN_PERCENT = 5.5
# What the title of the public version (actionplans.publication) adds.
PUBLIC_SUFFIX = " (public version)"


class AppendixError(ValueError):
    """Input that cannot make an appendix (unknown field, date before the plan existed...)."""


@dataclass
class Column:
    heading: str
    field: str
    width: int = 10

    @property
    def level(self):
        return fields.FIELDS[self.field].level


@dataclass
class Spec:
    """A layout as plain values: from a stored Layout, a plan's own headings, or --columns."""

    name: str
    columns: list
    running_heading: str = ""
    title_block: bool = True
    preamble: str = ""
    include_introduction: bool = False
    include_findings: bool = False
    group_sections: bool = True
    span_recommendations: bool = True
    span_repeated_cells: bool = False
    bold_recommendations: bool = False
    bold_complete: bool = True
    complete_word: str = "complete"
    rag_display: str = "coloured"

    @classmethod
    def of(cls, layout):
        """A stored layout's settings (LAYOUT_FIELDS, which are this class's) and columns."""
        columns = [Column(c.heading, c.field, c.width) for c in layout.columns.all()]
        return cls(columns=columns, **{name: getattr(layout, name) for name in LAYOUT_FIELDS})

    def shown_columns(self):
        hidden = self.rag_display == Layout.RagDisplay.HIDDEN
        return [c for c in self.columns if not (hidden and c.field == "rag")]


DEFAULT_COLUMNS = [
    Column("Reference", "reference", 8),
    Column("Recommendation", "recommendation_text", 18),
    Column("Action required", "action", 22),
    Column("Lead", "owners", 12),
    Column("Planned completion", "planned_completion", 10),
    Column("RAG", "rag", 8),
    Column("Progress", "progress", 24),
]


def parse_columns(text):
    """ "Heading=field,Heading=field[:width]" from the command line; AppendixError if unknown."""
    columns = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        heading, sep, key = part.rpartition("=")
        if not sep or not heading.strip():
            raise AppendixError(f"{part!r}: write each column as Heading=field.")
        key, _, width = key.strip().partition(":")
        if key not in fields.FIELDS:
            raise AppendixError(
                f"Unknown field {key!r}. The fields are: {', '.join(fields.FIELDS)}."
            )
        if width and not (width.isdigit() and 1 <= int(width) <= 100):
            raise AppendixError(f"{part!r}: a width is a whole number from 1 to 100.")
        columns.append(Column(heading.strip(), key, int(width or 10)))
    if not columns:
        raise AppendixError("Give at least one column.")
    return columns


def own_spec(plan):
    """A plan without a layout: its own headings, in its own order, mapped to fields by meaning."""
    columns = []
    for heading in plan.column_names or []:
        key = fields.field_for_heading(str(heading))
        if key:
            columns.append(Column(str(heading), key, 10))
    return Spec(name=f"{plan.title} (its own columns)", columns=columns or DEFAULT_COLUMNS)


def default_layout(plan):
    """The stored layout a plan is published in: its own choice, else one made for its title by
    its council (first) or a preset; never another council's."""
    chosen = PlanLayout.objects.filter(plan=plan).select_related("layout").first()
    if chosen:
        return chosen.layout
    return (
        Layout.objects.filter(applies_to_title=plan.title)
        .filter(Q(organisation=plan.organisation) | Q(organisation=""))
        .order_by("-organisation", "pk")
        .first()
    )


def spec_for(plan, layout=None):
    layout = layout or default_layout(plan)
    if layout is None:
        return own_spec(plan)
    layout = Layout.objects.prefetch_related("columns").get(pk=layout.pk)
    return Spec.of(layout)


# The document: plain rows for the template, the Word and the Excel writers.


@dataclass
class Cell:
    paras: list
    level: str
    rowspan: int = 1
    rag: str = ""
    # "start": the cell opens a recommendation's span; "skip": covered by a span above.
    span: str = ""


@dataclass
class Row:
    key: str
    cells: list = field(default_factory=list)
    group: str = ""  # a section title: a full-width group row
    first_of_recommendation: bool = False
    contd: bool = False
    complete: bool = False
    page_break: bool = False


@dataclass
class Document:
    plan: object
    spec: Spec
    as_at: dt.date
    updates: Updates
    outline: object
    rows: list
    generated: dt.datetime
    # A later part of a document rendered in parts (reporting.parts): the table goes on, with its
    # header row and without the title block, preamble or caption.
    continuation: bool = False
    # What changed since a moment (actionplans.changes_between), for the "changed since" column;
    # with ``since`` set, the document is the list of changes (reporting.changes_since).
    changes: object = None
    since: object = None

    @property
    def public(self):
        """The public version: nothing marked not for publication (actionplans.publication)."""
        return self.outline.public

    @property
    def title(self):
        if self.since is not None:
            return f"{self.plan.title}, changes since {self.since.day:%-d %B %Y}"
        return f"{self.plan.title}, as at {self.as_at:%-d %B %Y}{PUBLIC_SUFFIX * self.public}"

    @property
    def public_note(self):
        """What the public version says it leaves out; "" for the full one."""
        if not self.public:
            return ""
        updates, cells = self.outline.withheld_updates, self.outline.withheld_cells
        left = [
            f"{updates} progress {'update' if updates == 1 else 'updates'}",
            f"{cells} {'entry' if cells == 1 else 'entries'} of the table",
        ]
        note = (
            f"This is the public version. It leaves out {left[0]} and {left[1]} that the council "
            "has marked as exempt information under Schedule 12A to the Local Government Act 1972."
        )
        if self.outline.by_post:
            note += " Some officers are shown by their post instead of their name."
        return note

    @property
    def empty_line(self):
        """What a table without rows says."""
        if self.since is not None:
            return f"No action changed since {self.since.day:%-d %B %Y}."
        return "The plan had no recommendations on this date."

    @property
    def marks(self):
        """Each changed action's changes in words, for the "changed since" column (else None)."""
        if self.changes is None:
            return None
        if self.since is not None:
            return {a.id: [c.words for c in a.changes] for a in self.changes.actions}
        return {a.id: [a.kinds] for a in self.changes.actions}

    @property
    def columns(self):
        return self.spec.shown_columns()

    @property
    def as_at_text(self):
        return f"As at {self.as_at:%-d %B %Y}"

    @property
    def as_at_line(self):
        """The title block's last line: the date and which updates are shown."""
        if self.since is not None:
            return f"Changes since {self.since.day:%-d %B %Y}, as at {self.as_at:%-d %B %Y}"
        if self.updates.mode == "all":
            shown = "all progress updates"
        elif self.updates.mode == "since":
            shown = f"progress updates since {self.updates.since:%-d %B %Y}"
        else:
            shown = "latest progress update"
        return f"{self.as_at_text}: {shown}"

    @property
    def title_lines(self):
        """The title block as (role, text): council, directorate, title, as-at; [] if not shown."""
        if not self.spec.title_block:
            return []
        lines = [("council", str(self.plan.organisation))]
        if self.plan.directorate:
            lines.append(("directorate", self.plan.directorate))
        return [*lines, ("title", self.plan.title), ("as_at", self.as_at_line)]

    @property
    def finding_groups(self):
        """What the inspection found, before the table when the layout says so: (heading, [(the
        report's numbering, text)]) by kind."""
        if not self.spec.include_findings:
            return []
        groups = {}
        for finding in self.outline.findings:
            groups.setdefault(finding.kind, []).append((finding.reference, finding.text))
        return [(FINDING_HEADINGS[kind], items) for kind, items in groups.items()]

    @property
    def introduction(self):
        """The plan's introduction and the layout's preamble as paragraphs (``Para``), as written:
        a line of its own is a paragraph, one that starts "- " an item of a bulleted list, and
        the marks of the plan's own bold and italic words are read (``fields.marked``)."""
        texts = list(self.since.lead(self.changes)) if self.since is not None else []
        if self.spec.include_introduction and self.plan.introduction:
            texts.append(self.plan.introduction)
        if self.spec.preamble:
            texts.append(self.spec.preamble)
        paragraphs = [Para(self.public_note, italic=True)] if self.public else []
        for text in texts:
            for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
                line = line.strip()
                if line.startswith("- "):
                    paragraphs.append(replace(marked(line[2:].strip()), bullet=True))
                elif line:
                    paragraphs.append(marked(line))
        return paragraphs

    @property
    def introduction_blocks(self):
        """The introduction for HTML: ("p", Para) and ("ul", [Para]) for a bulleted list."""
        blocks = []
        for para in self.introduction:
            if para.bullet and blocks and blocks[-1][0] == "ul":
                blocks[-1][1].append(para)
            else:
                blocks.append(("ul", [para]) if para.bullet else ("p", para))
        return blocks

    @property
    def preamble(self):
        """All the text before the table, as paragraphs (``Para``): the introduction, then what
        the inspection found when the layout lists it, each heading in bold."""
        paragraphs = list(self.introduction)
        for heading, items in self.finding_groups:
            paragraphs.append(Para(heading, bold=True))
            paragraphs.extend(marked(f"{ref} {text}".strip()) for ref, text in items)
        return paragraphs

    @property
    def caption(self):
        # The table's name; the running heading ("Appendix A") is on every page already.
        return self.title

    @property
    def widths(self):
        """Each column's share of the table in per cent, none below MIN_COLUMN_PERCENT while
        there is room: a narrower column makes WeasyPrint shape each paragraph in it once a line
        (see ``printing.breakable``). The others keep their proportions."""
        total = sum(c.width for c in self.columns) or 1
        shares = [100 * c.width / total for c in self.columns]
        least = min(MIN_COLUMN_PERCENT, 100 / max(len(shares), 1))
        narrow = set()
        while True:
            now = {i for i, share in enumerate(shares) if share < least} | narrow
            if now == narrow:
                break
            narrow = now
            rest = sum(c.width for i, c in enumerate(self.columns) if i not in narrow) or 1
            room = 100 - least * len(narrow)
            shares = [
                least if i in narrow else room * c.width / rest for i, c in enumerate(self.columns)
            ]
        return [round(share, 2) for share in shares]


def end_of(day):
    return dt.datetime.combine(day, dt.time.max, tzinfo=timezone.get_current_timezone())


def outline_as_at(plan, as_at, public=False):
    """The plan's rows at the end of ``as_at`` (from history), their public version if
    ``public``; AppendixError before it existed."""
    today = timezone.localdate()
    if as_at > today:
        raise AppendixError(f"The as-at date {as_at:%-d %B %Y} is in the future.")
    outline = snapshots.kept_as_of(plan, end_of(as_at), public=public)
    if outline is None:
        raise AppendixError(
            f"The plan {plan.title!r} had not been recorded yet on {as_at:%-d %B %Y}."
        )
    return outline


def build(plan, spec, as_at=None, updates=None, public=False):
    as_at = as_at or timezone.localdate()
    updates = updates or Updates()
    outline = outline_as_at(plan, as_at, public)
    doc = Document(
        plan=outline.plan,
        spec=spec,
        as_at=as_at,
        updates=updates,
        outline=outline,
        rows=[],
        generated=timezone.now(),
    )
    if any(c.field == "changed_since" for c in spec.columns):
        from . import changes_since  # it builds on this module

        doc.changes = changes_since.marked(plan, as_at)
    doc.rows = table_rows(doc)
    return doc


def table_rows(doc, contd=frozenset(), forced=frozenset()):
    """The table's rows; ``contd`` the keys of rows that open a page mid-recommendation,
    ``forced`` those that must start a page."""
    spec, columns = doc.spec, doc.columns
    context = Context(doc.updates, spec.complete_word, spec.bold_complete, doc.marks)
    rows = []
    for section in doc.outline.sections:
        if spec.group_sections and section.title:
            key = f"s{section.id}"
            rows.append(Row(key=key, group=section.title, page_break=key in forced))
        for rec in section.recommendations:
            actions = rec.actions or [None]
            keys = [f"r{rec.id}-a{a.id if a else 0}" for a in actions]
            # Where a span starts: the first row, and every row that opens a page mid-way.
            starts = [i for i, k in enumerate(keys) if i == 0 or k in contd]
            once = {
                n: once_over_actions(rec, column, context, spec)
                for n, column in enumerate(columns)
                if column.level == fields.ACTION
            }
            for i, action in enumerate(actions):
                row = Row(
                    key=keys[i],
                    first_of_recommendation=i == 0,
                    contd=i > 0 and keys[i] in contd,
                    complete=action is not None and action.status == "complete",
                    page_break=keys[i] in forced,
                )
                for n, column in enumerate(columns):
                    cell = _cell(rec, action, column, context, spec, starts, i, row, once.get(n))
                    row.cells.append(cell)
                rows.append(row)
    return rows


def _cell(rec, action, column, context, spec, starts, i, row, once=None):
    """``once``: the paragraphs of an action's column printed once over the recommendation's
    rows (see ``once_over_actions``), if so."""
    the_field = fields.FIELDS[column.field]
    rag = action.rag if (action is not None and column.field == "rag") else ""
    level = the_field.level
    if level == fields.ACTION:
        if once is None:
            return Cell(the_field.get(rec, action, context), level, rag=rag)
        level, paras = fields.RECOMMENDATION, once  # spanned as a recommendation's cell is
    else:
        paras = the_field.get(rec, action, context)
        if column.field in NAMING_FIELDS and spec.bold_recommendations:
            paras = [replace(p, bold=True) for p in paras]
    if row.contd:
        paras = _contd(rec, column, paras, spec) if column.field in NAMING_FIELDS else []
    elif not row.first_of_recommendation and spec.span_recommendations:
        return Cell([], level, span="skip")
    if not spec.span_recommendations:
        return Cell(paras, level)
    following = [s for s in starts if s > i]
    end = following[0] if following else len(rec.actions or [None])
    return Cell(paras, level, rowspan=end - i, span="start")


def once_over_actions(rec, column, context, spec):
    """The paragraphs of an action's column that the recommendation prints once over all its
    actions, or None when each action has its own cell. Two cases: progress written against
    the whole recommendation (its own, then any its actions have), and, in a layout that says so
    (``span_repeated_cells``, as Merton's Appendix A), a cell the same for each of its actions."""
    actions = rec.actions or [None]
    if column.field == "progress":
        own = fields.FIELDS["recommendation_progress"].get(rec, None, context)
        if own:
            the_field = fields.FIELDS["progress"]
            return own + [p for a in actions for p in the_field.get(rec, a, context)]
    if spec.span_repeated_cells and spec.span_recommendations and len(actions) > 1:
        the_field = fields.FIELDS[column.field]
        cells = [the_field.get(rec, a, context) for a in actions]
        if column.field != "rag" and all(c == cells[0] for c in cells[1:]):
            return cells[0]
    return None


def _contd(rec, column, paras, spec):
    naming = [c for c in spec.shown_columns() if c.field in NAMING_FIELDS]
    if naming and naming[0] is not column and naming[0].field == "reference":
        return paras  # the reference column says "(contd.)"; the text is repeated beside it
    label = f"{rec.reference} (contd.)" if rec.reference else "(contd.)"
    rest = [p for p in paras if p.text != rec.reference]
    return [Para(label, bold=True), *(rest if column.field != "reference" else [])]


def file_name(doc, extension="pdf"):
    what = f"as at {doc.as_at:%Y-%m-%d}"
    if doc.since is not None:
        what = f"changes since {doc.since.day:%-d %B %Y}"
    public = " public" if doc.public else ""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", f"{doc.plan.title} {what}{public}")
    return f"{stem.strip('-')[:120]}.{extension}"
