"""Questions pages ask of the data: a user's work list, a clerk's plans, the action list; and
the plan a management command names (``plan_find``).

History in words lives in ``history``; its names are imported here for the pages that ask.
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.management.base import CommandError
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    Window,
    prefetch_related_objects,
)
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from core.lookups import AnyOf

from . import rag, rules
from .history import HistoryList, describe, history_sources, latest_by_plan  # noqa: F401
from .models import Action, ActionOwner, Owner, Plan, ProgressUpdate

# Each plan sets its own thresholds (Plan.amber_days, stale_days, due_soon_days; rag.Thresholds);
# these defaults name the home pages' "recently" (completed recently, changed recently).
DUE_SOON_DAYS = rag.DUE_SOON_DAYS
STALE_DAYS = rag.STALE_DAYS
ATTENTION_SHOWN = 25
COMPLETED_SHOWN = 10


OWNER_LINKS = Prefetch("owner_links", ActionOwner.objects.select_related("owner"))


def shown_columns(actions):
    """What lists show but the rating: plan, the overriding manager and the date of the last
    update (a lookup per row shown, not a join of every update before the page is cut). For
    rows only shown, not filtered or sorted by rating, ``rated`` then rates them in Python,
    which costs less than building the rule's SQL."""
    last_update = (
        ProgressUpdate.objects.progress().filter(action=OuterRef("pk")).order_by("-written_on")
    )
    return actions.annotate(
        last_update_on=Subquery(last_update.values("written_on")[:1])
    ).select_related("recommendation__plan", "rag_override_by")


def with_list_columns(actions, today):
    """Actions with what lists show, owners and the rating (in SQL, to filter or sort by it)."""
    return rag.annotate(shown_columns(actions), today).prefetch_related(OWNER_LINKS)


def rated(rows, today):
    """``shown_columns`` rows (any number of lists, read together) with their owners, each given
    its ``rag`` by the rule in Python (rag.rate) from its last update and measures."""
    rows = [row for part in rows for row in part]
    prefetch_related_objects(rows, OWNER_LINKS, "measures__readings")
    for row in rows:
        behind = rag.measures_behind((m, list(m.readings.all())) for m in row.measures.all())
        limits = rag.Thresholds.of(row.recommendation.plan)
        row.rag = rag.rate(row, today, limits, last_update_on=row.last_update_on, behind=behind)


def start_of(day):
    """The first moment of ``day`` in the service's time zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


# What the owner still has to do: not complete, and not waiting on a manager's sign-off.
WITH_OWNER = ~Q(status__in=[Action.Status.COMPLETE, Action.Status.AWAITING_SIGN_OFF])


def stale_rule(today):
    """Open actions (not awaiting sign-off) that have gone their plan's ``stale_days`` without an
    update, counted from the later of their last update and their creation (rag.py's fact)."""
    return WITH_OWNER & Q(rag.stale_expression(today))


def overdue_rule(today):
    """Actions with their owner whose real planned date has passed."""
    return WITH_OWNER & Q(planned_completion_date__lt=today)


def due_soon_rule(today):
    """Actions with their owner due from today to their plan's ``due_soon_days`` from today."""
    due_in = rag.DaysBetween(F("planned_completion_date"), Value(today))
    return (
        WITH_OWNER
        & Q(planned_completion_date__gte=today)
        & Q(LessThanOrEqual(due_in, F("recommendation__plan__due_soon_days")))
    )


AWAITING_RULE = Q(status=Action.Status.AWAITING_SIGN_OFF)


def stale(actions, today):
    return actions.filter(stale_rule(today))


def unanswered_returns():
    """Proposals a manager returned that nobody has answered since with an update or a proposal."""
    later = (
        ProgressUpdate.objects.progress()
        .filter(action=OuterRef("action"))
        .filter(
            Q(created_at__gt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
        )
    )
    return ProgressUpdate.objects.filter(
        kind=ProgressUpdate.Kind.RETURNED, action__isnull=False
    ).exclude(Exists(later))


def reasons():
    """Why an action is on someone's home page, in the order the page lists them."""
    return [
        ("returned", "Returned by a manager"),
        ("awaiting_you", "Awaiting your sign-off"),
        ("overdue", "Overdue"),
        ("due_soon", "Due soon"),
        ("stale", "No recent update"),
        ("awaiting_manager", "Proposed complete: waiting for sign-off"),
    ]


def _flag(rule):
    return ExpressionWrapper(rule, output_field=BooleanField())


@dataclass
class Work:
    returned: list  # unanswered returned proposals, newest first
    counts: dict  # reason -> how many actions
    total: int  # actions needing attention, each counted once
    actions: list  # the first ATTENTION_SHOWN of them, each with .reasons [(key, label)]
    completed_count: int
    completed: list = field(default_factory=list)


def my_work(user, today):
    """The signed-in user's home page: each action once, with every reason it is there."""
    # The user's own actions, read once: every rule below then looks at a handful of rows.
    owned = list(rules.owned_actions(user).values_list("pk", flat=True))
    mine = Q(pk__any_of=owned)
    awaiting = Q(status=Action.Status.AWAITING_SIGN_OFF)
    if user.has_perm("actionplans.sign_off_action"):
        awaiting_you = awaiting & Q(recommendation__plan__in=rules.managed_plans(user).values("pk"))
    else:
        awaiting_you = Q(pk__in=[])
    returned = list(
        unanswered_returns()
        .filter(AnyOf(F("action_id"), owned))
        .select_related("action__recommendation__plan", "author")
        .order_by("-created_at", "-pk")
    )
    owners = {
        "overdue": overdue_rule(today),
        "due_soon": due_soon_rule(today),
        "stale": stale_rule(today),
        "awaiting_manager": awaiting & ~awaiting_you,
    }
    if not owned:  # nothing of theirs: the rules are left out of the query, not asked of it
        owners = dict.fromkeys(owners, Q(pk__in=[]))
    flags = {
        "returned": Q(pk__in={update.action_id for update in returned}),
        "awaiting_you": awaiting_you,
        **owners,
    }
    # The owner's four reasons hold of their own actions: "mine" is asked once, here, not in
    # each flag (their ids were written into the query a dozen times; issue 28). An action listed
    # that is not theirs awaits their sign-off, which none of the four can say of it.
    any_reason = flags["returned"] | awaiting_you | (mine & reduce(or_, owners.values()))
    needing = Action.objects.filter(any_reason).annotate(
        **{f"is_{key}": _flag(rule) for key, rule in flags.items()}
    )
    # Counted over every action needing attention in the query that reads the first of them (a
    # window counts before the LIMIT): one query built and sent, not two (issue 28).
    counted = {"total": Window(Count("pk"))} | {
        key: Window(Count("pk", filter=Q(**{f"is_{key}": True}))) for key in flags
    }
    rows = list(
        shown_columns(needing)
        .annotate(**{f"count_{key}": window for key, window in counted.items()})
        .order_by(
            F("is_returned").desc(),
            F("is_awaiting_you").desc(),
            F("planned_completion_date").asc(nulls_last=True),
            "pk",
        )[:ATTENTION_SHOWN]
    )
    counts = {key: getattr(rows[0], f"count_{key}") if rows else 0 for key in counted}
    labels = reasons()
    for row in rows:
        row.reasons = [(key, label) for key, label in labels if getattr(row, f"is_{key}")]

    since = today - dt.timedelta(days=STALE_DAYS)
    # Looked up per action through the (action, written_on) index: as "pk in (updates of the
    # owned actions)" PostgreSQL read every update, twice a page.
    signed_off = ProgressUpdate.objects.filter(
        action=OuterRef("pk"), kind=ProgressUpdate.Kind.SIGN_OFF, written_on__gte=since
    )
    completed = Action.objects.filter(
        mine,
        Q(status=Action.Status.COMPLETE),
        Q(completed_on__gte=since) | Q(Exists(signed_off)),
    )
    # Every recent completion read (a few an owner), counted here rather than in a query of
    # its own; the two lists' owners and measures then come in one set of queries.
    completed = list(
        shown_columns(completed).order_by(F("completed_on").desc(nulls_last=True), "pk")
    )
    rated([rows, completed[:COMPLETED_SHOWN]], today)
    return Work(
        returned=returned,
        counts={key: counts[key] for key in flags},
        total=counts["total"],
        actions=rows,
        completed_count=len(completed),
        completed=completed[:COMPLETED_SHOWN],
    )


def clerk_overview(user, today):
    """The plans a reader reads, grouped by the body they report to ("No governance body" last),
    each with how much changed in the last STALE_DAYS days and its latest change in words."""
    plans = list(rules.visible_plans(user).select_related("governance_body").order_by("title"))
    activity = latest_by_plan([p.pk for p in plans], start_of(today - dt.timedelta(STALE_DAYS)))
    bodies = {}
    for plan in plans:
        plan.activity = activity[plan.pk]
        bodies.setdefault(plan.governance_body, []).append(plan)
    order = sorted(bodies, key=lambda body: (body is None, str(body or "").lower()))
    return [{"body": body, "plans": bodies[body]} for body in order]


def _owns_in(plans, owner):
    """Whether the owner ``owner`` (an outer reference) owns an action of ``plans``."""
    return Exists(ActionOwner.objects.filter(owner=owner, action__recommendation__plan__in=plans))


def owner_choices(plans):
    """Owners of the actions of ``plans`` (those a user can see, or one council's of them), and
    members of the teams that own them (whose actions they own too), for the action list's owner
    filter."""
    # Asked per owner (EXISTS, through the owner's links): as a set of every visible action's
    # owners joined and made distinct, PostgreSQL read every link, twice a page.
    plans = plans.values("pk")
    teams = Owner.members.through.objects.filter(to_owner=OuterRef("pk")).filter(
        _owns_in(plans, OuterRef("from_owner"))
    )
    return Owner.objects.filter(Q(_owns_in(plans, OuterRef("pk"))) | Q(Exists(teams))).order_by(
        "name"
    )


def body_choices(plans):
    """Accountable bodies of the actions of ``plans``, for the action list's body filter."""
    accountable = Action.objects.filter(
        accountable_body=OuterRef("pk"), recommendation__plan__in=plans.values("pk")
    )
    return Owner.objects.filter(Exists(accountable)).order_by("name")


def plan_find(phrase):
    """The plan a management command names: by id, or by a phrase of its title that matches one
    plan only. CommandError (what the command prints) for none, or for more than one."""
    phrase = phrase.strip()
    if phrase.isdigit():
        plan = Plan.objects.filter(pk=int(phrase)).first()
        if plan is None:
            raise CommandError(f"No plan has the id {phrase}.")
        return plan
    matches = list(Plan.objects.filter(title__icontains=phrase).order_by("title")[:21])
    if not matches:
        raise CommandError(f"No plan's title contains {phrase!r}.")
    if len(matches) > 1:
        listed = "\n".join(f"  {p.pk}: {p.title} ({p.organisation})" for p in matches[:20])
        raise CommandError(
            f"{phrase!r} matches more than one plan; give its id or more of its title:\n{listed}"
        )
    return matches[0]
