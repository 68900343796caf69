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


def _page(request, form, title, back, back_label="Back to the plan", **context):
    context = {"form": form, "title": title, "back": back, "back_label": back_label, **context}
    return render(request, FORM, context)


def refuse(form, refused):
    """Show a refusal of the domain (services.Refused) as an error of the form."""
    form.add_error(refused.field if refused.field in form.fields else None, refused.message)


def fields_of(form):
    """The model fields the form edits: the only ones its save writes."""
    return [name for name in form._meta.fields if name in form.fields]


def save_form(request, form, save, message):
    """Save a valid bound ``form`` through the service ``save``; None if it was refused."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form)
    except services.StaleEdit:
        raise  # shown with what changed (versioned_form)
    except services.Repeated as repeated:
        if repeated.made is None:
            refuse(form, repeated)
            return None
        # Sent twice (a double click, a retry): what the first one saved, as if just saved.
        messages.info(request, repeated.message)
        return repeated.made
    except services.Refused as refused:
        refuse(form, refused)
        return None
    messages.success(request, message)
    return saved


def _simple_form(request, form, *, plan, title, done, message, save):
    """Show ``form``; when it is valid, write it through the named service ``save``."""
    if save_form(request, form, save, message) is not None:
        return redirect(done)
    return _page(request, form, title, plan.get_absolute_url(), plan=plan)


def plan_edit(request, pk):
    plan = rules.get_plan_for_user(request.user, pk, edit=True)

    def save(form):
        return services.plan_edit(
            form.save(commit=False), actor=request.user, version=form.cleaned_data["version"],
            fields=fields_of(form), inspections=form.cleaned_data["inspections"],
        )  # fmt: skip

    links = [
        (reverse("owner_list"), "Owners: people, teams and partner agencies"),
        (reverse("inspection_list"), "Inspections"),
    ]
    return versioned_form(
        request, PlanForm, plan, "Edit the plan", save, back=plan.get_absolute_url(),
        context={"plan": plan, "links": links}, message="The plan has been updated.",
    )  # fmt: skip


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
        save=lambda form: services.section_add(
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
        save=lambda form: services.section_rename(form.instance, actor=request.user),
    )


def versioned_form(
    request, form_class, instance, title, save, *, back, form_kwargs=None, context=None,
    message=None, back_label="Back to the plan", done=None,
):  # fmt: skip
    """Add or edit an object that carries a version; a stale edit is re-shown with what changed,
    any other refusal as an error of the form."""
    form_kwargs = form_kwargs or {}
    form = form_class(posted(request), instance=instance, **form_kwargs)
    conflict = None
    message = message or f"The {form_class.Meta.model._meta.verbose_name} has been saved."
    try:
        saved = save_form(request, form, save, message)
        if saved is not None:
            return redirect(done(saved) if done else saved.get_absolute_url())
    except services.StaleEdit as stale:
        conflict, form = stale, _rebound(form_class, request, stale, **form_kwargs)
    return _page(request, form, title, back, back_label, conflict=conflict, **(context or {}))


def _versioned_form(request, form_class, instance, plan, title, save):
    """Add or edit a recommendation or action of ``plan``."""
    return versioned_form(
        request, form_class, instance, title, save, back=plan.get_absolute_url(),
        form_kwargs={"plan": plan}, context={"plan": plan},
    )  # fmt: skip


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
        return services.recommendation_add(
            form.save(commit=False), actor=request.user, leads=form.cleaned_data["leads"],
            once=form.once_key,
        )  # fmt: skip

    return _versioned_form(
        request, RecommendationForm, Recommendation(plan=plan), plan, "Add a recommendation", save
    )


def recommendation_edit(request, pk):
    rec = rules.get_recommendation_for_user(request.user, pk, edit=True)

    def save(form):
        return services.recommendation_edit(
            form.save(commit=False), actor=request.user, version=form.cleaned_data["version"],
            fields=fields_of(form), leads=form.cleaned_data["leads"],
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
        "evidence_open": rules.may_open_evidence(request.user, rec.plan),
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
        return services.action_add(
            form.save(commit=False), actor=request.user, owners=form.cleaned_data["owners"],
            supporting=form.cleaned_data["supporting_owners"], once=form.once_key,
        )  # fmt: skip

    return _versioned_form(
        request, ActionForm, Action(recommendation=rec), rec.plan, "Add an action", save
    )


def action_edit(request, pk):
    action = rules.get_action_for_user(request.user, pk, edit=True)

    def save(form):
        return services.action_edit(
            form.save(commit=False), actor=request.user, version=form.cleaned_data["version"],
            fields=fields_of(form), changed=form.changed_data, owners=form.cleaned_data["owners"],
            supporting=form.cleaned_data["supporting_owners"],
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
        save=lambda form: services.measure_add(
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
        save=lambda form: services.measure_edit(
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
        save=lambda form: services.reading_add(
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
