"""What the dashboards show, computed in the database in a fixed number of queries.

Every count is of actions rated by ``actionplans.rag`` and filtered by the same rules as the action
list (``actionplans.queries``), so each number links to the list of exactly those actions.
"""

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Case, Max, When
from django.urls import reverse

from actionplans import ladder, page_cache, queries, rag, rules
from actionplans.models import (
    Action,
    ActionOwner,
    Measure,
    Owner,
    Plan,
    Recommendation,
)
from inspections.models import Inspection

from . import charts, weekly

# Columns in the order a reader scans them: the worst first.
RATINGS = [
    rag.Rag.RED,
    rag.Rag.AMBER_RED,
    rag.Rag.AMBER,
    rag.Rag.AMBER_GREEN,
    rag.Rag.GREEN,
    rag.Rag.AWAITING,
    rag.Rag.COMPLETE,
    rag.Rag.NONE,
]
SHORT = {
    rag.Rag.RED: "Red",
    rag.Rag.AMBER_RED: "Amber-red",
    rag.Rag.AMBER: "Amber",
    rag.Rag.AMBER_GREEN: "Amber-green",
    rag.Rag.GREEN: "Green",
    rag.Rag.AWAITING: "Awaiting sign-off",
    rag.Rag.COMPLETE: "Complete",
    rag.Rag.NONE: "No date",
}


def action_list_url(**params):
    return f"{reverse('action_list')}?{urlencode(params)}"


@dataclass
class Row:
    label: str
    cells: list  # (count, url)
    total: tuple  # (count, url)


@dataclass
class Table:
    caption: str
    heading: str
    columns: list  # (rating value, words)
    rows: list = field(default_factory=list)


def _table(caption, heading, pairs, names, param, columns):
    """Rows of counts by rating, one per key, each linked to the action list filtered by it."""
    counts = {}
    for key, rating, n in pairs:
        if key is not None:
            counts.setdefault(key, {})[rating] = n
    rows = []
    for key in sorted(counts, key=lambda k: str(names.get(k, "")).lower()):
        by = counts[key]
        # One reverse and one encoding per row, not per cell: a board of 10,000 actions has
        # thousands of cells.
        url = action_list_url(**{param: key})
        cells = [(by.get(r.value, 0), f"{url}&rag={r.value}") for r in columns]
        rows.append(Row(str(names.get(key, key)), cells, (sum(by.values()), url)))
    return Table(caption, heading, [(r.value, SHORT[r]) for r in columns], rows)


def _columns(values):
    """The rating columns worth showing: three-point ones always, the rest when counted."""
    always = {rag.Rag.RED, rag.Rag.AMBER, rag.Rag.GREEN, rag.Rag.COMPLETE}
    return [r for r in RATINGS if r in always or r.value in values]


@dataclass
class Board:
    headline: list  # (words, count, url)
    tables: list
    total: int
    rechecks: list = field(default_factory=list)  # assured steps due for re-check


CHASE = ("overdue", "due_soon", "stale", "awaiting")


def across_plans(user, today, plans=None):
    """The manager's dashboard: ratings by plan, inspection, owner and accountable body, and what
    needs chasing, across every plan the user may see (``plans``: those plans with their rows
    tokens, page_cache.visible_plans_now, when the caller has read them)."""
    if plans is None:
        plans = page_cache.visible_plans_now(user)
    plan_counts, body_counts, owner_counts, chase = _reused_counts(plans, today)
    headline = [
        ("Overdue", chase["overdue"], action_list_url(overdue="on")),
        ("Due soon (within each plan's days)", chase["due_soon"], action_list_url(due_soon="on")),
        ("No recent update (as each plan sets it)", chase["stale"], action_list_url(stale="on")),
        (
            "Awaiting sign-off",
            chase["awaiting"],
            action_list_url(status=Action.Status.AWAITING_SIGN_OFF),
        ),
    ]
    by_plan = [(plan, rating, n) for (plan, rating), n in plan_counts.items()]
    by_body = [(body, rating, n) for (body, rating), n in body_counts.items()]
    by_owner = [(owner, rating, n) for (owner, rating), n in owner_counts.items()]
    answers = Plan.inspections.through.objects.filter(
        plan_id__in={plan for plan, _, _ in by_plan}
    ).values_list("plan_id", "inspection_id")
    inspection_counts = Counter()
    for plan_id, inspection_id in answers:
        for (plan, rating), n in plan_counts.items():
            if plan == plan_id:
                inspection_counts[(inspection_id, rating)] += n
    by_inspection = [(i, rating, n) for (i, rating), n in inspection_counts.items()]
    columns = _columns({r for _, r, _ in by_plan})
    plans = dict(Plan.objects.filter(pk__in={k for k, _, _ in by_plan}).values_list("pk", "title"))
    inspections = {
        i.pk: str(i) for i in Inspection.objects.filter(pk__in={k for k, _, _ in by_inspection})
    }
    owner_ids = {k for k, _, _ in by_owner} | {k for k, _, _ in by_body}
    owners = {o.pk: str(o) for o in Owner.objects.filter(pk__in=owner_ids)}
    tables = [
        _table("Actions by plan and rating", "Plan", by_plan, plans, "plan", columns),
        _table(
            "Actions by inspection and rating",
            "Inspection",
            by_inspection,
            inspections,
            "inspection",
            columns,
        ),
        _table(
            "Actions by owner and rating (a person also owns their teams' actions)",
            "Owner",
            by_owner,
            owners,
            "owner",
            columns,
        ),
        _table(
            "Actions by accountable body and rating",
            "Accountable body",
            by_body,
            owners,
            "body",
            columns,
        ),
    ]
    rechecks = list(ladder.due_rechecks(rules.visible_actions(user), today))
    return Board(headline, tables, sum(plan_counts.values()), rechecks)


def _reused_counts(plans, today):
    """``_counts`` of the user's plans, each plan's kept while it does not change and the day is
    the same, and added up.

    Each plan's key names its ``rows_token``, which every recorded change to what it shows
    replaces in its own transaction (``actionplans.page_cache``: actions, updates, readings,
    owners and teams, the plans' thresholds), and the release; so a changed plan or a new day is
    a new key, and nothing is ever stale. After a write only the plan written to is counted
    again (issue 28), and the plans not kept are counted together in one query."""
    kept = page_cache.reuse_each(
        {
            pk: page_cache.key_of("plan-counts", pk, token, today.isoformat())
            for pk, token, _ in plans
        },
        lambda missing: _counts(missing, today),
    )
    plan_counts, body_counts, owner_counts, chase = Counter(), Counter(), Counter(), Counter()
    for counts in filter(None, kept.values()):  # () for a plan with no actions
        for total, part in zip(
            (plan_counts, body_counts, owner_counts, chase), counts, strict=True
        ):
            total.update(part)
    return plan_counts, body_counts, owner_counts, chase


def count_ahead(today, *, plans_a_query=50):
    """Count every plan for ``today`` and keep each plan's counts, as the day's first manager's
    dashboard would (``_reused_counts``): the daily job does it just after midnight (``manage.py
    count_ahead``), so that a new day's first view reads them, at 10,000 actions a third of the
    page made afresh (issue 28). A plan written to since is counted again at its next view, as
    after any write. It keeps no more than half the pages cache's room, so as not to push out,
    past the room, the pages readers reuse today (the cache drops those read least recently
    first: yesterday's, then these counts of plans nobody has looked at yet), and takes first
    the plans of the councils whose people signed in last: among 150 councils, the first 1,000
    plans by id left out the council whose managers were at work. Returns (plans counted, plans
    left for their first view)."""
    signed_in = dict(
        Owner.objects.filter(user__last_login__isnull=False)
        .values("organisation")
        .annotate(last=Max("user__last_login"))
        .values_list("organisation", "last")
    )

    def latest_first(plan):
        pk, organisation, *_ = plan
        last = signed_in.get(organisation)
        return (last is None, -last.timestamp() if last else 0, pk)

    fields = ("pk", "organisation", "rows_token", "outline_token")
    plans = sorted(Plan.objects.values_list(*fields), key=latest_first)
    counted = [(pk, *tokens) for pk, _, *tokens in plans[: page_cache.room() // 2]]
    for start in range(0, len(counted), plans_a_query):
        _reused_counts(counted[start : start + plans_a_query], today)
    return len(counted), len(plans) - len(counted)


def _counts(plans, today):
    """For each of ``plans`` (ids): counts of its actions by (plan, rating), (accountable body,
    rating) and (owner, rating), and of those to chase, all in one query (``_counting_sql``)."""
    sql, params = _counting_sql(today, tuple(sorted(plans)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Plain dicts, each key set once where the query grouped by it: a Counter's += calls Python
    # for every new key, and a new day's 10,000 actions give about 7,000 rows (issue 28).
    by_plan = {}
    for kind, plan, key, body, rating, n, *flags in rows:
        counts = by_plan.get(plan)
        if counts is None:
            counts = by_plan[plan] = ({}, {}, {}, dict.fromkeys(CHASE, 0))
        plan_counts, body_counts, owner_counts, chase = counts
        if kind == "owner":  # one row a plan, person and rating
            owner_counts[(key, rating)] = n
            continue
        # one row a plan, body and rating: one body a key here, one plan a key of the plan's
        plan_counts[(key, rating)] = plan_counts.get((key, rating), 0) + n
        body_counts[(body, rating)] = n
        for name, flag in zip(CHASE, flags, strict=True):
            chase[name] += int(flag)
    return by_plan


@lru_cache(maxsize=32)
def _counting_sql(today, plans):
    """``_counts``'s query for these plans on ``today``, built once a process for the same plans
    and day: the SQL depends on nothing else, and building the rating rule through the ORM was
    nine tenths of counting one plan after a write to it (3.7 of 4.0 ms, issue 28).

    The rating rule (``rag.annotate``) is the costly part, so it runs once, in a WITH clause that
    both groupings read: by plan and body, and by owner, where an owner is each owner of the
    action and each member of an owning team, as the action list's owner filter counts them. The
    ORM cannot group one rated set two ways; the SQL around the ORM's own is fixed text, and
    every value from outside is a parameter of the ORM's query. The owners are looked up for the
    rated actions only: joined to every link of every council, they cost 600 ms with 150
    councils (issue 28)."""
    flag = {
        "overdue": queries.overdue_rule(today),
        "due_soon": queries.due_soon_rule(today),
        "stale": queries.stale_rule(today),
        "awaiting": queries.AWAITING_RULE,
    }
    actions = Action.objects.filter(recommendation__plan__in=plans).order_by()
    rated = rag.annotate(actions, today).annotate(
        **{f"is_{name}": Case(When(rule, then=1), default=0) for name, rule in flag.items()}
    )
    inner, params = rated.values_list(
        "pk", "recommendation__plan", "accountable_body", "rag", *(f"is_{n}" for n in CHASE)
    ).query.sql_with_params()
    links, members = ActionOwner._meta.db_table, Owner.members.through._meta.db_table
    # The rated actions' owner links are read once, as a table of their own (MATERIALIZED):
    # found inside the teams' query, PostgreSQL guessed one team member in all and looked for
    # each one's action among every rated action (1.7 million rows compared, 0.2 s, issue 28).
    # Each link carries its action's plan and rating, so the people (owners, and the members of
    # owning teams, each once an action) are counted without joining the rated actions again.
    sql = f"""
        WITH rated (id, plan, body, rag, {", ".join(CHASE)}) AS ({inner}),
        linked AS MATERIALIZED (
            SELECT link.action_id, link.owner_id, rated.plan, rated.rag
              FROM {links} link JOIN rated ON rated.id = link.action_id
        ),
        people AS (
            SELECT action_id, owner_id, plan, rag FROM linked
            UNION
            SELECT link.action_id, team.to_owner_id, link.plan, link.rag FROM linked link
              JOIN {members} team ON team.from_owner_id = link.owner_id
        )
        SELECT 'plan', plan, plan, body, rag, COUNT(*), {", ".join(f"SUM({n})" for n in CHASE)}
          FROM rated GROUP BY plan, body, rag
        UNION ALL
        SELECT 'owner', plan, owner_id, NULL, rag, COUNT(*), {", ".join("0" for _ in CHASE)}
          FROM people GROUP BY plan, owner_id, rag
    """  # noqa: S608  # nosec B608
    return sql, params


@dataclass
class PlanBoard:
    counts: list  # (value, words, count, url)
    rating: str
    rating_label: str
    recommendations: list
    trend: object
    measures: list  # a chart for each measure with readings or a dated line
    total: int
    uncharted: list = field(default_factory=list)  # measures with nothing to draw yet
    rechecks: list = field(default_factory=list)  # assured steps due for re-check


def one_plan(plan, today):
    """A plan's dashboard: counts by rating, each recommendation's progress, the weekly trend of
    ratings from history and each measure's readings against its line."""
    scale = plan.rag_scale
    # One pass of the rule over the plan's actions; counts and roll-ups are taken from its rows.
    rows = list(
        rag.annotate(Action.objects.filter(recommendation__plan=plan), today).values_list(
            "recommendation", "status", "rag"
        )
    )
    by_rating = Counter(rating for _, _, rating in rows)
    shown = Counter()
    for value, n in by_rating.items():
        shown[rag.on_scale(value, scale).value] += n
    always = rag.SCALE_VALUES[rag.ScaleKind.RAG]
    counts = [
        (
            r.value,
            rag.label(r, scale),
            shown.get(r.value, 0),
            action_list_url(plan=plan.pk, rag=r.value),
        )
        for r in RATINGS
        if r.value in shown or r in always
    ]
    rating = rag.roll_up(rating for _, _, rating in rows)

    per_rec = {}
    for rec_id, status, rating_of_action in rows:
        per_rec.setdefault(rec_id, []).append((status, rating_of_action))
    recs = []
    for rec in Recommendation.objects.filter(plan=plan).order_by("section__order", "order", "pk"):
        actions = per_rec.get(rec.pk, [])
        total = len(actions)
        complete = sum(status == Action.Status.COMPLETE for status, _ in actions)
        value = rag.on_scale(rag.roll_up(r for _, r in actions), scale)
        recs.append(
            {
                "rec": rec,
                "total": total,
                "complete": complete,
                "percent": round(100 * complete / total) if total else 0,
                "rating": value.value,
                "rating_label": rag.label(value, scale),
            }
        )
    measures = list(Measure.objects.filter(plan=plan).prefetch_related("readings"))
    charted = measure_charts(measures)
    return PlanBoard(
        counts=counts,
        rating=rag.on_scale(rating, scale).value,
        rating_label=rag.label(rating, scale),
        recommendations=recs,
        trend=trend(plan, today),
        measures=[chart for chart in charted if chart],
        total=sum(by_rating.values()),
        uncharted=[str(m) for m, chart in zip(measures, charted, strict=True) if not chart],
        rechecks=list(ladder.due_rechecks(Action.objects.filter(recommendation__plan=plan), today)),
    )


def trend(plan, today):
    """The chart of a plan's ratings at the end of each week (``weekly.columns``)."""
    columns = weekly.columns(plan, today)
    if not columns:
        return charts.stacked_bars("Ratings week by week", [], [], {})
    series = [r.value for r in reversed(RATINGS) if any(r.value in c for _, c in columns)]
    labels = {r.value: rag.label(r, plan.rag_scale) for r in RATINGS}
    return charts.stacked_bars("Ratings week by week", columns, series, labels)


def measure_charts(measures):
    """Each measure as a chart of its readings against its line, or None where it has neither
    a reading nor a dated baseline and target (a page of empty axes says nothing)."""
    result = []
    for m in measures:
        points = []
        for reading in m.readings.all():
            value = rag.reading_value(reading)
            if value is not None and reading.taken_on:
                points.append((reading.taken_on, value, reading.period_label))
        points.sort(key=lambda p: p[0])
        unit = "%" if m.unit == Measure.Unit.PERCENT else ""
        baseline = (m.baseline_date, m.baseline_value)
        target = (m.target_date, m.target_value)
        has_line = all(d and v is not None for d, v in (baseline, target))
        if not points and not has_line:
            result.append(None)
            continue
        result.append(charts.measure_chart(str(m), points, baseline, target, unit))
    return result
