"""A large, realistic data set built with bulk inserts, for timing pages and pinning query counts.

Rows are written with ``bulk_create`` and without ``full_clean``: the values are made valid here
(dates in range, ``completed_on`` only on complete actions, every update on an action or a
recommendation), so the database constraints are the only check. Call it on an empty database
(``bench.run`` flushes first; a pytest-django test starts empty): owner and user names are fixed.
"""

import datetime as dt
import itertools
import math
import random
from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from actionplans.fuzzy_dates import derive_date
from actionplans.models import (
    Action,
    Measure,
    Owner,
    Plan,
    ProgressUpdate,
    Reading,
    Recommendation,
    Section,
)
from actionplans.queries import STALE_DAYS
from inspections.models import Finding, Inspection, Judgement

BIG_PLAN_ACTIONS = 200
BIG_PLAN_UPDATES = 2000
OFFICER_DIRECT = 40
OFFICER_VIA_TEAM = 20
HISTORY_WINDOW_DAYS = 730  # progress updates span the last two years
AMBER_DAYS = 14
BATCH = 1000
REASON = "Bench data set"

COUNCILS = [
    "Northshire County Council",
    "Eastbridge Borough Council",
    "Westmoor Metropolitan Borough Council",
    "Southfield City Council",
    "Kingsholm Council",
    "Riverside London Borough",
]
INSPECTIONS = [
    ("Ofsted", Inspection.Kind.UNANNOUNCED, "Children's social care services"),
    ("Ofsted", Inspection.Kind.FULL, "Services for children in need of help and protection"),
    ("HM Inspectorate of Probation", Inspection.Kind.CORE_CASE, "Youth justice services"),
    ("HM Inspectorate of Probation", Inspection.Kind.SHORT_QUALITY_SCREENING, "Youth offending"),
    ("LGA", Inspection.Kind.PEER_REVIEW, "Safeguarding and early help"),
]
SECTIONS = [
    "Immediate (within 3 months)",
    "Short term (3 to 6 months)",
    "Medium term (6 to 12 months)",
]
TOPICS = [
    "the quality of assessments",
    "supervision of social workers",
    "the threshold document",
    "the multi-agency safeguarding hub",
    "case file audits",
    "management oversight of child protection plans",
    "the pre-sentence report template",
    "return home interviews",
    "the early help offer",
    "the voice of the child in plans",
    "caseloads in the assessment teams",
    "the performance dashboard",
    "the workforce development strategy",
    "information sharing with health partners",
    "the out-of-court disposal panel",
]
VERBS = [
    "Review",
    "Review and relaunch",
    "Audit",
    "Introduce a new approach to",
    "Train all practitioners on",
    "Strengthen",
    "Report quarterly to the board on",
    "Agree with partners",
    "Carry out a thematic review of",
]
FIRST_NAMES = [
    "Alex",
    "Bernadette",
    "Chris",
    "Deborah",
    "Ewan",
    "Fatima",
    "Gareth",
    "Helen",
    "Imran",
    "Joanne",
    "Kieran",
    "Lesley",
    "Mohammed",
    "Nicola",
    "Owen",
    "Parveen",
    "Rachel",
    "Stuart",
]
LAST_NAMES = [
    "Armstrong",
    "Begum",
    "Clarke",
    "Davies",
    "Evans",
    "Fletcher",
    "Green",
    "Hussain",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nolan",
    "O'Brien",
    "Patel",
    "Roberts",
    "Singh",
    "Walker",
]
JOB_TITLES = [
    "Head of Service",
    "Service Manager",
    "Team Manager",
    "Principal Social Worker",
    "Quality Assurance Manager",
    "Performance Manager",
    "Workforce Development Lead",
]
TEAMS = [
    ("Early Help Team", Owner.Kind.TEAM),
    ("Safeguarding Unit", Owner.Kind.TEAM),
    ("Quality Assurance Team", Owner.Kind.TEAM),
    ("Performance and Intelligence Team", Owner.Kind.TEAM),
    ("Youth Justice Management Board", Owner.Kind.BOARD),
    ("Local Safeguarding Children Partnership", Owner.Kind.BOARD),
    ("Audit sub-group", Owner.Kind.SUB_GROUP),
]
PARTNERS = [
    "Northshire Police",
    "NHS Northshire Integrated Care Board",
    "Probation Service",
    "Northshire Fire and Rescue",
    "Northshire Education Partnership",
]
STAFF_LOGINS = 12
PERSONS = 30

OPEN_PAST = [Action.Status.UNDERWAY, Action.Status.DELAYED, Action.Status.NOT_STARTED]
OPEN_FUTURE = [
    Action.Status.UNDERWAY,
    Action.Status.ON_SCHEDULE,
    Action.Status.NOT_STARTED,
    Action.Status.NOT_RECORDED,
]
INTERIM_STATUSES = ["", Action.Status.UNDERWAY, Action.Status.ON_SCHEDULE, Action.Status.DELAYED]
UPDATE_TEXTS = [
    "Draft completed and circulated to heads of service for comment.",
    "Audit of 40 cases completed; findings reported to the quality assurance group.",
    "Training delivered to three of the five teams; remaining sessions booked.",
    "Review meeting held with partners; actions agreed and minuted.",
    "Progress delayed by staff vacancies; recruitment under way.",
    "New template in use since the start of the month; dip sample due next quarter.",
    "Report presented to the improvement board, which asked for a further update.",
]


def _split(total, parts, first):
    """``total`` shared over ``parts``: ``first`` (or an even share, if larger) to the first."""
    if parts == 1:
        return [total]
    first = max(min(first, total - (parts - 1)), math.ceil(total / parts))
    base, extra = divmod(total - first, parts - 1)
    return [first] + [base + (1 if i < extra else 0) for i in range(parts - 1)]


def _month_text(rng, day):
    """A council's way of writing a date near ``day``, with the date it stands for."""
    style = rng.random()
    if style < 0.3:
        text = f"{day:%b} {day:%y}"  # "Nov 12"
    elif style < 0.55:
        text = f"{day:%B %Y}"
    elif style < 0.8:
        text = f"{day.day} {day:%B %Y}"  # "31 March 2027"
    elif style < 0.9:
        start = day.year - 1 if day.month <= 3 else day.year
        text = f"{start}/{(start + 1) % 100:02d}"
    else:
        text = f"End of {day:%B %Y}"
    return text, derive_date(text)


def _moment(day, tick):
    """Midday on ``day``, a microsecond per record later, so history keeps the creation order."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(
        microseconds=next(tick) % 1_000_000
    )


def _people(rng, today, tick, council, logins):
    """The bench users, staff logins and the owners: people, teams, boards and partner agencies."""
    User = get_user_model()
    officer, manager, clerk = (
        User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.org",
                "password": make_password(None),
            },
        )[0]
        for username, first, last in [
            (f"{logins}-officer", "Jordan", "Ellis"),
            (f"{logins}-manager", "Priya", "Shah"),
            (f"{logins}-clerk", "Tom", "Hughes"),
        ]
    )
    for user, group_name in [(officer, "Officer"), (manager, "Manager"), (clerk, "Clerk")]:
        group = Group.objects.filter(name=group_name).first()
        if group:
            user.groups.add(group)

    names = [f"{first} {last}" for first, last in itertools.product(FIRST_NAMES, LAST_NAMES)]
    names = rng.sample(names, PERSONS)
    # Unusable passwords (the bench logs in with force_login), and make_password(None) is cheap.
    staff = User.objects.bulk_create(
        User(
            username=f"{logins}-staff-{i:02d}",
            first_name=name.split()[0],
            last_name=name.split()[1],
            password=make_password(None),
        )
        for i, name in enumerate(names[:STAFF_LOGINS], 1)
    )
    owners = [
        Owner(
            name="Jordan Ellis",
            kind=Owner.Kind.PERSON,
            organisation=council,
            service="Early Help",
            job_title="Service Manager",
            initials="JE",
            email=officer.email,
            user=officer,
        )
    ]
    for i, name in enumerate(names):
        owners.append(
            Owner(
                name=name,
                kind=Owner.Kind.PERSON,
                organisation=council,
                service=rng.choice(["Children's Social Care", "Youth Justice", "Early Help"]),
                job_title=rng.choice(JOB_TITLES),
                initials="".join(part[0] for part in name.split()),
                user=staff[i] if i < STAFF_LOGINS else None,
            )
        )
    owners += [Owner(name=name, kind=kind, organisation=council) for name, kind in TEAMS]
    # The manager and the clerk work for the council too: the council is the boundary of what
    # they see (actionplans.rules).
    owners += [
        Owner(name=f"{u.first_name} {u.last_name}", organisation=council, user=u)
        for u in (manager, clerk)
    ]
    owners += [
        # Each council's own partners (another council's police is another agency).
        Owner(name=name, kind=Owner.Kind.PARTNER_AGENCY, organisation=name)
        for name in (p if council == COUNCILS[0] else f"{p} ({council})" for p in PARTNERS)
    ]
    for owner in owners:
        owner._history_date = _moment(today - dt.timedelta(days=HISTORY_WINDOW_DAYS), tick)
    owners = bulk_create_with_history(owners, Owner, batch_size=BATCH, default_change_reason=REASON)
    officer_owner, persons = owners[0], owners[1 : PERSONS + 1]
    teams = owners[PERSONS + 1 : PERSONS + 1 + len(TEAMS)]
    partners = owners[PERSONS + 1 + len(TEAMS) + 2 :]

    # The officer's own team is the first; every team has three to five members.
    Membership = Owner.members.through
    memberships = [Membership(from_owner=teams[0], to_owner=officer_owner)]
    memberships += [Membership(from_owner=teams[0], to_owner=p) for p in rng.sample(persons, 3)]
    for team in teams[1:]:
        memberships += [
            Membership(from_owner=team, to_owner=p) for p in rng.sample(persons, rng.randint(3, 5))
        ]
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    return {
        "users": {"officer": officer, "manager": manager, "clerk": clerk},
        "staff": staff,
        "officer_owner": officer_owner,
        "officer_team": teams[0],
        "persons": persons,
        "teams": teams,
        "partners": partners,
    }


def _action_fields(rng, today):
    """Planned completion text and date, status and RAG override of one action."""
    soon = today + dt.timedelta(days=rng.randint(0, AMBER_DAYS))
    roll = rng.random()
    if roll < 0.06:
        text, due = "Ongoing", None
        status = rng.choice([Action.Status.ONGOING, Action.Status.UNDERWAY])
    elif roll < 0.1:
        text, due = rng.choice(["Immediate effect", "Immediate"]), None
        status = rng.choice([Action.Status.COMPLETE, Action.Status.UNDERWAY])
    elif roll < 0.18:
        text = f"{soon.day} {soon:%B %Y}"
        due = derive_date(text)
        status = rng.choice(OPEN_FUTURE + [Action.Status.AWAITING_SIGN_OFF])
    else:
        text, due = _month_text(rng, today + dt.timedelta(days=rng.randint(-540, 540)))
        past = due < today
        roll = rng.random()
        if roll < (0.55 if past else 0.12):
            status = Action.Status.COMPLETE
        elif roll < (0.63 if past else 0.17):
            status = Action.Status.AWAITING_SIGN_OFF
        else:
            status = rng.choice(OPEN_PAST if past else OPEN_FUTURE)
    override = ""
    if status != Action.Status.COMPLETE and rng.random() < 0.02:
        override = rng.choice(["red", "amber", "green"])
    return text, due, status, override


def _completed_on(rng, today, due):
    earliest = today - dt.timedelta(days=HISTORY_WINDOW_DAYS - 1)
    day = due + dt.timedelta(days=rng.randint(-60, 30)) if due else today
    day = min(day, today - dt.timedelta(days=rng.randint(0, 20)))
    return max(day, earliest)


def _updates_for(rng, today, action, count, written_by, manager):
    """``count`` dated updates of ``action``, the last one matching its status."""
    if action.status == Action.Status.COMPLETE:
        action.completed_on = _completed_on(rng, today, action.planned_completion_date)
        latest = action.completed_on
    elif action.status == Action.Status.AWAITING_SIGN_OFF or rng.random() < 0.7:
        latest = today - dt.timedelta(days=rng.randint(0, STALE_DAYS - 1))
    else:  # nobody has written for a month or more
        latest = today - dt.timedelta(days=rng.randint(STALE_DAYS + 1, 240))
    if not count:
        return []
    earliest = today - dt.timedelta(days=HISTORY_WINDOW_DAYS - 1)
    span = max((latest - earliest).days, 0)
    days = sorted(earliest + dt.timedelta(days=rng.randint(0, span)) for _ in range(count - 1))
    days.append(latest)
    author, attributed_to = written_by
    updates = []
    for i, day in enumerate(days):
        last = i == count - 1
        kind, status, by = ProgressUpdate.Kind.UPDATE, rng.choice(INTERIM_STATUSES), author
        if last and action.status == Action.Status.COMPLETE:
            kind, status, by = ProgressUpdate.Kind.SIGN_OFF, action.status, manager
        elif last and action.status == Action.Status.AWAITING_SIGN_OFF:
            kind, status = ProgressUpdate.Kind.PROPOSAL, action.status
        elif last:
            status = action.status if action.status != Action.Status.NOT_RECORDED else ""
        updates.append(
            ProgressUpdate(
                action=action,
                kind=kind,
                written_on=day,
                period_label=f"Update ({day:%B %Y})",
                text=rng.choice(UPDATE_TEXTS),
                author=by,
                attributed_to=None if by else attributed_to,
                status=status,
                created_at=dt.datetime.combine(
                    day, dt.time(9 + rng.randint(0, 8), rng.randint(0, 59)), tzinfo=dt.UTC
                ),
            )
        )
    return updates


def generate(
    *,
    plans=50,
    actions=2000,
    updates=20000,
    seed=1,
    today=None,
    council=COUNCILS[0],
    logins="bench",
):
    """Build ``plans`` plans holding ``actions`` actions and ``updates`` progress updates.

    The first plan is the largest (200 actions and 2,000 updates when the totals allow). Returns
    ``{"plan_ids", "big_plan_id", "users": {"officer", "manager", "clerk"}, "counts", "today"}``.
    Called again with another ``council`` and ``logins`` prefix, it adds that council beside the
    first (bench/scale.py: every council in England).
    """
    if plans < 1 or actions < plans:
        raise ValueError("Need at least one plan and at least one action per plan.")
    rng = random.Random(seed)
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=HISTORY_WINDOW_DAYS)
    tick = itertools.count()
    with transaction.atomic():
        people = _people(rng, today, tick, council, logins)
        result = _build(rng, today, start, tick, people, plans, actions, updates, council)
    result["users"] = people["users"]
    result["today"] = today
    return result


def _build(rng, today, start, tick, people, n_plans, n_actions, n_updates, council):
    manager = people["users"]["manager"]
    persons, teams, partners = people["persons"], people["teams"], people["partners"]
    other_owners = persons + teams[1:] + partners
    actions_per_plan = _split(n_actions, n_plans, BIG_PLAN_ACTIONS)
    updates_per_plan = _split(n_updates, n_plans, BIG_PLAN_UPDATES)
    # Some plans write progress against a whole recommendation: 2% of each plan's updates.
    rec_updates_per_plan = [count // 50 for count in updates_per_plan]
    action_updates_per_plan = [
        a - r for a, r in zip(updates_per_plan, rec_updates_per_plan, strict=True)
    ]

    # Inspections, their judgements and findings. History only where pages show it (Plan,
    # Section, Recommendation, Action, and Owner above); plain bulk_create for the rest.
    inspections = []
    for i in range(n_plans):
        inspectorate, kind, service = INSPECTIONS[i % len(INSPECTIONS)]
        started = start - dt.timedelta(days=rng.randint(60, 400))
        inspections.append(
            Inspection(
                inspectorate=inspectorate,
                kind=kind,
                title=f"{service} inspection {i + 1}",
                organisation=council,
                service=service,
                started_on=started,
                ended_on=started + dt.timedelta(days=9),
                published_on=started + dt.timedelta(days=45),
                summary="The inspectorate found that services require improvement.",
            )
        )
    inspections = Inspection.objects.bulk_create(inspections, batch_size=BATCH)
    Judgement.objects.bulk_create(
        (
            Judgement(inspection=insp, area=area, grade=rng.choice(grades), order=order)
            for insp in inspections
            for order, (area, grades) in enumerate(
                [
                    ("Overall effectiveness", ["Inadequate", "Requires improvement to be good"]),
                    ("Help and protection", ["Requires improvement to be good", "Good"]),
                    ("Leadership and management", ["Inadequate", "Good"]),
                ]
            )
        ),
        batch_size=BATCH,
    )
    findings = Finding.objects.bulk_create(
        (
            Finding(
                inspection=insp,
                kind=Finding.Kind.RECOMMENDATION,
                reference=str(n),
                paragraph=f"para {10 + 4 * n}",
                text=f"Improve {rng.choice(TOPICS)}.",
                order=n,
            )
            for insp in inspections
            for n in range(1, 7)
        ),
        batch_size=BATCH,
    )
    findings_by_inspection = {}
    for finding in findings:
        findings_by_inspection.setdefault(finding.inspection_id, []).append(finding)

    plans = []
    for i, insp in enumerate(inspections):
        plan = Plan(
            title=f"{insp.service} improvement plan" + (" (large)" if i == 0 else ""),
            organisation=insp.organisation,
            directorate="Children and Young People's Services",
            status=Plan.Status.APPROVED if i % 7 else Plan.Status.SUBMITTED,
            submitted_on=insp.published_on + dt.timedelta(days=40),
            overall_rating=rng.choice(Plan.Rating.values),
            introduction="This plan responds to the inspection's recommendations.",
            sponsor=rng.choice(persons),
            governance_body=teams[4 + i % 2],
            column_names=["Ref", "Action", "Lead", "Timescale", "RAG", "Progress"],
        )
        plan._history_date = _moment(start, tick)
        plans.append(plan)
    plans = bulk_create_with_history(
        plans, Plan, batch_size=BATCH, default_user=manager, default_change_reason=REASON
    )
    Plan.inspections.through.objects.bulk_create(
        [
            Plan.inspections.through(plan=p, inspection=i)
            for p, i in zip(plans, inspections, strict=True)
        ],
        batch_size=BATCH,
    )
    managers = [Plan.managers.through(plan=p, user=manager) for p in plans]
    managers += [Plan.managers.through(plan=p, user=rng.choice(people["staff"])) for p in plans]
    Plan.managers.through.objects.bulk_create(managers, batch_size=BATCH)

    # Sections, and recommendations of four or five actions each.
    sections, rec_inspections = [], []
    rec_sizes = []  # per plan: a list of recommendation sizes
    for plan, count in zip(plans, actions_per_plan, strict=True):
        sizes = []
        while sum(sizes) < count:
            sizes.append(min(rng.choice((4, 5)), count - sum(sizes)))
        rec_sizes.append(sizes)
        for order, title in enumerate(SECTIONS[: rng.choice((2, 3))]):
            section = Section(plan=plan, title=title, order=order)
            section._history_date = _moment(start, tick)
            sections.append(section)
    sections = bulk_create_with_history(
        sections, Section, batch_size=BATCH, default_change_reason=REASON
    )
    sections_by_plan = {}
    for section in sections:
        sections_by_plan.setdefault(section.plan_id, []).append(section)

    recommendations = []
    for plan, insp, sizes in zip(plans, inspections, rec_sizes, strict=True):
        plan_sections = sections_by_plan[plan.pk]
        for n, _size in enumerate(sizes):
            section = plan_sections[n * len(plan_sections) // len(sizes)]
            topic = rng.choice(TOPICS)
            rec = Recommendation(
                plan=plan,
                section=section,
                reference=f"{section.order + 1}.{n + 1}",
                text=f"Ensure that {topic} supports good practice consistently.",
                paragraph=f"para {10 + n}",
                outcomes=f"Children benefit from better {topic.removeprefix('the ')}.",
                accountable_body=plan.governance_body,
                order=n,
            )
            rec._history_date = _moment(start, tick)
            rec_inspections.append(insp)
            recommendations.append(rec)
    recommendations = bulk_create_with_history(
        recommendations, Recommendation, batch_size=BATCH, default_change_reason=REASON
    )
    Recommendation.leads.through.objects.bulk_create(
        [
            Recommendation.leads.through(recommendation=r, owner=rng.choice(persons))
            for r in recommendations
        ],
        batch_size=BATCH,
    )
    Recommendation.findings.through.objects.bulk_create(
        [
            Recommendation.findings.through(
                recommendation=r, finding=rng.choice(findings_by_inspection[insp.pk])
            )
            for r, insp in zip(recommendations, rec_inspections, strict=True)
        ],
        batch_size=BATCH,
    )

    # Actions, each with its owners.
    actions, action_recs = [], []
    rec_iter = iter(recommendations)
    for sizes in rec_sizes:
        for size in sizes:
            rec = next(rec_iter)
            for k in range(size):
                text, due, status, override = _action_fields(rng, today)
                topic = rng.choice(TOPICS)
                action = Action(
                    recommendation=rec,
                    reference=f"({rec.reference}{'abcdefghij'[k]})",
                    text=f"{rng.choice(VERBS)} {topic}.",
                    planned_completion_text=text,
                    planned_completion_date=due,
                    status=status,
                    rag_override=override,
                    rag_override_reason="Agreed at the improvement board." if override else "",
                    accountable_body=rec.accountable_body,
                    order=k,
                    created_at=_moment(today - dt.timedelta(days=HISTORY_WINDOW_DAYS), tick),
                )
                actions.append(action)
                action_recs.append(rec)

    officer_picks = rng.sample(
        range(len(actions)), min(len(actions), OFFICER_DIRECT + OFFICER_VIA_TEAM)
    )
    direct = set(officer_picks[:OFFICER_DIRECT])
    via_team = set(officer_picks[OFFICER_DIRECT:])
    action_owners = []
    for i, action in enumerate(actions):
        if i in direct:
            owners = [people["officer_owner"]]
        elif i in via_team:
            owners = [people["officer_team"]]
        else:
            owners = []
        owners += rng.sample(other_owners, 1 if owners or rng.random() < 0.6 else 2)
        action.owners_as_written = " / ".join(o.initials or o.name for o in owners)
        action_owners.append(owners)

    # Updates before the actions are saved: they settle completed_on from the last sign-off.
    login_of = {p.pk: p.user for p in persons if p.user_id}
    login_of[people["officer_owner"].pk] = people["users"]["officer"]

    def written_by(owners):
        """The first owner with a login writes the updates; else the document names an owner."""
        logins = [login_of[o.pk] for o in owners if o.pk in login_of]
        return (logins[0], None) if logins else (None, owners[0])

    all_updates = []
    offset = 0
    for count, n_updates_plan in zip(actions_per_plan, action_updates_per_plan, strict=True):
        weights = [rng.uniform(0.2, 2.0) for _ in range(count)]
        per_action = Counter(rng.choices(range(count), weights=weights, k=n_updates_plan))
        for j in range(count):
            i = offset + j
            by = written_by(action_owners[i])
            all_updates += _updates_for(rng, today, actions[i], per_action[j], by, manager)
        offset += count

    for action in actions:
        action._history_date = _moment(start, tick)
    actions = bulk_create_with_history(
        actions, Action, batch_size=BATCH, default_user=manager, default_change_reason=REASON
    )
    Action.owners.through.objects.bulk_create(
        [
            # In the order chosen: the first the lead, any second one supporting.
            Action.owners.through(action=a, owner=o, order=i, role="supporting" if i else "lead")
            for a, owners in zip(actions, action_owners, strict=True)
            for i, o in enumerate(owners)
        ],
        batch_size=BATCH,
    )
    # One action in fifty also answers another recommendation of its plan.
    recs_by_plan = {}
    for rec in recommendations:
        recs_by_plan.setdefault(rec.plan_id, []).append(rec)
    also = []
    for action, rec in zip(actions, action_recs, strict=True):
        siblings = [r for r in recs_by_plan[rec.plan_id] if r.pk != rec.pk]
        if siblings and rng.random() < 0.02:
            also.append(
                Action.also_answers.through(action=action, recommendation=rng.choice(siblings))
            )
    Action.also_answers.through.objects.bulk_create(also, batch_size=BATCH)

    # Progress updates: plain bulk_create, their history is not shown and would double the rows.
    for plan, count in zip(plans, rec_updates_per_plan, strict=True):
        recs = recs_by_plan[plan.pk]
        for _ in range(count):
            day = today - dt.timedelta(days=rng.randint(0, HISTORY_WINDOW_DAYS - 1))
            all_updates.append(
                ProgressUpdate(
                    recommendation=rng.choice(recs),
                    written_on=day,
                    period_label=f"Update ({day:%B %Y})",
                    text=rng.choice(UPDATE_TEXTS),
                    attributed_to=plan.sponsor,
                    created_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
                )
            )
    ProgressUpdate.objects.bulk_create(all_updates, batch_size=BATCH)

    # Two measures a plan with a reading a quarter.
    measures = []
    for plan in plans:
        for order, (name, baseline, target) in enumerate(
            [("Assessments completed within 45 days", 62, 85), ("Audits graded good", 40, 70)]
        ):
            target_text = f"March {today.year + 1}"
            measures.append(
                Measure(
                    plan=plan,
                    name=name,
                    unit=Measure.Unit.PERCENT,
                    baseline_text=f"{baseline}%",
                    baseline_value=baseline,
                    baseline_date=start,
                    target_text=f"{target}%",
                    target_value=target,
                    target_date_text=target_text,
                    target_date=derive_date(target_text),
                    order=order,
                )
            )
    measures = Measure.objects.bulk_create(measures, batch_size=BATCH)
    Reading.objects.bulk_create(
        (
            Reading(
                measure=m,
                period_label=f"Q{q + 1}",
                taken_on=start + dt.timedelta(days=91 * (q + 1)),
                value=min(m.baseline_value + 4 * q + rng.randint(-3, 3), 100),
            )
            for m in measures
            for q in range(HISTORY_WINDOW_DAYS // 91 - 1)
        ),
        batch_size=BATCH,
    )

    return {
        "plan_ids": [p.pk for p in plans],
        "big_plan_id": plans[0].pk,
        "counts": {
            "plans": len(plans),
            "sections": len(sections),
            "recommendations": len(recommendations),
            "actions": len(actions),
            "updates": len(all_updates),
            "owners": len(persons) + 1 + len(teams) + len(partners),
            "big_plan_actions": actions_per_plan[0],
            "big_plan_updates": updates_per_plan[0],
        },
    }
