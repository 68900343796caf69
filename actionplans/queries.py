"""Questions pages ask of the data: a user's work list, the action list, history in words."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max

from . import rag, rules
from .models import Action, Measure, Owner, Plan, ProgressUpdate, Recommendation, Section
from .people import person_name

DUE_SOON_DAYS = 30
STALE_DAYS = 30


def with_list_columns(actions, today):
    """Actions with what lists show: plan, owners, RAG and the date of the last update."""
    return (
        rag.annotate(actions, today)
        .annotate(last_update_on=Max("updates__written_on"))
        .select_related("recommendation__plan")
        .prefetch_related("owners")
    )


def stale(actions, today):
    """Open actions with no update for STALE_DAYS days (or none at all)."""
    since = today - dt.timedelta(days=STALE_DAYS)
    recent = ProgressUpdate.objects.filter(written_on__gte=since).values("action_id")
    return actions.open().exclude(pk__in=recent)


def my_work(user, today):
    """The signed-in user's home page groups, each with its total and its first actions."""
    mine = Action.objects.filter(pk__in=rules.owned_actions(user).values("pk"))
    groups = {
        "overdue": mine.overdue(on=today),
        "due_soon": mine.open().filter(
            planned_completion_date__gte=today,
            planned_completion_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
        ),
        "stale": stale(mine, today),
    }
    if user.has_perm("actionplans.sign_off_action"):
        groups["awaiting_sign_off"] = Action.objects.filter(
            status=Action.Status.AWAITING_SIGN_OFF,
            recommendation__plan__in=rules.managed_plans(user).values("pk"),
        )
    return {
        name: {
            "count": qs.count(),
            "actions": list(
                with_list_columns(qs, today).order_by("planned_completion_date", "pk")[:10]
            ),
        }
        for name, qs in groups.items()
    }


# History in words


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: object
    who: str
    what: str  # "Action CP4 (1)"
    verb: str  # created, changed, deleted
    reason: str
    changes: list


LABELS = {
    Plan: "Plan",
    Section: "Section",
    Recommendation: "Recommendation",
    Action: "Action",
    ProgressUpdate: "Progress update",
    Measure: "Measure",
}
SKIP = {"version", "order", "created_at"}


def _display(field, value):
    if value in (None, ""):
        return "(blank)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and field.many_to_many:
        ids = [v[field.m2m_reverse_field_name()] for v in value]
        return ", ".join(str(o) for o in field.related_model.objects.filter(pk__in=ids)) or "(none)"
    if field.is_relation:
        obj = field.related_model.objects.filter(pk=value).first()
        return str(obj) if obj else f"(removed #{value})"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return text if len(text) <= 300 else text[:300] + "…"


def _name(record):
    model = record.instance_type
    ref = getattr(record, "reference", "") or getattr(record, "title", "") or ""
    if model is ProgressUpdate:
        on = Action.objects.filter(pk=record.action_id).select_related("recommendation").first()
        where = f" on action {on.recommendation.reference} {on.reference}" if on else ""
        ref = f"of {record.written_on:%d/%m/%Y}{where}".rstrip()
    elif model is Action and not ref:
        rec = Recommendation.objects.filter(pk=record.recommendation_id).first()
        ref = f"for {rec.reference}" if rec and rec.reference else ""
    elif model is Measure:
        ref = record.name
    return f"{LABELS[model]} {ref}".strip()


def _who(record):
    user = record.history_user
    if user:
        return person_name(user)
    reason = record.history_change_reason or ""
    return "Imported from the plan" if reason.startswith("Transcribed from") else "The system"


def describe(record):
    """One history record as an entry: who changed which field from what to what, and when."""
    model = record.instance_type
    verb = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
    changes = []
    previous = record.prev_record if record.history_type == "~" else None
    if previous is not None:
        for change in record.diff_against(previous).changes:
            if change.field in SKIP:
                continue
            field = model._meta.get_field(change.field)
            changes.append(
                Change(str(field.verbose_name), _display(field, change.old),
                       _display(field, change.new))
            )  # fmt: skip
        if not changes:
            return None  # a save that changed nothing a reader cares about
    return Entry(
        when=record.history_date,
        who=_who(record),
        what=_name(record),
        verb=verb,
        reason=record.history_change_reason or "",
        changes=changes,
    )


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


def owner_choices(user):
    """Owners that appear on the actions a user can see, for the action list's owner filter."""
    visible = rules.visible_actions(user).values("pk")
    return Owner.objects.filter(actions__in=visible).distinct().order_by("name")
