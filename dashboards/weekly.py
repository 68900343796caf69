"""A plan's ratings week by week, from its history: the walk through the actions' history
records and the updates' dates, its weeks before this one kept (dashboards.data draws it)."""

import datetime as dt
from collections import Counter
from types import SimpleNamespace

from django.db.models import Count, Max
from django.utils import timezone

from actionplans import page_cache, queries, rag
from actionplans.models import Action, ProgressUpdate, Recommendation

TREND_WEEKS = 104


def _week_ends(start, today):
    end = start + dt.timedelta(days=6 - start.weekday())  # the Sunday of its week
    ends = []
    while end < today:
        ends.append(end)
        end += dt.timedelta(days=7)
    return ends[-(TREND_WEEKS - 1) :] + [today]


def columns(plan, today):
    """Ratings at the end of each week since the plan started (its first history record; the
    latest TREND_WEEKS weeks), from the actions' history and the updates' dates: a (week's
    label, {rating shown: actions}) for each, or [] for a plan with no history.

    Each week applies ``rag.rate`` to the actions as history records them that day, with the plan's
    thresholds of today; measure readings are left out of the trend.
    """
    history = Action.history.filter(
        recommendation_id__in=Recommendation.objects.filter(plan=plan).values("pk")
    )
    updates = ProgressUpdate.objects.progress().filter(action__recommendation__plan=plan)
    # The plan's first record; with none, its actions' first record.
    first = _first_date(plan.history) or _first_date(history)
    if first is None:
        return []
    ends = _week_ends(timezone.localdate(first), today)
    limits = rag.Thresholds.of(plan)
    shown = {r: rag.on_scale(r, plan.rag_scale).value for r in rag.Rag}
    # The weeks before this one are walked once and kept under everything they are made from:
    # what is on record up to their last day, the thresholds and the scale; only this week's
    # column is rated afresh, from the facts dated since (issue 28: 33 of the 74 ms of a
    # 200-action plan's dashboard after each write, then 12 of 40 reading every fact to key it).
    # Facts up to a past day are only ever added or taken away, never changed: history records
    # are dated when they are made (today), an update's date and kind are fixed when it is
    # written, so a backdated update, a deleted action's updates or a restore changes their
    # count or last id, and so the key.
    past, walk = ends[:-1], None
    if past:
        after = queries.start_of(past[-1] + dt.timedelta(days=1))
        on_record = [
            facts.aggregate(n=Count("pk"), last=Max("pk"))
            for facts in (
                history.filter(history_date__lt=after),
                updates.filter(written_on__lte=past[-1]),
            )
        ]
        key = page_cache.key_of("trend", plan.pk, past, limits, shown, on_record)
        walk = page_cache.kept(key)
        if walk is not None:  # this week's facts are all it needs
            walk.r = walk.u = 0
            history = history.filter(history_date__gte=after)
            updates = updates.filter(written_on__gt=past[-1])
    records, dates = _records(history), _dates(updates)
    if walk is None:
        walk = _TrendWalk(limits, shown)
        if past:
            page_cache.keep(key, walk.to(past, records, dates))
    return walk.to(ends[-1:], records, dates).columns


def _first_date(records):
    return records.order_by("history_date").values_list("history_date", flat=True).first()


def _records(history):
    """Action history records as the trend walks them, in the order they were made."""
    return [
        (timezone.localdate(when), pk, *facts)
        for pk, when, *facts in history.order_by("history_date", "history_id").values_list(
            "id",
            "history_date",
            "history_type",
            "status",
            "planned_completion_date",
            "rag_override",
            "rag_override_until",
            "created_at",
        )
    ]


def _dates(updates):
    """Progress updates as (date written, action), in date order."""
    return sorted(updates.values_list("written_on", "action_id"))


class _TrendWalk:
    """The trend's walk through a plan's history, week end by week end: each action as history
    records it, the date of its latest update, and its rating held until a date of the rule
    passes; picklable, so the weeks walked are kept and the walk goes on from them."""

    def __init__(self, limits, shown):
        self.limits, self.shown = limits, shown
        self.state, self.last, self.memo, self.columns = {}, {}, {}, []
        self.r = self.u = 0  # how many of the records and updates are walked

    def to(self, ends, records, updates):
        """Walk to each of ``ends`` in turn; ``records`` and ``updates`` are the whole plan's,
        in date order, of which those before ``self.r`` and ``self.u`` are walked already."""
        state, last, memo = self.state, self.last, self.memo
        for end in ends:
            while self.r < len(records) and records[self.r][0] <= end:
                _, pk, kind, status, due, override, until, created = records[self.r]
                if kind == "-":
                    state.pop(pk, None)
                else:
                    state[pk] = SimpleNamespace(
                        status=status,
                        planned_completion_date=due,
                        rag_override=override,
                        rag_override_until=until,
                        created_on=timezone.localdate(created) if created else None,
                    )
                self.r += 1
            while self.u < len(updates) and updates[self.u][0] <= end:
                last[updates[self.u][1]] = updates[self.u][0]
                self.u += 1
            rated = Counter()
            for pk, action in state.items():
                # An action is rated again only when its facts change or a date of the rule
                # passes.
                latest = last.get(pk)
                held = memo.get(pk)
                if (
                    held is None
                    or held[0] is not action
                    or held[1] != latest
                    or (held[3] is not None and end >= held[3])
                ):
                    rating = rag.rate(action, end, self.limits, last_update_on=latest)
                    until = rag.holds_until(action, end, self.limits, last_update_on=latest)
                    held = memo[pk] = (action, latest, rating, until)
                rated[held[2]] += 1
            tally = Counter()
            for rating, n in rated.items():
                tally[self.shown[rating]] += n
            self.columns.append((f"{end:%-d %b %Y}", dict(tally)))
        return self
