"""Load the transcribed seed plans (fixtures/plans/*.yaml) and the demo logins.

The plans take the path a user's upload takes: each file is read (``transcribed.read_yaml``) into
previews, and each preview confirmed through ``service.confirm`` and so
``plan_writer.plan_import``. What a plan table does not hold (the file's owners, its
inspections with their judgements and findings, the logins) is written here, through the named
services too. The demo administrator is the actor of every write. Every record is dated in history
by the seed document's own date, so "the plan as it stood in October 2012" works on the demo
plans. Loading is idempotent: a plan that already exists (same council and title) is left as it
is, and owners and inspections already there are used as they are.
"""

from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from actionplans import plan_setup
from actionplans.models import Action, ActionOwner, Owner, Plan
from core import demo as demo_signal
from core import errors, records
from inspections import services as inspection_services
from inspections.models import Finding, Inspection, Judgement

from . import service, transcribed
from .readers import Unreadable

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
# bandit B105 accepted: the demo password is published; load_demo refuses a production site.
DEMO_PASSWORD = "demo"  # nosec B105


class DemoDataError(Exception):
    pass


def _checked(obj, path):
    """A fixture that breaks a rule is the fixture's fault: say which file."""
    try:
        obj.full_clean()
    except ValidationError as error:
        raise DemoDataError(f"{path.name}: {obj!r}: {error.messages}") from None
    return obj


class _FileLoader:
    def __init__(self, path, actor, managers):
        self.path = path
        try:
            self.transcript = transcribed.read_yaml(path.name, path.read_bytes())
        except Unreadable as error:
            raise DemoDataError(error.message) from None
        self.actor = actor
        self.managers = managers
        self.organisation = self.transcript.organisation
        self.reason = f"Imported from {self.transcript.document}"
        self.first_date = self.transcript.first_date
        self.owners = {}
        self.inspections = {}
        self.findings = {}

    def load(self):
        created = []
        for spec in self.transcript.owners:
            self._owner(spec)
        for spec in self.transcript.owners:
            self._members(spec)
        for spec in self.transcript.inspections:
            self._inspection(spec)
        for preview in self.transcript.plans:
            if Plan.objects.filter(organisation=self.organisation, title=preview.title).exists():
                continue
            try:
                inspections = [self.inspections[key] for key in preview.answers]
            except KeyError as missing:
                raise DemoDataError(f"{self.path.name}: unknown inspection {missing}") from None
            try:
                plan = service.confirm(
                    preview,
                    actor=self.actor,
                    organisation=self.organisation,
                    reason=self.reason,
                    owners=self.owners,
                    findings=self.findings,
                    inspections=inspections,
                    managers=self.managers.get(self.organisation, []),
                )
            except errors.Refused as refused:
                raise DemoDataError(f"{self.path.name}: {refused.message}") from None
            created.append(plan)
        return created

    def _owner(self, spec):
        # A partner agency's people belong to it; the council's to the service the plan is about.
        organisation = spec.get("organisation") or self.organisation
        service_name = spec.get(
            "service", "" if spec.get("organisation") else self.transcript.service
        )
        key = {"organisation": organisation, "service": service_name, "name": spec["name"]}
        owner = Owner.objects.filter(**key).first()
        if owner is None:
            owner = Owner(
                **key,
                kind=spec.get("kind", Owner.Kind.PERSON),
                job_title=spec.get("job_title") or "",
                initials=spec.get("initials") or "",
                email=spec.get("email") or "",
            )
            _checked(owner, self.path)
            plan_setup.owner_add(records.record_date(owner, self.first_date), actor=self.actor)
        self.owners[spec["name"]] = owner

    def _members(self, spec):
        members = [self.owners[name] for name in spec.get("members") or []]
        owner = self.owners[spec["name"]]
        if members and not set(members) <= set(owner.members.all()):
            plan_setup.owner_edit(
                records.record_date(owner, self.first_date),
                actor=self.actor,
                version=owner.version,
                fields=["members"],
                members=list(dict.fromkeys([*owner.members.all(), *members])),
            )

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
            inspection = Inspection(
                inspectorate=spec["inspectorate"],
                kind=spec.get("kind", Inspection.Kind.OTHER),
                title=spec["title"],
                organisation=self.organisation,
                service=spec.get("service") or "",
                started_on=spec.get("started_on"),
                ended_on=spec.get("ended_on"),
                published_on=spec.get("published_on"),
                summary=spec.get("summary") or "",
            )
            _checked(inspection, self.path)
            inspection_services.inspection_add(
                records.record_date(inspection, when), actor=self.actor
            )
            for j in spec.get("judgements") or []:
                judgement = Judgement(inspection=inspection, area=j["area"], grade=j["grade"])
                _checked(judgement, self.path)
                inspection_services.judgement_add(
                    records.record_date(judgement, when), actor=self.actor
                )
            for f in spec.get("findings") or []:
                finding = Finding(
                    inspection=inspection,
                    kind=f["kind"],
                    reference=str(f.get("reference") or ""),
                    paragraph=str(f.get("paragraph") or ""),
                    text=f["text"],
                    responsible=f.get("responsible") or "",
                )
                _checked(finding, self.path)
                inspection_services.finding_add(
                    records.record_date(finding, when), actor=self.actor
                )
        self.inspections[spec["key"]] = inspection
        for finding in inspection.findings.all():
            self.findings[f"{spec['key']}/{finding.kind}/{finding.reference}"] = finding


def _logins(specs):
    """The demo logins (password 'demo'), made once; each joins its roles' groups."""
    User = get_user_model()
    users = {}
    for spec in specs:
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
        # Roles are groups made by a migration: the demo only joins them.
        user.groups.add(*Group.objects.filter(name__in=spec.get("groups", [])))
        users[spec["username"]] = user
    return users


def _council_managers(specs, users):
    """The managers of each council's plans: the logins marked so, by their owner's council."""
    managers = {}
    for spec in specs:
        if spec.get("manages_council_plans"):
            council = spec["owner"]["organisation"]
            managers.setdefault(council, []).append(users[spec["username"]])
    return managers


def _support(owner, where, actor):
    """The owner made a supporting owner of the first action of a recommendation."""
    action = (
        Action.objects.filter(
            recommendation__plan__organisation=where["organisation"],
            recommendation__reference=where["recommendation"],
        )
        .order_by("recommendation__plan", "order")
        .first()
    )
    if action is None:
        raise DemoDataError(f"demo owner {owner}: no action of {where}")
    links = list(action.owner_links.select_related("owner").order_by("order"))
    if any(link.owner_id == owner.pk for link in links):
        return
    leads = [link.owner for link in links if link.role == ActionOwner.Role.LEAD]
    supporting = [link.owner for link in links if link.role != ActionOwner.Role.LEAD]
    plan_setup.action_edit(
        action,
        actor=actor,
        version=action.version,
        fields=[],
        owners=leads,
        supporting=[*supporting, owner],
    )


def _link_logins(specs, users, actor):
    """Each login linked to its owner record (made if the login has one of its own); the demo
    managers made managers of any plan of their council not loaded here too."""
    for spec in specs:
        user = users[spec["username"]]
        if owner_spec := spec.get("owner"):
            lookup = {key: value for key, value in owner_spec.items() if key != "create"}
            owner = Owner.objects.filter(**lookup).first()
            if owner is None and owner_spec.get("create"):  # not one named in the plans
                owner = plan_setup.owner_add(Owner(**lookup), actor=actor)
            if owner is None:
                raise DemoDataError(f"demo login {user.username}: no owner {lookup}")
            if owner.user_id is None:
                owner.user = user
                plan_setup.owner_edit(owner, actor=actor, version=owner.version, fields=["user"])
            if where := spec.get("supports_first_action_of"):
                _support(owner, where, actor)
    for council, managers in _council_managers(specs, users).items():
        for manager in managers:
            for plan in Plan.objects.filter(organisation=council).exclude(managers=manager):
                plan_setup.plan_manager_add(plan, actor=actor, manager=manager)


def demo_usernames(logins=FIXTURES / "demo_users.yaml"):
    return [spec["username"] for spec in yaml.safe_load(logins.read_text("utf-8"))["users"]]


@transaction.atomic
def load_demo(directory=FIXTURES / "plans", logins=FIXTURES / "demo_users.yaml"):
    """Load every transcribed seed plan and the demo logins. Returns the plans it created."""
    specs = yaml.safe_load(logins.read_text(encoding="utf-8"))["users"]
    users = _logins(specs)
    admins = [users[s["username"]] for s in specs if s.get("is_superuser")]
    if not admins:
        raise DemoDataError(f"{logins.name}: no administrator login to load the plans as")
    managers = _council_managers(specs, users)
    plans = []
    for path in sorted(directory.glob("*.yaml")):
        plans.extend(_FileLoader(path, admins[0], managers).load())
    _link_logins(specs, users, admins[0])
    demo_signal.loaded.send(sender=None, actor=admins[0])
    return plans
