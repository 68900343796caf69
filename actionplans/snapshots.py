"""A plan as plain rows: as it stands now, or as it stood at a past moment (from its history).

Pages (and later the committee appendix) render these rows, so "now" and "as it stood on" share one
shape and one template. Both paths run a fixed number of queries whatever the plan's size.
"""

import copy
from collections import Counter
from dataclasses import dataclass, field, replace

from django.db.models import Prefetch
from django.utils import timezone

from core.people import name_from_parts
from inspections.models import Finding

from . import changes, rag
from .models import (
    PROGRESS_KINDS,
    Action,
    ActionOwner,
    Measure,
    Owner,
    Plan,
    ProgressUpdate,
    Reading,
    Recommendation,
    Section,
    decision_words,
)


@dataclass
class UpdateRow:
    id: int
    kind: str
    kind_label: str
    written_on: object
    period_label: str
    text: str
    author: str

    @property
    def words(self):
        """A decision in words that say what it is ("Signed off by J Smith on 3 December 2012:
        evidence seen"); never shown as progress."""
        return decision_words(self.kind, self.author, self.written_on, self.text)


@dataclass(frozen=True)
class OwnerRow:
    """An owner of an action in the plan's order: a lead or supporting, with the plan's wording."""

    name: str
    role: str = ActionOwner.Role.LEAD
    as_written: str = ""

    def __str__(self):
        return self.name

    @property
    def supporting(self):
        return self.role == ActionOwner.Role.SUPPORTING


@dataclass
class MeasureRow:
    """A performance indicator with its baseline and target as the plan wrote them."""

    id: int
    name: str
    baseline_text: str
    target_text: str
    target_date_text: str


@dataclass
class ActionRow:
    id: int
    reference: str
    text: str
    owners: list  # OwnerRow, in the plan's order
    owners_as_written: str
    planned_completion_text: str
    planned_completion_date: object
    status: str
    status_label: str
    rag: str  # the rating as the plan's scale shows it (rag.on_scale)
    rag_label: str
    updates: list  # progress only (models.PROGRESS_KINDS), newest first
    computed_rag: str = ""  # beside an override in force: the rating the rule gives
    computed_label: str = ""
    label: str = ""  # its reference as the page shows it: its own, else its recommendation's
    name: str = ""  # what its controls act on, unique on the page: "action 2 of CP1"
    performance_indicator: str = ""
    target: str = ""
    measures: list = field(default_factory=list)
    # A manager's sign-offs, returns and reopenings, newest first: shown only where asked for.
    decisions: list = field(default_factory=list)

    @property
    def latest_update(self):
        return self.updates[0] if self.updates else None

    @property
    def last_updated_on(self):
        """The date of the action's last update, or None."""
        return self.updates[0].written_on if self.updates else None

    @property
    def leads(self):
        return [o for o in self.owners if not o.supporting]

    @property
    def supporting(self):
        return [o for o in self.owners if o.supporting]

    @property
    def earlier_updates(self):
        return self.updates[1:]


@dataclass
class RecommendationRow:
    id: int
    reference: str
    text: str
    leads: list
    updates: list
    actions: list
    name: str = ""  # unique on the page: "CP1", "1 in General Service Enhancements"
    measures: list = field(default_factory=list)
    benchmark_as_written: str = ""  # the plan's cells as written, beside the measures
    target_as_written: str = ""
    rating: str = ""  # rolled up from its actions (rag.ROLL_UP_RULE)
    rating_label: str = ""

    @property
    def latest_update(self):
        return self.updates[0] if self.updates else None


@dataclass
class SectionRow:
    id: int
    title: str
    recommendations: list
    name: str = ""

    @property
    def action_count(self):
        return sum(len(r.actions) for r in self.recommendations)


@dataclass(frozen=True)
class FindingRow:
    """What the plan's inspection found, as the inspectorate wrote it."""

    kind: str
    reference: str
    text: str


@dataclass
class Outline:
    plan: Plan
    sections: list
    at: object = None  # None: as it stands now
    # The strengths, requirements met and areas for development of the plan's inspections (its
    # recommendations are the plan's own rows), in the inspectorate's order.
    findings: list = field(default_factory=list)
    rating: str = ""  # rolled up from its actions (rag.ROLL_UP_RULE)
    rating_label: str = ""
    roll_up_rule: str = rag.ROLL_UP_RULE

    @property
    def action_count(self):
        return sum(len(r.actions) for s in self.sections for r in s.recommendations)

    @property
    def unowned_actions(self):
        """Actions that name no owner (a plan loaded from a document may have some)."""
        return [
            a for s in self.sections for r in s.recommendations for a in r.actions if not a.owners
        ]


UPDATE_COLUMNS = [
    "id", "action_id", "recommendation_id", "kind", "written_on", "period_label", "text",
    "author__username", "author__first_name", "author__last_name",
    "attributed_to__name", "attributed_to__initials",
]  # fmt: skip
# Labels by value; a value history kept from before a rule existed is shown as it was stored.
KIND_LABELS = dict(ProgressUpdate.Kind.choices)
STATUS_LABELS = dict(Action.Status.choices)


def _author(first, last, username, owner_name, owner_initials):
    """The user who wrote it, else the owner the document attributes it to (as Owner names one)."""
    name = name_from_parts(first, last, username, nobody="")
    if not name and owner_name:
        name = str(Owner(name=owner_name, initials=owner_initials or ""))
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
            values["author__first_name"], values["author__last_name"],
            values["author__username"], values["attributed_to__name"],
            values["attributed_to__initials"],
        ),
    )  # fmt: skip


@dataclass
class Entries:
    """A plan's log entries (newest first) by the rule of what is progress: progress by action
    and by recommendation, and the managers' decisions by action."""

    progress: dict = field(default_factory=dict)
    on_recommendations: dict = field(default_factory=dict)
    decisions: dict = field(default_factory=dict)


def _group_updates(rows):
    entries = Entries()
    for values in rows:
        row = _update_row(values)
        if values["action_id"]:
            shelf = entries.progress if row.kind in PROGRESS_KINDS else entries.decisions
            shelf.setdefault(values["action_id"], []).append(row)
        elif row.kind in PROGRESS_KINDS:
            entries.on_recommendations.setdefault(values["recommendation_id"], []).append(row)
    return entries


def _action_row(action, owners, entries, today, plan, behind=False):
    """A row of an action rated on ``today`` by its plan's thresholds and shown on its scale,
    with its progress (the last update is a fact of the rule) and decisions from ``entries``."""
    updates = entries.progress.get(action.id, [])
    limits, scale = rag.Thresholds.of(plan), plan.rag_scale
    last = max((u.written_on for u in updates if u.written_on), default=None)
    facts = {"last_update_on": last, "behind": behind}
    rating = rag.rate(action, today, limits, **facts)
    computed = rag.rate(without_override(action), today, limits, **facts)
    shown = rag.on_scale(rating, scale)
    return ActionRow(
        id=action.id,
        reference=action.reference,
        text=action.text,
        owners=owners,
        owners_as_written=action.owners_as_written,
        planned_completion_text=action.planned_completion_text,
        planned_completion_date=action.planned_completion_date,
        status=action.status,
        status_label=STATUS_LABELS.get(action.status, action.status),
        rag=shown.value,
        rag_label=rag.words(action, rating, scale, today),
        computed_rag="" if computed == rating else rag.on_scale(computed, scale).value,
        computed_label="" if computed == rating else rag.label(computed, scale),
        updates=updates,
        decisions=entries.decisions.get(action.id, []),
        performance_indicator=action.performance_indicator,
        target=action.target,
    )


def without_override(action):
    """A copy of ``action`` without its override, to rate it as the rule alone would."""
    bare = copy.copy(action)
    bare.rag_override = ""
    return bare


def _behind_by_action(measures, readings):
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


def _attach_measures(outline, measures):
    by_action, by_rec = _measure_rows(measures)
    for section in outline.sections:
        for rec in section.recommendations:
            rec.measures = by_rec.get(rec.id, [])
            for action in rec.actions:
                action.measures = by_action.get(action.id, [])
    return outline


def _assemble(plan, sections, recommendations, actions_by_rec, rec_updates, leads_by_rec, at):
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


NEEDS_ATTENTION = {rag.Rag.RED.value, rag.Rag.AMBER_RED.value, rag.Rag.AMBER.value}


def narrow(outline, *, open_only=False, red_amber=False, section_id=None):
    """The outline with only the rows asked for: open actions, red and amber ones, one section.

    Works on rows already read, so narrowing adds no queries; names stay those of the whole plan.
    A recommendation (and a section) left without actions by an action filter is left out.
    """

    def wanted(action):
        if open_only and action.status == Action.Status.COMPLETE:
            return False
        return not red_amber or action.rag in NEEDS_ATTENTION

    filtering = open_only or red_amber
    sections = []
    for section in outline.sections:
        if section_id is not None and section.id != section_id:
            continue
        recs = []
        for rec in section.recommendations:
            actions = [a for a in rec.actions if wanted(a)]
            if actions or not filtering:
                recs.append(replace(rec, actions=actions))
        if recs or not filtering:
            sections.append(replace(section, recommendations=recs))
    return replace(outline, sections=sections)


def current(plan, today=None):
    """The plan as it stands now."""
    today = today or timezone.localdate()
    recommendations = (
        Recommendation.objects.filter(plan=plan)
        .prefetch_related(Prefetch("leads", to_attr="lead_list"))
        .order_by("section__order", "order", "pk")
    )
    actions = (
        Action.objects.filter(recommendation__plan=plan)
        .select_related("rag_override_by")
        .prefetch_related(Prefetch("owner_links", ActionOwner.objects.select_related("owner")))
    )
    newest_first = ("-written_on", "-created_at", "-pk")
    updates = list(
        ProgressUpdate.objects.filter(action__recommendation__plan=plan)
        .order_by(*newest_first)
        .values(*UPDATE_COLUMNS)
    ) + list(
        ProgressUpdate.objects.filter(recommendation__plan=plan)
        .order_by(*newest_first)
        .values(*UPDATE_COLUMNS)
    )
    entries = _group_updates(updates)
    measures = list(Measure.objects.filter(plan=plan))
    behind = _behind_by_action(measures, Reading.objects.filter(measure__plan=plan))
    actions_by_rec = {}
    for action in actions.order_by("order", "pk"):
        owners = [_owner_row(link, link.owner) for link in action.ordered_owner_links]
        row = _action_row(action, owners, entries, today, plan, action.pk in behind)
        actions_by_rec.setdefault(action.recommendation_id, []).append(row)
    recommendations = list(recommendations)
    leads = {rec.id: sorted(str(o) for o in rec.lead_list) for rec in recommendations}
    outline = _assemble(
        plan, plan.sections.all(), recommendations, actions_by_rec, entries.on_recommendations,
        leads, None,
    )  # fmt: skip
    outline.findings = _finding_rows(Finding.objects.filter(inspection__plans=plan))
    return _attach_measures(outline, measures)


def _finding_rows(findings):
    """The findings a plan's preamble may list: all but recommendations, in the report's order
    (by inspection, then kind in the order of its choices, then as numbered)."""
    kinds = list(Finding.Kind.values)
    rows = [f for f in findings if f.kind != Finding.Kind.RECOMMENDATION]
    rows.sort(key=lambda f: (f.inspection_id, kinds.index(f.kind), f.order, f.id))
    return [FindingRow(f.kind, f.reference, f.text) for f in rows]


def _owner_row(link, owner):
    return OwnerRow(name=str(owner), role=link.role, as_written=link.as_written)


def _latest(model, moment, related=(), **filters):
    """Historical records, the latest of each object as of ``moment``, without deleted ones."""
    records = model.history.filter(history_date__lte=moment, **filters).latest_of_each()
    if related:
        records = records.select_related(*related)
    return [r for r in records if r.history_type != "-"]


def _values(record):
    """A historical update as the same values ``current`` reads from the live table."""
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


def as_of(plan, moment):
    """The plan as it stood at ``moment`` (an aware datetime), or None if it did not exist yet."""
    plan_records = _latest(Plan, moment, id=plan.pk)
    if not plan_records:
        return None
    past_plan = plan_records[0].instance
    sections = sorted(_latest(Section, moment, plan_id=plan.pk), key=lambda s: (s.order, s.id))
    section_order = {s.id: i for i, s in enumerate(sections)}
    recs = _latest(Recommendation, moment, plan_id=plan.pk)
    recs.sort(key=lambda r: (section_order.get(r.section_id, len(sections)), r.order, r.id))
    rec_ids = [r.id for r in recs]
    actions = sorted(
        _latest(Action, moment, ("rag_override_by",), recommendation_id__in=rec_ids),
        key=lambda a: (a.order, a.id),
    )
    action_ids = [a.id for a in actions]

    # The owner lists and leads kept with each history record, as they stood then. Owners are
    # named as they are now (an owner's own history is not consulted).
    through = Action.history.model._meta.get_field("historicalactionowner").related_model
    owner_links = list(
        through.objects.filter(history_id__in=[a.history_id for a in actions]).order_by(
            "history_id", "order", "id"
        )
    )
    lead_through = Recommendation.history.model._meta.get_field(
        "historicalrecommendation_leads"
    ).related_model
    lead_links = list(lead_through.objects.filter(history_id__in=[r.history_id for r in recs]))
    owner_ids = {link.owner_id for link in owner_links + lead_links}
    owners = {o.pk: o for o in Owner.objects.filter(pk__in=owner_ids)}
    owners_by_history = {}
    for link in owner_links:
        if link.owner_id in owners:
            row = _owner_row(link, owners[link.owner_id])
            owners_by_history.setdefault(link.history_id, []).append(row)
    leads_by_history = {}
    for link in lead_links:
        if link.owner_id in owners:
            leads_by_history.setdefault(link.history_id, []).append(str(owners[link.owner_id]))
    leads = {r.id: sorted(leads_by_history.get(r.history_id, [])) for r in recs}

    people = ("author", "attributed_to")
    updates = _latest(ProgressUpdate, moment, people, action_id__in=action_ids) + _latest(
        ProgressUpdate, moment, people, recommendation_id__in=rec_ids
    )
    updates.sort(key=lambda u: (u.written_on, u.created_at, u.id), reverse=True)
    entries = _group_updates(_values(u) for u in updates)

    day = timezone.localdate(moment)
    # Ratings as they stood: the rule applied to the rows, updates and readings of then.
    measures = _latest(Measure, moment, plan_id=plan.pk)
    readings = _latest(Reading, moment, measure_id__in=[m.id for m in measures])
    behind = _behind_by_action(measures, readings)
    actions_by_rec = {}
    for action in actions:
        actions_by_rec.setdefault(action.recommendation_id, []).append(
            _action_row(
                action,
                owners_by_history.get(action.history_id, []),
                entries,
                day,
                past_plan,
                action.id in behind,
            )
        )
    outline = _assemble(
        past_plan, sections, recs, actions_by_rec, entries.on_recommendations, leads, moment
    )
    # The findings as recorded then, of the inspections the plan answers now.
    inspections = plan.inspections.values("id")
    outline.findings = _finding_rows(_latest(Finding, moment, inspection_id__in=inspections))
    return _attach_measures(outline, measures)


def rows_version(plan, moment=None):
    """A plain value that changes whenever the plan's rows as they stood at ``moment`` (default:
    now) would: a document made from them can be kept under it and served again until it moves.
    What counts is the one registry of what changes a plan (actionplans.changes)."""
    return changes.rows_version(plan, moment)
