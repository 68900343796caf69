"""Writes that touch several models or must run in a transaction; views and commands call these.

Each records who did it (simple-history's request middleware, or ``history_user``) and why
(``_change_reason``), so the history of a plan reads as a list of decisions.
"""

import uuid
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone

from . import evidence as evidence_rules
from .history import changes_since
from .models import Action, Evidence, ProgressUpdate, Recommendation


class Refused(Exception):
    """A write the domain does not allow; the message says why, in words for the person asking."""


class StaleEdit(Refused):
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


def _locked(action):
    """The action as it is now, locked until the transaction ends.

    Decisions on an action (status changes, sign-off, return, reopen) read it through this, so two
    at once run one after the other and the second sees what the first did: no decision is taken
    on a copy that was loaded before someone else changed it.
    """
    return (
        Action.objects.select_for_update(of=("self",))
        .select_related("recommendation")
        .get(pk=action.pk)
    )


def _set_status(locked, status, actor, reason, completed_on=None):
    """Change only the status (and completion date) of a locked action; bump its version."""
    locked.status = status
    locked.completed_on = completed_on
    locked.version += 1
    _save(locked, actor, reason, update_fields=["status", "completed_on", "version"])


def _person(user):
    return user.get_full_name() or user.get_username() if user else "someone"


DECISIONS = {
    ProgressUpdate.Kind.PROPOSAL: "proposed it complete",
    ProgressUpdate.Kind.SIGN_OFF: "signed it off as complete",
    ProgressUpdate.Kind.RETURNED: "returned it to its owner",
    ProgressUpdate.Kind.REOPENED: "reopened it",
}


def last_decision(action):
    """What last happened to the action's completion, in words, for a refusal message."""
    entry = (
        action.updates.filter(kind__in=DECISIONS)
        .select_related("author")
        .order_by("-created_at", "-pk")
        .first()
    )
    if entry is None:
        return f"It is {action.get_status_display().lower()}."
    return f"{_person(entry.author)} {DECISIONS[entry.kind]} on {entry.written_on:%-d %B %Y}."


def _add_entry(action, kind, *, author, written_on, text, status, reason, period_label="",
               files=(), cited=()):  # fmt: skip
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
    if cited:
        _cite(update, cited, author)
    return update


def _cite(update, cited, author):
    """Cite evidence already on the action's earlier updates (never another action's)."""
    allowed = Evidence.objects.filter(
        update__action_id=update.action_id, pk__in=[e.pk for e in cited]
    )
    if allowed.count() != len({e.pk for e in cited}):
        raise Refused("Only evidence already attached to this action can be cited.")
    update._change_reason = "Evidence cited"
    update._history_user = author
    update.cited_evidence.set(allowed)


@transaction.atomic
def progress_add(action, *, author, written_on, text, period_label="", status="", files=()):
    """Add a dated progress update (with evidence files) and, if given, the action's new status.

    The status must be one a progress update may set now (Action.progress_statuses): a complete
    action is reopened only by a manager (action_reopen), and one awaiting sign-off waits for the
    manager's decision. The action is read under a lock, so a decision taken meanwhile is seen.
    """
    locked = _locked(action)
    changes_status = bool(status) and status != locked.status
    if changes_status and status not in locked.progress_statuses():
        raise Refused(
            f"This action is now {locked.get_status_display().lower()}, so a progress update "
            f"cannot change its status. {last_decision(locked)} Nothing was saved: save your "
            "update without a status, or ask a manager of the plan to reopen the action."
        )
    update = _add_entry(
        locked, ProgressUpdate.Kind.UPDATE, author=author, written_on=written_on, text=text,
        status=status, reason="Progress update", period_label=period_label, files=files,
    )  # fmt: skip
    if changes_status:
        _set_status(
            locked, status, author, f"Status set by progress update of {written_on:%d/%m/%Y}"
        )
    return update


@transaction.atomic
def completion_propose(action, *, author, written_on, text, files=(), cited=(), period_label=""):
    """The owner says the action is done, with evidence; a manager signs it off or returns it.

    The evidence may be new files, or files already attached to the action's updates, cited.
    """
    if not files and not cited:
        raise Refused("A proposal to complete needs evidence: attach a file or cite one.")
    locked = _locked(action)
    if locked.status in (Action.Status.COMPLETE, Action.Status.AWAITING_SIGN_OFF):
        raise Refused(
            f"This action is already {locked.get_status_display().lower()}. "
            f"{last_decision(locked)} Nothing was saved."
        )
    update = _add_entry(
        locked, ProgressUpdate.Kind.PROPOSAL, author=author, written_on=written_on, text=text,
        status=Action.Status.AWAITING_SIGN_OFF, reason="Proposed complete",
        period_label=period_label, files=files, cited=cited,
    )  # fmt: skip
    _set_status(locked, Action.Status.AWAITING_SIGN_OFF, author, "Proposed complete")
    return update


def latest_proposal(action):
    return (
        action.updates.filter(kind=ProgressUpdate.Kind.PROPOSAL)
        .select_related("author")
        .prefetch_related("evidence", "cited_evidence")
        .order_by("-created_at", "-pk")
        .first()
    )


def _locked_proposal(action, proposal_id):
    """The action, locked, if the proposal the manager decided on is still the one awaiting.

    ``proposal_id`` None means whichever proposal awaits now (a command, a test); the web form
    always sends the one the manager read.
    """
    locked = _locked(action)
    proposal = latest_proposal(locked)
    current = proposal.pk if proposal else None
    stale = proposal_id is not None and current != proposal_id
    if locked.status != Action.Status.AWAITING_SIGN_OFF or stale:
        raise Refused(
            "Your decision was not recorded: the proposal you saw has already been decided. "
            f"{last_decision(locked)}"
        )
    return locked, proposal


@transaction.atomic
def completion_sign_off(action, *, manager, proposal_id=None, note=""):
    """Mark a proposed action complete, dated as the owner proposed.

    ``proposal_id`` is the proposal the manager read: a decision on one that is no longer awaiting
    (another manager decided first, or the owner proposed again) is refused.
    """
    locked, proposal = _locked_proposal(action, proposal_id)
    today = timezone.localdate()
    update = _add_entry(
        locked, ProgressUpdate.Kind.SIGN_OFF, author=manager, written_on=today,
        text=note or "Signed off as complete.", status=Action.Status.COMPLETE, reason="Signed off",
    )  # fmt: skip
    completed_on = proposal.written_on if proposal else today
    _set_status(locked, Action.Status.COMPLETE, manager, "Signed off", completed_on=completed_on)
    return update


@transaction.atomic
def completion_return(action, *, manager, reason, proposal_id=None):
    """Send a proposal back to the owner with the reason; the action is underway again."""
    locked, _ = _locked_proposal(action, proposal_id)
    update = _add_entry(
        locked, ProgressUpdate.Kind.RETURNED, author=manager, written_on=timezone.localdate(),
        text=reason, status=Action.Status.UNDERWAY, reason="Returned to the owner",
    )  # fmt: skip
    _set_status(locked, Action.Status.UNDERWAY, manager, f"Returned: {reason[:80]}")
    return update


@transaction.atomic
def action_reopen(action, *, manager, reason, status=Action.Status.UNDERWAY):
    """A manager reopens a complete action, with the reason; its completion date is cleared."""
    locked = _locked(action)
    if locked.status != Action.Status.COMPLETE:
        raise Refused(
            f"Only a complete action can be reopened; this one is "
            f"{locked.get_status_display().lower()}. Nothing was saved."
        )
    if status not in Action.PROGRESS_STATUSES:
        raise Refused("Choose the status the action reopens with.")
    update = _add_entry(
        locked, ProgressUpdate.Kind.REOPENED, author=manager, written_on=timezone.localdate(),
        text=reason, status=status, reason="Reopened",
    )  # fmt: skip
    _set_status(locked, status, manager, f"Reopened: {reason[:80]}")
    return update


@transaction.atomic
def save_with_version(obj, *, editor, expected_version, fields=None, m2m=None, reason="Edited"):
    """Save an edited Action or Recommendation unless someone saved it since ``expected_version``.

    The version is bumped by one conditional UPDATE, so two concurrent saves cannot both pass.
    On a conflict nothing is written and StaleEdit carries the current object and what changed.
    ``fields`` names the fields the edit sets; only those (and what derives from them) are written.
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
    written = None if fields is None else [*fields, "version"]
    if isinstance(obj, Action):
        obj.derive_planned_completion_date()
        if written is not None:
            written += ["planned_completion_date", "owners_as_written", "rag_override_by"]
    for name, values in (m2m or {}).items():
        _set_quietly(obj, name, values)
    # One history record for the whole edit, fields and related owners together.
    _save(obj, editor, reason, update_fields=written)
    return obj


def action_edit(action, *, editor, expected_version, fields, changed, owners):
    """A manager's edit of an action, under the version check; an override records who set it."""
    if {"rag_override", "rag_override_reason"} & set(changed):
        action.rag_override_by = editor if action.rag_override else None
    if not action.rag_override:
        action.rag_override_reason = ""
    return save_with_version(
        action, editor=editor, expected_version=expected_version, fields=fields,
        m2m={"owners": owners},
    )  # fmt: skip


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
