"""Writes that touch several models or must run in a transaction; views and commands call these.

Each records who did it (simple-history's request middleware, or ``history_user``) and why
(``_change_reason``), so the history of a plan reads as a list of decisions.
"""

import uuid
from pathlib import PurePath

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import evidence as evidence_rules
from . import rules
from .models import Action, Evidence, Owner, ProgressUpdate


class Refused(Exception):
    """A write the domain refuses, with a message for the user (and the field it is about)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


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
    who = sorted({str(r.history_user) for r in editors if r.history_user})
    return [
        {"field": type(obj)._meta.get_field(change.field).verbose_name, "old": change.old,
         "new": change.new, "who": ", ".join(who), "when": latest.history_date}
        for change in delta.changes
    ]  # fmt: skip


@transaction.atomic
def save_with_version(obj, *, editor, expected_version, m2m=None, reason="Edited", fields=None):
    """Save an edited object unless someone saved it since ``expected_version``.

    The version is bumped by one conditional UPDATE, so two concurrent saves cannot both pass.
    On a conflict nothing is written and StaleEdit carries the current object and what changed.
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
    if isinstance(obj, Action):
        obj.derive_planned_completion_date()
    for name, values in (m2m or {}).items():
        _set_quietly(obj, name, values)
    # One history record for the whole edit, fields and related owners together.
    if fields is not None:
        _save(obj, editor, reason, update_fields=_columns(model, [*fields, "version"]))
    else:
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
def _append(obj, *, actor, siblings, m2m=None, reason="Added"):
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


# Setting up and restructuring: one named write for each thing a manager does to a plan, an owner
# or an inspection. Each takes the actor, records a reason in history, runs in a transaction and
# writes only the fields it is given (the form's), so a concurrent change to any other is kept.


def _columns(model, names):
    """The names among ``names`` that are columns of ``model`` (not many-to-many fields)."""
    concrete = {field.name for field in model._meta.concrete_fields}
    return [name for name in dict.fromkeys(names) if name in concrete]


def _check_set_up_for(actor, organisation, field="organisation"):
    if rules.can_set_up_for(actor, organisation):
        return
    council = rules.council_of(actor)
    if not council:
        raise Refused(
            "Your sign-in is not linked to an owner record of your council, so you cannot set "
            "up plans, owners or inspections. Ask an administrator to link it.",
            field,
        )
    raise Refused(
        f"{organisation} is another council. You can set up only for {council} and partner "
        "agencies.",
        field,
    )


def _check_same_organisation(plan, owners_by_field, inspections):
    for field, owner in owners_by_field.items():
        if owner is not None and owner.organisation != plan.organisation:
            raise Refused(f"{owner} does not belong to {plan.organisation}.", field)
    for inspection in inspections:
        if inspection.organisation != plan.organisation:
            raise Refused(
                f"{inspection} is not an inspection of {plan.organisation}.", "inspections"
            )


@transaction.atomic
def plan_create(plan, *, actor, inspections=()):
    """A new plan of the actor's council (any organisation for an administrator); the actor
    becomes one of its managers."""
    _check_set_up_for(actor, plan.organisation)
    _check_same_organisation(
        plan, {"sponsor": plan.sponsor, "governance_body": plan.governance_body}, inspections
    )
    _save(plan, actor, "Plan created")
    plan.inspections.set(inspections)
    plan.managers.add(actor)
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
    return save_with_version(
        plan, editor=actor, expected_version=version, m2m=m2m, fields=fields,
        reason="Plan details edited",
    )  # fmt: skip


def section_add(section, *, actor):
    return _append(
        section, actor=actor, siblings=section.plan.sections.all(), reason="Section added"
    )


@transaction.atomic
def section_rename(section, *, actor):
    return _save(section, actor, "Section renamed", update_fields=["title"])


def recommendation_add(rec, *, actor, leads=()):
    return _append(
        rec, actor=actor, siblings=rec.plan.recommendations.all(), m2m={"leads": leads},
        reason="Recommendation added",
    )  # fmt: skip


def recommendation_edit(rec, *, actor, version, fields, leads=()):
    return save_with_version(
        rec, editor=actor, expected_version=version, m2m={"leads": leads}, fields=fields,
        reason="Recommendation edited",
    )  # fmt: skip


def action_add(action, *, actor, owners=()):
    return _append(
        action, actor=actor, siblings=action.recommendation.actions.all(),
        m2m={"owners": owners}, reason="Action added",
    )  # fmt: skip


def action_edit(action, *, actor, version, fields, owners=()):
    # The real date follows the planned text; the council's wording of the owners may be cleared.
    fields = [*fields, "planned_completion_date", "owners_as_written"]
    return save_with_version(
        action, editor=actor, expected_version=version, m2m={"owners": owners}, fields=fields,
        reason="Action edited",
    )  # fmt: skip


def measure_add(measure, *, actor):
    return _append(
        measure, actor=actor, siblings=measure.plan.measures.all(), reason="Measure added"
    )


@transaction.atomic
def measure_edit(measure, *, actor, fields):
    fields = _columns(type(measure), [*fields, "target_date"])  # the date follows its text
    return _save(measure, actor, "Measure edited", update_fields=fields)


@transaction.atomic
def reading_add(reading, *, actor):
    return _save(reading, actor, "Reading added")


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


@transaction.atomic
def owner_add(owner, *, actor, members=()):
    """A person, role, team, board, sub-group or partner agency, with its members."""
    _check_set_up_for(actor, owner.organisation)
    reason = "Owner added" + (", linked to a sign-in" if owner.user_id else "")
    _save_owner(owner, lambda: _save(owner, actor, reason))
    if members:
        owner.members.set(members)
    return owner


@transaction.atomic
def owner_edit(owner, *, actor, version, fields, members=()):
    _check_set_up_for(actor, owner.organisation)
    before = Owner.objects.filter(pk=owner.pk).values_list("user_id", flat=True).first()
    reason = "Owner edited"
    if owner.user_id != before:
        reason += ", linked to a sign-in" if owner.user_id else ", sign-in unlinked"
    m2m = {"members": members} if "members" in fields else {}
    return _save_owner(
        owner,
        lambda: save_with_version(
            owner, editor=actor, expected_version=version, m2m=m2m, fields=fields, reason=reason
        ),
    )


@transaction.atomic
def inspection_add(inspection, *, actor):
    _check_set_up_for(actor, inspection.organisation)
    return _save(inspection, actor, "Inspection added")


@transaction.atomic
def inspection_edit(inspection, *, actor, version, fields):
    _check_set_up_for(actor, inspection.organisation)
    return save_with_version(
        inspection, editor=actor, expected_version=version, fields=fields,
        reason="Inspection edited",
    )  # fmt: skip


def judgement_add(judgement, *, actor):
    siblings = judgement.inspection.judgements.all()
    return _append(judgement, actor=actor, siblings=siblings, reason="Judgement added")


@transaction.atomic
def judgement_edit(judgement, *, actor, fields):
    return _save(
        judgement, actor, "Judgement edited", update_fields=_columns(type(judgement), fields)
    )


def finding_add(finding, *, actor):
    siblings = finding.inspection.findings.filter(kind=finding.kind)
    return _append(finding, actor=actor, siblings=siblings, reason="Finding added")


@transaction.atomic
def finding_edit(finding, *, actor, fields):
    return _save(finding, actor, "Finding edited", update_fields=_columns(type(finding), fields))
