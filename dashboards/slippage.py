"""Dates that slipped: how many times planned completions moved, and by how many days in all, by
plan, owner and recommendation (actionplans.date_moves says what a move is).

Each table is one grouped query over the moves (actionplans.models.DateMove), however many moves
and actions there are. Days moved are the new date less the old, over each move between two real
dates: a date brought forward counts back, so the total is how much later the work now ends.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import reverse

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


def _rows(moves, key, names, label, url):
    """One row per value of ``key`` among ``moves`` (``names``: the fields ``label`` words it
    from), the most days moved first."""
    grouped = (
        moves.values(key, *names)
        .annotate(actions=Count("action", distinct=True), moves=Count("pk"), days=Sum("days"))
        .order_by()
    )
    rows = [
        SlipRow(label(g), url(g[key]), g["actions"], g["moves"], g["days"] or 0)
        for g in grouped
        if g[key] is not None
    ]
    rows.sort(key=lambda r: (-r.days, -r.moves, r.label.lower()))
    return rows


def _action_list(**params):
    return f"{reverse('action_list')}?{urlencode(params)}"


PLAN, TITLE = "action__recommendation__plan", "action__recommendation__plan__title"
OWNER, OWNER_NAME = "action__owner_links__owner", "action__owner_links__owner__name"
REC, REFERENCE = "action__recommendation", "action__recommendation__reference"


def _by_plan(moves):
    rows = _rows(
        moves, PLAN, [TITLE], lambda g: g[TITLE], lambda pk: reverse("plan_dashboard", args=[pk])
    )
    return SlipTable("Dates moved by plan", "Plan", rows)


def _by_owner(moves):
    rows = _rows(
        moves, OWNER, [OWNER_NAME], lambda g: g[OWNER_NAME], lambda pk: _action_list(owner=pk)
    )
    return SlipTable("Dates moved by owner (each owner named on the action)", "Owner", rows)


def _by_recommendation(moves, with_plan):
    def label(g):
        reference = g[REFERENCE] or "Recommendation"
        # Across plans, a reference ("CP4") alone does not say which plan it is in.
        return f"{reference} ({g[TITLE]})" if with_plan else reference

    rows = _rows(
        moves,
        REC,
        [REFERENCE, TITLE],
        label,
        lambda pk: reverse("recommendation_detail", args=[pk]),
    )
    return SlipTable("Dates moved by recommendation", "Recommendation", rows)


def across_plans(actions):
    """The manager's dashboard: moves of ``actions`` (those the reader may see) by plan, owner
    and recommendation."""
    moves = DateMove.objects.filter(action__in=actions.order_by().values("pk"))
    return [_by_plan(moves), _by_owner(moves), _by_recommendation(moves, with_plan=True)]


def one_plan(plan):
    """A plan's dashboard: its moves by recommendation and by owner."""
    moves = DateMove.objects.filter(action__recommendation__plan=plan)
    return [_by_recommendation(moves, with_plan=False), _by_owner(moves)]
