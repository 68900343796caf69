from django.utils import timezone

from actionplans import page_cache, rag, rules

from . import data, slippage


def manager_dashboard(request):
    """Every plan the user may see, by rating and by what needs chasing."""
    today = timezone.localdate()
    # The plans and tokens the page is kept under are the ones it is made from, read once.
    plans = page_cache.visible_plans_now(request.user)

    def board():
        return {
            "board": data.across_plans(request.user, today, plans),
            "slippage": slippage.across_plans(plans),
            "today": today,
        }

    return page_cache.render_reused(request, "dashboards/manager.html", today, board, plans=plans)


def plan_dashboard(request, pk):
    plan = rules.get_plan_for_user(request.user, pk)
    today = timezone.localdate()
    return page_cache.render_reused(
        request,
        "dashboards/plan.html",
        today,
        lambda: {
            "plan": plan,
            "board": data.one_plan(plan, today),
            "slippage": slippage.one_plan(plan),
            "today": today,
            "roll_up_rule": rag.ROLL_UP_RULE,
        },
        plans=[(plan.pk, plan.rows_token)],
        outer={"plan": plan},
    )
