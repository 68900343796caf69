from django.shortcuts import render
from django.utils import timezone

from actionplans import rag, rules

from . import data


def manager_dashboard(request):
    """Every plan the user may see, by rating and by what needs chasing."""
    today = timezone.localdate()
    context = {"board": data.across_plans(request.user, today), "today": today}
    return render(request, "dashboards/manager.html", context)


def plan_dashboard(request, pk):
    plan = rules.get_plan_for_user(request.user, pk)
    today = timezone.localdate()
    context = {
        "plan": plan,
        "board": data.one_plan(plan, today),
        "today": today,
        "roll_up_rule": rag.ROLL_UP_RULE,
    }
    return render(request, "dashboards/plan.html", context)
