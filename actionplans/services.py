"""Writes that touch several models or must run in a transaction; views and commands call these.

Each records who did it (simple-history's request middleware, or ``history_user``) and why
(``_change_reason``), so the history of a plan reads as a list of decisions.
"""

import uuid
from pathlib import PurePath

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import evidence as evidence_rules
from .models import Action, Evidence, ProgressUpdate, Recommendation
from .people import person_name


class StaleEdit(Exception):
    """Someone saved the object after the editor opened it; their save is refused."""

    def __init__(self, current, changes):
        super().__init__("The object was changed by someone else.")
        self.current = current
        self.changes = changes


def _save(obj, actor, reason, **kwargs):
    obj._change_reason = reason
    if actor is not None:
        obj._history_user = actor
    obj.save(**kwargs)
    return obj


def _attach(update, files, actor):
    for upload in files:
        content_type = evidence_rules.check_file(upload)
        original = PurePath(upload.name).name[:255]
        evidence = Evidence(
            update=update,
            original_name=original,
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        # Stored under a random name: the original is kept for display and download only.
        evidence.file.save(
            f"{uuid.uuid4().hex}{PurePath(original).suffix.lower()}", upload, save=False
        )
        _save(evidence, actor, "Evidence attached")


def _set_status(action, status, actor, reason, **fields):
    Action.objects.filter(pk=action.pk).update(version=F("version") + 1)
    action.refresh_from_db(fields=["version"])
    action.status = status
    for name, value in fields.items():
        setattr(action, name, value)
    _save(action, actor, reason)


def _add_entry(action, kind, *, author, written_on, text, status, reason, period_label="",
               files=()):  # fmt: skip
    """One dated entry on the action's timeline (update, proposal, sign-off, return), with files."""
    update = ProgressUpdate(
        action=action,
        kind=kind,
        written_on=written_on,
        period_label=period_label,
        text=text,
        author=author,
        status=status,
    )
    update.full_clean()
    _save(update, author, reason)
    _attach(update, files, author)
    return update


@transaction.atomic
def record_update(action, *, author, written_on, text, period_label="", status="", files=()):
    """Add a dated progress update (with evidence files) and, if given, the action's new status."""
    update = _add_entry(
        action, ProgressUpdate.Kind.UPDATE, author=author, written_on=written_on, text=text,
        status=status, reason="Progress update", period_label=period_label, files=files,
    )  # fmt: skip
    if status and status != action.status:
        _set_status(
            action, status, author, f"Status set by progress update of {written_on:%d/%m/%Y}"
        )
    return update


@transaction.atomic
def propose_complete(action, *, author, written_on, text, files, period_label=""):
    """The owner says the action is done, with evidence; a manager signs it off or returns it."""
    if not files:
        raise ValueError("A proposal to complete needs evidence.")
    update = _add_entry(
        action, ProgressUpdate.Kind.PROPOSAL, author=author, written_on=written_on, text=text,
        status=Action.Status.AWAITING_SIGN_OFF, reason="Proposed complete",
        period_label=period_label, files=files,
    )  # fmt: skip
    _set_status(action, Action.Status.AWAITING_SIGN_OFF, author, "Proposed complete")
    return update


def latest_proposal(action):
    return action.updates.filter(kind=ProgressUpdate.Kind.PROPOSAL).order_by("-created_at").first()


def _check_awaiting(action, verb):
    if action.status != Action.Status.AWAITING_SIGN_OFF:
        raise ValueError(f"Only an action awaiting sign-off can be {verb}.")


@transaction.atomic
def sign_off(action, *, manager, note=""):
    """Mark a proposed action complete, dated as the owner proposed."""
    _check_awaiting(action, "signed off")
    proposal = latest_proposal(action)
    today = timezone.localdate()
    update = _add_entry(
        action, ProgressUpdate.Kind.SIGN_OFF, author=manager, written_on=today,
        text=note or "Signed off as complete.", status=Action.Status.COMPLETE, reason="Signed off",
    )  # fmt: skip
    completed_on = proposal.written_on if proposal else today
    _set_status(action, Action.Status.COMPLETE, manager, "Signed off", completed_on=completed_on)
    return update


@transaction.atomic
def return_proposal(action, *, manager, reason):
    """Send a proposal back to the owner with the reason; the action is underway again."""
    _check_awaiting(action, "returned")
    update = _add_entry(
        action, ProgressUpdate.Kind.RETURNED, author=manager, written_on=timezone.localdate(),
        text=reason, status=Action.Status.UNDERWAY, reason="Returned to the owner",
    )  # fmt: skip
    _set_status(action, Action.Status.UNDERWAY, manager, f"Returned: {reason[:80]}")
    return update


def changes_since(obj, version):
    """What was changed, by whom and when, since ``version`` of ``obj`` (from its history)."""
    history = type(obj).history.filter(id=obj.pk)
    base = history.filter(version=version).order_by("history_date").last()
    latest = history.order_by("-history_date").first()
    if base is None or latest is None or base.pk == latest.pk:
        return []
    delta = latest.diff_against(base)
    editors = history.filter(history_date__gt=base.history_date).select_related("history_user")
    who = sorted({person_name(r.history_user) for r in editors if r.history_user})
    return [
        {"field": type(obj)._meta.get_field(change.field).verbose_name, "old": change.old,
         "new": change.new, "who": ", ".join(who), "when": latest.history_date}
        for change in delta.changes
    ]  # fmt: skip


@transaction.atomic
def save_with_version(obj, *, editor, expected_version, m2m=None, reason="Edited"):
    """Save an edited Action or Recommendation unless someone saved it since ``expected_version``.

    The version is bumped by one conditional UPDATE, so two concurrent saves cannot both pass.
    On a conflict nothing is written and StaleEdit carries the current object and what changed.
    """
    model = type(obj)
    if model not in (Action, Recommendation):
        raise TypeError(f"{model.__name__} has no version to check.")
    bumped = model.objects.filter(pk=obj.pk, version=expected_version).update(
        version=expected_version + 1
    )
    if not bumped:
        current = model.objects.get(pk=obj.pk)
        raise StaleEdit(current, changes_since(current, expected_version))
    obj.version = expected_version + 1
    if isinstance(obj, Action):
        obj.derive_planned_completion_date()
    for name, values in (m2m or {}).items():
        _set_quietly(obj, name, values)
    # One history record for the whole edit, fields and related owners together.
    _save(obj, editor, reason)
    return obj


def _set_quietly(obj, name, values):
    """Set a many-to-many field without its own history records (the next save records it)."""
    field = obj._meta.get_field(name)
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    wanted = {value.pk for value in values}
    links = through.objects.filter(**{source: obj})
    current = set(links.values_list(f"{target}_id", flat=True))
    links.filter(**{f"{target}_id__in": current - wanted}).delete()
    through.objects.bulk_create(
        [through(**{f"{source}_id": obj.pk, f"{target}_id": pk}) for pk in wanted - current]
    )


@transaction.atomic
def create(obj, *, actor, siblings, m2m=None, reason="Added"):
    """Save a new section, recommendation, action or measure at the end of its siblings."""
    last = siblings.order_by("-order").values_list("order", flat=True).first()
    obj.order = 0 if last is None else last + 1
    if isinstance(obj, Action):
        obj.derive_planned_completion_date()
    _save(obj, actor, reason)
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    return obj


@transaction.atomic
def move(obj, *, actor, siblings, up):
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
            _save(sibling, actor, "Reordered")
    return True


@transaction.atomic
def remove(obj, *, actor, reason="Removed"):
    """Delete an object; its history keeps it, so the plan as it stood before still shows it."""
    obj._change_reason = reason
    obj._history_user = actor
    obj.delete()
