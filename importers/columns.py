"""A column known by its heading and by what is in it.

``read`` says how a column's cells look: references ("1.2", "CP4", "(3a)"), dates and periods
("Nov 12", "2012/13", "Ongoing"), status words ("Completed", "Amber", "R"), names and posts ("Jo
Bloggs", "Head of Service (JB)"), or prose (a sentence or more). ``assign`` gives each column of a
table its field from the two together, with a short reason the preview shows:

- a heading that clearly names one field has it ("heading says “progress”"); if its cells are
  plainly of another kind that another of its words names, the cells decide ("Para Ref (to CPA
  Report)" holding "78/91/104" is the reference, not the body it reports to);
- a tie between two fields is settled by the cells, then by which field another column already
  holds clearly ("Progress against agreed action and impact monitoring" beside "Action Required");
- a heading that names a field only weakly among other words ("Monitoring and Evaluation",
  "Number") is known by its strongest word when the cells agree with it;
- a heading that names nothing is known by its cells alone (references, dates, names, status);
- a status heading that names a period ("RAG May 20") is that period's update, a progress column;
- with no column naming the recommendation, the first column of prose before the actions is it
  (an inspection's numbered findings written under "Action", a table of "What? / How?");
- two columns read as one field: the clearer keeps it, the other is left out and says so, unless
  both headings name it equally clearly (then the user says which, as before).

Nothing here reads a row as an action: ``parse`` walks the rows with the columns given here.
"""

import re
from collections import Counter
from dataclasses import dataclass

from actionplans.fuzzy_dates import derive_date, impossible_dates

from . import headers, owners
from .rows import STATUS_LABELS, Problem, status_of

REFERENCE, DATE, STATUS, NAMES, PROSE, OTHER = (
    "reference",
    "date",
    "status",
    "names",
    "prose",
    "other",
)
# How a kind is named in a reason: "cells are references like “CP4”".
KIND_WORDS = {
    REFERENCE: "references",
    DATE: "dates",
    STATUS: "status words",
    NAMES: "names and posts",
    PROSE: "text",
}
ANY = {REFERENCE, DATE, STATUS, NAMES, PROSE, OTHER}
# The kinds of cell each field's column holds.
ACCEPTS = {
    "reference": {REFERENCE},
    "recommendation": {PROSE},
    "outcomes": {PROSE},
    "action": {PROSE},
    "owners": {NAMES},
    "accountable_body": {NAMES},
    "planned_completion": {DATE},
    "who_when": {NAMES, DATE, PROSE},
    "performance_indicator": {PROSE, OTHER},
    "benchmark": ANY,
    "target": ANY,
    "target_date": ANY,
    "progress": {PROSE, STATUS, DATE},
    "status": {STATUS},
}
# A column whose heading names nothing is known by these kinds of cell alone (prose is not: it
# could be any of several fields, and is placed by where it stands).
BY_CELLS = {REFERENCE: "reference", DATE: "planned_completion", NAMES: "owners", STATUS: "status"}
# Cells plain enough to overrule a heading that names another field among its words.
_PLAIN = {REFERENCE, DATE, STATUS}
_SHARE = 0.6  # of a column's cells that must be of one kind for the column to be of it
_SAMPLE = 200  # rows looked at

_REF = re.compile(
    r"[(\[]?(?:[A-Za-z]{1,4}[ .-]?)?\d{1,3}(?:[./-]\d{1,3})*[a-z]?[)\]]?[.:)]?"
    r"(?:\s*\([\d\s,./a-z]+\))?",
)
_YEAR = re.compile(r"(?:19|20)\d\d(?:\s*[/-]\s*\d\d(?:\d\d)?)?")
_RATING = re.compile(
    r"(?i)[rag]|r\s*/\s*a\s*/\s*g|red|amber|green|blue|grey|amber[- /](?:red|green)"
    r"|embedded|achieved|in progress|not started|closed|open"
)
_MONTH_OR_QUARTER = re.compile(r"(?i)(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|q[1-4]\b")
_BULLET = re.compile(r"^[\s·•▪◦*–-]+(?=\S)")
# The verbs a plan's recommendations and actions open with: a line opening so is not a name.
_DOING = frozenset(
    re.findall(
        r"\w+",
        "address agree appoint build carry complete continue create deliver develop embed ensure "
        "establish extend identify implement improve increase introduce maintain make meet monitor "
        "produce promote provide raise recruit reduce review revise set strengthen support take "
        "train undertake update use work",
    )
)
_NUMBERED = re.compile(r"^\s*[(\[]?\d{1,3}(?:\.\d{1,3})*[a-z]?[.)\]]\s+\S")
_TIME_WORDS = re.compile(
    r"(?i)^(?:immediate(?:ly)?|ongoing|on-going|continuous|monthly|quarterly|annually|weekly|"
    r"within \S+ (?:days|weeks|months)|(?:by )?(?:end of )?(?:q[1-4]|quarter \w+))$"
)


def kind_of(text):
    """The kind of one cell's text, or None for an empty cell."""
    text = text.strip()
    if not text:
        return None
    paras = [_BULLET.sub("", p).strip() for p in text.split("\n") if p.strip()]
    paras = [p for p in paras if p] or [text]
    first = paras[0]
    word_count = len(re.findall(r"\w+", text))
    if (
        len(paras) == 1
        and _REF.fullmatch(first)
        and not _YEAR.fullmatch(first)
        and not _MONTH_OR_QUARTER.match(first)
    ):
        return REFERENCE
    if word_count <= 5 and len(text) <= 40:
        if _RATING.fullmatch(first) or first.casefold() in STATUS_LABELS or status_of(first):
            return STATUS
        if _YEAR.fullmatch(first) or _TIME_WORDS.match(first) or derive_date(first):
            return DATE
        if impossible_dates(first):  # "01/01/0000": a date, though no real day
            return DATE
        if owners.why_not_owner(first) == "a date":
            return DATE
    if len(paras) > 1 and all(kind_of(p) == DATE for p in paras):
        return DATE  # a date a line ("By 31/12/2016", "By 31/01/2017"): one an action step
    if all(_names(p) for p in paras):
        return NAMES
    if word_count >= 4 or (word_count >= 2 and _says_to_do(first)) or len(paras) > 1:
        return PROSE
    return OTHER


def _says_to_do(para):
    """Does a line read as something to do or a sentence ("Improve ...", "... will ...")?"""
    words = para.casefold().split()
    return bool(words) and (words[0] in _DOING or bool({"will", "should", "must"} & set(words)))


def _names(para):
    """Does a line name people or posts and nothing else? (Short, capitalised, no sentence.)"""
    words = re.findall(r"[\w'’&.-]+", para)
    if not words or len(words) > 7 or len(para) > 80 or para.rstrip().endswith((".", ";")):
        return para.strip().casefold() in ("ditto", '"', "“")  # a name repeated from above
    if not re.search(r"[A-Z]", para) or _says_to_do(para):
        return False
    return owners.names_someone(para)


@dataclass
class Reading:
    """How a column's cells look: the kind most of them are, if most are of one."""

    kind: str = None
    count: int = 0  # cells with text
    share: float = 0.0
    example: str = ""  # the first cell of the kind, for the reason
    numbered: float = 0.0  # the share of cells that open with a number ("1. Ensure that...")
    status: float = 0.0  # the share of cells that name a status ("Action completed.")

    def describe(self):
        """ "references like “CP4”" """
        words = KIND_WORDS.get(self.kind, "")
        return f"{words} like “{_short(self.example)}”" if words else ""


def read(texts):
    """The reading of a column from its cells' texts."""
    texts = [t for t in texts if t and t.strip()][:_SAMPLE]
    if not texts:
        return Reading()
    kinds = [kind_of(t) for t in texts]
    (kind, most), *_ = Counter(kinds).most_common(1)
    share = most / len(texts)
    example = next(t for t, k in zip(texts, kinds, strict=True) if k == kind)
    return Reading(
        kind=kind if share >= _SHARE and kind != OTHER else None,
        count=len(texts),
        share=share,
        example=example.split("\n")[0].strip(),
        numbered=sum(1 for t in texts if _NUMBERED.match(t)) / len(texts),
        status=sum(1 for t in texts if status_of(t)) / len(texts),
    )


def cells_of(tables, header_at, headings):
    """Each column's cells' texts, by position, for ``headings`` [(position, heading)]: the rows
    under the header and the following tables' rows, but for rows of one cell (a group's title)
    and the header repeated; a cell merged down from the one above counted once."""
    found = {position: [] for position, _ in headings}
    rows = [
        row for index, table in enumerate(tables) for row in table[(header_at + 1) * (index == 0) :]
    ]
    for row in rows[:_SAMPLE]:
        cells = {p: row[p] for p, _ in headings if p < len(row) and row[p].paras}
        if len({id(c) for c in cells.values()}) < min(2, len(headings)):
            continue
        if all(cells.get(p) and cells[p].text == h for p, h in headings):
            continue
        for position, cell in cells.items():
            if not cell.merged_down:
                found[position].append(cell.text)
    return found


def _short(text, size=30):
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _quote(words):
    return " and ".join(f"“{w}”" for w in words[:2])


@dataclass
class Column:
    heading: str
    position: int
    reading: Reading
    field: str = None  # a field's key, "" for left out, None while not known
    strength: int = 0  # how clearly the heading names the field (0: the cells alone)
    reason: str = ""
    chosen: bool = False  # the user's mapping
    left_out: bool = False  # left out here, as a second column of its field
    tied: tuple = ()  # fields the heading names equally, to settle once the others are known

    def as_dict(self):
        label = headers.LABELS.get(self.field, "Left out" if self.field == "" else "")
        return {
            "heading": self.heading,
            "field": self.field,
            "recognised": bool(self.field) and not self.chosen,
            "chosen": self.chosen,
            "position": self.position,
            "label": label,
            "reason": self.reason,
        }


def assign(headings, cells, mapping, problems):
    """The columns' dicts (heading, field, recognised, chosen, position, label, reason) for
    ``headings`` [(position, heading)], their ``cells`` {position: [text]} and the user's
    ``mapping`` (heading -> field or ""); problems found are added to ``problems``."""
    columns = [Column(h, p, read(cells.get(p, []))) for p, h in headings]
    for column in columns:
        if column.heading in mapping:
            _chosen(column, mapping[column.heading], problems)
        else:
            _by_heading(column)
    _settle_ties(columns)
    _target_dates(columns)
    _recommendation(columns)
    _one_each(columns, problems)
    for column in columns:
        if column.field is None and column.tied and not column.reading.count:
            # Nothing under it to lose: left out, not a question for the user.
            column.field, column.left_out = "", True
            named = " and ".join(f"“{headers.LABELS[k].lower()}”" for k in column.tied)
            why = f"it is empty, and its heading names {named} equally"
            column.reason = f"left out: {why}"
            problems.append(
                Problem(0, column.heading, f"Left out: {why}. Give it a meaning to keep it.", False)
            )
        if column.field is None:
            column.reason = column.reason or _unknown(column)
            problems.append(
                Problem(
                    0,
                    column.heading,
                    "This column's meaning was not recognised: map it to a field or leave it out.",
                )
            )
    return [column.as_dict() for column in columns]


def _chosen(column, key, problems):
    column.chosen, column.reason = True, "as you chose"
    column.field, column.strength = key or "", 99
    if key and key not in headers.MEANINGS:
        problems.append(Problem(0, column.heading, f"“{key}” is not a field."))
        column.field, column.reason = None, ""


def _by_heading(column):
    ranked = headers.scores(column.heading)
    score = dict(ranked)
    reading = column.reading
    if ranked and ranked[0][1] >= headers.THRESHOLD:
        best = ranked[0][1]
        tied = tuple(key for key, weight in ranked if weight == best)
        fitting = [key for key in tied if reading.kind in ACCEPTS[key]]
        if len(tied) > 1 and len(fitting) != 1:
            column.tied = tied
            return
        key = tied[0] if len(tied) == 1 else fitting[0]
        said = f"heading says {_quote(headers.words_for(column.heading, key))}"
        if len(tied) > 1:
            others = " and ".join(f"“{headers.LABELS[k].lower()}”" for k in tied if k != key)
            said += f", not {others}: its cells are {reading.describe()}"
        elif reading.kind in _PLAIN and reading.kind not in ACCEPTS[key]:
            other = next(
                (k for k, _ in ranked[1:] if reading.kind in ACCEPTS[k] and k != "who_when"), None
            )
            if other:
                key = other
                said = (
                    f"heading says {_quote(headers.words_for(column.heading, key))} "
                    f"and its cells are {reading.describe()}"
                )
        _set(column, key, score[key], said)
    elif ranked:
        for key, weight in ranked:
            if reading.kind in ACCEPTS[key]:
                word = headers.words_for(column.heading, key)[:1]
                reason = (
                    f"heading's strongest word {_quote(word)}, and cells of {reading.describe()}"
                )
                _set(column, key, weight, reason)
                return
        _by_cells(column)
    else:
        _by_cells(column)


def _by_cells(column):
    key = BY_CELLS.get(column.reading.kind)
    if key:
        _set(column, key, 0, f"cells are {column.reading.describe()}")


def _set(column, key, strength, reason):
    if key == "status" and headers.period_label(column.heading):
        # "RAG May 20": a status as it stood at a date, one of the plan's updates
        key, reason = "progress", f"{reason}; a status at a date is that date's update"
    column.field, column.strength, column.reason = key, strength, reason


def _settle_ties(columns):
    """A heading naming two fields equally: the one its cells say (a status named in most of
    them: progress), else the one no other column holds."""
    held = {c.field for c in columns if c.field and c.field != "progress"}
    for column in columns:
        if not column.tied:
            continue
        left = [k for k in column.tied if k not in held or k == "progress"]
        if "progress" in column.tied and column.reading.status >= 0.5:
            left = ["progress"]
        if len(left) == 1:
            key = left[0]
            holder = next((c for c in columns if c.field in column.tied and c.field != key), None)
            why = (
                f"“{holder.heading}” holds the {headers.LABELS[holder.field].lower()}"
                if holder
                else (f"its cells name a status (“{_short(column.reading.example)}”)")
            )
            named = [key] + [k for k in column.tied if k != key]
            said = " and ".join(
                f"“{w}”" for k in named for w in headers.words_for(column.heading, k)[:1]
            )
            _set(column, key, headers.THRESHOLD, f"heading says {said} alike; {why}")
            held.add(key)


def _target_dates(columns):
    """A "Target date" of plain dates where no other column says when (or only an empty one):
    when the actions are due, not a target to meet."""
    if any(c.field == "planned_completion" and c.reading.count for c in columns):
        return
    for column in columns:
        if column.field == "target_date" and not column.chosen and column.reading.kind == DATE:
            column.field = "planned_completion"
            column.reason += f", and its cells are {column.reading.describe()}: when it is due"


def _recommendation(columns):
    """No column naming the recommendation: the first column of prose before another that can
    hold the actions is it; a second column of prose with no meaning holds the actions."""
    if any(c.field == "recommendation" for c in columns):
        return
    prose = [
        c
        for c in columns
        if not c.chosen
        and c.reading.kind == PROSE
        and c.field in (None, "action", "outcomes")
        and not c.tied
    ]
    if len(prose) < 2 or not any(c.field in (None, "action") for c in prose[1:]):
        return
    first = prose[0]
    if (
        first.field == "action"
        and first.strength >= headers.THRESHOLD
        and first.reading.numbered < 0.5
    ):
        return  # a clear action column of plain actions: the recommendation is not in this table
    was = f"headed as {headers.LABELS[first.field].lower()}, " if first.field else ""
    first.field, first.strength = "recommendation", 1
    first.reason = (
        f"no heading names the recommendation: the first column of text before the actions "
        f"({was}cells like “{_short(first.reading.example)}”)"
    )
    if not any(c.field == "action" for c in columns):
        second = next(c for c in prose[1:] if c.field is None)
        second.field, second.strength = "action", 1
        second.reason = (
            f"the column of text after the recommendation: the actions (cells like "
            f"“{_short(second.reading.example)}”)"
        )


def _one_each(columns, problems):
    """One column a field (progress may have many): the clearest heading keeps it; the others
    are left out, saying why, unless two name it as clearly (the user says which)."""
    for key in dict.fromkeys(c.field for c in columns if c.field and c.field != "progress"):
        claim = sorted(
            (c for c in columns if c.field == key),
            key=lambda c: (-_only_names(c, key), -c.strength, c.position),
        )
        keeper = claim[0]
        for other in claim[1:]:
            if other.strength == keeper.strength >= headers.THRESHOLD and _only_names(
                other, key
            ) == _only_names(keeper, key):
                problems.append(
                    Problem(
                        0,
                        other.heading,
                        f"A second column means {headers.LABELS[key].lower()}: map it to "
                        f"another field or leave it out.",
                    )
                )
                other.field, other.reason = (
                    None,
                    f"a second column that means {headers.LABELS[key].lower()}",
                )
                continue
            other.field, other.left_out = "", True
            label = headers.LABELS[key].lower()
            other.reason = f"left out: it reads as {label} too, which “{keeper.heading}” holds"
            problems.append(
                Problem(
                    0,
                    other.heading,
                    f"Left out: this column reads as {headers.LABELS[key].lower()} too, and "
                    f"“{keeper.heading}” holds it. Give it a meaning to keep it.",
                    blocking=False,
                )
            )


def _only_names(column, key):
    """Does the column's heading name ``key`` clearly and in every word ("RECOMMENDATION", not
    "Key milestones to enact recommendation")? Such a heading keeps its field."""
    stems = set(headers.words(column.heading))
    weights = headers.weights(key)
    return column.strength >= headers.THRESHOLD and bool(stems) and stems <= set(weights)


def _unknown(column):
    if column.tied:
        named = " and ".join(f"“{headers.LABELS[k].lower()}”" for k in column.tied)
        return f"heading names {named} equally and its cells do not settle it"
    if not column.reading.count:
        return "no heading word known and no cells to read"
    return "no heading word known and its cells are of no one kind"
