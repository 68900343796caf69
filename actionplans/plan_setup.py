"""Setting up and restructuring: one named write for each thing a manager does to a plan or
an owner. Each takes the actor, records a reason in history, runs in a transaction and writes
only the fields it is given (the form's), so a concurrent change to any other is kept."""

from django.db import IntegrityError, transaction

from core import once
from core.councils import set_up_refusal
from core.errors import Refused
from core.people import person_name
from core.records import (
    columns,
    record_append,
    record_attribute,
    record_save,
    record_save_versioned,
    records_add,
)

from . import date_moves, fuzzy_dates, rag, rules
from .models import Action, ActionOwner, DateMove, Owner


def check_set_up_for(actor, organisation, field="organisation"):
    """Refused unless ``actor`` may set up for ``organisation`` (their council, a partner)."""
    refusal = set_up_refusal(actor, organisation)
    if refusal:
        raise Refused(refusal, field)


def _check_same_organisation(plan, owners_by_field, inspections):
    for field, owner in owners_by_field.items():
        if owner is not None and owner.organisation != plan.organisation:
            raise Refused(f"{owner} does not belong to {plan.organisation}.", field)
    for inspection in inspections:
        if inspection.organisation != plan.organisation:
            raise Refused(
                f"{inspection} is not an inspection of {plan.organisation}.", "inspections"
            )


@once.guarded("actor")
@transaction.atomic
def plan_create(plan, *, actor, inspections=(), managers=None, reason="Plan created"):
    """A new plan of the actor's council (any organisation for an administrator); the actor
    becomes one of its managers, unless it names its ``managers`` (an administrator setting up
    a plan for others). One history record holds the plan with its inspections and managers."""
    check_set_up_for(actor, plan.organisation)
    _check_same_organisation(
        plan, {"sponsor": plan.sponsor, "governance_body": plan.governance_body}, inspections
    )
    through = {
        name: type(plan)._meta.get_field(name).remote_field.through
        for name in ("inspections", "managers")
    }
    records_add(
        type(plan),
        [plan],
        actor=actor,
        reason=reason,
        links={
            "inspections": [through["inspections"](plan=plan, inspection=i) for i in inspections],
            "managers": [
                through["managers"](plan=plan, user=user)
                for user in ([actor] if managers is None else managers)
            ],
        },
    )
    return plan


@transaction.atomic
def plan_manager_add(plan, *, actor, manager):
    """``manager`` becomes one of the plan's managers (an administrator's decision); they must
    work for the plan's council, the boundary of everything they may change."""
    if not (actor.has_perm("actionplans.manage_all_plans") and rules.can_edit_plan(actor, plan)):
        raise Refused("Only an administrator of the plan's council can name its managers.")
    if rules.council_of(manager) != plan.organisation:
        raise Refused(f"{person_name(manager)} does not work for {plan.organisation}.")
    record_attribute(plan, actor=actor, reason="Manager added")
    plan.managers.add(manager)
    return plan


@transaction.atomic
def plan_edit(plan, *, actor, version, fields, inspections=None):
    """The plan's details; refused if someone saved the plan since ``version``."""
    linked = set(plan.inspections.values_list("pk", flat=True))
    _check_same_organisation(
        plan,
        {"sponsor": plan.sponsor, "governance_body": plan.governance_body},
        [inspection for inspection in inspections or () if inspection.pk not in linked],
    )
    m2m = {} if inspections is None else {"inspections": inspections}
    return record_save_versioned(
        plan,
        actor=actor,
        expected_version=version,
        m2m=m2m,
        fields=fields,
        reason="Plan details edited",
    )


@once.guarded("actor")
def section_add(section, *, actor):
    return record_append(
        section, actor=actor, siblings=section.plan.sections.all(), reason="Section added"
    )


@transaction.atomic
def section_rename(section, *, actor):
    return record_save(section, actor=actor, reason="Section renamed", update_fields=["title"])


@once.guarded("actor")
def recommendation_add(rec, *, actor, leads=()):
    return record_append(
        rec,
        actor=actor,
        siblings=rec.plan.recommendations.all(),
        m2m={"leads": leads},
        reason="Recommendation added",
    )


def recommendation_edit(rec, *, actor, version, fields, leads=()):
    return record_save_versioned(
        rec,
        actor=actor,
        expected_version=version,
        m2m={"leads": leads},
        fields=fields,
        reason="Recommendation edited",
    )


@once.guarded("actor")
@transaction.atomic
def action_add(action, *, actor, owners=(), supporting=()):
    """Add an action with its lead ``owners`` and ``supporting`` owners, in the order given."""
    action = record_append(
        action, actor=actor, siblings=action.recommendation.actions.all(), reason="Action added"
    )
    if owners or supporting:
        ActionOwner.write(action, ActionOwner.entries_keeping_order(action, owners, supporting))
        record_save(action, actor=actor, reason="Owners set")
    return action


@transaction.atomic
def action_edit(
    action,
    *,
    actor,
    version,
    fields,
    changed=(),
    owners=(),
    supporting=(),
    reason="Action edited",
    date_reason="",
):
    """A manager's edit of an action, under the version check; an override records who set it,
    and a move of its planned completion why (``date_reason``: refused without one). ``reason``
    is its history's otherwise (an accepted change from a returned file names who typed it)."""
    # The real date follows the planned text; the council's wording of the owners may be cleared.
    fields = [*fields, "planned_completion_date", "owners_as_written", *date_moves.FIELDS]
    move = _date_move(action, actor, date_reason, version)
    if {"rag_override", "rag_override_reason", "rag_override_until"} & set(changed):
        action.rag_override_by = actor if action.rag_override else None
        fields.append("rag_override_by")
    if "rag_override" in changed and action.rag_override not in [
        "",
        *rag.scale_values(action.recommendation.plan.rag_scale),
    ]:
        raise Refused("An override must be a value of the plan's RAG scale.")
    if not action.rag_override:
        action.rag_override_reason = ""
        action.rag_override_until = None
    saved = record_save_versioned(
        action,
        actor=actor,
        expected_version=version,
        fields=fields,
        reason=date_moves.history_reason(move.reason) if move else reason,
        m2m={"owners": ActionOwner.entries_keeping_order(action, owners, supporting)},
    )
    if move:
        move.save()
    return saved


def _date_move(action, actor, reason, version):
    """The move of ``action``'s planned completion this edit makes, unsaved, with the action's
    first date and count of moves brought up to date; None if it makes none, or if the edit is
    based on a version since replaced (the version check refuses it, showing what changed).
    The stored values are read under a row lock, so no other edit comes between."""
    action.derive_planned_completion_date()
    stored = (
        Action.objects.select_for_update(of=("self",))
        .filter(pk=action.pk)
        .values(*date_moves.FIELDS, "planned_completion_text", "planned_completion_date", "version")
        .first()
    )
    if stored is None or stored["version"] != version:
        return None
    for name in date_moves.FIELDS:  # only a move changes them, never the form
        setattr(action, name, stored[name])
    old = (stored["planned_completion_text"], stored["planned_completion_date"])
    new = (action.planned_completion_text, action.planned_completion_date)
    # The date follows the text (as the form reads it too): a date set apart from its text is
    # not moved by an edit that leaves the text alone.
    if not date_moves.is_move(old[0], fuzzy_dates.derive_date(old[0]), *new):
        action.derive_planned_completion_date()  # a first date given to an action without one
        return None
    reason = " ".join((reason or "").split())
    if not reason:
        raise Refused(date_moves.REASON_REQUIRED + ".", "date_reason")
    if len(reason) > date_moves.REASON_LIMIT:
        raise Refused(date_moves.REASON_TOO_LONG + ".", "date_reason")
    if not date_moves.has_planned(
        action.first_planned_completion_text, action.first_planned_completion_date
    ):
        action.first_planned_completion_text, action.first_planned_completion_date = old
    action.date_revisions += 1
    return DateMove(
        action=action,
        from_text=old[0],
        from_date=old[1],
        to_text=new[0],
        to_date=new[1],
        days=date_moves.days_moved(old[1], new[1]),
        reason=reason,
        moved_by=actor,
    )


@once.guarded("actor")
def measure_add(measure, *, actor):
    return record_append(
        measure, actor=actor, siblings=measure.plan.measures.all(), reason="Measure added"
    )


@transaction.atomic
def measure_edit(measure, *, actor, fields):
    fields = columns(type(measure), [*fields, "target_date"])  # the date follows its text
    return record_save(measure, actor=actor, reason="Measure edited", update_fields=fields)


@once.guarded("actor")
@transaction.atomic
def reading_add(reading, *, actor):
    return record_save(reading, actor=actor, reason="Reading added")


def _save_owner(owner, save):
    """Run ``save``; a sign-in or name taken meanwhile by another owner is refused, not a 500."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        if owner.user_id and Owner.objects.filter(user_id=owner.user_id).exclude(pk=owner.pk):
            raise Refused("That sign-in is already linked to another owner.", "user") from None
        raise Refused(
            "There is already an owner with this name in this organisation and service.", "name"
        ) from None


@once.guarded("actor")
@transaction.atomic
def owner_add(owner, *, actor, members=()):
    """A person, role, team, board, sub-group or partner agency, with its members."""
    check_set_up_for(actor, owner.organisation)
    reason = "Owner added" + (", linked to a sign-in" if owner.user_id else "")
    _save_owner(owner, lambda: record_save(owner, actor=actor, reason=reason))
    if members:
        owner.members.set(members)
    return owner


@transaction.atomic
def owner_edit(owner, *, actor, version, fields, members=()):
    check_set_up_for(actor, owner.organisation)
    before = Owner.objects.filter(pk=owner.pk).values_list("user_id", flat=True).first()
    reason = "Owner edited"
    if owner.user_id != before:
        reason += ", linked to a sign-in" if owner.user_id else ", sign-in unlinked"
    m2m = {"members": members} if "members" in fields else {}
    return _save_owner(
        owner,
        lambda: record_save_versioned(
            owner, actor=actor, expected_version=version, m2m=m2m, fields=fields, reason=reason
        ),
    )
