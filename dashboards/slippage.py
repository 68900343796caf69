"""Dates that slipped: how many times planned completions moved, and by how many days in all, by
plan, owner and recommendation (actionplans.date_moves says what a move is).

Each table is one grouped query over the moves (actionplans.models.DateMove), however many moves
and actions there are; across plans, each plan's rows are kept while it does not change. Days
moved are the new date less the old, over each move between two real dates: a date brought
forward counts back, so the total is how much later the work now ends.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import reverse

from actionplans import page_cache
from actionplans.models import DateMove


@dataclass
class SlipRow:
    label: str
    url: str
    actions: int  # actions whose planned completion moved
    moves: int
    days: int


@dataclass
class SlipTable:
    caption: str
    heading: str
    rows: list = field(default_factory=list)

    @property
    def moves(self):
        return sum(row.moves for row in self.rows)


def _rows(moves, key, names, label, url, *, per_plan=False):
    """One row per value of ``key`` among ``moves`` (``names``: the fields ``label`` words it
    from), the most days moved first; ``per_plan``: the rows of each plan, by its id."""
    group = [key, *names] + ([PLAN] if per_plan and key != PLAN else [])
    grouped = (
        moves.values(*group)
        .annotate(actions=Count("action", distinct=True), moves=Count("pk"), days=Sum("days"))
        .order_by()
    )
    rows = {}
    for g in grouped:
        if g[key] is not None:
            row = SlipRow(label(g), url(g[key]), g["actions"], g["moves"], g["days"] or 0)
            rows.setdefault(g[PLAN] if per_plan else None, []).append(row)
    for each in rows.values():
        each.sort(key=_most_days_first)
    return rows if per_plan else rows.get(None, [])


def _most_days_first(row):
    return (-row.days, -row.moves, row.label.lower())


def _action_list(**params):
    return f"{reverse('action_list')}?{urlencode(params)}"


PLAN, TITLE = "action__recommendation__plan", "action__recommendation__plan__title"
OWNER, OWNER_NAME = "action__owner_links__owner", "action__owner_links__owner__name"
REC, REFERENCE = "action__recommendation", "action__recommendation__reference"
BY_PLAN = ("Dates moved by plan", "Plan")
BY_OWNER = ("Dates moved by owner (each owner named on the action)", "Owner")
BY_RECOMMENDATION = ("Dates moved by recommendation", "Recommendation")


def _plan_rows(moves, **each):
    return _rows(
        moves,
        PLAN,
        [TITLE],
        lambda g: g[TITLE],
        lambda pk: reverse("plan_dashboard", args=[pk]),
        **each,
    )


def _owner_rows(moves, **each):
    return _rows(
        moves,
        OWNER,
        [OWNER_NAME],
        lambda g: g[OWNER_NAME],
        lambda pk: _action_list(owner=pk),
        **each,
    )


def _recommendation_rows(moves, with_plan, **each):
    def label(g):
        reference = g[REFERENCE] or "Recommendation"
        # Across plans, a reference ("CP4") alone does not say which plan it is in.
        return f"{reference} ({g[TITLE]})" if with_plan else reference

    return _rows(
        moves,
        REC,
        [REFERENCE, TITLE],
        label,
        lambda pk: reverse("recommendation_detail", args=[pk]),
        **each,
    )


def across_plans(plans):
    """The manager's dashboard: the moves of ``plans`` (those the user may see, with their
    tokens: page_cache.visible_plans_now), by plan, owner and recommendation. Each plan's are
    grouped once and kept while its outline does not change: its outline token, which a moved
    date and a renamed owner, plan or recommendation each replace (actionplans.changes), and a
    progress update does not. After such a change only the plan changed is grouped again
    (issue 28), the plans not kept together."""
    kept = page_cache.reuse_each(
        {
            pk: page_cache.key_of("plan-slippage", pk, outline)
            for pk, outline in page_cache.outlines(plans)
        },
        lambda missing: _by_each_plan(
            DateMove.objects.filter(action__recommendation__plan__in=missing)
        ),
    )
    tables = [SlipTable(*BY_PLAN), SlipTable(*BY_OWNER), SlipTable(*BY_RECOMMENDATION)]
    owners = {}
    for plan_rows, owner_rows, rec_rows in filter(None, kept.values()):  # () for no moves
        tables[0].rows += plan_rows
        tables[2].rows += rec_rows
        for row in owner_rows:  # an owner's moves in each plan, added up (an action is in one)
            total = owners.setdefault(row.url, SlipRow(row.label, row.url, 0, 0, 0))
            total.actions, total.moves = total.actions + row.actions, total.moves + row.moves
            total.days += row.days
    tables[1].rows = list(owners.values())
    for table in tables:
        table.rows.sort(key=_most_days_first)
    return tables


def _by_each_plan(moves):
    """For each plan of ``moves``: its rows by plan, by owner and by recommendation."""
    tables = (
        _plan_rows(moves, per_plan=True),
        _owner_rows(moves, per_plan=True),
        _recommendation_rows(moves, with_plan=True, per_plan=True),
    )
    by_plan = {}
    for i, table in enumerate(tables):
        for plan, rows in table.items():
            by_plan.setdefault(plan, ([], [], []))[i].extend(rows)
    return by_plan


def one_plan(plan):
    """A plan's dashboard: its moves by recommendation and by owner, kept under the plan's
    outline token as ``across_plans`` keeps each plan's (a progress update changes neither)."""

    def grouped():
        moves = DateMove.objects.filter(action__recommendation__plan=plan)
        return [
            SlipTable(*BY_RECOMMENDATION, _recommendation_rows(moves, with_plan=False)),
            SlipTable(*BY_OWNER, _owner_rows(moves)),
        ]

    return page_cache.reuse(page_cache.key_of("slippage", plan.pk, plan.outline_token), grouped)
