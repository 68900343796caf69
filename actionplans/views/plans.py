import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from .. import history, queries, rules, snapshots
from ..forms import AsOfForm


def home(request):
    today = timezone.localdate()
    if rules.is_clerk(request.user):
        context = {"bodies": queries.clerk_overview(request.user, today), "today": today,
                   "recent_days": queries.STALE_DAYS}  # fmt: skip
        return render(request, "actionplans/home_clerk.html", context)
    context = {
        "work": queries.my_work(request.user, today),
        "today": today,
        "stale_days": queries.STALE_DAYS,
        "due_soon_days": queries.DUE_SOON_DAYS,
        "stale_since": today - dt.timedelta(days=queries.STALE_DAYS),
    }
    return render(request, "actionplans/home.html", context)


def plan_list(request):
    plans = rules.visible_plans(request.user).annotate(
        recommendation_count=Count("recommendations", distinct=True),
        action_count=Count("recommendations__actions", distinct=True),
    )
    return render(request, "actionplans/plan_list.html", {"plans": plans})


def plan_detail(request, pk):
    plan = rules.get_plan_for_user(request.user, pk)
    context = {
        "plan": plan,
        "outline": snapshots.current(plan),
        "inspections": plan.inspections.all(),
        "can_edit": rules.can_edit_plan(request.user, plan),
        "as_of_form": AsOfForm(),
        # The latest update of each action by default; every update on request (?updates=all).
        "all_updates": request.GET.get("updates") == "all",
    }
    return render(request, "actionplans/plan_detail.html", context)


def plan_as_of(request, pk):
    plan = rules.get_plan_for_user(request.user, pk)
    form = AsOfForm(request.GET or None)
    outline = None
    if form.is_valid():
        day = form.cleaned_data["date"]
        moment = dt.datetime.combine(day, dt.time.max, tzinfo=timezone.get_current_timezone())
        outline = snapshots.as_of(plan, moment)
    context = {"plan": plan, "form": form, "outline": outline}
    return render(request, "actionplans/plan_as_of.html", context)


def history_page(request, template, sources, **context):
    """A history page, narrowed by the filters in its address; bad filters are shown, not run."""
    form = history.HistoryFilterForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        narrowed = history.narrow(sources, **form.narrowing())
        page = Paginator(history.HistoryList(narrowed), 25).get_page(request.GET.get("page"))
    without_page = request.GET.copy()
    without_page.pop("page", None)
    context.update(page_obj=page, form=form, query=without_page.urlencode())
    return render(request, template, context)


def plan_history(request, pk):
    plan = rules.get_plan_for_user(request.user, pk)
    return history_page(
        request, "actionplans/history.html", history.history_sources(plan=plan),
        subject=plan, plan=plan,
    )  # fmt: skip
