"""A read table given its meaning: the neutral preview of the plan it holds.

``preview(document, mapping)`` finds the header row, gives each column a field (by meaning, or as
``mapping`` says: heading -> field, or "" to leave it out) and walks the rows into sections,
recommendations and actions. The result is plain data (lists and dicts of strings and dates), shown
to the user before anything is saved and passed as it is to ``plan_writer.plan_import``. One row
becomes an action in ``rows.py``.
"""

from dataclasses import dataclass, field

from . import columns, doubts, headers, owners, readers, titles
from .rows import (
    LIMITS,
    SECTION_LIMIT,
    Problem,
    action_of,
    text_of,
    too_long,
    values_of,
)

FIELDS = list(headers.MEANINGS)
LEAVE_OUT = ""
_HEADER_SEARCH = 15  # rows looked at for the header row

HEADING_LIMIT = 300  # a column's heading, kept in the plan's column names: as long as a title


@dataclass
class Preview:
    title: str = ""
    subtitle: str = ""
    directorate: str = ""
    date_text: str = ""
    date: object = None
    overall_rating: str = ""
    # {"heading", "field", "recognised", "chosen", "position", "label", "reason"} (columns.assign)
    columns: list = field(default_factory=list)
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
            "directorate": self.directorate,
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
        found, named = set(), set()  # named: the fields a heading names, however weakly
        for cell in row:
            text = " ".join(cell.paras)
            key = mapping.get(text, headers.meaning(text)) if text else None
            if key:
                found.add(key)
            named.add(key or headers.leaning(text))
        if len(found) >= 2 and found & {"recommendation", "action"}:
            return index
        if len(found) >= 3 and named & {"recommendation", "action"}:  # "What? | How? | Who by?"
            return index
    return None


def _distinct(row):
    seen = []
    for cell in row:
        fresh = all(c is not cell and c.text != cell.text for c in seen)
        if cell.paras and not cell.merged_down and fresh:
            seen.append(cell)
    return seen


def owner_names(text):
    """The owners written in a cell, one by one: "Jo Bloggs (JB), Head of CSC / Police" -> two
    (Jo Bloggs, whose job title is Head of CSC; Police). Each is (name, initials) with the
    initials in brackets taken out; ``owners.read`` reads the cell."""
    return [(named.name, named.initials) for named in owners.read(text).owners]


def preview(document, mapping=None, title="", *, typed_title="", organisation=""):
    """The plan the document holds; ``mapping`` maps headings (as written) to fields or "".
    ``title`` is the title given, ``typed_title`` the one typed where the file gives none, and
    ``organisation`` the importing council, whose name is never the title (``titles.read``)."""
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
    titles.read(result, above, given=title, typed=typed_title, organisation=organisation)
    header = first[header_at]
    # One column per distinct header cell (a heading merged across columns is one column).
    positions = []
    for position, cell in enumerate(header):
        heading = " ".join(cell.paras)
        if not heading or (positions and header[positions[-1][0]] is cell):
            continue
        positions.append((position, heading))
        too_long(result, skipped + header_at + 1, "", heading, HEADING_LIMIT, "A heading")
    _control_characters(result, document, every, dict(positions), skipped + header_at + 1)
    # Each column's field, from its heading and its cells together (``columns``).
    under = first[header_at + 1] if len(first) > header_at + 1 else []
    texts = [under[p].text if p < len(under) else "" for p, _ in positions]
    guide = doubts.guidance(texts, [h for _, h in positions])  # the row under says what goes
    read_from = [first[: header_at + 1] + first[header_at + 2 :], *tables[1:]] if guide else tables
    cells = columns.cells_of(read_from, header_at, positions)
    result.columns = columns.assign(positions, cells, mapping, result.problems)
    seen_fields = {c["field"] for c in result.columns}
    if "recommendation" not in seen_fields and "action" not in seen_fields:
        result.problems.append(Problem(0, "", "No column holds the recommendations or actions."))
    header_key = [_norm(h) for _, h in positions]
    used = [c for c in result.columns if c["field"]]
    section = None
    rec = previous = None  # previous: the action of the row above, which a row may go on with
    row_number = header_number = skipped + header_at + 1  # the header's own row
    page_break = False  # a new table, or the header repeated: the next row may go on
    for t_index, table in enumerate(tables):
        rows = table[header_at + 1 :] if t_index == 0 else table
        page_break = page_break or t_index > 0
        for row in rows:
            row_number += 1
            result.rows_read += 1
            distinct = _distinct(row)
            if not distinct:
                continue
            texts = [_norm(" ".join(row[p].paras)) if p < len(row) else "" for p, _ in positions]
            if guide and row_number == header_number + 1:
                doubts.guidance_skipped(result, row_number)
                continue
            if doubts.repeated_header(texts, header_key):  # on a new page or table
                doubts.header_repeated(result, row_number, header_number)
                page_break = True
                continue
            after_break, page_break = page_break, False
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
                    too_long(result, row_number, "", only.text, SECTION_LIMIT, "A section heading")
                    section = {"title": only.text, "recommendations": []}
                    result.sections.append(section)
                    rec = previous = None
                    continue
            values = values_of(row, used, _cell)
            for key, (cell, column) in values.items():
                if cell is not None and not cell.merged_down and key != "progress":
                    too_long(result, row_number, column["heading"], cell.text, LIMITS.get(key))
            if doubts.continues(values, previous, rec):
                if after_break:  # a row split by the page break
                    doubts.join(result, row_number, values, previous, rec)
                    continue
                doubts.may_continue(result, row_number, values, previous)
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
                    "outcomes": text_of(values, "outcomes"),
                    "benchmark": text_of(values, "benchmark"),
                    "target_date": text_of(values, "target_date"),
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
            action = action_of(values, row_number, result)
            if action and "action" not in values and not action["text"]:
                action["text"] = rec["text"]  # no column of actions: the recommendation is one
            if action:
                rec["actions"].append(action)
            doubts.row_doubts(result, row_number, values, action)
            previous = action
    if "action" not in seen_fields and result.actions:
        doubts.note(
            result,
            0,
            "",
            "No column holds actions: each recommendation is imported as its own action, with "
            "its row's owners, dates and progress. Add an action column to the file to change it.",
        )
    owners.settle(result)  # every action's owners, read as one plan's
    if not result.recommendations and not result.blocking:
        result.problems.append(Problem(0, "", "No recommendations were found under the header."))
    titles.no_title(result)
    return result


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
