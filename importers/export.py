"""A plan, or a list of actions, as a plain table (.xlsx or .csv) the importer reads back.

One header row under the plan's title; a section is a row with only its title; a recommendation's
reference and text are written on its first row only (the rows below belong to it, as councils
write them); one row per action, its owners one to a line, its progress updates one to a
paragraph opening "[YYYY-MM-DD] (label)". Cells beginning = + - @ are never formulas: in Excel
they are strings with the quote prefix, in CSV they get a leading apostrophe (which the importer
takes off again). A control character in the site's text (a form may let one through) is written
as the importer reads it: a vertical tab or form feed as a line break, any other as U+FFFD, so the
table opens, and reads back, instead of failing (openpyxl refuses them: a 500).
"""

import csv
import io

from django.db.models import Prefetch

from actionplans.models import Action, ActionOwner, ProgressUpdate

from . import readers

HEADINGS = [
    "Ref No",
    "Recommendation",
    "Action Required",
    "Lead Officer",
    "Planned Completion Date",
    "Status",
    "Performance Indicator",
    "Target",
    "Progress",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _progress(action):
    parts = []
    for update in sorted(action.updates_for_export, key=lambda u: (u.written_on, u.pk)):
        label = f" ({update.period_label})" if update.period_label else ""
        parts.append(f"[{update.written_on.isoformat()}]{label} {update.text}")
    return "\n".join(parts)


def _action_cells(action):
    owners = "\n".join(link.owner.name for link in action.ordered_owner_links)
    return [
        action.text,
        owners,
        action.planned_completion_text,
        action.get_status_display(),
        action.performance_indicator,
        action.target,
        _progress(action),
    ]


def _actions(queryset):
    return queryset.prefetch_related(
        Prefetch("owner_links", queryset=ActionOwner.objects.select_related("owner")),
        Prefetch(
            "updates",
            # Progress only (a proposal's account of the work too), never a manager's decision.
            queryset=ProgressUpdate.objects.progress(),
            to_attr="updates_for_export",
        ),
    )


def plan_rows(plan):
    """The title row, the header row, then the plan's rows."""
    rows = [[plan.title], HEADINGS]
    actions = {}
    for action in _actions(Action.objects.filter(recommendation__plan=plan)).order_by(
        "order", "pk"
    ):
        actions.setdefault(action.recommendation_id, []).append(action)
    recs = list(plan.recommendations.order_by("order", "pk"))
    # Recommendations outside any section first (no group row: the importer reads them as the
    # plan's untitled first section), then each section under its title.
    groups = [(None, "")] + [(s.pk, s.title) for s in plan.sections.order_by("order", "pk")]
    for section_id, title in groups:
        own_recs = [rec for rec in recs if rec.section_id == section_id]
        if title:
            rows.append([title])
        for rec in own_recs:
            first = [rec.reference, rec.text]
            for action in actions.get(rec.pk) or [None]:
                cells = _action_cells(action) if action else [""] * 7
                rows.append([*(first or ["", ""]), *cells])
                first = None
    return rows


def action_rows(actions, title="Actions"):
    """A filtered list of actions, each under its recommendation, in the order given."""
    rows = [[title], HEADINGS]
    last = None
    ordered = actions.select_related("recommendation__plan").order_by(
        "recommendation__plan__title", "recommendation__order", "order", "pk"
    )
    for action in _actions(ordered):
        rec = action.recommendation
        first = ["", ""] if rec.pk == last else [rec.reference, rec.text]
        rows.append([*first, *_action_cells(action)])
        last = rec.pk
    return rows


def _text(value):
    text = "" if value is None else str(value)
    return readers.clean(text.replace("\v", "\n").replace("\f", "\n"))[0]


def _safe_csv(value):
    value = _text(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_safe_csv(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel then reads UTF-8


def write_xlsx(rows, sheet="Plan"):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    ws = book.active
    ws.title = "".join(c for c in _text(sheet) if c not in "[]:*?/\\")[:31] or "Plan"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            cell.value = _text(value)
            cell.data_type = "s"  # openpyxl makes "=..." a formula; this keeps it a string
            if cell.value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if r == 2:
                cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(rows, fmt, sheet="Plan"):
    return write_xlsx(rows, sheet) if fmt == "xlsx" else write_csv(rows)
