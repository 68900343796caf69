"""How an action moves: progress updates, a proposal to complete with evidence, a manager's
sign-off or return, and reopening. Each reads the action under a row lock, so two decisions at
once run one after the other and the second sees the first; each records who and why."""

import uuid
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone

from core import once
from core.errors import Refused
from core.people import person_name
from core.records import record_attribute, record_save

from . import evidence as evidence_rules
from . import withholding
from .models import Action, Evidence, ProgressUpdate


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
        record_save(evidence, actor=actor, reason="Evidence attached")


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
    record_save(
        locked, actor=actor, reason=reason, update_fields=["status", "completed_on", "version"]
    )


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
    who = person_name(entry.author, nobody="Someone")
    return f"{who} {DECISIONS[entry.kind]} on {entry.written_on:%-d %B %Y}."


def _add_entry(
    action, kind, *, author, written_on, text, status, reason, period_label="", files=(), cited=()
):
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
    record_save(update, actor=author, reason=reason)
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
    record_attribute(update, actor=author, reason="Evidence cited")
    update.cited_evidence.set(allowed)


@once.guarded("author")
@transaction.atomic
def progress_add(
    action, *, author, written_on, text, period_label="", status="", files=(), exemption=""
):
    """Add a dated progress update (with evidence files) and, if given, the action's new status;
    ``exemption``: the paragraph of Schedule 12A under which it is not for publication.

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
        locked,
        ProgressUpdate.Kind.UPDATE,
        author=author,
        written_on=written_on,
        text=text,
        status=status,
        reason="Progress update",
        period_label=period_label,
        files=files,
    )
    if exemption:
        withholding.update_withhold(update, actor=author, category=exemption)
    if changes_status:
        _set_status(
            locked, status, author, f"Status set by progress update of {written_on:%d/%m/%Y}"
        )
    return update


@transaction.atomic
def progress_add_typed(*, action=None, recommendation=None, owner, actor, written_on, text, reason):
    """Progress an owner typed into a copy of the plan sent back, added when a manager
    (``actor``) accepts it (``importers.returns``): the update is the owner's (their login if
    they have one, else attributed to them), the history names the manager and ``reason``.
    On an action it is read under a lock, as every update is; it changes no status."""
    if action is not None:
        action = _locked(action)
    update = ProgressUpdate(
        action=action,
        recommendation=recommendation if action is None else None,
        kind=ProgressUpdate.Kind.UPDATE,
        written_on=written_on,
        text=text,
        author=owner.user if owner is not None else None,
        attributed_to=owner if owner is not None and owner.user_id is None else None,
    )
    update.full_clean()
    return record_save(update, actor=actor, reason=reason)


@once.guarded("author")
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
        locked,
        ProgressUpdate.Kind.PROPOSAL,
        author=author,
        written_on=written_on,
        text=text,
        status=Action.Status.AWAITING_SIGN_OFF,
        reason="Proposed complete",
        period_label=period_label,
        files=files,
        cited=cited,
    )
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
        locked,
        ProgressUpdate.Kind.SIGN_OFF,
        author=manager,
        written_on=today,
        text=note or "Signed off as complete.",
        status=Action.Status.COMPLETE,
        reason="Signed off",
    )
    completed_on = proposal.written_on if proposal else today
    _set_status(locked, Action.Status.COMPLETE, manager, "Signed off", completed_on=completed_on)
    return update


@transaction.atomic
def completion_return(action, *, manager, reason, proposal_id=None):
    """Send a proposal back to the owner with the reason; the action is underway again."""
    locked, _ = _locked_proposal(action, proposal_id)
    update = _add_entry(
        locked,
        ProgressUpdate.Kind.RETURNED,
        author=manager,
        written_on=timezone.localdate(),
        text=reason,
        status=Action.Status.UNDERWAY,
        reason="Returned to the owner",
    )
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
        locked,
        ProgressUpdate.Kind.REOPENED,
        author=manager,
        written_on=timezone.localdate(),
        text=reason,
        status=status,
        reason="Reopened",
    )
    _set_status(locked, status, manager, f"Reopened: {reason[:80]}")
    return update
