"""One row of a plan's table read as an action, and what a cell may hold: its status and
rating words, its progress updates (one, or one per dated or labelled paragraph), each cell
within the limit of the field it is saved in, and a problem where it is not."""

import datetime as dt
import re
from dataclasses import dataclass

from actionplans.fuzzy_dates import derive_date
from actionplans.models import Action, Owner, Plan, ProgressUpdate, Recommendation, Section
from core.forms import TEXT_LIMIT

from . import headers, owners


@dataclass
class Problem:
    row: int  # 1-based row, counted through the file's tables as a spreadsheet counts (0: file)
    column: str  # the column's heading, or ""
    message: str
    blocking: bool = True

    def __str__(self):
        where = f"Row {self.row}" if self.row else "File"
        if self.column:
            where += f", column “{self.column}”"
        return f"{where}: {self.message}"


# Status words written in a progress or status cell, most specific first.
STATUS_WORDS = [
    (re.compile(r"\bawaiting sign[- ]?off\b", re.I), "awaiting_sign_off"),
    (re.compile(r"\bnot (yet )?started\b", re.I), "not_started"),
    (re.compile(r"\bon (schedule|track|target)\b", re.I), "on_schedule"),
    (re.compile(r"\b(delayed|behind schedule|slipped|overdue)\b", re.I), "delayed"),
    (re.compile(r"\b(ongoing|business as usual)\b", re.I), "ongoing"),
    (re.compile(r"\b(underway|under way|in progress|started)\b", re.I), "underway"),
    (re.compile(r"\b(completed?|achieved|done)\b", re.I), "complete"),
    # "Embedded" (a written statement of action's last step): done and kept up
    (re.compile(r"(?<!not )(?<!not yet )\bembedded\b", re.I), "complete"),
]
STATUS_LABELS = {str(label).casefold(): value for value, label in Action.Status.choices}
RATINGS = [
    ("amber[- /]red", "amber_red"),
    ("amber[- /]green", "amber_green"),
    ("red", "red"),
    ("amber", "amber"),
    ("green", "green"),
]
_UPDATE_LABEL = re.compile(
    r"^(?P<label>(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|q[1-4])"
    r"(?:\s+'?\d{2,4})?\s+update)\s*[:\-–]?\s*",
    re.I,
)
_DATED_UPDATE = re.compile(r"^\[(?P<date>\d{4}-\d{2}-\d{2})\]\s*(?:\((?P<label>[^)]*)\)\s*)?")


def _limit(model, name):
    """The most the site's forms take for a field: its max_length, or TEXT_LIMIT for a text."""
    return model._meta.get_field(name).max_length or TEXT_LIMIT


# The most a cell of each column may hold: the limit of the field it is saved in, as the forms
# that edit that field allow (an import must not store what no form would). A progress cell is
# checked update by update, an owners cell name by name (each an Owner's name) as well, and a body
# cell body by body, one a line (owners.settle).
LIMITS = {
    "reference": _limit(Recommendation, "reference"),
    "recommendation": _limit(Recommendation, "text"),
    "outcomes": _limit(Recommendation, "outcomes"),
    "benchmark": _limit(Recommendation, "benchmark_as_written"),
    "target_date": _limit(Recommendation, "target_as_written"),
    "action": _limit(Action, "text"),
    "owners": _limit(Action, "owners_as_written"),
    "who_when": min(_limit(Action, "owners_as_written"), _limit(Action, "planned_completion_text")),
    "planned_completion": _limit(Action, "planned_completion_text"),
    "performance_indicator": _limit(Action, "performance_indicator"),
    "target": _limit(Action, "target"),
    "progress": _limit(ProgressUpdate, "text"),
}
TITLE_LIMIT = _limit(Plan, "title")
SUBTITLE_LIMIT = _limit(Plan, "introduction")
SECTION_LIMIT = _limit(Section, "title")
NAME_LIMIT = _limit(Owner, "name")


def too_long(result, row, column, text, limit, what="This cell"):
    """A problem if ``text`` is longer than ``limit``, the most the site's forms take."""
    if limit and len(text) > limit:
        result.problems.append(
            Problem(
                row,
                column,
                (
                    f"{what} has {len(text):,} characters: at most {limit:,} are allowed "
                    f"here, as in the "
                    "site's own forms. Shorten it."
                ),
            )
        )


def status_of(text, bold=()):
    for word in bold:
        if re.fullmatch(r"\W*complete[d]?\W*", word, re.I):
            return "complete"
    for pattern, status in STATUS_WORDS:
        if pattern.search(text):
            return status
    return ""


# A rating written as its letters, the whole cell: "R", "A/G", "G." (B, blue, is no rating).
RATING_LETTERS = {"r": "red", "a": "amber", "g": "green", "ar": "amber_red", "ag": "amber_green"}
_RATING_LETTERS = re.compile(r"\W*(?P<first>[rag])(?:\W{0,3}(?P<second>[rg]))?\W*", re.I)


def rating_of(text):
    """The rating a cell gives: its words ("Red", "Amber/Green") anywhere in it, or its letters
    ("R", "A/G") as the whole cell."""
    letters = _RATING_LETTERS.fullmatch(text.strip())
    if letters:
        found = RATING_LETTERS.get((letters["first"] + (letters["second"] or "")).casefold())
        if found:
            return found
    lowered = text.lower()
    for pattern, key in RATINGS:
        if re.search(rf"\b{pattern}\b", lowered):
            return key
    return ""


def text_of(values, key):
    cell = values.get(key, (None,))[0]
    return cell.text if cell and not cell.merged_down else ""


def action_of(values, row_number, result):
    text = text_of(values, "action")
    when = text_of(values, "planned_completion")
    owners_text = text_of(values, "owners")
    if "who_when" in values:
        cell = values["who_when"][0]
        if cell and cell.paras:
            # Who: each paragraph that names owners and nothing else, in bold where the cell
            # puts any in bold (as the appendix writes it); the rest is when.
            bold = "".join(cell.bold).replace(" ", "")
            whos = [p for p in cell.paras if owners.names_someone(p)]
            if bold:
                whos = [p for p in whos if p.replace(" ", "") in bold] or whos
            others = [p for p in cell.paras if p not in whos]
            owners_text = owners_text or "\n".join(whos)
            when = when or "\n".join(others)
    status_cell = values.get("status", (None,))[0]
    progress = []
    status = rating = ""
    for cell, column in progress_cells(values):
        if not cell or cell.merged_down or not cell.paras:
            continue
        label = headers.period_label(column["heading"])
        updates = updates_of(cell.paras, label)
        for update in updates:
            too_long(
                result,
                row_number,
                column["heading"],
                update["text"],
                LIMITS["progress"],
                ("This cell's update" if len(updates) == 1 else "An update in this cell"),
            )
        progress.extend(updates)
        # The newest column that says a status or a rating says it now (columns oldest first).
        status = status_of(cell.text, cell.bold) or status
        rating = rating_of(cell.text) if _RATING_LETTERS.fullmatch(cell.text.strip()) else rating
    if status_cell and status_cell.paras:
        # A status column says it outright: its word wins over one read in the progress text.
        written = status_cell.text.strip().casefold()
        status = (
            STATUS_LABELS.get(written) or status_of(status_cell.text, status_cell.bold) or (status)
        )
    if not (text or owners_text or when or progress):
        return None
    return {
        "text": text,
        "owners_as_written": owners_text,
        "owners": [],  # read with the plan's other owners (owners.settle)
        "planned_completion": when,
        "planned_date": derive_date(when) if when else None,
        "status": status,
        "rag": (rating_of(status_cell.text) if status_cell else "") or rating,
        "performance_indicator": text_of(values, "performance_indicator"),
        "target": text_of(values, "target"),
        "accountable_body": text_of(values, "accountable_body"),
        "progress": progress,
        "row": row_number,
    }


def progress_order(columns):
    """The progress columns oldest first: by the dates their headings name ("RAG May 20" before
    "RAG August 22") where each names one, else as they stand, the rightmost the newest."""
    found = [c for c in columns if c["field"] == "progress"]
    dates = [derive_date(headers.period_label(c["heading"])) for c in found]
    if len(found) > 1 and all(dates):
        found = [c for _, c in sorted(zip(dates, found, strict=True), key=lambda p: p[0])]
    return found


def values_of(row, columns, cell_at):
    """A row's cells by field, each (cell, column): of several progress columns the newest is
    "progress" and the older ones ("progress", n), n counting from the oldest."""
    progress = progress_order(columns)
    values = {c["field"]: (cell_at(row, c), c) for c in columns if c["field"] != "progress"}
    for n, column in enumerate(progress):
        key = "progress" if n == len(progress) - 1 else ("progress", n)
        values[key] = (cell_at(row, column), column)
    return values


def progress_cells(values):
    """The row's progress cells, each (cell, column), oldest column first (``values_of``)."""
    older = sorted((k[1], v) for k, v in values.items() if isinstance(k, tuple))
    newest = [values["progress"]] if "progress" in values else []
    return [v for _, v in older] + newest


def false_markers(paras):
    """The dated markers ("[2012-13-45]") opening ``paras`` whose date is no real day: not read
    as markers (``updates_of``), they are kept in the update's text."""
    return [m.group(0).strip() for p in paras if (m := _DATED_UPDATE.match(p)) and not _day(m)]


def _day(marker):
    try:
        return dt.date.fromisoformat(marker.group("date"))
    except ValueError:
        return None


def updates_of(paras, label):
    """A progress cell's paragraphs as updates: one, unless paragraphs open with a dated marker
    (the exporter's "[2012-10-01] (label) text") or a period ("November update: ...")."""
    updates = []
    for para in paras:
        dated = _DATED_UPDATE.match(para)
        dated = dated if dated and _day(dated) else None
        labelled = _UPDATE_LABEL.match(para)
        if dated:
            updates.append(
                {
                    "label": dated.group("label") or "",
                    "date": dated.group("date"),
                    "text": para[dated.end() :],
                }
            )
        elif labelled:
            updates.append(
                {
                    "label": labelled.group("label"),
                    "date": None,
                    "text": para[labelled.end() :] or para,
                }
            )
        elif updates:
            updates[-1]["text"] += "\n" + para
        else:
            updates.append({"label": label, "date": None, "text": para})
    return updates
