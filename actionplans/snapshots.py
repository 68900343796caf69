"""A plan as plain rows: as it stands now, or as it stood at a past moment (from its history).

Pages and the committee appendix render these rows, so "now" and "as it stood on" share one shape
and one template. Both paths run a fixed number of queries whatever the plan's size. Here: what
each path reads (``current``, ``as_of``), narrowing rows already read (``narrow``), and the value
that moves when the rows would (``rows_version``). What a row holds is ``snapshot_rows``'s; how the
records read become rows, ``snapshot_assembly``'s.
"""

from collections import Counter
from dataclasses import dataclass, replace

from django.db.models import Prefetch
from django.utils import timezone

from core.history import history_of
from inspections.models import Finding

from . import changes, publication, rag
from .changes_between import PlanChanges, changes_between
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
)
from .snapshot_assembly import (
    UPDATE_COLUMNS,
    action_row,
    assemble,
    attach_measures,
    behind_by_action,
    finding_rows,
    group_updates,
    owner_row,
    update_values,
)
from .snapshot_rows import Outline

__all__ = [
    "Outline",
    "PlanChanges",
    "as_of",
    "changes_between",
    "current",
    "narrow",
    "rows_version",
]


def current(plan, today=None, *, public=False, latest=False):
    """The plan as it stands now (``public``: its public version, see ``publication.redact``;
    ``latest``: only the latest progress of each action and recommendation is read, with how
    many came before, as the plan page shows them by default)."""
    today = today or timezone.localdate()
    shape = _kept_shape(plan)
    updates, unread = _updates(plan, latest)
    entries = group_updates(updates)
    actions_by_rec = {}
    for action in shape.actions:
        row = action_row(
            action,
            shape.owners_of.get(action.pk, []),
            entries,
            today,
            plan,
            action.pk in shape.behind,
        )
        row.unread_updates = unread[action.pk]
        actions_by_rec.setdefault(action.recommendation_id, []).append(row)
    outline = assemble(
        plan,
        shape.sections,
        shape.recommendations,
        actions_by_rec,
        entries.on_recommendations,
        shape.leads,
        None,
    )
    outline.findings = list(shape.findings)
    return _public(attach_measures(outline, shape.measures), public)


@dataclass
class Shape:
    """What ``current`` reads of a plan but its progress: sections, recommendations and their
    leads, actions and their owners, measures and whether each action is behind on one, and the
    findings. Records as read, leads and owners as plain values."""

    sections: list
    recommendations: list
    leads: dict  # a recommendation's id: its leads' names
    actions: list
    owners_of: dict  # an action's id: its owners (owner_row)
    measures: list
    behind: set  # the ids of the actions behind on a measure
    findings: list


def shape_of(plan):
    """The plan's ``Shape``, read now."""
    recommendations = list(
        Recommendation.objects.filter(plan=plan)
        .prefetch_related(Prefetch("leads", to_attr="lead_list"))
        .order_by("section__order", "order", "pk")
    )
    # The manager who set an override, by name: the outline is kept in the pages cache, which
    # has no business holding a password's hash or an address.
    actions = (
        Action.objects.filter(recommendation__plan=plan)
        .select_related("rag_override_by")
        .defer("rag_override_by__password", "rag_override_by__email")
    )
    # The owners as values, not records: hundreds of links and owners made cost a fifth of it.
    owners_of = {}
    links = ActionOwner.objects.filter(action__recommendation__plan=plan).order_by("order", "pk")
    for action_id, *owner in links.values_list(
        "action_id", "owner__name", "owner__initials", "role", "as_written"
    ):
        owners_of.setdefault(action_id, []).append(owner_row(*owner))
    measures = list(Measure.objects.filter(plan=plan))
    return Shape(
        sections=list(plan.sections.all()),
        recommendations=recommendations,
        leads={rec.id: sorted(str(o) for o in rec.lead_list) for rec in recommendations},
        actions=list(actions.order_by("order", "pk")),
        owners_of=owners_of,
        measures=measures,
        behind=behind_by_action(measures, Reading.objects.filter(measure__plan=plan)),
        findings=finding_rows(Finding.objects.filter(inspection__plans=plan)),
    )


def _kept_shape(plan):
    """``shape_of``, kept under the plan's ``outline_token``, which every change but progress
    replaces (changes.py, ``progress``): after a progress update the plan is read again only for
    its updates (issue 28: a write makes readers pay for the rows it changed). The token is read
    from the database, not taken from ``plan`` (which may have been read before a change the
    caller made since), and first: what is read after it is never older than it."""
    from .page_cache import key_of, reuse

    token = Plan.objects.filter(pk=plan.pk).values_list("outline_token", flat=True).first()
    return reuse(key_of("shape", plan.pk, token), lambda: shape_of(plan))


NEWEST_FIRST = ("-written_on", "-created_at", "-pk")


def _updates(plan, latest):
    """The plan's updates' values (UPDATE_COLUMNS), newest first, and how many progress updates
    of each action were left unread. ``latest``: of progress, only the latest of each action and
    recommendation (a plan of 2,000 updates reads 200); every decision, which names the status."""
    mine = [
        ProgressUpdate.objects.filter(action__recommendation__plan=plan),
        ProgressUpdate.objects.filter(recommendation__plan=plan),
    ]
    unread = Counter()
    if not latest:
        rows = [row for q in mine for row in q.order_by(*NEWEST_FIRST).values(*UPDATE_COLUMNS)]
        return rows, unread
    wanted, seen = [], set()
    for q in mine:
        for pk, action_id, rec_id, kind in q.order_by(*NEWEST_FIRST).values_list(
            "pk", "action_id", "recommendation_id", "kind"
        ):
            if kind in PROGRESS_KINDS:
                if (action_id, rec_id) in seen:
                    unread[action_id] += 1
                    continue
                seen.add((action_id, rec_id))
            wanted.append(pk)
    rows = ProgressUpdate.objects.filter(pk__any_of=wanted).order_by(*NEWEST_FIRST)
    return list(rows.values(*UPDATE_COLUMNS)), unread


def _latest(model, moment, related=(), **filters):
    """Historical records, the latest of each object as of ``moment``, without deleted ones."""
    records = history_of(model).filter(history_date__lte=moment, **filters).latest_of_each()
    if related:
        records = records.select_related(*related)
    return [r for r in records if r.history_type != "-"]


def as_of(plan, moment, *, public=False):
    """The plan as it stood at ``moment`` (an aware datetime), or None if it did not exist yet
    (``public``: its public version, see ``publication.redact``)."""
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
            owner = owners[link.owner_id]
            row = owner_row(owner.name, owner.initials, link.role, link.as_written)
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
    entries = group_updates(update_values(u) for u in updates)

    day = timezone.localdate(moment)
    # Ratings as they stood: the rule applied to the rows, updates and readings of then.
    measures = _latest(Measure, moment, plan_id=plan.pk)
    readings = _latest(Reading, moment, measure_id__in=[m.id for m in measures])
    behind = behind_by_action(measures, readings)
    actions_by_rec = {}
    for action in actions:
        actions_by_rec.setdefault(action.recommendation_id, []).append(
            action_row(
                action,
                owners_by_history.get(action.history_id, []),
                entries,
                day,
                past_plan,
                action.id in behind,
            )
        )
    outline = assemble(
        past_plan, sections, recs, actions_by_rec, entries.on_recommendations, leads, moment
    )
    # The findings as recorded then, of the inspections the plan answers now.
    inspections = plan.inspections.values("id")
    outline.findings = finding_rows(_latest(Finding, moment, inspection_id__in=inspections))
    return _public(attach_measures(outline, measures), public)


def _public(outline, public):
    """The rows as they are, or their public version: nothing not for publication in them."""
    return publication.redact(outline) if public else outline


NEEDS_ATTENTION = {rag.Rag.RED.value, rag.Rag.AMBER_RED.value, rag.Rag.AMBER.value}


def narrow(outline, *, open_only=False, red_amber=False, section_id=None, action_ids=None):
    """The outline with only the rows asked for: open actions, red and amber ones, one section.

    ``action_ids``: only those actions (the ones a list of changes names).
    Works on rows already read, so narrowing adds no queries; names stay those of the whole plan.
    A recommendation (and a section) left without actions by an action filter is left out.
    """

    def wanted(action):
        if action_ids is not None and action.id not in action_ids:
            return False
        if open_only and action.status == Action.Status.COMPLETE:
            return False
        return not red_amber or action.rag in NEEDS_ATTENTION

    filtering = open_only or red_amber or action_ids is not None
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


def rows_version(plan, moment=None, *, public=False):
    """A plain value that changes whenever the plan's rows as they stood at ``moment`` (default:
    now) would: a document made from them can be kept under it and served again until it moves.
    What counts is the one registry of what changes a plan (actionplans.changes). The public
    version's rows are other rows: never served for the full ones, nor the full for them.

    Working it out reads the plan's history, a query a kind of record; it is kept under the
    plan's ``rows_token``, which every change the registry counts replaces (for any moment), so
    a download asks it again only after a change (issue 28). The token is read first: what is
    worked out after it is never older than it."""
    if moment is not None and _to_come(moment):
        # The rows at a moment later today (the appendix as at today) are the rows now, and the
        # token moves with every change before it: no history to read after each write (15-22
        # ms of a download, issue 28). An owner the plan does not name, renamed, moves it too,
        # as it moves the plan's pages.
        version = {"rows token": _token(plan)}
    else:
        version = _kept("rows version", plan, moment, lambda: changes.rows_version(plan, moment))
    return {**version, "public": True} if public else version


def kept_as_of(plan, moment, *, public=False):
    """``as_of``, kept under the plan's rows token as ``rows_version`` is: after a change, the
    appendix in Word and then in Excel read the history once between them, not once each.

    A moment later today that has not come yet (the end of today: the appendix as at today, the
    one clerks download) is the rows as they stand, read from the plan's tables (``current``,
    in under half the time of its history): what happens before that moment is a change, which
    gives the plan a new token. tests/test_changes.py holds them to ``as_of`` after every kind
    of change, tests/test_rows_today.py on the seed plans, full and public."""

    def make():
        if _to_come(moment):
            # Read after the token, as the rows are: never older than it.
            now = Plan.objects.filter(pk=plan.pk).first()
            if now is not None:
                return replace(current(now, timezone.localdate(), public=public), at=moment)
        return as_of(plan, moment, public=public)

    return _kept(f"as of {public}", plan, moment, make)


def _to_come(moment):
    """Whether ``moment`` is later today and has not come: the rows then are the rows now, and
    whatever happens before it is a change, which gives the plan a new rows token."""
    return timezone.now() <= moment and timezone.localdate(moment) == timezone.localdate()


def _token(plan):
    return Plan.objects.filter(pk=plan.pk).values_list("rows_token", flat=True).first()


def _kept(what, plan, moment, make):
    """``make()``, kept for the plan's rows token and ``moment``. The token is read first: what
    is made after it is never older than it."""
    from .page_cache import key_of, reuse

    at = moment.isoformat() if moment else None
    return reuse(key_of(what, plan.pk, _token(plan), at), make)
