"""Writes that touch several models or must run in a transaction; views and commands call these.

Each records who did it (simple-history's request middleware, or ``history_user``) and why
(``_change_reason``), so the history of a plan reads as a list of decisions.
"""

import functools
import uuid
from pathlib import PurePath

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import evidence as evidence_rules
from . import once as once_keys
from . import rag, rules
from .history import changes_since
from .models import Action, ActionOwner, Evidence, Owner, ProgressUpdate
from .people import person_name


class Refused(Exception):
    """A write the domain does not allow; the message says why, in words for the person asking
    (and ``field`` names the form field it is about, if one)."""

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


class Repeated(Refused):
    """The form was posted before, and that post made a record: nothing new is made.

    ``made`` is that record (None if it has been removed since); the message says when it was
    saved. A caller that knows no better shows it as any refusal: nothing is saved twice."""

    def __init__(self, message, made):
        super().__init__(message)
        self.made = made


def _once(actor):
    """Guard a service that makes a record with the form's one-time key (keyword ``once``).

    The key is claimed in the same transaction as the record, before anything is written, so a
    repeat of the post (or a second at the same moment, which waits on the key) makes nothing
    and is told what the first made (``Repeated``). See once.py. ``actor`` names the keyword
    that holds the user the key must belong to."""

    def guard(service):
        @functools.wraps(service)
        def guarded(*args, once=None, **kwargs):
            if not once:
                return service(*args, **kwargs)
            user = kwargs[actor]
            with transaction.atomic():
                submission, first = once_keys.claim(once, user)
                if submission is None or submission.user_id != user.pk:
                    # Another user's key: refused, without a word of what it made.
                    raise Refused(
                        "This form cannot be sent again. Nothing was saved: open the page again "
                        "and send the form from there."
                    )
                if not first:
                    made = once_keys.made_by(submission)
                    raise Repeated(once_keys.repeated_message(submission, made), made)
                made = service(*args, **kwargs)
                once_keys.record(submission, made)
                return made

        return guarded

    return guard


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


@_once("author")
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


@_once("author")
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
    if through is ActionOwner:  # ordered, with roles: ``values`` are its entries
        return ActionOwner.write(obj, values)
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


@_once("actor")
@transaction.atomic
def plan_create(plan, *, actor, inspections=(), managers=None, reason="Plan created"):
    """A new plan of the actor's council (any organisation for an administrator); the actor
    becomes one of its managers, unless it names its ``managers`` (an administrator setting up
    a plan for others). One history record holds the plan with its inspections and managers."""
    _check_set_up_for(actor, plan.organisation)
    _check_same_organisation(
        plan, {"sponsor": plan.sponsor, "governance_body": plan.governance_body}, inspections
    )
    through = {name: type(plan)._meta.get_field(name).remote_field.through
               for name in ("inspections", "managers")}  # fmt: skip
    _add_all(type(plan), [plan], actor=actor, reason=reason, links={
        "inspections": [through["inspections"](plan=plan, inspection=i) for i in inspections],
        "managers": [through["managers"](plan=plan, user=user)
                     for user in ([actor] if managers is None else managers)],
    })  # fmt: skip
    return plan


@transaction.atomic
def plan_manager_add(plan, *, actor, manager):
    """``manager`` becomes one of the plan's managers (an administrator's decision); they must
    work for the plan's council, the boundary of everything they may change."""
    if not (actor.has_perm("actionplans.manage_all_plans") and rules.can_edit_plan(actor, plan)):
        raise Refused("Only an administrator of the plan's council can name its managers.")
    if rules.council_of(manager) != plan.organisation:
        raise Refused(f"{person_name(manager)} does not work for {plan.organisation}.")
    plan._change_reason = "Manager added"
    plan._history_user = actor
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
    return save_with_version(
        plan, editor=actor, expected_version=version, m2m=m2m, fields=fields,
        reason="Plan details edited",
    )  # fmt: skip


@_once("actor")
def section_add(section, *, actor):
    return _append(
        section, actor=actor, siblings=section.plan.sections.all(), reason="Section added"
    )


@transaction.atomic
def section_rename(section, *, actor):
    return _save(section, actor, "Section renamed", update_fields=["title"])


@_once("actor")
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


@_once("actor")
@transaction.atomic
def action_add(action, *, actor, owners=(), supporting=()):
    """Add an action with its lead ``owners`` and ``supporting`` owners, in the order given."""
    action = _append(
        action, actor=actor, siblings=action.recommendation.actions.all(), reason="Action added"
    )
    if owners or supporting:
        ActionOwner.write(action, ActionOwner.entries_keeping_order(action, owners, supporting))
        _save(action, actor, "Owners set")
    return action


def action_edit(action, *, actor, version, fields, changed=(), owners=(), supporting=()):
    """A manager's edit of an action, under the version check; an override records who set it."""
    # The real date follows the planned text; the council's wording of the owners may be cleared.
    fields = [*fields, "planned_completion_date", "owners_as_written"]
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
    return save_with_version(
        action, editor=actor, expected_version=version, fields=fields, reason="Action edited",
        m2m={"owners": ActionOwner.entries_keeping_order(action, owners, supporting)},
    )  # fmt: skip


@_once("actor")
def measure_add(measure, *, actor):
    return _append(
        measure, actor=actor, siblings=measure.plan.measures.all(), reason="Measure added"
    )


@transaction.atomic
def measure_edit(measure, *, actor, fields):
    fields = _columns(type(measure), [*fields, "target_date"])  # the date follows its text
    return _save(measure, actor, "Measure edited", update_fields=fields)


@_once("actor")
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


@_once("actor")
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


@_once("actor")
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


@_once("actor")
def judgement_add(judgement, *, actor):
    siblings = judgement.inspection.judgements.all()
    return _append(judgement, actor=actor, siblings=siblings, reason="Judgement added")


@transaction.atomic
def judgement_edit(judgement, *, actor, fields):
    return _save(
        judgement, actor, "Judgement edited", update_fields=_columns(type(judgement), fields)
    )


@_once("actor")
def finding_add(finding, *, actor):
    siblings = finding.inspection.findings.filter(kind=finding.kind)
    return _append(finding, actor=actor, siblings=siblings, reason="Finding added")


@transaction.atomic
def finding_edit(finding, *, actor, fields):
    return _save(finding, actor, "Finding edited", update_fields=_columns(type(finding), fields))


# Importing a plan from a council's own table (the ``importers`` app reads the file; this writes
# what it read, as plain data, through the services above).


class OwnerIndex:
    """The owners a plan's table names, read in one query: ``match`` gives the owner a name (or
    its initials) means, whatever the capitals, the council's own before a partner agency's, the
    oldest first; owners ``add``ed meanwhile are matched too (after the existing ones)."""

    def __init__(self, organisation, names):
        from django.db.models import Q
        from django.db.models.functions import Upper

        self.organisation = organisation
        keys = {name.upper() for name in names if name}
        found = (
            Owner.objects.annotate(upper_name=Upper("name"), upper_initials=Upper("initials"))
            .filter(Q(upper_name__in=keys) | Q(upper_initials__in=keys))
            .order_by("pk")
        )
        self.by_name, self.by_initials, self.place = {}, {}, {}
        for owner in found:
            self.add(owner)

    def add(self, owner):
        self.place[id(owner)] = len(self.place)  # existing ones in pk order, then new ones
        self.by_name.setdefault(owner.name.upper(), []).append(owner)
        if owner.initials:
            self.by_initials.setdefault(owner.initials.upper(), []).append(owner)

    def match(self, name, initials=""):
        key = name.upper()
        found = self.by_name.get(key, []) + self.by_initials.get(key, [])
        if initials:
            found += self.by_initials.get(initials.upper(), [])
        found = sorted(
            {id(owner): owner for owner in found}.values(), key=lambda o: self.place[id(o)]
        )
        ours = [owner for owner in found if owner.organisation == self.organisation]
        return (ours or found or [None])[0]


def dated(obj, day, tick=[0]):  # noqa: B006 -- the counter keeps records of one day in order
    """Date ``obj``'s next history record by ``day`` (the file's own date), at midday London,
    each a microsecond after the last so that records saved in turn keep their order."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    if day is not None:
        tick[0] += 1
        midday = dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo("Europe/London"))
        obj._history_date = midday + dt.timedelta(microseconds=tick[0] % 1_000_000)
    return obj


def _checked(obj, row, exclude=()):
    """``obj``'s fields checked as a form would, with the file's row in the message. Foreign keys
    (set here, not typed) and the constraints (the same rules as the fields' choices) are not
    queried again: 2,000 rows would make thousands of queries."""
    from django.core.exceptions import ValidationError

    keys = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    try:
        obj.full_clean(
            exclude=["order", *keys, *exclude], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        messages = "; ".join(
            f"{name}: {' '.join(errs)}" for name, errs in error.message_dict.items()
        )
        raise Refused(f"Row {row}: {messages}") from None
    return obj


_BATCH = 500


def _add_all(model, objs, *, actor, reason, links=None):
    """Save new ``objs`` of ``model`` in one insert and their history records in another (each
    dated by its own ``_history_date`` where set): what ``_append`` does for one, for thousands.
    ``links`` (many-to-many field name -> new rows of its through model) are saved with them,
    and each history record keeps its object's links, as simple-history's own records do."""
    from simple_history.models import HistoricalRecords

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


MEASURE_FIELDS = ("name", "unit", "baseline_text", "baseline_value", "baseline_date",
                  "baseline_source", "target_text", "target_value", "target_date_text")  # fmt: skip
READING_FIELDS = ("period_label", "taken_on", "value", "numerator", "denominator", "note")


@transaction.atomic
def plan_import(
    spec, *, actor, organisation, reason=None, owners=None, findings=None, inspections=(),
    managers=None,
):  # fmt: skip
    """A whole plan from ``spec`` (the importer's plain data: title, date, column_names, sections
    of recommendations of actions with owners and progress), in one transaction: any refusal
    leaves nothing. Owners the table names are matched to existing ones or created; every record
    is dated in history by the file's own date where it gives one.

    What a council's table does not hold, a transcribed plan (the demo's) may: the plan's
    directorate, sponsor, governance body, status and submission date; a recommendation's
    paragraph, leads, findings, body, measures and progress; an action's reference, supporting
    owners, the recommendations it also answers, measures, and updates attributed to an owner.
    ``owners`` and ``findings`` map the names and keys the spec uses to records the caller has
    found or made already. ``reason`` given, every record's history gives it; ``inspections``
    and ``managers`` are as ``plan_create`` takes them.

    Each record is checked as ``section_add``, ``recommendation_add``, ``action_add``,
    ``measure_add`` and ``owner_add`` check one, then saved with its history in a few bulk
    inserts: the number of queries does not grow with the rows (2,000 rows one by one took
    minutes)."""
    import datetime as dt

    from .models import Measure, Plan, Reading, Recommendation, Section

    day = spec.get("date")
    known = dict(owners or {})
    findings = dict(findings or {})
    s_specs = spec.get("sections") or []
    r_specs = [r for s in s_specs for r in s.get("recommendations") or []]
    a_specs = [a for r in r_specs for a in r.get("actions") or []]
    names = [spec.get("sponsor"), spec.get("governance_body")]
    for item in [*r_specs, *a_specs]:
        names.append(item.get("accountable_body"))
        names += [u.get("author") for u in item.get("progress") or []]
    names += [n for r in r_specs for n in r.get("leads") or []]
    for a in a_specs:
        names += [n for o in a.get("owners") or [] for n in (o["name"], o.get("initials"))]
        names += [o["name"] for o in a.get("supporting") or []]
    index = OwnerIndex(organisation, [n for n in names if n and n not in known])
    matched, new_owners = {}, []

    def owner(name, initials=""):
        if not name:
            return None
        if name in known:
            return known[name]
        key = name.casefold()
        if key not in matched:
            found = index.match(name, initials)
            if found is None:
                found = Owner(name=name[:200], organisation=organisation, initials=initials[:20])
                new_owners.append(dated(found, day))
                index.add(found)
            matched[key] = found
        return matched[key]

    plan = Plan(
        title=(spec.get("title") or "").strip()[:300],
        organisation=organisation,
        directorate=spec.get("directorate") or "",
        submitted_on=spec.get("submitted_on"),
        overall_rating=spec.get("overall_rating") or "",
        introduction=spec.get("subtitle") or "",
        column_names=list(spec.get("column_names") or []),
        sponsor=owner(spec.get("sponsor")),
        governance_body=owner(spec.get("governance_body")),
    )
    _checked(plan, 0, exclude=["managers", "inspections"])
    status = spec.get("status") or ""
    if status and status not in Plan.Status.values:
        raise Refused(f"“{status}” is not a plan status.")

    sections, recs, actions, measures, readings, updates = [], [], [], [], [], []
    links = {"leads": [], "findings": [], "owners": [], "also_answers": []}
    also = []

    def progress(u_specs, row, **on):
        for u_spec in u_specs or []:
            written = u_spec.get("date") or day or timezone.localdate()
            if isinstance(written, str):
                written = dt.date.fromisoformat(written)
            update = ProgressUpdate(
                **on, written_on=written, text=u_spec["text"],
                period_label=str(u_spec.get("label") or "")[:100],
                # A document that says who wrote it names an owner, not a login.
                author=None if "author" in u_spec else actor,
                attributed_to=owner(u_spec.get("author")),
            )  # fmt: skip
            if u_spec.get("created_at"):
                update.created_at = u_spec["created_at"]
            updates.append((dated(update, written), row))

    def measured(m_specs, rec, action=None):
        for m_order, m_spec in enumerate(m_specs or []):
            measure = Measure(
                plan=plan, recommendation=rec, action=action, order=m_order,
                **{k: m_spec.get(k) for k in MEASURE_FIELDS if m_spec.get(k) is not None},
            )  # fmt: skip
            measure.derive_target_date()
            measures.append((dated(measure, day), rec.row))
            for r_spec in m_spec.get("readings") or []:
                reading = Reading(
                    measure=measure,
                    **{k: r_spec.get(k) for k in READING_FIELDS if r_spec.get(k) is not None},
                )
                readings.append((dated(reading, reading.taken_on or day), rec.row))

    for s_order, s_spec in enumerate(s_specs):
        section = Section(plan=plan, title=(s_spec.get("title") or "")[:300], order=s_order)
        sections.append(dated(section, day))
        for r_spec in s_spec.get("recommendations") or []:
            rec = Recommendation(
                plan=plan, section=section, reference=str(r_spec.get("reference") or ""),
                text=r_spec.get("text") or "", outcomes=r_spec.get("outcomes") or "",
                paragraph=str(r_spec.get("paragraph") or ""),
                benchmark_as_written=r_spec.get("benchmark") or "",
                target_as_written=r_spec.get("target_date") or "", order=len(recs),
                accountable_body=owner(r_spec.get("accountable_body")),
            )  # fmt: skip
            rec.row = r_spec.get("row", 0)
            recs.append(dated(_checked(rec, rec.row), day))
            leads = {id(o): o for o in map(owner, r_spec.get("leads") or [])}
            links["leads"] += [
                Recommendation.leads.through(recommendation=rec, owner=o) for o in leads.values()
            ]
            for key in r_spec.get("findings") or []:
                if key not in findings:
                    raise Refused(f"Row {rec.row}: the finding “{key}” is not known.")
                links["findings"].append(
                    Recommendation.findings.through(recommendation=rec, finding=findings[key])
                )
            measured(r_spec.get("measures"), rec)
            progress(r_spec.get("progress"), rec.row, recommendation=rec)
            for a_order, a_spec in enumerate(r_spec.get("actions") or []):
                row = a_spec.get("row", 0)
                action = Action(
                    recommendation=rec,
                    reference=str(a_spec.get("reference") or ""),
                    text=a_spec.get("text") or "",
                    owners_as_written=a_spec.get("owners_as_written") or "",
                    planned_completion_text=str(a_spec.get("planned_completion") or ""),
                    status=a_spec.get("status") or Action.Status.NOT_RECORDED,
                    performance_indicator=a_spec.get("performance_indicator") or "",
                    target=a_spec.get("target") or "",
                    accountable_body=owner(a_spec.get("accountable_body")),
                    order=a_order,
                )
                if a_spec.get("created_at"):
                    action.created_at = a_spec["created_at"]
                action.derive_planned_completion_date()
                actions.append(dated(_checked(action, row, exclude=["created_at"]), day))
                entries = {}  # owner -> (role, as written), leads first, each owner once
                for o in a_spec.get("owners") or []:
                    found = owner(o["name"], o.get("initials") or "")
                    entries.setdefault(id(found), (found, ActionOwner.Role.LEAD, ""))
                for o in a_spec.get("supporting") or []:
                    found = owner(o["name"])
                    entries.setdefault(
                        id(found), (found, ActionOwner.Role.SUPPORTING, o.get("as_written") or "")
                    )
                links["owners"] += [
                    ActionOwner(action=action, owner=o, order=n, role=role, as_written=wording)
                    for n, (o, role, wording) in enumerate(entries.values())
                ]
                if a_spec.get("also_answers"):
                    also.append((action, row, a_spec["also_answers"]))
                measured(a_spec.get("measures"), rec, action)
                progress(a_spec.get("progress"), row, action=action)
    by_reference = {}
    for rec in recs:
        by_reference.setdefault(rec.reference, rec)
    for action, row, refs in also:
        for ref in refs:
            if str(ref) not in by_reference:
                raise Refused(f"Row {row}: the action answers “{ref}”, not in this plan.")
            links["also_answers"].append(
                Action.also_answers.through(action=action, recommendation=by_reference[str(ref)])
            )

    if new_owners:
        _check_set_up_for(actor, organisation)
        try:
            with transaction.atomic():
                _add_all(Owner, new_owners, actor=actor, reason=reason or "Owner added")
        except IntegrityError:
            raise Refused(
                "There is already an owner with this name in this organisation and service."
            ) from None
    if status:
        # The status the document gives, even where an action names no owner (a plan the
        # inspectorate approved so): Plan.clean's rule is for a manager approving in the browser.
        plan.status = status
    dated(plan, day)
    plan_create(
        plan, actor=actor, inspections=inspections, managers=managers,
        reason=reason or "Plan created",
    )  # fmt: skip
    _add_all(Section, sections, actor=actor, reason=reason or "Section added")
    _add_all(
        Recommendation, recs, actor=actor, reason=reason or "Recommendation added",
        links={"leads": links["leads"], "findings": links["findings"]},
    )  # fmt: skip
    # One history record an action, holding its owners (one by one it took two: added, owners set).
    _add_all(
        Action, actions, actor=actor, reason=reason or "Action added",
        links={"owners": links["owners"], "also_answers": links["also_answers"]},
    )  # fmt: skip
    # Checked once what they belong to has an id (a measure or an update must belong to one);
    # any refusal still leaves nothing, as the transaction is rolled back.
    for obj, row in [*measures, *readings, *updates]:
        for name in ("plan", "recommendation", "action", "measure"):
            if hasattr(obj, f"{name}_id") and getattr(obj, name, None) is not None:
                setattr(obj, f"{name}_id", getattr(obj, name).pk)
        _checked(obj, row, exclude=["created_at"])
    _add_all(Measure, [m for m, _ in measures], actor=actor, reason=reason or "Measure added")
    _add_all(Reading, [r for r, _ in readings], actor=actor, reason=reason or "Reading added")
    _add_all(
        ProgressUpdate, [u for u, _ in updates], actor=actor,
        reason=reason or "Imported from a file",
    )  # fmt: skip
    return plan
