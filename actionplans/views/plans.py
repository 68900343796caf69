import datetime as dt
from dataclasses import replace

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils import timezone

from .. import history, page_cache, queries, rag, rules, snapshots
from ..forms import AsOfForm, PlanNarrowForm
from ..models import Action, Recommendation


def home(request):
    today = timezone.localdate()
    if rules.is_clerk(request.user):
        return page_cache.render_reused(
            request,
            "actionplans/home_clerk.html",
            today,
            lambda: {
                "bodies": queries.clerk_overview(request.user, today),
                "today": today,
                "recent_days": queries.STALE_DAYS,
            },
        )
    return page_cache.render_reused(
        request,
        "actionplans/home.html",
        today,
        lambda: {
            "work": queries.my_work(request.user, today),
            "today": today,
            "stale_days": queries.STALE_DAYS,
            "due_soon_days": queries.DUE_SOON_DAYS,
            "amber_days": rag.AMBER_DAYS,
        },
    )


PLANS_PAGE_SIZE = 100


def _counted(related, plan):
    """How many ``related`` rows (filtered by the outer plan through ``plan``) a plan has."""
    counted = related.filter(**{plan: OuterRef("pk")}).order_by().values(plan)
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


def plan_list(request):
    # A page at a time, each plan's counts looked up for that page only: the site administrator's
    # list of every council's plans was 7,500 rows (3.4 MB), counted by joining every action of
    # every council first (issue 28). A council's own list fits on one page.
    plans = rules.visible_plans(request.user).annotate(
        recommendation_count=_counted(Recommendation.objects, "plan"),
        action_count=_counted(Action.objects, "recommendation__plan"),
    )
    page = Paginator(plans, PLANS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "plans": page.object_list,
        "page_obj": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "can_add_plan": rules.can_add_plan(request.user),
    }
    return render(request, "actionplans/plan_list.html", context)


def plan_detail(request, pk):
    plan = rules.get_plan_for_user(request.user, pk)
    today = timezone.localdate()
    # The rows are built and rendered once per plan version, day and kind of reader (page_cache).
    params = request.GET.copy()
    # The latest update of each action by default; every update on request (?updates=all).
    all_updates = params.get("updates") == "all"
    page = page_cache.PlanPage(plan, today, all_updates=all_updates)
    narrow_form = PlanNarrowForm(
        request.GET or None, sections=[(s.id, s.title) for s in page.summary.sections if s.id]
    )
    narrowing = narrow_form.narrowing()
    can_edit = rules.can_edit_plan(request.user, plan)
    # Sections open by default; closed on request (?sections=closed), with no JavaScript.
    sections_closed = params.get("sections") == "closed"
    rows = page.rows(
        can_edit=can_edit,
        all_updates=all_updates,
        sections_closed=sections_closed,
        narrowing=narrowing,
    )

    def context():  # the main part, made only when it is not reused
        return {
            "plan": plan,
            "whole": page.summary,
            "outline": replace(rows, html=page_cache.ROWS_MARK),
            "narrow_form": narrow_form,
            "narrowed": any(narrowing.values()),
            "inspections": plan.inspections.all(),
            "can_edit": can_edit,
            "as_of_form": page_cache.as_of_form(),
            "all_updates": all_updates,
            "sections_closed": sections_closed,
            "query_with": {
                "updates_all": _query(params, updates="all"),
                "updates_latest": _query(params, updates=None),
                "sections_closed": _query(params, sections="closed"),
                "sections_open": _query(params, sections=None),
            },
        }

    return page_cache.render_reused(
        request,
        "actionplans/plan_detail.html",
        today,
        context,
        plans=[(plan.pk, plan.rows_token)],
        rows=rows.html,
        outer={"plan": plan, "narrow_form": narrow_form, "can_edit": can_edit},
    )


def _query(params, **changes):
    """``params`` (a QueryDict) with ``changes`` made (None removes one), as "?a=1&b=2"."""
    params = params.copy()
    params.pop("page", None)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode() if params else "?"


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
        request,
        "actionplans/history.html",
        history.history_sources(plan=plan),
        subject=plan,
        plan=plan,
    )
