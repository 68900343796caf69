"""What changed in a plan between two moments, action by action: for "since the last committee".

Only what a committee asks about: new progress, proposals, sign-offs, returns and reopenings (the
log's entries made in between), status changes and completions, planned dates moved, actions
added, withdrawn or moved (the action's own history, with who and why: the history change reason
a save recorded), and rating changes. A rating is computed, not stored, so it is compared as the
rule gave it at each moment (``snapshots.as_of`` at both ends) and said with the rule that gave
the new one, or the manager's override and its reason.

A fixed number of queries whatever the plan's size: the plan at both moments, the actions'
history records in between and the log entries in between.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from core.history import who
from core.people import person_name

from . import rag
from .models import Action, ProgressUpdate, UpdateKind
from .snapshot_assembly import STATUS_LABELS

# Each kind of change: how one is named in the summary (one, many), in the summary's order.
KINDS = {
    "completed": ("completed", "completed"),
    "signed_off": ("signed off", "signed off"),
    "turned_red": ("turned red", "turned red"),
    "turned_amber": ("turned amber", "turned amber"),
    "turned_green": ("turned green", "turned green"),
    "rating": ("other rating change", "other rating changes"),
    "date_moved": ("date moved", "dates moved"),
    "status": ("status change", "status changes"),
    "proposed": ("proposal to complete", "proposals to complete"),
    "returned": ("proposal returned", "proposals returned"),
    "reopened": ("reopened", "reopened"),
    "assured": ("assured", "assured"),
    "impact_shown": ("impact shown", "impact shown"),
    "progress": ("progress update", "progress updates"),
    "added": ("action added", "actions added"),
    "withdrawn": ("action withdrawn", "actions withdrawn"),
    "moved": ("action moved", "actions moved"),
}
ENTRY_KINDS = {
    UpdateKind.UPDATE: "progress",
    UpdateKind.PROPOSAL: "proposed",
    UpdateKind.SIGN_OFF: "signed_off",
    UpdateKind.RETURNED: "returned",
    UpdateKind.REOPENED: "reopened",
    # The completion ladder's steps above sign-off (ladder.py), and their reopening.
    UpdateKind.ASSURED: "assured",
    UpdateKind.IMPACT_SHOWN: "impact_shown",
    UpdateKind.ASSURED_REOPENED: "reopened",
    UpdateKind.IMPACT_REOPENED: "reopened",
}
# A rating change is summed up by where it went; complete and awaiting sign-off are counted as
# completions and proposals already.
TURNED = {
    rag.Rag.RED: "turned_red",
    rag.Rag.AMBER_RED: "turned_red",
    rag.Rag.AMBER: "turned_amber",
    rag.Rag.AMBER_GREEN: "turned_green",
    rag.Rag.GREEN: "turned_green",
}
UNCOUNTED = {rag.Rag.COMPLETE, rag.Rag.AWAITING}


@dataclass(frozen=True)
class Change:
    kind: str  # a key of KINDS
    when: object  # an aware datetime, or a date for a rating the calendar changed
    who: str
    old: str = ""
    new: str = ""
    reason: str = ""
    counted: bool = True  # False: a rating change a completion or proposal counts already
    ref: int = 0  # the log entry's id: progress on a whole recommendation is each action's

    @property
    def day(self):
        return self.when.date() if isinstance(self.when, dt.datetime) else self.when

    @property
    def words(self):
        """The change in one line, as a committee reads it."""
        what = KINDS[self.kind][0]
        text = what[0].upper() + what[1:]
        if self.kind in ("progress", "proposed", "returned", "reopened", "signed_off"):
            text += f" ({self.new})" if self.new else ""
        elif self.old or self.new:
            text += f": from {self.old or '(blank)'} to {self.new or '(blank)'}"
        # A service's own words for the save ("Action added") say nothing more: no "Why".
        if self.reason and self.reason.lower() != what.lower():
            text += f". Why: {self.reason}"
        said = [f"{self.day:%-d %B %Y}"] if self.day else []
        if self.who:
            imported = self.who.startswith("Imported")
            said.append(self.who[0].lower() + self.who[1:] if imported else f"by {self.who}")
        return text + (f" ({', '.join(said)})" if said else "") + "."


@dataclass
class ActionChanges:
    id: int
    name: str  # "action 2 of CP1"
    label: str
    text: str
    recommendation: str  # its recommendation's reference, where it now is (or was)
    changes: list = field(default_factory=list)

    @property
    def kinds(self):
        """What changed, in a few words: "Changed: 2 progress updates, turned red"."""
        counts = Counter(c.kind for c in self.changes)
        said = [
            f"{counts[k]} {KINDS[k][1]}" if counts[k] > 1 else KINDS[k][0]
            for k in KINDS
            if counts[k]
        ]
        return "Changed: " + ", ".join(said)


@dataclass
class PlanChanges:
    plan: object
    since: dt.datetime
    until: dt.datetime
    actions: list  # ActionChanges with at least one change, in the plan's order
    unchanged: int  # actions in the plan at either moment with no change
    before: object  # the snapshot Outline at each moment
    after: object

    @property
    def counts(self):
        """How many of each kind; an action completed or turned red counts once."""
        counts, seen = Counter(), set()
        for action in self.actions:
            kinds = [c.kind for c in action.changes if c.counted]
            for kind in KINDS:
                if kind in ("date_moved", "status"):
                    counts[kind] += kinds.count(kind)
                elif kind in kinds and kind not in ENTRY_KINDS.values():
                    counts[kind] += 1
            for change in action.changes:
                if change.ref and change.ref not in seen:
                    seen.add(change.ref)
                    counts[change.kind] += 1
        return counts

    @property
    def summary(self):
        """ "3 completed, 2 turned red, 4 dates moved, 1 action added", or "" if none."""
        counts = self.counts
        return ", ".join(
            f"{counts[k]} {KINDS[k][0] if counts[k] == 1 else KINDS[k][1]}"
            for k in KINDS
            if counts[k]
        )

    @property
    def by_action(self):
        return {a.id: a for a in self.actions}


def _rows(outline):
    """Action rows by id, each with its recommendation's reference and id."""
    rows = {}
    for section in outline.sections:
        for rec in section.recommendations:
            for action in rec.actions:
                rows[action.id] = (action, rec)
    return rows


def rule_reason(row, day, plan):
    """Which part of the rule (rag.rate) gives ``row`` its rating on ``day``, in words."""
    limits = rag.Thresholds.of(plan)
    if row.computed_rag:  # an override in force: rag.words names who set it and why
        return row.rag_label
    value, due = rag.Rag(row.rag), row.planned_completion_date
    if value in (rag.Rag.COMPLETE, rag.Rag.AWAITING):
        return "by the rule, the action is " + rag.label(value).lower()
    if value == rag.Rag.RED:
        return f"by the rule, its planned completion date, {due:%-d %B %Y}, has passed"
    if value == rag.Rag.AMBER:
        if due is not None and due <= day + dt.timedelta(days=limits.amber_days):
            return f"by the rule, it is due within {limits.amber_days} days ({due:%-d %B %Y})"
        last = row.last_updated_on
        if last is None or last < day - dt.timedelta(days=limits.stale_days):
            return f"by the rule, no progress update in {limits.stale_days} days"
        return "by the rule, a measure is behind its line to the target"
    if value == rag.Rag.NONE:
        return "by the rule, it has no real planned completion date"
    return f"by the rule, it is due on {due:%-d %B %Y}, with recent progress"


def _short(row, plan):
    """A rating's name on the plan's scale ("Red"), without the rule's wording."""
    return rag.label(row.rag, plan.rag_scale).split(":")[0]


def _crossed(row, plan):
    """The day the rule's new rating began, where the calendar alone moved it (else None)."""
    limits, due = rag.Thresholds.of(plan), row.planned_completion_date
    value = rag.Rag(row.rag)
    if value == rag.Rag.RED and due:
        return due + dt.timedelta(days=1)
    if value == rag.Rag.AMBER and row.last_updated_on:
        return row.last_updated_on + dt.timedelta(days=limits.stale_days + 1)
    return None


def _user(record, attr):
    user = getattr(record, attr, None)
    return person_name(user) if user else ""


def _entry_change(record):
    """A log entry made in between, as a change: who wrote it (or the owner the plan names)."""
    author = _user(record, "author") or (str(record.attributed_to) if record.attributed_to else "")
    kind = ENTRY_KINDS.get(record.kind, "progress")
    return Change(
        kind, record.history_date, author or who(record), new=record.period_label, ref=record.id
    )


def _record_changes(record, state, recs):
    """What one history record of an action changed from ``state`` (updated in place)."""
    found, when, by = [], record.history_date, who(record)
    reason = record.history_change_reason or ""
    if record.history_type == "+":
        found.append(Change("added", when, by, reason=reason))
    elif record.history_type == "-":
        found.append(Change("withdrawn", when, by, reason=reason))
    elif state:
        if record.status != state["status"]:
            kind = "completed" if record.status == rag.COMPLETE_STATUS else "status"
            old, new = (STATUS_LABELS.get(s, s) for s in (state["status"], record.status))
            found.append(Change(kind, when, by, old, new, reason))
        if record.planned_completion_text != state["planned"]:
            old, new = state["planned"], record.planned_completion_text
            found.append(Change("date_moved", when, by, old, new, reason))
        if record.recommendation_id != state["rec"]:
            old, new = (
                recs.get(r, "another recommendation")
                for r in (state["rec"], record.recommendation_id)
            )
            found.append(Change("moved", when, by, old, new, reason))
    state.update(
        status=record.status, planned=record.planned_completion_text, rec=record.recommendation_id
    )
    return found


def changes_between(plan, since, until=None):
    """Per action, what changed after ``since`` up to ``until`` (aware datetimes; ``until``
    defaults to now); None if the plan had not been recorded at ``since``."""
    from . import snapshots  # snapshots offers this function, and so imports this module

    until = until or timezone.now()
    before, after = snapshots.as_of(plan, since), snapshots.as_of(plan, until)
    if before is None or after is None:
        return None
    old_rows, new_rows = _rows(before), _rows(after)
    recs = {rec.id: rec.reference for _, rec in [*old_rows.values(), *new_rows.values()]}
    ids = set(old_rows) | set(new_rows)
    in_between = Q(history_date__gt=since, history_date__lte=until)
    records = (
        Action.history.filter(in_between)
        .filter(Q(id__in=ids) | Q(recommendation_id__in=list(recs)))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = (
        ProgressUpdate.history.filter(in_between, history_type="+")
        .filter(Q(action_id__in=ids) | Q(recommendation_id__in=list(recs)))
        .select_related("history_user", "author", "attributed_to")
        .order_by("history_date", "history_id")
    )
    found = {}
    states = {
        pk: {"status": row.status, "planned": row.planned_completion_text, "rec": rec.id}
        for pk, (row, rec) in old_rows.items()
    }
    for record in records:
        state = states.setdefault(record.id, {})
        found.setdefault(record.id, []).extend(_record_changes(record, state, recs))
    # Progress written on a whole recommendation is progress of each of its actions (the plan
    # prints it once over them); it is counted once.
    by_rec = {}
    for pk, (_, rec) in new_rows.items():
        by_rec.setdefault(rec.id, []).append(pk)
    for record in entries:
        for pk in (
            [record.action_id] if record.action_id else by_rec.get(record.recommendation_id, [])
        ):
            found.setdefault(pk, []).append(_entry_change(record))
    day = timezone.localdate(until)
    for pk, (row, _) in new_rows.items():
        old = old_rows.get(pk)
        if old is None or old[0].rag == row.rag:
            continue
        kind = TURNED.get(rag.Rag(row.rag), "rating")
        mine = found.get(pk, [])
        # When a record of the action changed it, then; else the day the calendar did.
        caused = [c.when for c in mine if c.kind in ("completed", "status", "date_moved")]
        when = max(caused, default=None) or _crossed(row, plan)
        reason = rule_reason(row, day, after.plan)
        counted = rag.Rag(row.rag) not in UNCOUNTED
        old_name, new_name = (_short(r, after.plan) for r in (old[0], row))
        change = Change(kind, when, "", old_name, new_name, reason, counted)
        found.setdefault(pk, []).append(change)

    actions = []
    order = [*new_rows, *(pk for pk in old_rows if pk not in new_rows)]
    for pk in order:
        if not found.get(pk):
            continue
        row, rec = new_rows.get(pk) or old_rows[pk]
        changes = sorted(found[pk], key=lambda c: _sort_key(c.when))
        actions.append(ActionChanges(pk, row.name, row.label, row.text, rec.reference, changes))
    unchanged = len(ids) - len(actions)
    return PlanChanges(plan, since, until, actions, unchanged, before, after)


def _sort_key(when):
    if when is None:
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    if isinstance(when, dt.datetime):
        return when
    return dt.datetime.combine(when, dt.time.min, tzinfo=timezone.get_current_timezone())
