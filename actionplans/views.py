from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render

from .models import Action, Plan, Recommendation


def home(request):
    return redirect("plan_list")


def plan_list(request):
    plans = Plan.objects.annotate(
        recommendation_count=Count("recommendations", distinct=True),
        action_count=Count("recommendations__actions", distinct=True),
    )
    return render(request, "actionplans/plan_list.html", {"plans": plans})


def plan_detail(request, pk):
    plan = get_object_or_404(Plan.objects.select_related("sponsor", "governance_body"), pk=pk)
    recommendations = (
        Recommendation.objects.filter(plan=plan)
        .select_related("section")
        .prefetch_related(
            "leads",
            "updates",
            Prefetch(
                "actions",
                queryset=Action.objects.prefetch_related("owners", "updates", "also_answers"),
            ),
        )
    )
    context = {
        "plan": plan,
        "recommendations": recommendations,
        "inspections": plan.inspections.all(),
    }
    return render(request, "actionplans/plan_detail.html", context)
