"""A plan's table sent back with progress typed in: each changed cell a proposed change.

Councils send their plan's table to officers as Word (or Excel) and get it back with cells typed
into. ``returned_read`` reads such a file against the plan: its rows are matched to the plan's
actions (the recommendation's cell first, then the action's own text, exactly or nearly), and
each cell is compared with what the plan's export prints for that action (``actionplans.
snapshots``, the rows every appendix is made from). A cell that differs is one proposal
(``ProposedChange``): new progress, a date moved, owners changed. What the file says that cannot
be a proposal (a row that matches no action, a date that is no date, an owner the council does
not have) is a doubt shown beside them. Nothing in the plan changes here: ``returns_decide``
accepts or rejects each proposal.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from actionplans import rules, snapshots
from actionplans.fuzzy_dates import derive_date
from actionplans.marks import plain
from actionplans.models import Action, Owner, ProgressUpdate
from core import errors, once

from . import headers, parse, readers, service, typists
from .models import ProposedChange, ReturnedFile

COMPARED = ("progress", "planned_completion", "owners", "who_when")
COMPLETE_WORDS = {"complete", "completed"}  # the word an appendix adds for a complete action
NEAR = 0.85  # how alike an action's text and a row's must be when neither is exact
DATED = re.compile(r"^\[\d{4}-\d{2}-\d{2}\]\s*(?:\([^)]*\)\s*)?")


def words(text):
    """A cell's words, for comparing: case, spacing, punctuation and marks left aside."""
    return re.findall(r"\w+", plain(text or "").casefold())


def norm(text):
    return " ".join(plain(text or "").split())


@dataclass
class Proposal:
    kind: str
    row: int
    action: object = None  # an ActionRow (snapshots)
    recommendation: object = None  # a RecommendationRow, for progress on the whole of one
    old: str = ""
    new: str = ""
    owner_ids: list = field(default_factory=list)
    typed_by: str = ""

    def line(self):
        """The proposal in one line (the command prints these)."""
        where = f"row {self.row}, "
        if self.action is not None:
            where += self.action.name or f"action {self.action.id}"  # "action 2 of CP1"
        else:
            where += f"recommendation {self.recommendation.name or self.recommendation.id}"
        kind = ProposedChange.Kind(self.kind).label
        by = f" (typed by {self.typed_by})" if self.typed_by else ""
        old = f"“{_short(self.old)}” -> " if self.kind != "progress" else ""
        return f"{kind}, {where}: {old}“{_short(self.new)}”{by}"


@dataclass
class Reading:
    proposals: list = field(default_factory=list)
    doubts: list = field(default_factory=list)  # strings for the manager
    typed_by: str = ""
    matched: int = 0


def _short(text, size=90):
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


# Matching rows to the plan's rows.


@dataclass
class _Row:
    number: int  # as ``parse`` counts: through the tables, from the first table's first row
    table: int
    index: int
    cells: dict  # field -> (position, Cell)


def _rows(document):
    """The header's columns (position -> field, by its heading) and the rows under it."""
    tables = [t for t in document.tables if t]
    found = ((i, parse._header_row(t, {})) for i, t in enumerate(tables))
    t_index, at = next(((i, at) for i, at in found if at is not None), (None, None))
    if t_index is None:
        raise errors.Refused(
            "No header row was found in the file: it is not a copy of a plan's table."
        )
    table = tables[t_index]
    skipped = sum(map(len, tables[:t_index]))
    header = table[at]
    fields, positions = {}, []
    for position, cell in enumerate(header):
        if position and header[position - 1] is cell:
            continue  # a heading spanning columns is one column
        key = headers.meaning(" ".join(cell.paras))
        if key and key not in fields.values():
            fields[position] = key
        positions.append(position)
    header_words = [words(" ".join(header[p].paras)) for p in positions]
    rows, number = [], skipped
    for ti in range(t_index, len(tables)):
        for ri, row in enumerate(tables[ti]):
            number += 1
            if ti == t_index and ri <= at:
                continue
            texts = [words(" ".join(row[p].paras)) if p < len(row) else [] for p in positions]
            if texts == header_words or len({id(c) for c in row}) == 1:
                continue  # the header repeated, or a section's title across the row
            cells = {k: (p, row[p]) for p, k in fields.items() if p < len(row)}
            rows.append(_Row(number, ti, ri, cells))
    return fields, rows


def _rec_renderings(rec):
    """The ways an appendix prints a recommendation's cell (its reference may lead it)."""
    ref = rec.reference
    dot = "." if ref.isdigit() else ""
    return [words(rec.text), words(f"{ref}{dot} {rec.text}"), words(ref)]


def _action_words(action):
    return words(f"{action.reference} {action.text}")


def _said_is(action, said):
    """Whether a row's action cell is ``action``'s, as an appendix (its reference first) or the
    site's table export (its text alone) prints it."""
    return said in (_action_words(action), words(action.text))


class _Matcher:
    """Rows to actions in the plan's order: the recommendation's cell narrows the actions to
    its own; the action's text, exact, then nearly alike; never one action twice."""

    def __init__(self, outline):
        self.recs = [r for s in outline.sections for r in s.recommendations]
        self.actions = [(r, a) for r in self.recs for a in r.actions]
        self.used = set()
        self.rec = None

    def recommendation(self, row):
        for key in ("recommendation", "reference"):
            if key not in row.cells:
                continue
            cell = row.cells[key][1]
            if cell.merged_down or not cell.paras:
                continue
            said = words(cell.text)
            for rec in self.recs:
                if said in _rec_renderings(rec) and said:
                    self.rec = rec
                    return rec
        return self.rec

    def action(self, row):
        cell = row.cells.get("action", (None, None))[1]
        said = words(cell.text) if cell is not None else []
        rec = self.recommendation(row)
        pool = [(r, a) for r, a in self.actions if a.id not in self.used]
        own = [(r, a) for r, a in pool if rec is not None and r.id == rec.id]
        for candidates in (own, pool):
            for r, a in candidates:
                if _said_is(a, said):
                    self.used.add(a.id)
                    return r, a
        if not said:
            return None, None
        text = " ".join(said)
        best, score = None, NEAR
        matcher = difflib.SequenceMatcher(None, b=text)  # b is indexed once, for every action
        for r, a in own or pool:
            matcher.set_seq1(" ".join(_action_words(a)))
            if matcher.real_quick_ratio() < score or matcher.quick_ratio() < score:
                continue  # cheap upper bounds first: a large plan has thousands of actions
            ratio = matcher.ratio()
            if ratio >= score:
                best, score = (r, a), ratio
        if best:
            self.used.add(best[1].id)
            return best
        return None, None


# Comparing a cell with what the export printed.


def _update_lines(updates):
    """Every line the appendix may have printed of ``updates``: labels (dated or not), texts."""
    lines = set()
    for update in updates:
        day = f"{update.written_on:%-d %B %Y}"
        label = update.period_label
        lines.update({norm(label), norm(day), norm(f"{label} ({day})" if label else day)})
        lines.update(norm(line) for line in update.text.split("\n"))
    lines.discard("")
    return lines


def typed_progress(cell, updates):
    """What was typed into a progress cell beyond the updates it printed, or ""."""
    known = _update_lines(updates)
    new = []
    for para in cell.paras:
        # The site's own table export opens each update "[YYYY-MM-DD] (label)" (export.py).
        text = norm(DATED.sub("", para))
        if not text or text in known:
            continue
        # Typed on at the end of a line the export printed: only what follows is new.
        lead = max((k for k in known if text.startswith(k)), key=len, default="")
        new.append(text[len(lead) :].strip() if lead else para.strip())
    return "\n\n".join(p for p in new if p)


def _when_words(text):
    said = words(text)
    while said and said[-1] in COMPLETE_WORDS:
        said.pop()
    return said


def _owner_renderings(action):
    names = ", ".join(o.name for o in action.owners)
    leads = ", ".join(o.name for o in action.leads)
    tail = " ".join(o.as_written or o.name for o in action.supporting)
    return [words(action.owners_as_written), words(names), words(f"{leads} {tail}")]


def _owners_text(action):
    return action.owners_as_written or ", ".join(o.name for o in action.owners)


def _who_when(cell):
    """A who/when cell split: its bold lines are who (as the appendix writes them), the rest
    when (a bold "complete" is when's)."""
    bold = "".join(cell.bold).replace(" ", "")
    who = [
        p
        for p in cell.paras
        if bold and p.replace(" ", "") in bold and words(p) not in [[w] for w in COMPLETE_WORDS]
    ]
    when = [p for p in cell.paras if p not in who]
    return "\n".join(who), "\n".join(when)


class _Owners:
    """The council's owners by name and initials, read once."""

    def __init__(self, organisation):
        self.by_name = {}
        for owner in Owner.objects.filter(organisation=organisation).only("pk", "name", "initials"):
            for key in (owner.name, owner.initials):
                if key:
                    self.by_name.setdefault(key.casefold(), owner.pk)

    def resolve(self, text):
        """The owners ``text`` names (ids), and the names it gives that are nobody's."""
        found, unknown = [], []
        for name, initials in parse.owner_names(text):
            pk = self.by_name.get(name.casefold()) or self.by_name.get((initials or "").casefold())
            if pk:
                found.append(pk) if pk not in found else None
            else:
                unknown.append(name)
        return found, unknown


def compare(document, plan, *, typists=None):
    """The proposals and doubts of a returned file (as ``readers`` read it) against ``plan``."""
    typists = typists or {}
    reading = Reading(typed_by=typists.get("last_modified_by", ""))
    outline = snapshots.current(plan)
    fields, rows = _rows(document)
    if "action" not in fields.values():
        raise errors.Refused(
            "The file's table has no column of actions (“Action required”), so its rows "
            "cannot be matched to the plan's actions."
        )
    if not set(COMPARED) & set(fields.values()):
        reading.doubts.append(
            "The file's table has no progress, date or owners column: there is nothing to "
            "compare with the plan."
        )
    matcher = _Matcher(outline)
    council = _Owners(plan.organisation)
    done_recs = set()
    for row in rows:
        rec, action = matcher.action(row)
        cell = row.cells.get("action", (None, None))[1]
        if action is None:
            if cell is not None and cell.paras and not cell.merged_down:
                reading.doubts.append(
                    f"Row {row.number}: “{_short(cell.text, 60)}” matches none of the plan's "
                    "actions, so nothing in it is proposed."
                )
            continue
        reading.matched += 1
        authors = typists.get("rows", {}).get(str(row.table), {}).get(str(row.index))
        typed_by = ", ".join(authors) if authors else reading.typed_by
        made = {"row": row.number, "typed_by": typed_by}
        for key, (_, got) in row.cells.items():
            if got.merged_down or key not in COMPARED:
                continue
            if key == "progress":
                _compare_progress(reading, rec, action, got, done_recs, made)
                continue
            if key == "who_when":
                who, when = _who_when(got)
                _compare_when(reading, action, when, made)
                _compare_owners(reading, action, who, council, made)
            elif key == "planned_completion":
                _compare_when(reading, action, got.text, made)
            elif key == "owners":
                _compare_owners(reading, action, got.text, council, made)
    return reading


def _compare_progress(reading, rec, action, cell, done_recs, made):
    """New progress on the action, or on its recommendation where the column prints the
    recommendation's updates (a cell over its actions: proposed once)."""
    rec_lines = _update_lines(rec.updates)
    on_rec = bool(rec.updates) and (
        not action.updates or any(norm(p) in rec_lines for p in cell.paras)
    )
    if on_rec:
        if rec.id in done_recs:
            return
        done_recs.add(rec.id)
        new = typed_progress(cell, rec.updates)
        if new:
            reading.proposals.append(Proposal("progress", recommendation=rec, new=new, **made))
        return
    new = typed_progress(cell, action.updates)
    if new:
        reading.proposals.append(Proposal("progress", action=action, new=new, **made))


def _compare_when(reading, action, text, made):
    if _when_words(text) == _when_words(action.planned_completion_text):
        return
    new = "\n".join(line for line in text.split("\n") if words(line) not in [["complete"]])
    if not words(new):
        return  # emptied: a date is moved, not taken away, from a returned copy
    if derive_date(new) is None:
        reading.doubts.append(
            f"Row {made['row']}: the date “{_short(new, 60)}” typed for action "
            f"{action.name or action.id} is not a date the site can read, so it is not proposed."
        )
        return
    reading.proposals.append(
        Proposal("date", action=action, old=action.planned_completion_text, new=new, **made)
    )


def _compare_owners(reading, action, text, council, made):
    if not words(text) or words(text) in _owner_renderings(action):
        return
    found, unknown = council.resolve(text)
    if unknown or not found:
        names = ", ".join(f"“{n}”" for n in unknown) or f"“{_short(text, 60)}”"
        reading.doubts.append(
            f"Row {made['row']}: {names}, typed as the owners of action "
            f"{action.name or action.id}, is not one of the council's owners: add them first, "
            "then import the file again."
        )
        return
    reading.proposals.append(
        Proposal(
            "owners",
            action=action,
            old=_owners_text(action),
            new=" ".join(text.split()),
            owner_ids=found,
            **made,
        )
    )


def returned_read(plan, name, data):
    """The proposals and doubts of the file ``name`` (its bytes ``data``) against ``plan``,
    read within the limits every upload is read in; Refused, with why, if it cannot be read."""
    read = service.read_limited(name, data)
    try:
        document = readers.from_json(read)
    except readers.Unreadable as error:
        raise errors.Refused(error.message) from None
    return compare(document, plan, typists=typists.read_limited(name, data))


def newest_updates(plan, *, action=None, recommendation=None):
    """The newest progress update's id of each action and recommendation of ``plan`` (or of the
    one given): ("action", id) or ("rec", id) -> id. A later one means progress written since."""
    found = ProgressUpdate.objects.progress()
    if action is not None:
        found = found.filter(action=action)
    elif recommendation is not None:
        found = found.filter(recommendation=recommendation)
    else:
        found = found.filter(Q(action__recommendation__plan=plan) | Q(recommendation__plan=plan))
    newest = {}
    for pk, action_id, rec_id in found.values_list("pk", "action_id", "recommendation_id"):
        key = ("action", action_id) if action_id else ("rec", rec_id)
        newest[key] = max(newest.get(key, 0), pk)
    return newest


@once.guarded("actor")
@transaction.atomic
def returned_add(plan, *, actor, name, reading):
    """The file's proposals kept for the plan's managers to decide; nothing in the plan changes.
    Each keeps the action's version (or its newest update) as it was read. A change already
    waiting (the same file uploaded again) is not proposed twice: it is said among the doubts."""
    if not rules.can_edit_plan(actor, plan):
        raise errors.Refused("Only a manager of this plan can propose changes to it from a file.")
    waiting = set(
        ProposedChange.objects.filter(plan=plan, state=ProposedChange.State.PENDING).values_list(
            "action_id", "recommendation_id", "kind", "new_value"
        )
    )
    proposals, doubts = [], list(reading.doubts)
    for p in reading.proposals:
        key = (
            p.action.id if p.action else None,
            p.recommendation.id if p.recommendation else None,
            p.kind,
            p.new,
        )
        if key in waiting:
            doubts.append(f"Row {p.row}: the same change is already waiting for a decision.")
        else:
            waiting.add(key)
            proposals.append(p)
    returned = ReturnedFile.objects.create(
        plan=plan,
        name=name[:255],
        typed_by=reading.typed_by[:200],
        uploaded_by=actor,
        doubts=doubts,
    )
    versions = dict(Action.objects.filter(recommendation__plan=plan).values_list("pk", "version"))
    newest = newest_updates(plan)
    ProposedChange.objects.bulk_create(
        ProposedChange(
            returned=returned,
            plan=plan,
            action_id=p.action.id if p.action else None,
            recommendation_id=p.recommendation.id if p.recommendation else None,
            kind=p.kind,
            row=p.row,
            old_value=p.old,
            new_value=p.new,
            owner_ids=p.owner_ids,
            typed_by=p.typed_by[:200],
            base_version=versions.get(p.action.id, 0) if p.action else 0,
            base_update=newest.get(
                ("action", p.action.id) if p.action else ("rec", p.recommendation.id), 0
            ),
            created_by=actor,
        )
        for p in proposals
    )
    return returned
