"""Managers restructure plans: add, edit, reorder and remove sections, recommendations, actions,
measures and readings. Every write goes through services and is kept in history."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import queries, rules, services
from ..forms import (
    ActionForm,
    MeasureForm,
    PlanForm,
    ReadingForm,
    RecommendationForm,
    SectionForm,
)
from ..models import Action, Measure, Recommendation, Section
from . import posted
from .plans import history_page

FORM = "actionplans/form.html"


def _page(request, form, title, back, **context):
    return render(request, FORM, {"form": form, "title": title, "back": back, **context})


def _simple_form(request, form, *, plan, title, done, message, save=None):
    """Show ``form``; when it is valid, save it (by default with ``message`` as the reason)."""
    if request.method == "POST" and form.is_valid():
        if save:
            save(form.instance)
        else:
            form.instance._change_reason = message
            form.save()
        messages.success(request, message)
        return redirect(done)
    return _page(request, form, title, plan.get_absolute_url(), plan=plan)


def _add(siblings, request):
    """Save a new item at the end of ``siblings`` (see services.create)."""
    return lambda obj: services.create(obj, actor=request.user, siblings=siblings)


def plan_edit(request, pk):
    plan = rules.get_plan_for_user(request.user, pk, edit=True)
    form = PlanForm(posted(request), instance=plan)
    return _simple_form(
        request,
        form,
        plan=plan,
        title="Edit the plan",
        done=plan.get_absolute_url(),
        message="The plan has been updated.",
    )


def section_add(request, pk):
    plan = rules.get_plan_for_user(request.user, pk, edit=True)
    form = SectionForm(posted(request), instance=Section(plan=plan))
    return _simple_form(
        request,
        form,
        plan=plan,
        title="Add a section",
        done=plan.get_absolute_url(),
        message="The section has been added.",
        save=_add(plan.sections.all(), request),
    )


def section_edit(request, pk):
    section = rules.get_section_for_user(request.user, pk)
    form = SectionForm(posted(request), instance=section)
    plan = section.plan
    return _simple_form(
        request,
        form,
        plan=plan,
        title="Edit the section",
        done=plan.get_absolute_url(),
        message="The section has been renamed.",
    )


def _versioned_form(request, form_class, instance, plan, title, save):
    """Add or edit a recommendation or action; a stale edit is re-shown with what changed."""
    form = form_class(posted(request), instance=instance, plan=plan)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form)
            messages.success(
                request, f"The {form_class.Meta.model._meta.verbose_name} has been saved."
            )
            return redirect(saved.get_absolute_url())
        except services.StaleEdit as stale:
            conflict, form = stale, _rebound(form_class, request, stale, plan=plan)
    return _page(request, form, title, plan.get_absolute_url(), plan=plan, conflict=conflict)


def _rebound(form_class, request, stale, **kwargs):
    """The editor's input again, now based on the current version: saving it again is deliberate."""
    data = request.POST.copy()
    data["version"] = stale.current.version
    form = form_class(data, instance=stale.current, **kwargs)
    form.is_valid()
    return form


def recommendation_add(request, pk):
    plan = rules.get_plan_for_user(request.user, pk, edit=True)

    def save(form):
        return services.create(
            form.save(commit=False), actor=request.user, siblings=plan.recommendations.all(),
            m2m={"leads": form.cleaned_data["leads"]},
        )  # fmt: skip

    return _versioned_form(
        request, RecommendationForm, Recommendation(plan=plan), plan, "Add a recommendation", save
    )


def recommendation_edit(request, pk):
    rec = rules.get_recommendation_for_user(request.user, pk, edit=True)

    def save(form):
        return services.save_with_version(
            form.save(commit=False), editor=request.user,
            expected_version=form.cleaned_data["version"], fields=form.model_fields(),
            m2m={"leads": form.cleaned_data["leads"]},
        )  # fmt: skip

    return _versioned_form(
        request, RecommendationForm, rec, rec.plan, "Edit the recommendation", save
    )


def recommendation_detail(request, pk):
    rec = rules.get_recommendation_for_user(request.user, pk)
    context = {
        "rec": rec,
        "plan": rec.plan,
        "actions": queries.with_list_columns(rec.actions.all(), timezone.localdate()),
        "updates": rec.updates.select_related("author", "attributed_to"),
        "findings": rec.findings.select_related("inspection"),
        "can_edit": rules.can_edit_plan(request.user, rec.plan),
    }
    return render(request, "actionplans/recommendation_detail.html", context)


def recommendation_history(request, pk):
    rec = rules.get_recommendation_for_user(request.user, pk)
    return history_page(
        request, "actionplans/history.html", queries.history_sources(recommendation=rec),
        subject=rec, plan=rec.plan,
    )  # fmt: skip


def action_add(request, pk):
    rec = rules.get_recommendation_for_user(request.user, pk, edit=True)

    def save(form):
        return services.create(
            form.save(commit=False), actor=request.user, siblings=rec.actions.all(),
            m2m={"owners": form.cleaned_data["owners"]},
        )  # fmt: skip

    return _versioned_form(
        request, ActionForm, Action(recommendation=rec), rec.plan, "Add an action", save
    )


def action_edit(request, pk):
    action = rules.get_action_for_user(request.user, pk, edit=True)

    def save(form):
        return services.action_edit(
            form.save(commit=False), editor=request.user,
            expected_version=form.cleaned_data["version"], fields=form.model_fields(),
            changed=form.changed_data, owners=form.cleaned_data["owners"],
        )  # fmt: skip

    plan = action.recommendation.plan
    return _versioned_form(request, ActionForm, action, plan, "Edit the action", save)


# Reorder and remove: POST only, from buttons on the plan page.


def _object_for(request, kind, pk):
    if kind == "section":
        section = rules.get_section_for_user(request.user, pk)
        return section, section.plan.sections.all(), section.plan
    if kind == "recommendation":
        rec = rules.get_recommendation_for_user(request.user, pk, edit=True)
        return rec, rec.plan.recommendations.filter(section=rec.section), rec.plan
    if kind == "action":
        action = rules.get_action_for_user(request.user, pk, edit=True)
        plan = action.recommendation.plan
        return action, action.recommendation.actions.all(), plan
    measure = rules.get_measure_for_user(request.user, pk)
    return measure, measure.plan.measures.all(), measure.plan


@require_POST
def move(request, kind, pk):
    obj, siblings, plan = _object_for(request, kind, pk)
    services.move(
        obj, actor=request.user, siblings=siblings, up=request.POST.get("direction") == "up"
    )
    return redirect(f"{plan.get_absolute_url()}#{kind}-{obj.pk}")


def remove(request, kind, pk):
    obj, _, plan = _object_for(request, kind, pk)
    blockers = {
        "section": lambda: obj.recommendations.exists(),
        "recommendation": lambda: obj.actions.exists(),
    }.get(kind, lambda: False)
    if blockers():
        what = "recommendations" if kind == "section" else "actions"
        messages.error(request, f"Move or remove its {what} first: this {kind} still has some.")
        return redirect(plan.get_absolute_url())
    if request.method == "POST":
        services.remove(obj, actor=request.user, reason=f"{kind.title()} removed")
        messages.success(request, f"The {kind} has been removed. Its history is kept.")
        return redirect(plan.get_absolute_url())
    context = {"obj": obj, "kind": kind, "plan": plan}
    return render(request, "actionplans/confirm_remove.html", context)


def measure_add(request, pk):
    plan = rules.get_plan_for_user(request.user, pk, edit=True)
    form = MeasureForm(posted(request), instance=Measure(plan=plan), plan=plan)
    return _simple_form(
        request,
        form,
        plan=plan,
        title="Add a measure",
        done=reverse("plan_measures", args=[plan.pk]),
        message="The measure has been added.",
        save=_add(plan.measures.all(), request),
    )


def measure_edit(request, pk):
    measure = rules.get_measure_for_user(request.user, pk)
    form = MeasureForm(posted(request), instance=measure, plan=measure.plan)
    return _simple_form(
        request,
        form,
        plan=measure.plan,
        title="Edit the measure",
        done=reverse("plan_measures", args=[measure.plan_id]),
        message="The measure has been updated.",
    )


def reading_add(request, pk):
    measure = rules.get_measure_for_user(request.user, pk)
    form = ReadingForm(posted(request), measure=measure)
    return _simple_form(
        request,
        form,
        plan=measure.plan,
        title=f"Add a reading for {measure.name}",
        done=reverse("plan_measures", args=[measure.plan_id]),
        message="The reading has been added.",
    )


def plan_measures(request, pk):
    plan = rules.get_plan_for_user(request.user, pk)
    context = {
        "plan": plan,
        "measures": plan.measures.prefetch_related("readings").select_related("recommendation"),
        "can_edit": rules.can_edit_plan(request.user, plan),
    }
    return render(request, "actionplans/plan_measures.html", context)
