"""What the importer doubts in a row it reads, said by row and column with what it will do and
how to change it. Each is a note (``Problem(..., blocking=False)``): the import can go on.

- a date that is no real day ("31/13/2027"): kept as written, with no real date;
- a status that is none of the statuses ("Weird"): left unrecorded (or read from the progress);
- a row with owners, dates or progress but no action: an action with no text;
- the header repeated (at a page break): skipped;
- a row that goes on with the row above's action across a page break (after the header repeated,
  or at the top of a new table; its action opens in lower case, and it has no reference,
  recommendation, owner, date or status of its own): joined to it. Such a row with no page
  break before it is read as an action of its own, with a note.

Cells past their field's limit and control characters are refused elsewhere (``rows.too_long``,
``parse._control_characters``): the file must be put right.
"""

import re

from actionplans.fuzzy_dates import impossible_dates
from actionplans.models import Action

from . import headers
from .rows import (
    LIMITS,
    STATUS_LABELS,
    Problem,
    false_markers,
    progress_cells,
    rating_of,
    status_of,
    text_of,
    too_long,
    updates_of,
)

# A rating written as its letters in a RAG column: "R", "A/G", "B" (blue: complete).
_RATING_LETTER = re.compile(r"^\W*(r|a|g|b|a\W?r|a\W?g)\W*$", re.I)
_DATED = ("planned_completion", "who_when", "target_date")
# A continuation row has none of these of its own.
_ITS_OWN = (
    "reference",
    "recommendation",
    "target_date",
    "owners",
    "who_when",
    "planned_completion",
    "status",
    "accountable_body",
)
# A continuation's cells joined to the action above's (and its recommendation's) fields.
_JOINED = {"action": "text", "performance_indicator": "performance_indicator", "target": "target"}
_JOINED_REC = ("outcomes", "benchmark")
STATUS_NAMES = ", ".join(
    f"“{label}”" for value, label in Action.Status.choices if value != "not_recorded"
)


def _heading(values, key):
    return values[key][1]["heading"]


def note(result, row, column, message):
    result.problems.append(Problem(row, column, message, blocking=False))


def row_doubts(result, row, values, action):
    """The notes of one row read (``action`` what it made, or None)."""
    _dates(result, row, values, action)
    _markers(result, row, values)
    if action:
        _status(result, row, values, action)
        _no_action(result, row, values, action)


def _dates(result, row, values, action):
    for key in _DATED:
        text = text_of(values, key)
        for written, why in impossible_dates(text) if text else ():
            if key == "target_date":
                then = "the date is kept as written and has no real date"
            elif action and action["planned_date"]:
                then = (
                    "the date is kept as written, and the action is due by the date read from the "
                    "cell: "
                    f"{action['planned_date']:%-d %B %Y}"
                )
            else:
                then = (
                    "the date is kept as written and has no real date, so the action is never "
                    "shown as overdue"
                )
            note(
                result,
                row,
                _heading(values, key),
                f"“{written}” is no real date ({why}): {then}. Correct it in the file and upload "
                "it again, or after importing.",
            )


def _markers(result, row, values):
    for cell, column in progress_cells(values):
        if cell is not None and not cell.merged_down:
            _false_markers(result, row, cell, column)


def _false_markers(result, row, cell, column):
    for marker in false_markers(cell.paras):
        note(
            result,
            row,
            column["heading"],
            f"“{marker}” opens an update but is no real date: it is kept in the update's text, "
            "and the update is dated as the plan is (or today, if the plan has no date). "
            "Correct it in the file and upload it again.",
        )


def _status(result, row, values, action):
    cell = values.get("status", (None,))[0]
    if cell is None or cell.merged_down or not cell.text.strip():
        return
    written = cell.text.strip()
    if (
        STATUS_LABELS.get(written.casefold())
        or status_of(written, cell.bold)
        or rating_of(written)
        or _RATING_LETTER.match(written)
    ):
        return
    if action["status"]:
        label = Action.Status(action["status"]).label
        then = f"the status is read from the progress instead: {label}"
    else:
        then = "the status is left unrecorded (No status recorded)"
    note(
        result,
        row,
        _heading(values, "status"),
        f"“{written[:80]}” is none of the statuses ({STATUS_NAMES}): {then}. Write one of them "
        "in the file and upload it again, or set the status after importing.",
    )


def _no_action(result, row, values, action):
    cell = values.get("action", (None,))[0]
    if action["text"] or "action" not in values or (cell is not None and cell.merged_down):
        return
    has = [
        what
        for what, key in (
            ("an owner", "owners_as_written"),
            ("a date", "planned_completion"),
            ("progress", "progress"),
        )
        if action[key]
    ]
    listed = " and ".join([", ".join(has[:-1]), has[-1]] if len(has) > 1 else has)
    note(
        result,
        row,
        _heading(values, "action"),
        f"This row has {listed or 'text'} but no action: it is imported as an action with no "
        "text. Write the action in the file and upload it again, or write it after importing.",
    )


def repeated_header(texts, header_key):
    """Whether a row's cells (as ``parse._norm`` writes them, by column) repeat the header's:
    each filled cell its own column's heading, two or more of them (or the only column)."""
    filled = [(text, heading) for text, heading in zip(texts, header_key, strict=False) if text]
    return len(filled) >= min(2, len(header_key)) and all(t == h for t, h in filled)


_SMALL = set(headers.words("of and the to a an for in on by or be is no what how"))


def guidance(texts, headings):
    """Whether the row under the header (its cells' texts by column, under ``headings``) says
    what each column takes rather than being part of the plan: no reference, no cell over 15
    words, and at least two cells, half of those filled, a question or their own column's
    heading said again with no number ("What is the over-arching recommendation?" under
    "RECOMMENDATION", "Realistic target date" under "Target Date")."""
    from .columns import REFERENCE, kind_of

    filled = [(t, h) for t, h in zip(texts, headings, strict=False) if t.strip()]
    if any(len(re.findall(r"\w+", t)) > 15 or kind_of(t) == REFERENCE for t, _ in filled):
        return False
    said = [  # a question, or the heading said again ("Action 1" is an item: it has a number)
        t
        for t, h in filled
        if t.rstrip().endswith("?")
        or (set(headers.words(t)) & set(headers.words(h)) - _SMALL and not re.search(r"\d", t))
    ]
    return len(said) >= 2 and 2 * len(said) >= len(filled)


def guidance_skipped(result, row):
    note(
        result,
        row,
        "",
        "This row says what each column takes (its cells are questions or the columns' own "
        "headings said again), not part of the plan: it is skipped. If it is part of the plan, "
        "give it a reference in the file.",
    )


def header_repeated(result, row, header_row):
    note(
        result,
        row,
        "",
        f"This row repeats the table's header (row {header_row}), as a table does after a page "
        "break: it is skipped. If it is part of the plan, change its wording in the file.",
    )


def continues(values, previous, rec):
    """Whether the row goes on with ``previous`` (the action of the row above) across a page
    break: its action cell opens in lower case, and it has no reference, recommendation, owner,
    date or status of its own (a recommendation or reference the same as the row above's is
    not its own)."""
    if previous is None or rec is None:
        return False
    text = text_of(values, "action")
    if not text[:1].islower():
        return False
    same = {k: rec[k] for k in ("reference", "target_date")} | {"recommendation": rec["text"]}
    return not any(text_of(values, key) not in ("", same.get(key)) for key in _ITS_OWN)


def may_continue(result, row, values, previous):
    note(
        result,
        row,
        _heading(values, "action"),
        f"This row's action opens in lower case and the row has no reference, owner or date of "
        f"its own, but no page break comes before it: it is read as an action of its own. If it "
        f"goes on from row {previous['row']}'s action, join the two in the file and upload it "
        "again.",
    )


def join(result, row, values, previous, rec):
    """The row's cells added to ``previous``'s (the action above; a recommendation's outcomes
    and benchmark to ``rec``), with a note that says so."""
    for key, (cell, column) in values.items():
        if cell is None or cell.merged_down or not cell.paras:
            continue
        if key == "progress" or isinstance(key, tuple):  # progress, or an older one
            updates = updates_of(cell.paras, headers.period_label(column["heading"]))
            last = previous["progress"][-1] if previous["progress"] else None
            if last and not updates[0]["date"] and updates[0]["label"] == last["label"]:
                last["text"] += " " + updates.pop(0)["text"]
            previous["progress"].extend(updates)
            continue
        if key in _JOINED:
            into, name = previous, _JOINED[key]
        elif key in _JOINED_REC and cell.text not in rec[key]:  # not repeated on each row
            into, name = rec, key
        else:
            continue
        into[name] = f"{into[name]} {cell.text}".strip()
        too_long(result, row, column["heading"], into[name], LIMITS.get(key), "Joined, it")
    note(
        result,
        row,
        _heading(values, "action"),
        f"This row's action opens in lower case and the row has no reference, owner or date of "
        f"its own: the row is read as a continuation of row {previous['row']} (a row split by a "
        "page break), its text joined to that row's. If it is an action of its own, give it a "
        "capital letter, an owner or a date in the file and upload it again.",
    )
