"""What changes a plan: one registry, which everything that keeps what a plan shows follows.

For every model whose records a plan's pages or appendices show (each model with history, and the
users they name), it says which plans a change to one record changes (``plans``), and where a
plan's rows as they stood at a moment read it from: its history (``recorded``, up to the moment,
or at any time when the rows show it as it is now: owners) or, for what no history dates, its
values as they are now (``now``: users' names, the plan's inspections). Three readers follow it:

- the page cache (page_cache.bump): those plans get a new rows token, in the change's transaction,
  and a new outline token unless the model is registered as progress only (``progress``);
- the render store's key (reporting.renders.key, through snapshots.rows_version): ``rows_version``;
- rendering ahead (reporting.signals): those plans' current appendices, queued when it commits.

A change is seen through simple-history's record of it, so every write that keeps history counts
(a many-to-many change too, and an action's owner links, which its record keeps); users, whom
history does not record, through their saves that change a name, and their deletion.
tests/test_changes.py fails when a model with history, or one such a model points to, is missing.
Arrows point one way: reporting registers its own models here (reporting.signals); nothing here
imports reporting. Who may see and do what (roles, shares) is not here: the page cache keys each
reader's pages by who they are and which plans they see.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Max, Q, Subquery, Value
from django.db.models.signals import post_delete, post_save, pre_save
from simple_history.signals import post_create_historical_record

from core.history import history_of
from core.people import SHOWN_FIELDS, name_from_parts
from inspections.models import Finding, Inspection, Judgement

from .models import (
    Action,
    CompletionStep,
    DateMove,
    Evidence,
    Measure,
    Owner,
    Plan,
    PlanShare,
    ProgressUpdate,
    PublicationPolicy,
    Reading,
    Recommendation,
    Section,
    Withholding,
)

User = get_user_model()
EVERY = None  # what ``plans`` answers for a change that may show on every plan


def no_plan(instance):
    """``plans`` of a model no plan's pages or appendices show (the reason is beside each)."""
    return []


@dataclass(frozen=True)
class Source:
    model: type
    plans: Callable  # a record -> the ids of the plans a change to it changes, or EVERY
    recorded: Callable | None = None  # a plan -> the querysets of this model's history it reads
    as_now: bool = False  # the rows show it as it is now, even as they stood: any time counts
    now: Callable | None = None  # (plan, moment) -> plain values shown as they are now
    # A change to it changes the plan's progress only, never its outline (snapshots.Shape:
    # sections, recommendations, actions, owners, measures, findings).
    progress: bool = False


SOURCES = {}


def register(model, plans, recorded=None, *, as_now=False, now=None, progress=False):
    SOURCES[model] = Source(model, plans, recorded, as_now, now, progress)


def _source_of(instance):
    return SOURCES.get(instance._meta.concrete_model)


def plans_changed_by(instance):
    """The ids of the plans a change to ``instance`` changes (EVERY: every plan). A model not
    registered counts as changing every plan: never stale (and the test fails)."""
    source = _source_of(instance)
    return EVERY if source is None else source.plans(instance)


# --- The plan's own records ------------------------------------------------------------------


def _plans_of(recommendations):
    found = Recommendation.objects.filter(recommendations).values_list("plan_id", flat=True)
    return list(found.distinct())


def _action_plans(action):  # and the plan it was moved out of, if it was
    held = history_of(Action).filter(id=action.pk).values("recommendation_id")
    return _plans_of(Q(pk=action.recommendation_id) | Q(pk__in=held))


def _update_plans(update):
    return _plans_of(Q(pk=update.recommendation_id) | Q(actions=update.action_id))


def _rec_ids(plan):
    return history_of(Recommendation).filter(plan_id=plan.pk).values("id")


def _action_ids(plan):
    return history_of(Action).filter(recommendation_id__in=_rec_ids(plan)).values("id")


def _inspection_plans(inspection_id):
    return list(Plan.objects.filter(inspections=inspection_id).values_list("pk", flat=True))


register(Plan, lambda plan: [plan.pk], lambda plan: [history_of(Plan).filter(id=plan.pk)])
register(
    Section,
    lambda section: [section.plan_id],
    lambda plan: [history_of(Section).filter(plan_id=plan.pk)],
)
register(
    Recommendation,
    lambda rec: [rec.plan_id],
    lambda plan: [history_of(Recommendation).filter(plan_id=plan.pk)],
)
register(  # its owner links (ActionOwner, written in bulk) are kept in its own history record
    Action,
    _action_plans,
    lambda plan: [history_of(Action).filter(recommendation_id__in=_rec_ids(plan))],
)
register(
    ProgressUpdate,
    _update_plans,
    lambda plan: [
        history_of(ProgressUpdate).filter(action_id__in=_action_ids(plan)),
        history_of(ProgressUpdate).filter(recommendation_id__in=_rec_ids(plan)),
    ],
    progress=True,  # a status it sets is saved on the action: a change to the outline
)
register(
    Measure,
    lambda measure: [measure.plan_id],
    lambda plan: [history_of(Measure).filter(plan_id=plan.pk)],
)
register(
    Reading,
    lambda reading: list(
        Measure.objects.filter(pk=reading.measure_id).values_list("plan_id", flat=True)
    ),
    lambda plan: [
        history_of(Reading).filter(
            measure_id__in=history_of(Measure).filter(plan_id=plan.pk).values("id")
        )
    ],
)
# A move of a planned completion is written with its action's history record, which changes the
# plan (its rows keep the first date and the count of moves); the dashboards add the moves up.
register(DateMove, lambda move: _action_plans(move.action))
# The ladder's steps above signed off: the action's page, and the plan's status words.
register(
    CompletionStep,
    lambda step: _plans_of(Q(actions=step.action_id)),
    lambda plan: [history_of(CompletionStep).filter(action_id__in=_action_ids(plan))],
)
# Evidence is listed on its action's own page, made afresh each time; the rows only count it.
register(Evidence, no_plan)
# A share changes who sees the plan, not what it shows: readers' keys list the plans they see.
register(PlanShare, no_plan)


# --- What is not published (the public version: actionplans.publication) --------------------


def _withholding_plans(mark):
    if mark.update_id:
        update = ProgressUpdate.objects.filter(pk=mark.update_id).first()
        return _update_plans(update) if update else []
    return _plans_of(Q(actions=mark.action_id))


# The public version honours the marks as they are now, even as the rows stood: any time counts.
register(
    Withholding,
    _withholding_plans,
    lambda plan: [
        history_of(Withholding).filter(
            Q(action_id__in=_action_ids(plan))
            | Q(
                update_id__in=history_of(ProgressUpdate)
                .filter(action_id__in=_action_ids(plan))
                .values("id")
            )
            | Q(
                update_id__in=history_of(ProgressUpdate)
                .filter(recommendation_id__in=_rec_ids(plan))
                .values("id")
            )
        )
    ],
    as_now=True,
)
register(
    PublicationPolicy,
    lambda policy: list(
        Plan.objects.filter(organisation=policy.organisation).values_list("pk", flat=True)
    ),
    now=lambda plan, moment: (
        PublicationPolicy.objects.filter(organisation=plan.organisation)
        .values_list("name_from", flat=True)
        .first()
    ),
)


# --- Its inspections -------------------------------------------------------------------------

# Named in the action list's inspection filter and the manager's dashboard.
register(Inspection, lambda inspection: list(inspection.plans.values_list("pk", flat=True)))
# Shown on the inspection's own page only, made afresh each time.
register(Judgement, no_plan)
register(
    Finding,
    lambda finding: _inspection_plans(finding.inspection_id),
    lambda plan: [history_of(Finding).filter(inspection_id__in=plan.inspections.values("id"))],
    # The rows as they stood list the findings of the inspections the plan answers now.
    now=lambda plan, moment: sorted(plan.inspections.values_list("pk", flat=True)),
)


# --- Who the rows name -----------------------------------------------------------------------

# The fields of a plan's records that name an owner or a user, which the rows show as they are now
# (in the rows as they stood too: snapshots.as_of): an action's owners, a recommendation's leads,
# whom an update is attributed to; the author of a log entry (progress or decision) and the
# manager who set an override (people.person_name).
NAMED_BY = {
    Owner: {Action: "owners", Recommendation: "leads", ProgressUpdate: "attributed_to"},
    User: {ProgressUpdate: "author", Action: "rag_override_by"},
}


def _upto(records, moment):
    return records if moment is None else records.filter(history_date__lte=moment)


def named(model, plan, moment=None, key="pk"):
    """A filter of the ``model`` records (owners, users) that the plan's records, as recorded up
    to ``moment``, name (NAMED_BY), by their ``key`` ("id" for their history records)."""
    from simple_history.models import HistoricalRecords

    found = []
    for by, name in NAMED_BY[model].items():
        field = by._meta.get_field(name)
        for records in SOURCES[by].recorded(plan):
            records = _upto(records, moment)
            if field.many_to_many:  # the links each history record keeps
                links = HistoricalRecords.m2m_models[field].objects.filter(history__in=records)
                found.append(Q(**{f"{key}__in": links.values(field.m2m_reverse_field_name())}))
            else:
                found.append(Q(**{f"{key}__in": records.values(field.attname)}))
    return Q(*found, _connector=Q.OR)


# Owners are named as they are now, so a change to one the plan names counts whenever it is made
# (a deletion too); they are named on every plan's pages (the dashboards, the action list's filter).
register(
    Owner,
    lambda owner: EVERY,
    lambda plan: [history_of(Owner).filter(named(Owner, plan, key="id"))],
    as_now=True,
)


def _names(plan, moment):
    """The users the plan's records up to ``moment`` name, with their names as shown now: users
    are not in history, so the key holds their names."""
    users = User.objects.filter(named(User, plan, moment)).order_by("pk")
    return [[pk, name_from_parts(*parts)] for pk, *parts in users.values_list("pk", *SHOWN_FIELDS)]


# A user is named across plans: in rows (authors, overrides), in history's "who" (the clerk's
# home) and on their own pages ("Signed in as").
register(User, lambda user: EVERY, now=_names)


# --- What the readers ask --------------------------------------------------------------------


def changed_at(plan, moment=None):
    """When anything the plan's rows show, as they stood at ``moment`` (default: now), was last
    recorded: up to ``moment``, or at any time for what they show as it is now (owners)."""
    latest = []
    for source in SOURCES.values():
        for records in source.recorded(plan) if source.recorded else []:
            records = records if source.as_now else _upto(records, moment)
            # The latest of these records, as a column of one query for them all (not one each).
            one = records.order_by().annotate(all=Value(1)).values("all")
            latest.append(Subquery(one.annotate(at=Max("history_date")).values("at")))
    if not latest:
        return None
    found = Plan.objects.filter(pk=plan.pk).values_list(*latest).first() or ()
    return max((at for at in found if at is not None), default=None)


def rows_version(plan, moment=None):
    """A plain value that changes whenever the plan's rows as they stood at ``moment`` would: when
    they last changed, and what they show as it is now (users' names, the plan's inspections).
    A document made from the rows can be kept under it and served again until it moves."""
    changed = changed_at(plan, moment)
    version = {"changed": changed.isoformat() if changed else None}
    for source in SOURCES.values():
        if source.now is not None:
            version[source.model._meta.label] = source.now(plan, moment)
    return version


# --- Telling the readers ---------------------------------------------------------------------

_watchers = []


def watch(receiver):
    """Call ``receiver(plan_ids, outline=...)`` (EVERY: every plan) in the transaction of every
    change to what a plan shows, as this registry says; ``outline`` False when only the plans'
    progress changed."""
    if receiver not in _watchers:
        _watchers.append(receiver)


def _tell(plan_ids, outline=True):
    if plan_ids is EVERY or plan_ids:
        for receiver in _watchers:
            receiver(plan_ids, outline=outline)


def changes_outline(instance):
    """Whether a change to ``instance`` may change a plan's outline (all but progress; a model
    not registered counts as changing it)."""
    source = _source_of(instance)
    return source is None or not source.progress


def _recorded(sender, instance, **kwargs):
    _tell(plans_changed_by(instance), outline=changes_outline(instance))


def _name_before(sender, instance, raw=False, update_fields=None, **kwargs):
    # A sign-in records only its time (update_fields=["last_login"]): nothing to read.
    if raw or instance.pk is None or (update_fields and not set(update_fields) & {*SHOWN_FIELDS}):
        instance._name_before = None
        return
    before = User._default_manager.filter(pk=instance.pk).values_list(*SHOWN_FIELDS).first()
    instance._name_before = before


def _user_saved(sender, instance, created, raw=False, **kwargs):
    before = instance.__dict__.pop("_name_before", None)
    if created or raw or before is None:
        return
    if before != tuple(getattr(instance, field) for field in SHOWN_FIELDS):
        _tell(plans_changed_by(instance))


def _user_deleted(sender, instance, **kwargs):
    _tell(plans_changed_by(instance))


post_create_historical_record.connect(_recorded, dispatch_uid="changes_recorded")
pre_save.connect(_name_before, sender=User, dispatch_uid="changes_user_before")
post_save.connect(_user_saved, sender=User, dispatch_uid="changes_user_saved")
post_delete.connect(_user_deleted, sender=User, dispatch_uid="changes_user_deleted")
