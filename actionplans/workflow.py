"""How an action moves: progress updates, a proposal to complete with evidence, a manager's
sign-off or return, the ladder's steps above it (assured, impact shown: ladder.py), reopening.
Each reads the action under a row lock, so two decisions at once run one after the other and the
second sees the first; each records who and why."""

import uuid
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone

from core import once
from core.errors import Refused
from core.people import person_name
from core.records import record_attribute, record_save

from . import evidence as evidence_rules
from . import ladder, withholding
from .models import Action, CompletionStep, Evidence, ProgressUpdate


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
    ProgressUpdate.Kind.ASSURED: "recorded it assured",
    ProgressUpdate.Kind.IMPACT_SHOWN: "recorded its impact shown",
    ProgressUpdate.Kind.ASSURED_REOPENED: "reopened its assurance",
    ProgressUpdate.Kind.IMPACT_REOPENED: "reopened its impact shown",
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
    _remove_steps(locked, ladder.ASSURED, manager, reason)
    return update


# --- The ladder above signed off: assured and impact shown (the rule: ladder.py) --------------


def _standing(locked):
    """The action's standing steps above signed off, by step, read under the action's lock."""
    steps = CompletionStep.objects.filter(action=locked, reopened_at__isnull=True)
    return {step.step: step for step in steps.select_related("recorded_by")}


def _refuse_out_of_order(locked, step):
    """Refuse a step whose step below is not reached, or which is reached already."""
    if locked.status != Action.Status.COMPLETE:
        raise Refused(
            f"{ladder.NAMES[step]} follows sign-off, and this action is "
            f"{locked.get_status_display().lower()}. {last_decision(locked)} Nothing was saved."
        )
    standing = _standing(locked)
    below = ladder.ORDER[ladder.ORDER.index(step) - 1]
    if below not in (ladder.COMPLETE, ladder.SIGNED_OFF) and below not in standing:
        raise Refused(
            f"The action must be {ladder.NAMES[below].lower()} before its "
            f"{ladder.NAMES[step].lower()} can be recorded. Nothing was saved."
        )
    if step in standing:
        done = standing[step]
        who = person_name(done.recorded_by, nobody="Someone")
        raise Refused(
            f"{who} already recorded it {ladder.NAMES[step].lower()} on "
            f"{done.recorded_on:%-d %B %Y}. Nothing was saved."
        )


def _record_step(locked, step, *, actor, text, files=(), recheck_on=None, reading=None):
    entry = _add_entry(
        locked,
        step,  # the log entry's kind has the step's name
        author=actor,
        written_on=timezone.localdate(),
        text=text or f"{ladder.NAMES[step]}.",
        status="",
        reason=ladder.NAMES[step],
        files=files,
    )
    done = CompletionStep(
        action=locked,
        step=step,
        recorded_by=actor,
        evidence_text=text,
        entry=entry,
        recheck_on=recheck_on,
        reading=reading,
    )
    done.full_clean()
    record_save(done, actor=actor, reason=ladder.NAMES[step])
    # A step changes what the plan's rows say of the action: its version moves with it.
    locked.version += 1
    record_save(locked, actor=actor, reason=ladder.NAMES[step], update_fields=["version"])
    return done


@once.guarded("actor")
@transaction.atomic
def completion_assure(action, *, actor, text, files=(), recheck_on=None):
    """Record that a quality audit or dip sample confirms a signed-off action: who, when, what it
    found and/or its report, and when to check again (optional, in the future, within two years).
    """
    text = (text or "").strip()
    if not text and not files:
        raise Refused("Say what the audit or dip sample found, or attach its report.")
    problem = ladder.recheck_problem(recheck_on)
    if problem:
        raise Refused(f"{problem} Nothing was saved.")
    locked = _locked(action)
    _refuse_out_of_order(locked, ladder.ASSURED)
    return _record_step(
        locked, ladder.ASSURED, actor=actor, text=text, files=files, recheck_on=recheck_on
    )


@transaction.atomic
def completion_impact_shown(action, *, manager, reading_id, note=""):
    """Record that the action's measure reached its target, with the reading the manager saw as
    evidence; refused when that reading no longer shows it (a later reading fell short)."""
    locked = _locked(action)
    _refuse_out_of_order(locked, ladder.IMPACT_SHOWN)
    reading = ladder.impact_reading(locked)
    if reading is None or reading.pk != reading_id:
        raise Refused(
            "The reading you saw no longer shows the measure at its target (a later reading "
            "may have been added). Nothing was saved."
        )
    words = f"{reading.measure}: {reading.display_value}"
    if reading.taken_on:
        words += f" on {reading.taken_on:%-d %B %Y}"
    text = "\n".join(part for part in (words, (note or "").strip()) if part)
    return _record_step(locked, ladder.IMPACT_SHOWN, actor=manager, text=text, reading=reading)


def _remove_steps(locked, lowest, manager, reason):
    """Mark ``lowest`` and every standing step above it reopened (kept, with who and why)."""
    above = ladder.ORDER[ladder.ORDER.index(lowest) :]
    steps = CompletionStep.objects.filter(action=locked, reopened_at__isnull=True, step__in=above)
    now = timezone.now()
    for step in steps:
        step.reopened_at, step.reopened_by, step.reopen_reason = now, manager, reason
        record_save(step, actor=manager, reason=f"Reopened: {reason[:80]}")


@transaction.atomic
def completion_step_reopen(action, *, manager, step, reason, version=None):
    """A manager reopens one step of the ladder with a reason: it and every step above it are
    removed (kept in history, marked with the reason). Reopening signed off puts the owner's
    proposal back before the managers; reopening complete is ``action_reopen``.

    ``version`` is the action's version the manager saw: refused if a step moved meanwhile.
    """
    reason = (reason or "").strip()
    if not reason:
        raise Refused("Give the reason for reopening the step.")
    locked = _locked(action)
    if version is not None and locked.version != version:
        raise Refused(
            "The action's completion changed since you opened the page. "
            f"{last_decision(locked)} Nothing was saved: look at the ladder again."
        )
    reached = _standing(locked) if locked.status == Action.Status.COMPLETE else {}
    if step == ladder.SIGNED_OFF and locked.status == Action.Status.COMPLETE:
        _remove_steps(locked, ladder.ASSURED, manager, reason)
        update = _add_entry(
            locked,
            ProgressUpdate.Kind.REOPENED,
            author=manager,
            written_on=timezone.localdate(),
            text=reason,
            status=Action.Status.AWAITING_SIGN_OFF,
            reason="Sign-off reopened",
        )
        _set_status(locked, Action.Status.AWAITING_SIGN_OFF, manager, "Sign-off reopened")
        return update
    if step not in (ladder.ASSURED, ladder.IMPACT_SHOWN) or step not in reached:
        raise Refused(
            f"This action is not {ladder.NAMES.get(step, 'at that step').lower()}, so that step "
            f"cannot be reopened. {last_decision(locked)} Nothing was saved."
        )
    _remove_steps(locked, step, manager, reason)
    update = _add_entry(
        locked,
        ladder.REOPEN_KINDS[step],
        author=manager,
        written_on=timezone.localdate(),
        text=reason,
        status="",
        reason=f"{ladder.NAMES[step]} reopened",
    )
    locked.version += 1
    record_save(locked, actor=manager, reason="Step reopened", update_fields=["version"])
    return update
