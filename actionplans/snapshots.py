"""A plan as plain rows: as it stands now, or as it stood at a past moment (from its history).

Pages (and later the committee appendix) render these rows, so "now" and "as it stood on" share one
shape and one template. Both paths run a fixed number of queries whatever the plan's size.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from . import rag
from .models import Action, Owner, Plan, ProgressUpdate, Recommendation, Section


@dataclass
class UpdateRow:
    id: int
    kind: str
    kind_label: str
    written_on: object
    period_label: str
    text: str
    author: str
    evidence: list = field(default_factory=list)


@dataclass
class ActionRow:
    id: int
    reference: str
    text: str
    owners: list
    owners_as_written: str
    planned_completion_text: str
    planned_completion_date: object
    status: str
    status_label: str
    rag: str
    rag_label: str
    updates: list

    @property
    def latest_update(self):
        return self.updates[0] if self.updates else None

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

    @property
    def latest_update(self):
        return self.updates[0] if self.updates else None


@dataclass
class SectionRow:
    id: int
    title: str
    recommendations: list


@dataclass
class Outline:
    plan: Plan
    sections: list
    at: object = None  # None: as it stands now

    @property
    def action_count(self):
        return sum(len(r.actions) for s in self.sections for r in s.recommendations)


def _update_row(update, evidence=()):
    author = update.author.get_full_name() or update.author.get_username() if update.author else ""
    if not author and update.attributed_to_id:
        author = str(update.attributed_to)
    return UpdateRow(
        id=update.id,
        kind=update.kind,
        kind_label=ProgressUpdate.Kind(update.kind).label,
        written_on=update.written_on,
        period_label=update.period_label,
        text=update.text,
        author=author,
        evidence=list(evidence),
    )


def _action_row(action, owners, updates, today):
    rating = rag.rate(action, today)
    return ActionRow(
        id=action.id,
        reference=action.reference,
        text=action.text,
        owners=owners,
        owners_as_written=action.owners_as_written,
        planned_completion_text=action.planned_completion_text,
        planned_completion_date=action.planned_completion_date,
        status=action.status,
        status_label=Action.Status(action.status).label,
        rag=rating.value,
        rag_label=rating.label,
        updates=updates,
    )


def _assemble(plan, sections, recommendations, actions_by_rec, rec_updates, at):
    # .id, not .pk: on historical records pk is the history row's id.
    rows = {s.id: SectionRow(s.id, s.title, []) for s in sections}
    loose = SectionRow(None, "", [])
    for rec in recommendations:
        row = RecommendationRow(
            id=rec.id,
            reference=rec.reference,
            text=rec.text,
            leads=[str(o) for o in getattr(rec, "lead_list", [])],
            updates=rec_updates.get(rec.id, []),
            actions=actions_by_rec.get(rec.id, []),
        )
        rows.get(rec.section_id, loose).recommendations.append(row)
    ordered = list(rows.values()) + ([loose] if loose.recommendations else [])
    return Outline(plan=plan, sections=ordered, at=at)


def current(plan, today=None):
    """The plan as it stands now."""
    today = today or timezone.localdate()
    updates = ProgressUpdate.objects.select_related("author", "attributed_to").prefetch_related(
        "evidence"
    )
    recommendations = (
        Recommendation.objects.filter(plan=plan)
        .prefetch_related(
            Prefetch("leads", to_attr="lead_list"),
            Prefetch("updates", queryset=updates),
            Prefetch(
                "actions",
                queryset=Action.objects.prefetch_related(
                    "owners", Prefetch("updates", queryset=updates)
                ),
            ),
        )
        .order_by("section__order", "order", "pk")
    )
    actions_by_rec, rec_updates = {}, {}
    for rec in recommendations:
        rec_updates[rec.pk] = [_update_row(u, u.evidence.all()) for u in rec.updates.all()]
        actions_by_rec[rec.pk] = [
            _action_row(
                a,
                [str(o) for o in a.owners.all()],
                [_update_row(u, u.evidence.all()) for u in a.updates.all()],
                today,
            )
            for a in rec.actions.all()
        ]
    return _assemble(plan, plan.sections.all(), recommendations, actions_by_rec, rec_updates, None)


def _latest(model, moment, related=(), **filters):
    """Historical records, the latest of each object as of ``moment``, without deleted ones."""
    records = model.history.filter(history_date__lte=moment, **filters).latest_of_each()
    if related:
        records = records.select_related(*related)
    return [r for r in records if r.history_type != "-"]


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
        _latest(Action, moment, recommendation_id__in=rec_ids), key=lambda a: (a.order, a.id)
    )
    action_ids = [a.id for a in actions]

    through = Action.history.model._meta.get_field("historicalaction_owners").related_model
    owner_links = through.objects.filter(history_id__in=[a.history_id for a in actions])
    owner_names = {o.pk: str(o) for o in Owner.objects.filter(
        pk__in=owner_links.values("owner_id"))}  # fmt: skip
    owners_by_history = {}
    for link in owner_links:
        owners_by_history.setdefault(link.history_id, []).append(owner_names[link.owner_id])

    people = ("author", "attributed_to")
    updates = _latest(ProgressUpdate, moment, people, action_id__in=action_ids) + _latest(
        ProgressUpdate, moment, people, recommendation_id__in=rec_ids
    )
    updates.sort(key=lambda u: (u.written_on, u.created_at), reverse=True)
    by_action, by_rec = {}, {}
    for update in updates:
        row = _update_row(update)
        if update.action_id:
            by_action.setdefault(update.action_id, []).append(row)
        else:
            by_rec.setdefault(update.recommendation_id, []).append(row)

    day = timezone.localdate(moment)
    actions_by_rec = {}
    for action in actions:
        actions_by_rec.setdefault(action.recommendation_id, []).append(
            _action_row(
                action,
                sorted(owners_by_history.get(action.history_id, [])),
                by_action.get(action.id, []),
                day,
            )
        )
    return _assemble(past_plan, sections, recs, actions_by_rec, by_rec, moment)
