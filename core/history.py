"""History in words, for any record django-simple-history keeps: what changed in a field, from
what to what, and who changed it. actionplans.history builds its pages from these; a stale edit
(core.records) shows what someone else changed with them."""

import datetime as dt
import functools
from dataclasses import asdict, dataclass

from .people import person_name


@dataclass
class Change:
    field: str
    old: str
    new: str


@functools.cache
def history_of(model):
    """``model.history`` (every record's history), made once: simple-history makes a manager class
    anew at each access, a third of the time of reading a plan's latest change (issue 28)."""
    return model.history


SKIP = {"version", "order", "created_at"}
SHORT = 300  # characters of a long text shown in a history entry


def display(field, value, limit=SHORT):
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
    return text if limit is None or len(text) <= limit else text[:limit] + "…"


def field_changes(record, previous, limit=SHORT):
    """What a reader sees changed between two history records of one object, field by field."""
    model = record.instance_type
    changes = []
    for change in record.diff_against(previous).changes:
        if change.field in SKIP:
            continue
        field = model._meta.get_field(change.field)
        changes.append(
            Change(
                str(field.verbose_name),
                display(field, change.old, limit),
                display(field, change.new, limit),
            )
        )
    return changes


IMPORTED = ("Transcribed from", "Imported from")


def who(record):
    """Who made the change; for a record taken from a plan's own document, that first, and then
    who brought the document in (the plan's words are not theirs)."""
    user = record.history_user
    reason = record.history_change_reason or ""
    if reason.startswith(IMPORTED):
        return "Imported from the plan" + (f" by {person_name(user)}" if user else "")
    return person_name(user) if user else "The system"


def changes_since(obj, version):
    """What was changed, by whom and when, since ``version`` of ``obj`` (from its history).

    The same field-by-field wording as the history pages, with long texts in full: the editor
    compares them with their own.
    """
    history = type(obj).history.filter(id=obj.pk)
    base = history.filter(version=version).order_by("history_date").last()
    latest = history.order_by("-history_date").first()
    if base is None or latest is None or base.pk == latest.pk:
        return []
    editors = history.filter(history_date__gt=base.history_date).select_related("history_user")
    names = ", ".join(sorted({who(r) for r in editors if r.history_user}))
    return [
        {**asdict(change), "who": names, "when": latest.history_date}
        for change in field_changes(latest, base, limit=None)
    ]
