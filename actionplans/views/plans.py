import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from .. import queries, rules, snapshots
from ..forms import AsOfForm


def home(request):
    today = timezone.localdate()
    context = {
        "groups": queries.my_work(request.user, today),
        "today": today,
        "stale_since": today - dt.timedelta(days=queries.STALE_DAYS),
    }
    return render(request, "actionplans/home.html", context)


def plan_list(request):
    plans = rules.visible_plans(request.user).annotate(
        recommendation_count=Count("recommendations", distinct=True),
        action_count=Count("recommendations__actions", distinct=True),
    )
    context = {"plans": plans, "can_add_plan": rules.can_add_plan(request.user)}
    return render(request, "actionplans/plan_list.html", context)


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
    page = Paginator(queries.HistoryList(sources), 25).get_page(request.GET.get("page"))
    context.update(page_obj=page, query="")
    return render(request, template, context)


def plan_history(request, pk):
    plan = rules.get_plan_for_user(request.user, pk)
    return history_page(
        request, "actionplans/history.html", queries.history_sources(plan=plan),
        subject=plan, plan=plan,
    )  # fmt: skip
