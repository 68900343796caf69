"""Load the transcribed seed plans (fixtures/plans/*.yaml) and the demo logins.

Every record is dated in history by the seed document's own date (simple-history's
``_history_date``), so "the plan as it stood in October 2012" works on the demo plans. Loading is
idempotent: a plan that already exists (same council and title) is left as it is.
"""

import datetime as dt
import itertools
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from inspections.models import Finding, Inspection, Judgement

from .models import (
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

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
LONDON = ZoneInfo("Europe/London")
# bandit B105 accepted: the demo password is published; load_demo refuses a production site.
DEMO_PASSWORD = "demo"  # nosec B105


class DemoDataError(Exception):
    pass


_tick = itertools.count()


def _moment(day):
    """Midday in London on ``day``: the time a document's records are dated to in history.

    Each call is a microsecond later than the last, so that records saved in turn keep their order
    in history ("the latest record as of a date" must be one record, not a tie).
    """
    midday = dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)
    return midday + dt.timedelta(microseconds=next(_tick) % 1_000_000)


def _save(obj, day, reason):
    obj._history_date = _moment(day)
    obj._change_reason = reason
    obj.full_clean()
    obj.save()
    return obj


class _FileLoader:
    def __init__(self, path):
        self.path = path
        self.data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.organisation = self.data["organisation"]
        self.service = self.data.get("service", "")
        self.reason = f"Transcribed from seed document {self.data.get('source', path.name)}"
        dates = [p["recorded_on"] for p in self.data.get("plans", [])]
        self.first_date = min(dates) if dates else dt.date.today()
        self.owners = {}
        self.inspections = {}
        self.findings = {}

    def load(self):
        created = []
        for spec in self.data.get("owners", []):
            self._owner(spec)
        for spec in self.data.get("owners", []):
            self._members(spec)
        for spec in self.data.get("inspections", []):
            self._inspection(spec)
        for spec in self.data.get("plans", []):
            if Plan.objects.filter(organisation=self.organisation, title=spec["title"]).exists():
                continue
            created.append(self._plan(spec))
        return created

    def owner(self, name):
        if name is None:
            return None
        try:
            return self.owners[name]
        except KeyError:
            raise DemoDataError(f"{self.path.name}: owner {name!r} is not defined") from None

    def _owner(self, spec):
        # A partner agency's people belong to it; the council's to the service the plan is about.
        organisation = spec.get("organisation") or self.organisation
        service = spec.get("service", "" if spec.get("organisation") else self.service)
        key = {"organisation": organisation, "service": service, "name": spec["name"]}
        owner = Owner.objects.filter(**key).first()
        if owner is None:
            owner = Owner(
                **key,
                kind=spec.get("kind", Owner.Kind.PERSON),
                job_title=spec.get("job_title") or "",
                initials=spec.get("initials") or "",
                email=spec.get("email") or "",
            )
            _save(owner, self.first_date, self.reason)
        self.owners[spec["name"]] = owner

    def _members(self, spec):
        members = [self.owner(name) for name in spec.get("members") or []]
        if members:
            owner = self.owners[spec["name"]]
            owner._history_date = _moment(self.first_date)
            owner.members.add(*members)

    def _inspection(self, spec):
        inspection = Inspection.objects.filter(
            inspectorate=spec["inspectorate"], title=spec["title"], organisation=self.organisation
        ).first()
        when = (
            spec.get("published_on")
            or spec.get("ended_on")
            or spec.get("started_on")
            or self.first_date
        )
        if inspection is None:
            inspection = _save(
                Inspection(
                    inspectorate=spec["inspectorate"],
                    kind=spec.get("kind", Inspection.Kind.OTHER),
                    title=spec["title"],
                    organisation=self.organisation,
                    service=spec.get("service") or "",
                    started_on=spec.get("started_on"),
                    ended_on=spec.get("ended_on"),
                    published_on=spec.get("published_on"),
                    summary=spec.get("summary") or "",
                ),
                when,
                self.reason,
            )
            for order, j in enumerate(spec.get("judgements") or []):
                _save(
                    Judgement(inspection=inspection, area=j["area"], grade=j["grade"], order=order),
                    when,
                    self.reason,
                )
            for order, f in enumerate(spec.get("findings") or []):
                _save(
                    Finding(
                        inspection=inspection,
                        kind=f["kind"],
                        reference=str(f.get("reference") or ""),
                        paragraph=str(f.get("paragraph") or ""),
                        text=f["text"],
                        responsible=f.get("responsible") or "",
                        order=order,
                    ),
                    when,
                    self.reason,
                )
        self.inspections[spec["key"]] = inspection
        for finding in inspection.findings.all():
            self.findings[f"{spec['key']}/{finding.kind}/{finding.reference}"] = finding

    def _plan(self, spec):
        when = spec["recorded_on"]
        plan = Plan(
            title=spec["title"],
            organisation=self.organisation,
            directorate=spec.get("directorate") or "",
            sponsor=self.owner(spec.get("sponsor")),
            governance_body=self.owner(spec.get("governance_body")),
            # Saved as a draft first; the document's status is recorded once the actions exist.
            status=Plan.Status.DRAFT,
            submitted_on=spec.get("submitted_on"),
            overall_rating=spec.get("overall_rating") or "",
            introduction=spec.get("introduction") or "",
            column_names=spec.get("column_names") or [],
        )
        _save(plan, when, self.reason)
        plan._history_date = _moment(when)
        plan.inspections.set([self.inspections[key] for key in spec.get("answers") or []])

        by_reference = {}
        pending_also = []
        rec_order = 0
        for s_order, s_spec in enumerate(spec.get("sections") or []):
            section = _save(
                Section(plan=plan, title=s_spec.get("title") or "", order=s_order),
                when,
                self.reason,
            )
            for r_spec in s_spec.get("recommendations") or []:
                rec = self._recommendation(plan, section, r_spec, rec_order, when, pending_also)
                by_reference.setdefault(rec.reference, rec)
                rec_order += 1
        for action, refs in pending_also:
            try:
                targets = [by_reference[str(ref)] for ref in refs]
            except KeyError as missing:
                raise DemoDataError(
                    f"{self.path.name}: action {action.text[:40]!r} answers unknown {missing}"
                ) from None
            action._history_date = _moment(when)
            action.also_answers.add(*targets)

        status = spec.get("status")
        if status and status != plan.status:
            # The status the document gives, even where an action names no owner (Merton's youth
            # justice plan was approved by HMIP so): the plan page flags such actions. Plan.clean's
            # rule is for a manager approving in the browser, so it is not applied here.
            plan.status = status
            plan._history_date = _moment(when)
            plan._change_reason = self.reason
            plan.save()
        return plan

    def _recommendation(self, plan, section, spec, order, when, pending_also):
        rec = _save(
            Recommendation(
                plan=plan,
                section=section,
                reference=str(spec.get("reference") or ""),
                text=spec["text"],
                paragraph=str(spec.get("paragraph") or ""),
                outcomes=spec.get("outcomes") or "",
                benchmark_as_written=spec.get("benchmark_as_written") or "",
                target_as_written=spec.get("target_as_written") or "",
                accountable_body=self.owner(spec.get("accountable_body")),
                order=order,
            ),
            when,
            self.reason,
        )
        rec._history_date = _moment(when)
        rec.leads.set([self.owner(name) for name in spec.get("leads") or []])
        findings = []
        for key in spec.get("findings") or []:
            if key not in self.findings:
                raise DemoDataError(f"{self.path.name}: unknown finding {key!r}")
            findings.append(self.findings[key])
        rec._history_date = _moment(when)
        rec.findings.set(findings)
        for m_order, m_spec in enumerate(spec.get("measures") or []):
            self._measure(plan, m_spec, m_order, when, recommendation=rec)
        for u_spec in spec.get("progress") or []:
            self._update(u_spec, recommendation=rec)
        for a_order, a_spec in enumerate(spec.get("actions") or []):
            action = self._action(rec, a_spec, a_order, when)
            if a_spec.get("also_answers"):
                pending_also.append((action, a_spec["also_answers"]))
        return rec

    def _action(self, rec, spec, order, when):
        action = Action(
            recommendation=rec,
            reference=str(spec.get("reference") or ""),
            text=spec["text"],
            owners_as_written=spec.get("owners_as_written") or "",
            accountable_body=self.owner(spec.get("accountable_body")),
            planned_completion_text=str(spec.get("planned_completion") or ""),
            status=spec.get("status", Action.Status.NOT_RECORDED),
            performance_indicator=spec.get("performance_indicator") or "",
            target=spec.get("target") or "",
            order=order,
            created_at=_moment(when),
        )
        action.derive_planned_completion_date()
        _save(action, when, self.reason)
        entries = self._owner_entries(spec)
        if entries:
            ActionOwner.write(action, entries)
            _save(action, when, self.reason)  # the history record that holds the owner list
        for m_order, m_spec in enumerate(spec.get("measures") or []):
            self._measure(rec.plan, m_spec, m_order, when, recommendation=rec, action=action)
        for u_spec in spec.get("progress") or []:
            self._update(u_spec, action=action)
        return action

    def _owner_entries(self, spec):
        """``owners`` (the leads) then ``supporting``, each in the order written. A supporting
        owner is a name, or {name, as_written} when the plan adds words ("with P&Q Team")."""
        entries = [
            (self.owner(name), ActionOwner.Role.LEAD, "") for name in spec.get("owners") or []
        ]
        for item in spec.get("supporting") or []:
            name, wording = (
                (item["name"], item.get("as_written") or "")
                if isinstance(item, dict)
                else (item, "")
            )
            entries.append((self.owner(name), ActionOwner.Role.SUPPORTING, wording))
        return entries

    def _measure(self, plan, spec, order, when, recommendation=None, action=None):
        measure = Measure(
            plan=plan,
            recommendation=recommendation,
            action=action,
            name=spec.get("name") or "",
            unit=spec.get("unit", Measure.Unit.PERCENT),
            baseline_text=spec.get("baseline") or "",
            baseline_value=spec.get("baseline_value"),
            baseline_date=spec.get("baseline_date"),
            baseline_source=spec.get("baseline_source") or "",
            target_text=spec.get("target") or "",
            target_value=spec.get("target_value"),
            target_date_text=str(spec.get("target_date_text") or ""),
            order=order,
        )
        measure.derive_target_date()
        _save(measure, when, self.reason)
        for r_spec in spec.get("readings") or []:
            taken_on = r_spec.get("taken_on")
            _save(
                Reading(
                    measure=measure,
                    period_label=str(r_spec.get("period_label") or ""),
                    taken_on=taken_on,
                    value=r_spec.get("value"),
                    numerator=r_spec.get("numerator"),
                    denominator=r_spec.get("denominator"),
                    note=r_spec.get("note") or "",
                ),
                taken_on or when,
                self.reason,
            )

    def _update(self, spec, action=None, recommendation=None):
        written_on = spec["date"]
        _save(
            ProgressUpdate(
                action=action,
                recommendation=recommendation,
                written_on=written_on,
                period_label=str(spec.get("period_label") or ""),
                text=spec["text"],
                attributed_to=self.owner(spec.get("author")),
                created_at=_moment(written_on),
            ),
            written_on,
            self.reason,
        )


def load_users(path=FIXTURES / "demo_users.yaml"):
    """Create the demo logins (password 'demo') once and link each to its owner record."""
    User = get_user_model()
    created = []
    for spec in yaml.safe_load(path.read_text(encoding="utf-8"))["users"]:
        user, was_created = User.objects.get_or_create(
            username=spec["username"],
            defaults={
                "first_name": spec.get("first_name", ""),
                "last_name": spec.get("last_name", ""),
                "email": spec.get("email", ""),
                "is_staff": spec.get("is_staff", False),
                "is_superuser": spec.get("is_superuser", False),
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created.append(user)
        # Roles are groups made by a migration: the demo only joins them.
        user.groups.add(*Group.objects.filter(name__in=spec.get("groups", [])))
        if spec.get("manages_all_demo_plans"):
            for plan in Plan.objects.exclude(managers=user):
                plan._change_reason = "Demo manager assigned"
                plan.managers.add(user)
        if owner_spec := spec.get("owner"):
            lookup = {key: value for key, value in owner_spec.items() if key != "create"}
            if owner_spec.get("create"):  # an owner of their own, not one named in the plans
                owner, _ = Owner.objects.get_or_create(**lookup)
            else:
                owner = Owner.objects.get(**lookup)
            if owner.user_id is None:
                owner.user = user
                owner._change_reason = "Demo login linked"
                owner.save()
    return created


@transaction.atomic
def load_demo(directory=FIXTURES / "plans"):
    """Load every transcribed seed plan and the demo logins. Returns the plans it created."""
    plans = []
    for path in sorted(directory.glob("*.yaml")):
        plans.extend(_FileLoader(path).load())
    load_users()
    return plans
