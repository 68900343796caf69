"""Managers restructure plans: add, edit, reorder and remove sections, recommendations, actions,
measures and readings. Every write goes through services and is kept in history."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import records
from core.views import edit_of, fields_of, posted, simple_form, versioned_form

from .. import plan_setup, queries, rules
from ..forms import ReadingForm
from ..models import Action, Measure, Recommendation, Section
from ..plan_forms import ActionForm, MeasureForm, PlanForm, RecommendationForm, SectionForm
from .plans import history_page

BACK = "Back to the plan"


def _simple_form(request, form, *, plan, title, done, message, save):
    """Show ``form``; when it is valid, write it through the named service ``save``."""
    return simple_form(
        request,
        form,
        save,
        message,
        done=done,
        title=title,
        back=plan.get_absolute_url(),
        back_label=BACK,
        plan=plan,
    )


def plan_edit(request, pk):
    plan = rules.get_plan_for_user(request.user, pk, edit=True)

    def save(form):
        return plan_setup.plan_edit(
            form.save(commit=False),
            **edit_of(request, form),
            inspections=form.cleaned_data["inspections"],
        )

    links = [
        (reverse("owner_list"), "Owners: people, teams and partner agencies"),
        (reverse("inspection_list"), "Inspections"),
    ]
    return versioned_form(
        request,
        PlanForm,
        plan,
        "Edit the plan",
        save,
        back=plan.get_absolute_url(),
        back_label=BACK,
        context={"plan": plan, "links": links},
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
        save=lambda form: plan_setup.section_add(
            form.instance, actor=request.user, once=form.once_key
        ),
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
        save=lambda form: plan_setup.section_rename(form.instance, actor=request.user),
    )


def _versioned_form(request, form_class, instance, plan, title, save):
    """Add or edit a recommendation or action of ``plan``."""
    return versioned_form(
        request,
        form_class,
        instance,
        title,
        save,
        back=plan.get_absolute_url(),
        back_label=BACK,
        form_kwargs={"plan": plan},
        context={"plan": plan},
    )


def recommendation_add(request, pk):
    plan = rules.get_plan_for_user(request.user, pk, edit=True)

    def save(form):
        return plan_setup.recommendation_add(
            form.save(commit=False),
            actor=request.user,
            leads=form.cleaned_data["leads"],
            once=form.once_key,
        )

    return _versioned_form(
        request, RecommendationForm, Recommendation(plan=plan), plan, "Add a recommendation", save
    )


def recommendation_edit(request, pk):
    rec = rules.get_recommendation_for_user(request.user, pk, edit=True)

    def save(form):
        return plan_setup.recommendation_edit(
            form.save(commit=False),
            **edit_of(request, form),
            leads=form.cleaned_data["leads"],
        )

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
        "evidence_open": rules.may_open_evidence(request.user, rec.plan),
    }
    return render(request, "actionplans/recommendation_detail.html", context)


def recommendation_history(request, pk):
    rec = rules.get_recommendation_for_user(request.user, pk)
    return history_page(
        request,
        "actionplans/history.html",
        queries.history_sources(recommendation=rec),
        subject=rec,
        plan=rec.plan,
    )


def action_add(request, pk):
    rec = rules.get_recommendation_for_user(request.user, pk, edit=True)

    def save(form):
        return plan_setup.action_add(
            form.save(commit=False),
            actor=request.user,
            owners=form.cleaned_data["owners"],
            supporting=form.cleaned_data["supporting_owners"],
            once=form.once_key,
        )

    return _versioned_form(
        request, ActionForm, Action(recommendation=rec), rec.plan, "Add an action", save
    )


def action_edit(request, pk):
    action = rules.get_action_for_user(request.user, pk, edit=True)

    def save(form):
        return plan_setup.action_edit(
            form.save(commit=False),
            **edit_of(request, form),
            changed=form.changed_data,
            owners=form.cleaned_data["owners"],
            supporting=form.cleaned_data["supporting_owners"],
            date_reason=form.cleaned_data["date_reason"],
        )

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
    records.record_move(
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
        records.record_remove(obj, actor=request.user, reason=f"{kind.title()} removed")
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
        save=lambda form: plan_setup.measure_add(
            form.instance, actor=request.user, once=form.once_key
        ),
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
        save=lambda form: plan_setup.measure_edit(
            form.instance, actor=request.user, fields=fields_of(form)
        ),
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
        save=lambda form: plan_setup.reading_add(
            form.instance, actor=request.user, once=form.once_key
        ),
    )


def plan_measures(request, pk):
    plan = rules.get_plan_for_user(request.user, pk)
    context = {
        "plan": plan,
        "measures": plan.measures.prefetch_related("readings").select_related("recommendation"),
        "can_edit": rules.can_edit_plan(request.user, plan),
    }
    return render(request, "actionplans/plan_measures.html", context)
