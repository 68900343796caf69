"""History in words: who changed what, from what to what, and when.

The history pages (``HistoryList`` over ``history_sources``) and the clerk's home
(``latest_by_plan``) describe a plan's changes with ``describe``, which words each field with
core.history's ``field_changes``, as the "someone else saved changes" page does.
"""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.forms import GDSMixin
from core.history import field_changes, who

from .models import (
    PROGRESS_KINDS,
    Action,
    Measure,
    Plan,
    ProgressUpdate,
    Recommendation,
    Section,
    UpdateKind,
    decision_note,
)


@dataclass
class Entry:
    when: object
    who: str
    what: str  # "Action CP4 (1)"
    verb: str  # created, changed, deleted
    reason: str
    changes: list

    @property
    def sentence(self):
        """The entry in one line: "Jane Smith changed Action (1a)"."""
        return f"{self.who} {self.verb} {self.what}"


LABELS = {
    Plan: "Plan",
    Section: "Section",
    Recommendation: "Recommendation",
    Action: "Action",
    ProgressUpdate: "Progress update",
    Measure: "Measure",
}
# An entry of an action's log is named by its kind: a sign-off is never called a progress update.
ENTRY_NAMES = {
    UpdateKind.UPDATE: "Progress update",
    UpdateKind.PROPOSAL: "Proposal to complete",
    UpdateKind.SIGN_OFF: "Sign-off",
    UpdateKind.RETURNED: "Return of a proposal",
    UpdateKind.REOPENED: "Reopening",
    UpdateKind.ASSURED: "Assurance",
    UpdateKind.IMPACT_SHOWN: "Impact shown",
    UpdateKind.ASSURED_REOPENED: "Reopening of assurance",
    UpdateKind.IMPACT_REOPENED: "Reopening of impact shown",
}
# A manager's decision, as its history entry reads: "Jane Smith signed off action CP6 as
# complete", then the note or reason it was given, named as what it is.
DECISIONS = {
    UpdateKind.SIGN_OFF: ("signed off", "{action} as complete", "Sign-off note"),
    UpdateKind.RETURNED: ("returned", "the proposal to complete {action} to its owner", "Reason"),
    UpdateKind.REOPENED: ("reopened", "{action}", "Reason"),
    UpdateKind.ASSURED: ("recorded", "{action} as assured", "Evidence"),
    UpdateKind.IMPACT_SHOWN: ("recorded", "the impact of {action} as shown", "Evidence"),
    UpdateKind.ASSURED_REOPENED: ("reopened", "the assurance of {action}", "Reason"),
    UpdateKind.IMPACT_REOPENED: ("reopened", "the impact shown of {action}", "Reason"),
}


def _action_named(record, actions=None):
    """The action a log entry is on, in words ("action CP6 (2)"), or "" if it is gone."""
    if not record.action_id:
        return ""
    if actions is not None:
        on = actions.get(record.action_id)
    else:
        on = Action.objects.filter(pk=record.action_id).select_related("recommendation").first()
    return f"action {on.recommendation.reference} {on.reference}".rstrip() if on else ""


def _name(record, actions=None, recommendations=None):
    """What the record is about, in words ("Action (1a)"); ``actions`` and ``recommendations``
    are lookups by id loaded beforehand, to name many records without a query each."""
    model = record.instance_type
    ref = getattr(record, "reference", "") or getattr(record, "title", "") or ""
    if model is ProgressUpdate:
        on = _action_named(record, actions)
        ref = f"of {record.written_on:%d/%m/%Y}" + (f" on {on}" if on else "")
        return f"{ENTRY_NAMES.get(record.kind, LABELS[model])} {ref}"
    elif model is Action and not ref:
        if recommendations is not None:
            rec = recommendations.get(record.recommendation_id)
        else:
            rec = Recommendation.objects.filter(pk=record.recommendation_id).first()
        ref = f"for {rec.reference}" if rec and rec.reference else ""
    elif model is Measure:
        ref = record.name
    return f"{LABELS[model]} {ref}".strip()


VERBS = {"+": "created", "~": "changed", "-": "deleted"}


def _entry(record, changes=(), actions=None, recommendations=None):
    """The entry of one record; a manager's decision made says what was decided, with its note
    or reason named as such (never as a progress update's text)."""
    entry = Entry(
        when=record.history_date,
        who=who(record),
        what=_name(record, actions, recommendations),
        verb=VERBS[record.history_type],
        reason=record.history_change_reason or "",
        changes=list(changes),
    )
    decided = record.instance_type is ProgressUpdate and record.kind not in PROGRESS_KINDS
    if decided and record.history_type == "+" and record.kind in DECISIONS:
        verb, what, named = DECISIONS[record.kind]
        entry.verb = verb
        entry.what = what.format(action=_action_named(record, actions) or "an action since removed")
        note = decision_note(record.kind, record.text)
        entry.reason = f"{named}: {note}" if note else ""
    return entry


def describe(record):
    """One history record as an entry: who changed which field from what to what, and when."""
    changes = []
    previous = record.prev_record if record.history_type == "~" else None
    if previous is not None:
        changes = field_changes(record, previous)
        if not changes:
            return None  # a save that changed nothing a reader cares about
    return _entry(record, changes)


# Which records make up the history of a plan, a recommendation or an action


def history_sources(plan=None, recommendation=None, action=None):
    """The historical querysets that make up the history of a plan, recommendation or action."""
    if action is not None:
        return [
            Action.history.filter(id=action.pk),
            ProgressUpdate.history.filter(action_id=action.pk),
        ]
    if recommendation is not None:
        action_ids = Action.history.filter(recommendation_id=recommendation.pk).values("id")
        return [
            Recommendation.history.filter(id=recommendation.pk),
            Action.history.filter(recommendation_id=recommendation.pk),
            ProgressUpdate.history.filter(recommendation_id=recommendation.pk),
            ProgressUpdate.history.filter(action_id__in=action_ids),
        ]
    rec_ids = Recommendation.history.filter(plan_id=plan.pk).values("id")
    action_ids = Action.history.filter(recommendation_id__in=rec_ids).values("id")
    return [
        Plan.history.filter(id=plan.pk),
        Section.history.filter(plan_id=plan.pk),
        Recommendation.history.filter(plan_id=plan.pk),
        Action.history.filter(recommendation_id__in=rec_ids),
        ProgressUpdate.history.filter(action_id__in=action_ids),
        ProgressUpdate.history.filter(recommendation_id__in=rec_ids),
        Measure.history.filter(plan_id=plan.pk),
    ]


# Kinds of change a reader can narrow a history page to. Each says, for a model's history
# records, which of them are of that kind (None: none are).
CREATED_OR_DELETED = Q(history_type__in=["+", "-"])
KINDS = {
    "progress": (
        "Progress updates, proposals and sign-offs",
        {ProgressUpdate: Q()},
    ),
    "edits": (
        "Edits to actions and recommendations",
        {Action: Q(history_type="~"), Recommendation: Q(history_type="~")},
    ),
    "structure": (
        "Plan details and structure (sections, measures, items added or removed)",
        {
            Plan: Q(),
            Section: Q(),
            Measure: Q(),
            Action: CREATED_OR_DELETED,
            Recommendation: CREATED_OR_DELETED,
        },
    ),
}


def _start_of(day):
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def narrow(sources, *, since=None, until=None, kinds=()):
    """Only the records changed on or after ``since``, on or before ``until``, of ``kinds``."""
    narrowed = []
    for qs in sources:
        if since:
            qs = qs.filter(history_date__gte=_start_of(since))
        if until:
            qs = qs.filter(history_date__lt=_start_of(until + dt.timedelta(days=1)))
        if kinds:
            model = qs.model.instance_type
            rules = [KINDS[k][1][model] for k in kinds if model in KINDS[k][1]]
            if not rules:
                continue
            rule = rules[0]
            for other in rules[1:]:
                rule |= other
            qs = qs.filter(rule)
        narrowed.append(qs)
    return narrowed


class HistoryFilterForm(GDSMixin, forms.Form):
    """A history page's filters, in its address (?since=&until=&kind=), so it can be shared."""

    since = forms.DateField(
        label="Changed on or after",
        required=False,
    )
    until = forms.DateField(
        label="Changed on or before",
        required=False,
    )
    kind = forms.MultipleChoiceField(
        label="Kind of change",
        required=False,
        choices=[(key, label) for key, (label, _) in KINDS.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose kinds of change from the list."},
        help_text="Leave all unticked to see every kind.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_gds()

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error(
                "until",
                "The ‘on or before’ date must be the same as or after the ‘on or after’ date.",
            )
        return data

    def narrowing(self):
        """The arguments for ``narrow`` (nothing when the form is unbound or empty)."""
        if not self.is_bound:
            return {}
        data = self.cleaned_data
        return {
            "since": data.get("since"),
            "until": data.get("until"),
            "kinds": data.get("kind") or (),
        }


class HistoryList:
    """Newest-first history records across several models, sliceable for a Paginator."""

    def __init__(self, sources):
        self.sources = sources
        keys = []
        for index, qs in enumerate(sources):
            keys.extend(
                (date, index, pk) for date, pk in qs.values_list("history_date", "history_id")
            )
        keys.sort(reverse=True)
        self.keys = keys

    def __len__(self):
        return len(self.keys)

    def count(self):
        return len(self.keys)

    def __getitem__(self, item):
        keys = self.keys[item]
        wanted = {}
        for _, index, pk in keys:
            wanted.setdefault(index, []).append(pk)
        found = {}
        for index, pks in wanted.items():
            qs = self.sources[index].filter(history_id__in=pks).select_related("history_user")
            for record in qs:
                found[(index, record.history_id)] = record
        entries = (describe(found[(index, pk)]) for _, index, pk in keys)
        return [entry for entry in entries if entry is not None]


# What changed in each plan lately (the clerk's home)


def _by_plan():
    """Each model's history records with the id of the plan they belong to, as plans stand now."""
    rec_plan = Recommendation.objects.filter(pk=OuterRef("recommendation_id")).values("plan_id")
    action_plan = Action.objects.filter(pk=OuterRef("action_id")).values("recommendation__plan_id")
    return [
        Plan.history.annotate(plan_key=F("id")),
        Section.history.annotate(plan_key=F("plan_id")),
        Recommendation.history.annotate(plan_key=F("plan_id")),
        Action.history.annotate(plan_key=Subquery(rec_plan)),
        ProgressUpdate.history.annotate(
            plan_key=Coalesce(Subquery(action_plan[:1]), Subquery(rec_plan[:1]))
        ),
        Measure.history.annotate(plan_key=F("plan_id")),
    ]


@dataclass
class PlanActivity:
    changes: int = 0  # history records since the date asked about
    updates: int = 0  # of which progress updates, proposals, sign-offs and returns
    latest: Entry | None = None  # the plan's latest change of any date, in one line


def latest_by_plan(plan_ids, since):
    """For each plan id: how many changes since ``since`` and its latest change, in words.

    A fixed number of queries however many plans and records: one count and one latest date per
    model, one fetch of the latest records per model, and one lookup for naming them.
    """
    plan_ids = list(plan_ids)
    activity = {pk: PlanActivity() for pk in plan_ids}
    newest = {}  # plan id -> (date, source index)
    sources = [qs.filter(plan_key__in=plan_ids) for qs in _by_plan()]
    for index, qs in enumerate(sources):
        rows = qs.values("plan_key").annotate(
            recent=Count("history_id", filter=Q(history_date__gte=since)),
            latest=Max("history_date"),
        )
        for row in rows.order_by():
            found = activity[row["plan_key"]]
            found.changes += row["recent"]
            if qs.model.instance_type is ProgressUpdate:
                found.updates += row["recent"]
            if row["plan_key"] not in newest or row["latest"] > newest[row["plan_key"]][0]:
                newest[row["plan_key"]] = (row["latest"], index)
    records = []
    for index, qs in enumerate(sources):
        wanted = {pk: when for pk, (when, i) in newest.items() if i == index}
        if not wanted:
            continue
        found = qs.filter(plan_key__in=wanted, history_date__in=set(wanted.values()))
        for record in found.select_related("history_user").order_by("history_date"):
            if wanted.get(record.plan_key) == record.history_date:
                records.append(record)
    actions = {
        a.pk: a
        for a in Action.objects.filter(
            pk__in=[r.action_id for r in records if r.instance_type is ProgressUpdate]
        ).select_related("recommendation")
    }
    recommendations = Recommendation.objects.filter(
        pk__in=[r.recommendation_id for r in records if r.instance_type is Action]
    ).in_bulk()
    for record in records:  # oldest first, so a tie leaves the last saved
        activity[record.plan_key].latest = _entry(record, (), actions, recommendations)
    return activity
