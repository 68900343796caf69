"""Saving a record the one way every service does: who did it and why go into its history
(django-simple-history), an edit is refused if someone saved the record since it was opened
(its ``version``), and records with an ``order`` keep their place among their siblings.

Services in every app write through these, so history attribution is set here only.
"""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.db import transaction
from simple_history.models import HistoricalRecords

from .errors import StaleEdit
from .history import changes_since

_BATCH = 500
_TICKS = itertools.count(1)  # keeps records dated to one day in the order they were saved


def record_attribute(obj, *, actor, reason):
    """Name who (``actor``, None for the system) and why on ``obj``'s next history record."""
    obj._change_reason = reason
    if actor is not None:
        obj._history_user = actor
    return obj


def record_save(obj, *, actor, reason, update_fields=None):
    record_attribute(obj, actor=actor, reason=reason)
    obj.save(update_fields=update_fields)
    return obj


def record_date(obj, day):
    """Date ``obj``'s next history record by ``day`` (a file's own date), at midday London,
    each a microsecond after the last so that records saved in turn keep their order."""
    if day is not None:
        midday = dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo("Europe/London"))
        obj._history_date = midday + dt.timedelta(microseconds=next(_TICKS) % 1_000_000)
    return obj


def columns(model, names):
    """The names among ``names`` that are columns of ``model`` (not many-to-many fields)."""
    concrete = {field.name for field in model._meta.concrete_fields}
    return [name for name in dict.fromkeys(names) if name in concrete]


def _derive(obj):
    """Fields a model derives from others before it is saved (an action's real date from its
    planned text), by the model's own ``derive_on_save``."""
    derive = getattr(obj, "derive_on_save", None)
    if derive is not None:
        derive()


@transaction.atomic
def record_save_versioned(obj, *, actor, expected_version, m2m=None, reason="Edited", fields=None):
    """Save an edited record unless someone saved it since ``expected_version``.

    The version is bumped by one conditional UPDATE, so two concurrent saves cannot both pass.
    On a conflict nothing is written and StaleEdit carries the current record and what changed.
    With ``fields``, only those columns are written.
    """
    model = type(obj)
    if "version" not in {field.name for field in model._meta.concrete_fields}:
        raise TypeError(f"{model.__name__} has no version to check.")
    bumped = model.objects.filter(pk=obj.pk, version=expected_version).update(
        version=expected_version + 1
    )
    if not bumped:
        current = model.objects.get(pk=obj.pk)
        raise StaleEdit(current, changes_since(current, expected_version))
    obj.version = expected_version + 1
    _derive(obj)
    for name, values in (m2m or {}).items():
        _set_quietly(obj, name, values)
    # One history record for the whole edit, fields and related records together.
    update_fields = None if fields is None else columns(model, [*fields, "version"])
    return record_save(obj, actor=actor, reason=reason, update_fields=update_fields)


def _set_quietly(obj, name, values):
    """Set a many-to-many field without its own history records (the next save records it).
    A through model that keeps more than the link (an order, a role) writes its own ``write``."""
    field = obj._meta.get_field(name)
    through = field.remote_field.through
    if hasattr(through, "write"):  # its entries are ``values``
        return through.write(obj, values)
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    wanted = {value.pk for value in values}
    links = through.objects.filter(**{source: obj})
    current = set(links.values_list(f"{target}_id", flat=True))
    links.filter(**{f"{target}_id__in": current - wanted}).delete()
    through.objects.bulk_create(
        [through(**{f"{source}_id": obj.pk, f"{target}_id": pk}) for pk in wanted - current]
    )


@transaction.atomic
def record_append(obj, *, actor, siblings, m2m=None, reason="Added"):
    """Save a new record at the end of its ``siblings`` (those with an ``order``)."""
    last = siblings.order_by("-order").values_list("order", flat=True).first()
    obj.order = 0 if last is None else last + 1
    _derive(obj)
    record_save(obj, actor=actor, reason=reason)
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    return obj


@transaction.atomic
def record_move(obj, *, actor, siblings, up):
    """Move ``obj`` one place up or down among ``siblings``, renumbering them in order."""
    ordered = list(siblings.select_for_update().order_by("order", "pk"))
    index = next(i for i, sibling in enumerate(ordered) if sibling.pk == obj.pk)
    target = index - 1 if up else index + 1
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, sibling in enumerate(ordered):
        if sibling.order != position:
            sibling.order = position
            record_save(sibling, actor=actor, reason="Reordered")
    return True


@transaction.atomic
def record_remove(obj, *, actor, reason="Removed"):
    """Delete a record; its history keeps it, so what it belonged to still shows it as it was."""
    record_attribute(obj, actor=actor, reason=reason)
    obj.delete()


def records_add(model, objs, *, actor, reason, links=None):
    """Save new ``objs`` of ``model`` in one insert and their history records in another (each
    dated by its own ``_history_date`` where set): what ``record_append`` does for one, for
    thousands. ``links`` (many-to-many field name -> new rows of its through model) are saved
    with them, and each history record keeps its object's links, as simple-history's own do."""
    for obj in objs:
        obj._change_reason = reason
    model.objects.bulk_create(objs, batch_size=_BATCH)
    links = links or {}
    for field, rows in links.items():
        model._meta.get_field(field).remote_field.through.objects.bulk_create(
            rows, batch_size=_BATCH
        )
    records = model.history.bulk_history_create(objs, batch_size=_BATCH, default_user=actor)
    for field, rows in links.items():
        m2m = model._meta.get_field(field)
        history_model = HistoricalRecords.m2m_models[m2m]
        names = [f.name for f in m2m.remote_field.through._meta.fields]
        source, pk = f"{m2m.m2m_field_name()}_id", model._meta.pk.attname
        of = {}
        for row in rows:
            of.setdefault(getattr(row, source), []).append(row)
        history_model.objects.bulk_create(
            [
                history_model(history=record, **{name: getattr(row, name) for name in names})
                for record in records
                for row in of.get(getattr(record, pk), [])
            ],
            batch_size=_BATCH,
        )
    return objs
