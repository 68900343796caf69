"""A manager's decision on a change proposed by a returned file (``importers.returns``).

Accepting writes through the plan's own services (``actionplans.workflow`` for progress,
``actionplans.plan_setup.action_edit`` for a date or the owners), so the plan's history holds it
like any other change, its reason naming who typed it (as far as the file says) and who accepted
it. A change made to the action since the file was read refuses the proposal, with why: a copy
sent back weeks ago must not overwrite what was written since.
"""

from django.db import transaction
from django.utils import timezone

from actionplans import date_moves, plan_setup, rules, workflow
from actionplans.models import Action, ActionOwner, Owner, Recommendation
from core.errors import Refused, StaleEdit
from core.people import person_name
from core.records import record_save

from .models import ProposedChange
from .returns import newest_updates

UNNAMED = "someone the file does not name"


def _check_manager(actor, plan):
    if not rules.can_edit_plan(actor, plan):
        raise Refused("Only a manager of this plan can accept or reject the changes proposed.")


def _locked(change):
    """The proposal as it is now, locked: two decisions at once run one after the other."""
    locked = (
        ProposedChange.objects.select_for_update(of=("self",))
        .select_related("returned", "plan", "decided_by")
        .get(pk=change.pk)
    )
    if locked.state != ProposedChange.State.PENDING:
        raise Refused(
            f"This change was already {locked.get_state_display().lower()} by "
            f"{person_name(locked.decided_by, nobody='someone')}; nothing more was done."
        )
    return locked


def reason_for(change, actor, *, kind=True, limit=100):
    """The history's reason (at most ``limit`` characters, the history's field): what (unless
    ``kind`` is false), typed by whom (as far as the file says), accepted by whom, and from which
    file as room allows."""
    typed = (change.typed_by or UNNAMED)[:30]
    reason = (
        f"typed by {typed}, accepted by {person_name(actor)[:30]}, from “{change.returned.name}”"
    )
    if kind:
        reason = f"{change.get_kind_display()} {reason}"
    return reason if len(reason) <= limit else reason[: limit - 2] + "…”"


def _stale(what):
    return Refused(
        f"{what} was changed after the file was read, so this change was not made: it would "
        "overwrite the later one. Reject it, or import a fresh copy of the plan's table."
    )


def _owner_of(action=None, recommendation=None):
    """Who the progress is by: the action's first owner (the recommendation's first lead, or
    its first action's first owner, for progress on a whole recommendation)."""
    if action is not None:
        return next(iter(action.ordered_owners), None)
    lead = recommendation.leads.order_by("pk").first()
    if lead is not None:
        return lead
    first = recommendation.actions.order_by("order", "pk").first()
    return next(iter(first.ordered_owners), None) if first else None


def _progress(change, actor, reason):
    action = recommendation = None
    if change.action_id:
        action = Action.objects.get(pk=change.action_id)
        key = ("action", action.pk)
        newest = newest_updates(change.plan, action=action).get(key, 0)
        what = f"Progress on action {action.reference or action.pk}"
    else:
        recommendation = Recommendation.objects.get(pk=change.recommendation_id)
        key = ("rec", recommendation.pk)
        newest = newest_updates(change.plan, recommendation=recommendation).get(key, 0)
        what = f"Progress on recommendation {recommendation.reference or recommendation.pk}"
    if newest != change.base_update:
        raise _stale(what)
    update = workflow.progress_add_typed(
        action=action,
        recommendation=recommendation,
        owner=_owner_of(action, recommendation),
        actor=actor,
        written_on=timezone.localdate(change.returned.created_at),
        text=change.new_value,
        reason=reason,
    )
    return key, update.pk


def _edit(change, actor, reason):
    action = Action.objects.select_related("recommendation__plan").get(pk=change.action_id)
    links = action.ordered_owner_links
    leads = [link.owner for link in links if link.role == ActionOwner.Role.LEAD]
    supporting = [link.owner for link in links if link.role == ActionOwner.Role.SUPPORTING]
    if change.kind == ProposedChange.Kind.DATE:
        action.planned_completion_text = change.new_value
        fields = ["planned_completion_text"]
    else:
        named = Owner.objects.in_bulk(change.owner_ids)
        leads = [named[pk] for pk in change.owner_ids if pk in named]
        if len(leads) != len(change.owner_ids) or any(
            o.organisation != change.plan.organisation for o in leads
        ):
            raise Refused("An owner this change names has been removed since; nothing was done.")
        supporting = [o for o in supporting if o not in leads]
        action.owners_as_written = change.new_value
        fields = ["owners_as_written"]
    try:
        plan_setup.action_edit(
            action,
            actor=actor,
            version=change.base_version,
            fields=fields,
            owners=leads,
            supporting=supporting,
            reason=reason,
            # A moved date says why, as any move must: who typed it and who accepted it.
            date_reason=reason_for(change, actor, kind=False, limit=date_moves.REASON_LIMIT),
        )
    except StaleEdit:
        raise _stale(f"Action {action.reference or action.pk}") from None
    return change.base_version, action.version


def _follow(change, before, after):
    """The file's other proposals on the same action: what this one wrote is not "changed
    since" for them, so they move on with it."""
    pending = ProposedChange.objects.filter(
        returned=change.returned, state=ProposedChange.State.PENDING
    ).exclude(pk=change.pk)
    if change.kind == ProposedChange.Kind.PROGRESS:
        key, update = before, after
        if key[0] == "action":
            pending = pending.filter(action_id=key[1], kind=ProposedChange.Kind.PROGRESS)
        else:
            pending = pending.filter(recommendation_id=key[1])
        pending.update(base_update=update)
    else:
        pending.filter(action_id=change.action_id, base_version=before).update(base_version=after)


@transaction.atomic
def change_accept(change, *, actor):
    """The proposed change made in the plan, by the plan's own services; Refused, with why
    and nothing changed, if it was decided already or the action changed since."""
    _check_manager(actor, change.plan)
    locked = _locked(change)
    reason = reason_for(locked, actor)
    if locked.kind == ProposedChange.Kind.PROGRESS:
        before, after = _progress(locked, actor, reason)
    else:
        before, after = _edit(locked, actor, reason)
    _follow(locked, before, after)
    locked.state, locked.decided_by, locked.decided_at = (
        ProposedChange.State.ACCEPTED,
        actor,
        timezone.now(),
    )
    record_save(
        locked,
        actor=actor,
        reason="Proposed change accepted",
        update_fields=["state", "decided_by", "decided_at"],
    )
    return locked


@transaction.atomic
def change_reject(change, *, actor):
    """The proposed change set aside; the plan is not touched."""
    _check_manager(actor, change.plan)
    locked = _locked(change)
    locked.state, locked.decided_by, locked.decided_at = (
        ProposedChange.State.REJECTED,
        actor,
        timezone.now(),
    )
    record_save(
        locked,
        actor=actor,
        reason="Proposed change rejected",
        update_fields=["state", "decided_by", "decided_at"],
    )
    return locked


def changes_accept_all(plan, *, actor):
    """Every change waiting on ``plan``, accepted in the file's order, each on its own: one
    refused (changed since) leaves the others made. Returns (accepted, [(change, why)])."""
    _check_manager(actor, plan)
    accepted, refused = [], []
    waiting = ProposedChange.objects.filter(plan=plan, state=ProposedChange.State.PENDING)
    for change in waiting.select_related("plan").order_by("returned_id", "pk"):
        try:
            accepted.append(change_accept(change, actor=actor))
        except Refused as why:
            refused.append((change, why.message))
    return accepted, refused
