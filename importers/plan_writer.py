"""A whole plan written from what the importer read (plain data, see parse.py and
transcribed.py), in one transaction and a few bulk inserts, through the same rules as the
services that add one record at a time."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from actionplans.models import (
    Action,
    ActionOwner,
    Measure,
    Owner,
    Plan,
    ProgressUpdate,
    Reading,
    Recommendation,
    Section,
)
from actionplans.plan_setup import check_set_up_for, plan_create
from actionplans.rules import _councils_q
from core.errors import Refused
from core.records import record_date, records_add


def matchable_owners(organisation):
    """The owners a plan of ``organisation`` may name: the council's own and partner agencies'
    (organisations with no plan and no inspection: ``actionplans.rules``' boundary), never another
    council's, whose "Service Manager" is not this one's."""
    return Owner.objects.filter(Q(organisation=organisation) | ~_councils_q())


class OwnerIndex:
    """The owners a plan's table names, read in one query: ``match`` gives the owner a name (or
    its initials) means, whatever the capitals, among the council's own and its partner agencies'
    (``matchable_owners``), the council's before a partner agency's, the oldest first; owners
    ``add``ed meanwhile are matched too (after the existing ones)."""

    def __init__(self, organisation, names):
        self.organisation = organisation
        keys = {name.upper() for name in names if name}
        found = (
            matchable_owners(organisation)
            .annotate(upper_name=Upper("name"), upper_initials=Upper("initials"))
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


def _checked(obj, row, exclude=()):
    """``obj``'s fields checked as a form would, with the file's row in the message. Foreign keys
    (set here, not typed) and the constraints (the same rules as the fields' choices) are not
    queried again: 2,000 rows would make thousands of queries."""
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


MEASURE_FIELDS = (
    "name",
    "unit",
    "baseline_text",
    "baseline_value",
    "baseline_date",
    "baseline_source",
    "target_text",
    "target_value",
    "target_date_text",
)
READING_FIELDS = ("period_label", "taken_on", "value", "numerator", "denominator", "note")


@transaction.atomic
def plan_import(
    spec,
    *,
    actor,
    organisation,
    reason=None,
    owners=None,
    findings=None,
    inspections=(),
    managers=None,
):
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
    read = spec.get("owner_details") or {}  # name -> the kind and job title the file gives
    # The existing owners the manager matched on the preview (importers.owner_edits), read once
    # and again within the council's boundary: an id from anywhere else matches nothing.
    chosen_ids = [d["owner_id"] for d in read.values() if isinstance(d.get("owner_id"), int)]
    chosen = (
        {o.pk: o for o in matchable_owners(organisation).filter(pk__in=chosen_ids)}
        if chosen_ids
        else {}
    )

    def owner(name, initials=""):
        if not name:
            return None
        if name in known:
            return known[name]
        key = name.casefold()
        if key not in matched:
            details = read.get(name) or {}
            if "owner_id" in details:
                if details["owner_id"] not in chosen:
                    raise Refused(
                        f"“{name}” was matched to an owner who is not one of this council's or "
                        "its partner agencies': match it again on the preview."
                    )
                matched[key] = chosen[details["owner_id"]]
                return matched[key]
            # A new owner the manager asked for is not matched to an existing one by its name.
            found = None if details.get("create") else index.match(name, initials)
            if found is None:
                found = Owner(
                    name=name[:200],
                    organisation=organisation,
                    initials=initials[:20],
                    kind=details.get("kind")
                    if details.get("kind") in Owner.Kind.values
                    else (Owner.Kind.PERSON),
                    job_title=(details.get("job_title") or "")[:200],
                )
                new_owners.append(record_date(found, day))
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
                **on,
                written_on=written,
                text=u_spec["text"],
                period_label=str(u_spec.get("label") or "")[:100],
                # A document that says who wrote it names an owner, not a login.
                author=None if "author" in u_spec else actor,
                attributed_to=owner(u_spec.get("author")),
            )
            if u_spec.get("created_at"):
                update.created_at = u_spec["created_at"]
            updates.append((record_date(update, written), row))

    def measured(m_specs, rec, action=None):
        for m_order, m_spec in enumerate(m_specs or []):
            measure = Measure(
                plan=plan,
                recommendation=rec,
                action=action,
                order=m_order,
                **{k: m_spec.get(k) for k in MEASURE_FIELDS if m_spec.get(k) is not None},
            )
            measure.derive_target_date()
            measures.append((record_date(measure, day), rec.row))
            for r_spec in m_spec.get("readings") or []:
                reading = Reading(
                    measure=measure,
                    **{k: r_spec.get(k) for k in READING_FIELDS if r_spec.get(k) is not None},
                )
                readings.append((record_date(reading, reading.taken_on or day), rec.row))

    for s_order, s_spec in enumerate(s_specs):
        section = Section(plan=plan, title=(s_spec.get("title") or "")[:300], order=s_order)
        sections.append(record_date(section, day))
        for r_spec in s_spec.get("recommendations") or []:
            rec = Recommendation(
                plan=plan,
                section=section,
                reference=str(r_spec.get("reference") or ""),
                text=r_spec.get("text") or "",
                outcomes=r_spec.get("outcomes") or "",
                paragraph=str(r_spec.get("paragraph") or ""),
                benchmark_as_written=r_spec.get("benchmark") or "",
                target_as_written=r_spec.get("target_date") or "",
                order=len(recs),
                accountable_body=owner(r_spec.get("accountable_body")),
            )
            rec.row = r_spec.get("row", 0)
            recs.append(record_date(_checked(rec, rec.row), day))
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
                actions.append(record_date(_checked(action, row, exclude=["created_at"]), day))
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
        check_set_up_for(actor, organisation)
        try:
            with transaction.atomic():
                records_add(Owner, new_owners, actor=actor, reason=reason or "Owner added")
        except IntegrityError:
            raise Refused(
                "There is already an owner with this name in this organisation and service."
            ) from None
    if status:
        # The status the document gives, even where an action names no owner (a plan the
        # inspectorate approved so): Plan.clean's rule is for a manager approving in the browser.
        plan.status = status
    record_date(plan, day)
    plan_create(
        plan,
        actor=actor,
        inspections=inspections,
        managers=managers,
        reason=reason or "Plan created",
    )
    records_add(Section, sections, actor=actor, reason=reason or "Section added")
    records_add(
        Recommendation,
        recs,
        actor=actor,
        reason=reason or "Recommendation added",
        links={"leads": links["leads"], "findings": links["findings"]},
    )
    # One history record an action, holding its owners (one by one it took two: added, owners set).
    records_add(
        Action,
        actions,
        actor=actor,
        reason=reason or "Action added",
        links={"owners": links["owners"], "also_answers": links["also_answers"]},
    )
    # Checked once what they belong to has an id (a measure or an update must belong to one);
    # any refusal still leaves nothing, as the transaction is rolled back.
    for obj, row in [*measures, *readings, *updates]:
        for name in ("plan", "recommendation", "action", "measure"):
            if hasattr(obj, f"{name}_id") and getattr(obj, name, None) is not None:
                setattr(obj, f"{name}_id", getattr(obj, name).pk)
        _checked(obj, row, exclude=["created_at"])
    records_add(Measure, [m for m, _ in measures], actor=actor, reason=reason or "Measure added")
    records_add(Reading, [r for r, _ in readings], actor=actor, reason=reason or "Reading added")
    records_add(
        ProgressUpdate,
        [u for u, _ in updates],
        actor=actor,
        reason=reason or "Imported from a file",
    )
    return plan
