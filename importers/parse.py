"""A read table given its meaning: the neutral preview of the plan it holds.

``preview(document, mapping)`` finds the header row, gives each column a field (by meaning, or as
``mapping`` says: heading -> field, or "" to leave it out) and walks the rows into sections,
recommendations and actions. The result is plain data (lists and dicts of strings and dates), shown
to the user before anything is saved and passed as it is to ``actionplans.services.plan_import``.
"""

import re
from dataclasses import dataclass, field

from actionplans.fuzzy_dates import derive_date
from actionplans.models import Action, Owner, Plan, ProgressUpdate, Recommendation, Section
from core.forms import TEXT_LIMIT

from . import headers, owners, readers

FIELDS = list(headers.MEANINGS)
LEAVE_OUT = ""
_HEADER_SEARCH = 15  # rows looked at for the header row
# Status words written in a progress or status cell, most specific first.
STATUS_WORDS = [
    (re.compile(r"\bawaiting sign[- ]?off\b", re.I), "awaiting_sign_off"),
    (re.compile(r"\bnot (yet )?started\b", re.I), "not_started"),
    (re.compile(r"\bon (schedule|track|target)\b", re.I), "on_schedule"),
    (re.compile(r"\b(delayed|behind schedule|slipped|overdue)\b", re.I), "delayed"),
    (re.compile(r"\b(ongoing|business as usual)\b", re.I), "ongoing"),
    (re.compile(r"\b(underway|under way|in progress|started)\b", re.I), "underway"),
    (re.compile(r"\b(completed?|achieved|done)\b", re.I), "complete"),
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
HEADING_LIMIT = 300  # a column's heading, kept in the plan's column names: as long as a title


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


@dataclass
class Preview:
    title: str = ""
    subtitle: str = ""
    date_text: str = ""
    date: object = None
    overall_rating: str = ""
    columns: list = field(default_factory=list)  # {"heading", "field", "recognised", "position"}
    sections: list = field(default_factory=list)  # {"title", "recommendations": [...]}
    owners: list = field(default_factory=list)  # distinct names as written, in order of use
    # Each owner's kind, job title and initials as read (owners.settle): name -> {...}
    owner_details: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    rows_read: int = 0
    # What ``plan_import`` also takes that a table cannot say (a transcription's plan status,
    # sponsor...); it overrides the table's own where both give one (the column names).
    extra: dict = field(default_factory=dict)

    @property
    def blocking(self):
        return [p for p in self.problems if p.blocking]

    @property
    def recommendations(self):
        return [rec for section in self.sections for rec in section["recommendations"]]

    @property
    def actions(self):
        return [a for rec in self.recommendations for a in rec["actions"]]

    @property
    def unmapped(self):
        return [c for c in self.columns if c["field"] is None]

    def spec(self):
        """The plain data ``plan_import`` takes."""
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "date": self.date,
            "overall_rating": self.overall_rating,
            "column_names": [c["heading"] for c in self.columns if c["field"]],
            "sections": self.sections,
            "owner_details": self.owner_details,
        } | self.extra


def _norm(text):
    return " ".join(text.lower().split())


def _header_row(table, mapping):
    """The index of the first row that reads as a header: two or more recognised headings,
    among them the recommendation or the action."""
    for index, row in enumerate(table[:_HEADER_SEARCH]):
        found = set()
        for cell in row:
            text = " ".join(cell.paras)
            key = mapping.get(text, headers.meaning(text)) if text else None
            if key:
                found.add(key)
        if len(found) >= 2 and found & {"recommendation", "action"}:
            return index
    return None


def _distinct(row):
    seen = []
    for cell in row:
        fresh = all(c is not cell and c.text != cell.text for c in seen)
        if cell.paras and not cell.merged_down and fresh:
            seen.append(cell)
    return seen


def _status(text, bold=()):
    for word in bold:
        if re.fullmatch(r"\W*complete[d]?\W*", word, re.I):
            return "complete"
    for pattern, status in STATUS_WORDS:
        if pattern.search(text):
            return status
    return ""


def _rating(text):
    lowered = text.lower()
    for pattern, key in RATINGS:
        if re.search(rf"\b{pattern}\b", lowered):
            return key
    return ""


def owner_names(text):
    """The owners written in a cell, one by one: "Jo Bloggs (JB), Head of CSC / Police" -> two
    (Jo Bloggs, whose job title is Head of CSC; Police). Each is (name, initials) with the
    initials in brackets taken out; ``owners.read`` reads the cell."""
    return owners.owner_names(text)


def _above(preview, lines):
    """Title, subtitle, date and overall rating from the lines above the table."""
    texts = [line for line in lines if line.strip()]
    for line in texts:
        if not preview.overall_rating and re.search(r"\b(overall|rating|rag)\b", line, re.I):
            preview.overall_rating = _rating(line)
            if preview.overall_rating:
                continue
        if not preview.date and len(line) < 80 and derive_date(line):
            found = derive_date(line)
            if not preview.title:
                preview.title = line
            preview.date, preview.date_text = found, line
            continue
        if not preview.title:
            preview.title = line
        elif not preview.subtitle:
            preview.subtitle = line


def preview(document, mapping=None, title=""):
    """The plan the document holds; ``mapping`` maps headings (as written) to fields or ""."""
    mapping = dict(mapping or {})
    result = Preview()
    tables = every = [t for t in document.tables if t]
    header_at, skipped = None, 0  # skipped: the rows of the tables before the header's
    for index, table in enumerate(tables):
        header_at = _header_row(table, mapping)
        if header_at is not None:
            skipped = sum(map(len, tables[:index]))
            tables = tables[index:]
            break
    if header_at is None:
        result.problems.append(
            Problem(
                0,
                "",
                (
                    "No header row was found: the table needs headings such as “Recommendation”, "
                    "“Action” and “Lead officer” in one of its first rows."
                ),
            )
        )
        _control_characters(result, document, every)
        return result
    first = tables[0]
    above = list(document.above) + [c.text for row in first[:header_at] for c in _distinct(row)]
    _above(result, above)
    if title:
        result.title = title
    _too_long(result, 0, "", result.title, TITLE_LIMIT, "The title")
    _too_long(result, 0, "", result.subtitle, SUBTITLE_LIMIT, "The subtitle")
    header = first[header_at]
    # One column per distinct header cell (a heading merged across columns is one column).
    positions = []
    for position, cell in enumerate(header):
        heading = " ".join(cell.paras)
        if not heading or (positions and header[positions[-1][0]] is cell):
            continue
        positions.append((position, heading))
        _too_long(result, skipped + header_at + 1, "", heading, HEADING_LIMIT, "A heading")
    _control_characters(result, document, every, dict(positions), skipped + header_at + 1)
    seen_fields = set()
    for position, heading in positions:
        if heading in mapping:
            key = mapping[heading] or LEAVE_OUT
            recognised = False
            if key and key not in headers.MEANINGS:
                result.problems.append(Problem(0, heading, f"“{key}” is not a field."))
                key = None
        else:
            key, recognised = headers.meaning(heading), True
        if key in seen_fields and key not in ("progress",):
            result.problems.append(
                Problem(
                    0,
                    heading,
                    (
                        f"A second column means {headers.LABELS[key].lower()}: map it to "
                        f"another field or "
                        "leave it out."
                    ),
                )
            )
            key, recognised = None, False
        if key:
            seen_fields.add(key)
        result.columns.append(
            {
                "heading": heading,
                "field": key,
                "recognised": recognised and bool(key),
                "position": position,
                "label": headers.LABELS.get(key, "Left out" if key == "" else ""),
            }
        )
    for column in result.unmapped:
        result.problems.append(
            Problem(
                0,
                column["heading"],
                ("This column's meaning was not recognised: map it to a field or leave it out."),
            )
        )
    if "recommendation" not in seen_fields and "action" not in seen_fields:
        result.problems.append(Problem(0, "", "No column holds the recommendations or actions."))
    header_key = [_norm(h) for _, h in positions]
    used = [c for c in result.columns if c["field"]]
    section = None
    rec = None
    row_number = skipped + header_at + 1  # the header's own row
    for t_index, table in enumerate(tables):
        rows = table[header_at + 1 :] if t_index == 0 else table
        for row in rows:
            row_number += 1
            result.rows_read += 1
            distinct = _distinct(row)
            if not distinct:
                continue
            texts = [_norm(" ".join(row[p].paras)) if p < len(row) else "" for p, _ in positions]
            if texts == header_key:
                continue  # the header repeated on a new page or table
            if (
                len(distinct) == 1
                and (len(distinct[0].text) <= 80 or len(row) == 1)
                and (len(positions) > 1)
            ):
                values = {c["field"]: c for c in used}
                only = distinct[0]
                in_rec = "recommendation" in values and _cell(row, values["recommendation"]) is only
                in_action = "action" in values and _cell(row, values["action"]) is only
                if (
                    not in_action
                    and not (in_rec and len(only.text) > 40)
                    or all(c is only for c in row if c.paras)
                    and sum(1 for c in row if c is only) > 1
                ):
                    _too_long(result, row_number, "", only.text, SECTION_LIMIT, "A section heading")
                    section = {"title": only.text, "recommendations": []}
                    result.sections.append(section)
                    rec = None
                    continue
            values = {c["field"]: (_cell(row, c), c) for c in used}
            for key, (cell, column) in values.items():
                if cell is not None and not cell.merged_down and key != "progress":
                    _too_long(result, row_number, column["heading"], cell.text, LIMITS.get(key))
            rec_cell = values.get("recommendation", (None,))[0]
            ref_cell = values.get("reference", (None,))[0]
            rec_text = rec_cell.text if rec_cell and not rec_cell.merged_down else ""
            ref_text = ref_cell.text if ref_cell and not ref_cell.merged_down else ""
            new_rec = (rec_text and (rec is None or rec_text != rec["text"])) or (
                ref_text and (rec is None or ref_text != rec["reference"])
            )
            if new_rec:
                if section is None:
                    section = {"title": "", "recommendations": []}
                    result.sections.append(section)
                rec = {
                    "reference": ref_text,
                    "text": rec_text or (rec["text"] if rec else ""),
                    "outcomes": _text(values, "outcomes"),
                    "benchmark": _text(values, "benchmark"),
                    "target_date": _text(values, "target_date"),
                    "row": row_number,
                    "actions": [],
                }
                if not rec["text"]:
                    result.problems.append(
                        Problem(row_number, "", "A reference with no recommendation text.")
                    )
                section["recommendations"].append(rec)
            elif rec is None:
                result.problems.append(
                    Problem(
                        row_number,
                        "",
                        ("This row comes before any recommendation: give it a recommendation."),
                    )
                )
                continue
            action = _action(values, row_number, result)
            if action:
                rec["actions"].append(action)
    owners.settle(result)  # every action's owners, read as one plan's
    if not result.recommendations and not result.blocking:
        result.problems.append(Problem(0, "", "No recommendations were found under the header."))
    if not result.title:
        result.problems.append(Problem(0, "", "The plan has no title: give one.", blocking=True))
    return result


def _too_long(result, row, column, text, limit, what="This cell"):
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


def _control_characters(result, document, tables, headings=None, named_from=0):
    """A problem for each row with cells holding a control character (``readers.Cell.flaw``),
    and for each line above the table with one: the readers showed each as U+FFFD, and the file
    cannot be imported until it is put right. ``headings`` names the header's columns by
    position, for the rows after the header's (``named_from``); other rows go by letter."""
    for line, flaw in document.above_flaws:
        result.problems.append(
            Problem(
                0,
                "",
                (
                    f"The text above the table (“{line[:60]}”) holds {flaw}, shown here as "
                    f"“\ufffd”: a "
                    "plan's text cannot hold it. Remove it from the file and upload the file again."
                ),
            )
        )
    number = 0
    for table in tables:
        for row in table:
            number += 1
            found, columns = {}, []  # id -> cell: a merged cell is met once per column it spans
            for position, cell in enumerate(row):
                if cell.flaw and id(cell) not in found:
                    found[id(cell)] = cell
                    named = (headings or {}).get(position) if number > named_from else None
                    columns.append(named or readers.letter(position + 1))
            if not found:
                continue
            if len(found) == 1:
                where, it = columns[0], "it"
                what = f"This cell holds {next(iter(found.values())).flaw}"
            else:
                listed = ", ".join(f"“{c}”" for c in columns[:-1]) + f" and “{columns[-1]}”"
                where, it = "", "them"
                what = f"The cells in columns {listed} hold control characters"
            result.problems.append(
                Problem(
                    number,
                    where,
                    (
                        f"{what}, shown here as “\ufffd”: a plan's text cannot hold {it}. "
                        f"Remove {it} "
                        "from the file and upload the file again."
                    ),
                )
            )


def _cell(row, column):
    position = column["position"]
    return row[position] if position < len(row) else None


def _text(values, key):
    cell = values.get(key, (None,))[0]
    return cell.text if cell and not cell.merged_down else ""


def _action(values, row_number, result):
    text = _text(values, "action")
    when = _text(values, "planned_completion")
    owners_text = _text(values, "owners")
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
    status = ""
    for key, (cell, column) in values.items():
        if key != "progress" or not cell or cell.merged_down or not cell.paras:
            continue
        label = headers.period_label(column["heading"])
        updates = _updates(cell.paras, label)
        for update in updates:
            _too_long(
                result,
                row_number,
                column["heading"],
                update["text"],
                LIMITS[key],
                ("This cell's update" if len(updates) == 1 else "An update in this cell"),
            )
        progress.extend(updates)
        status = status or _status(cell.text, cell.bold)
    if status_cell and status_cell.paras:
        # A status column says it outright: its word wins over one read in the progress text.
        written = status_cell.text.strip().casefold()
        status = (
            STATUS_LABELS.get(written) or _status(status_cell.text, status_cell.bold) or (status)
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
        "rag": _rating(status_cell.text) if status_cell else "",
        "performance_indicator": _text(values, "performance_indicator"),
        "target": _text(values, "target"),
        "accountable_body": _text(values, "accountable_body"),
        "progress": progress,
        "row": row_number,
    }


def _updates(paras, label):
    """A progress cell's paragraphs as updates: one, unless paragraphs open with a dated marker
    (the exporter's "[2012-10-01] (label) text") or a period ("November update: ...")."""
    updates = []
    for para in paras:
        dated = _DATED_UPDATE.match(para)
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
