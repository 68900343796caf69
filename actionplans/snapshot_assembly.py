"""How the records read for a snapshot become its rows: each action rated on its plan's scale,
progress told apart from managers' decisions, rows named and ordered, measures and findings added.

The same whether the records are the live ones or history's (``snapshots.current``, ``.as_of``).
"""

import copy
from collections import Counter
from dataclasses import dataclass, field

from core.people import name_from_parts
from inspections.models import Finding

from . import ladder, rag
from .models import PROGRESS_KINDS, Action, Owner, ProgressUpdate
from .snapshot_rows import (
    ActionRow,
    FindingRow,
    MeasureRow,
    Outline,
    OwnerRow,
    RecommendationRow,
    SectionRow,
    UpdateRow,
)

# What an update's row is made from: the columns ``snapshots.current`` reads from the live table,
# and the values ``update_values`` makes of a historical record.
UPDATE_COLUMNS = [
    "id",
    "action_id",
    "recommendation_id",
    "kind",
    "written_on",
    "period_label",
    "text",
    "author__username",
    "author__first_name",
    "author__last_name",
    "attributed_to__name",
    "attributed_to__initials",
]
# Labels by value; a value history kept from before a rule existed is shown as it was stored.
KIND_LABELS = dict(ProgressUpdate.Kind.choices)
STATUS_LABELS = dict(Action.Status.choices)


def update_values(record):
    """A historical update as the same values ``snapshots.current`` reads from the live table."""
    author, owner = record.author, record.attributed_to
    return {
        "id": record.id,
        "action_id": record.action_id,
        "recommendation_id": record.recommendation_id,
        "kind": record.kind,
        "written_on": record.written_on,
        "period_label": record.period_label,
        "text": record.text,
        "author__username": author.username if author else None,
        "author__first_name": author.first_name if author else "",
        "author__last_name": author.last_name if author else "",
        "attributed_to__name": owner.name if owner else None,
        "attributed_to__initials": owner.initials if owner else "",
    }


def _author(first, last, username, owner_name, owner_initials):
    """The user who wrote it, else the owner the document attributes it to (as Owner names one)."""
    name = name_from_parts(first, last, username, nobody="")
    if not name and owner_name:
        name = Owner.named(owner_name, owner_initials or "")
    return name


def _update_row(values):
    """A row from ``values(*UPDATE_COLUMNS)``: plain values, so thousands of updates stay cheap."""
    return UpdateRow(
        id=values["id"],
        kind=values["kind"],
        kind_label=KIND_LABELS.get(values["kind"], values["kind"]),
        written_on=values["written_on"],
        period_label=values["period_label"],
        text=values["text"],
        author=_author(
            values["author__first_name"],
            values["author__last_name"],
            values["author__username"],
            values["attributed_to__name"],
            values["attributed_to__initials"],
        ),
    )


@dataclass
class Entries:
    """A plan's log entries (newest first) by the rule of what is progress: progress by action
    and by recommendation, and the managers' decisions by action."""

    progress: dict = field(default_factory=dict)
    on_recommendations: dict = field(default_factory=dict)
    decisions: dict = field(default_factory=dict)


def group_updates(rows):
    """``Entries`` of updates' values (``UPDATE_COLUMNS``), in the order given (newest first)."""
    entries = Entries()
    for values in rows:
        row = _update_row(values)
        if values["action_id"]:
            shelf = entries.progress if row.kind in PROGRESS_KINDS else entries.decisions
            shelf.setdefault(values["action_id"], []).append(row)
        elif row.kind in PROGRESS_KINDS:
            entries.on_recommendations.setdefault(values["recommendation_id"], []).append(row)
    return entries


def action_row(action, owners, entries, today, plan, behind=False):
    """A row of an action rated on ``today`` by its plan's thresholds and shown on its scale,
    with its progress (the last update is a fact of the rule) and decisions from ``entries``."""
    updates = entries.progress.get(action.id, [])
    limits, scale = rag.Thresholds.of(plan), plan.rag_scale
    last = max((u.written_on for u in updates if u.written_on), default=None)
    facts = {"last_update_on": last, "behind": behind}
    rating = rag.rate(action, today, limits, **facts)
    # As the rule alone would rate it: the same rating when no override is set.
    computed = (
        rag.rate(without_override(action), today, limits, **facts)
        if action.rag_override
        else rating
    )
    shown = rag.on_scale(rating, scale)
    decisions = entries.decisions.get(action.id, [])
    label = STATUS_LABELS.get(action.status, action.status)
    return ActionRow(
        id=action.id,
        reference=action.reference,
        text=action.text,
        owners=owners,
        owners_as_written=action.owners_as_written,
        planned_completion_text=action.planned_completion_text,
        planned_completion_date=action.planned_completion_date,
        first_planned_completion_text=action.first_planned_completion_text,
        first_planned_completion_date=action.first_planned_completion_date,
        date_revisions=action.date_revisions,
        status=action.status,
        status_label=ladder.status_words(action.status, label, [d.kind for d in decisions]),
        rag=shown.value,
        rag_label=rag.words(action, rating, scale, today),
        computed_rag="" if computed == rating else rag.on_scale(computed, scale).value,
        computed_label="" if computed == rating else rag.label(computed, scale),
        updates=updates,
        decisions=decisions,
        performance_indicator=action.performance_indicator,
        target=action.target,
    )


def without_override(action):
    """A copy of ``action`` without its override, to rate it as the rule alone would."""
    bare = copy.copy(action)
    bare.rag_override = ""
    return bare


def behind_by_action(measures, readings):
    """Action ids whose measures' latest readings are behind their lines (rag.measures_behind)."""
    by_measure = {}
    for reading in readings:
        by_measure.setdefault(reading.measure_id, []).append(reading)
    pairs = {}
    for m in measures:
        if m.action_id:
            pairs.setdefault(m.action_id, []).append((m, by_measure.get(m.id, [])))
    return {action_id for action_id, ms in pairs.items() if rag.measures_behind(ms)}


def _measure_rows(measures):
    """Measures by action id and (those on a whole recommendation) by recommendation id."""
    by_action, by_rec = {}, {}
    for m in sorted(measures, key=lambda m: (m.order, m.id)):
        row = MeasureRow(m.id, m.name, m.baseline_text, m.target_text, m.target_date_text)
        if m.action_id:
            by_action.setdefault(m.action_id, []).append(row)
        elif m.recommendation_id:
            by_rec.setdefault(m.recommendation_id, []).append(row)
    return by_action, by_rec


def attach_measures(outline, measures):
    by_action, by_rec = _measure_rows(measures)
    for section in outline.sections:
        for rec in section.recommendations:
            rec.measures = by_rec.get(rec.id, [])
            for action in rec.actions:
                action.measures = by_action.get(action.id, [])
    return outline


def assemble(plan, sections, recommendations, actions_by_rec, rec_updates, leads_by_rec, at):
    # .id, not .pk: on historical records pk is the history row's id.
    rows = {s.id: SectionRow(s.id, s.title, []) for s in sections}
    loose = SectionRow(None, "", [])
    for rec in recommendations:
        row = RecommendationRow(
            id=rec.id,
            reference=rec.reference,
            text=rec.text,
            leads=leads_by_rec.get(rec.id, []),
            updates=rec_updates.get(rec.id, []),
            actions=actions_by_rec.get(rec.id, []),
            benchmark_as_written=rec.benchmark_as_written,
            target_as_written=rec.target_as_written,
        )
        rows.get(rec.section_id, loose).recommendations.append(row)
    ordered = list(rows.values()) + ([loose] if loose.recommendations else [])
    _name_rows(ordered)
    scale = plan.rag_scale
    every = []
    for section in ordered:
        for rec in section.recommendations:
            ratings = [a.rag for a in rec.actions]
            every += ratings
            rec.rating = rag.roll_up(ratings).value
            rec.rating_label = rag.label(rec.rating, scale)
    rating = rag.roll_up(every).value
    return Outline(
        plan=plan, sections=ordered, at=at, rating=rating, rating_label=rag.label(rating, scale)
    )


def _name_rows(sections):
    """Names for what each control acts on, unique on the page and meaningful when read alone.

    Councils reuse references across sections ("1" under two headings) and many actions have no
    reference of their own, so a name adds the section, or the position, where it is needed.
    """
    for number, section in enumerate(sections, 1):
        section.name = f"section {section.title}" if section.title else f"untitled section {number}"
    recs = [(section, rec) for section in sections for rec in section.recommendations]
    by_reference = Counter(rec.reference for _, rec in recs)
    by_place = Counter((rec.reference, section.title) for section, rec in recs)
    for number, (section, rec) in enumerate(recs, 1):
        name = rec.reference or f"recommendation {number}"
        if rec.reference and by_reference[rec.reference] > 1:
            if section.title and by_place[(rec.reference, section.title)] == 1:
                name = f"{name} in {section.title}"
            else:
                name = f"{name} (recommendation {number})"
        rec.name = name
        for position, action in enumerate(rec.actions, 1):
            action.label = action.reference or rec.reference
            action.name = f"action {action.reference or position} of {name}"


def finding_rows(findings):
    """The findings a plan's preamble may list: all but recommendations, in the report's order
    (by inspection, then kind in the order of its choices, then as numbered)."""
    kinds = list(Finding.Kind.values)
    rows = [f for f in findings if f.kind != Finding.Kind.RECOMMENDATION]
    rows.sort(key=lambda f: (f.inspection_id, kinds.index(f.kind), f.order, f.id))
    return [FindingRow(f.kind, f.reference, f.text) for f in rows]


def owner_row(name, initials, role, as_written):
    """An owner of an action as the rows show it (named as ``Owner`` names one, without one)."""
    return OwnerRow(name=Owner.named(name, initials), role=role, as_written=as_written)
