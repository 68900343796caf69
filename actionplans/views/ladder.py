"""The completion ladder's pages: record an action assured, record its impact shown, reopen a step.

Each opens with the access helper for the action, calls one service, and goes back to the action's
page, where the ladder shows who did what and when."""

from django.contrib import messages
from django.shortcuts import redirect, render

from core import errors
from core.views import posted

from .. import ladder, rules, workflow
from ..forms import AssureForm, ImpactForm, StepReopenForm
from ..models import Action, CompletionStep
from .actions import _too_big


def _back(request, action, message):
    messages.info(request, message)
    return redirect("action_detail", pk=action.pk)


def _standing(action):
    if action.status != Action.Status.COMPLETE:
        return {}
    steps = CompletionStep.objects.filter(action=action, reopened_at__isnull=True)
    return {step.step: step for step in steps}


def completion_assure(request, pk):
    action = rules.get_action_for_user(request.user, pk, assure=True)
    repeat = request.method == "POST" and request.POST.get("once")
    if not repeat and (
        action.status != Action.Status.COMPLETE or ladder.ASSURED in _standing(action)
    ):
        return _back(
            request,
            action,
            "This action is not waiting to be assured. " + workflow.last_decision(action),
        )
    if request.method == "POST" and _too_big(request):
        form = AssureForm()
        form.add_error(None, "The files attached are too large. Nothing was saved.")
        context = {"action": action, "form": form}
        return render(request, "actionplans/completion_assure.html", context, status=413)
    form = AssureForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.completion_assure(
                action,
                actor=request.user,
                text=data["text"],
                files=data["evidence"],
                recheck_on=data["recheck_on"],
                once=form.once_key,
            )
        except errors.Repeated as repeated:
            return _back(request, action, str(repeated))
        except errors.Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "The action is recorded as assured.")
            return redirect("action_detail", pk=action.pk)
    return render(request, "actionplans/completion_assure.html", {"action": action, "form": form})


def completion_impact(request, pk):
    action = rules.get_action_for_user(request.user, pk, sign_off=True)
    standing = _standing(action)
    if ladder.ASSURED not in standing or ladder.IMPACT_SHOWN in standing:
        return _back(request, action, "This action is not waiting for its impact to be shown.")
    reading = ladder.impact_reading(action)
    form = ImpactForm(posted(request), reading=reading)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.completion_impact_shown(
                action,
                manager=request.user,
                reading_id=form.cleaned_data["reading"],
                note=form.cleaned_data["note"],
            )
        except errors.Refused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "The action's impact is recorded as shown.")
        return redirect("action_detail", pk=action.pk)
    context = {"action": action, "form": form, "reading": reading}
    return render(request, "actionplans/completion_impact.html", context)


def completion_step_reopen(request, pk):
    action = rules.get_action_for_user(request.user, pk, sign_off=True)
    if action.status != Action.Status.COMPLETE:
        return _back(request, action, "Only the steps of a complete action can be reopened.")
    steps = [ladder.SIGNED_OFF, *(key for key in ladder.ORDER[2:] if key in _standing(action))]
    form = StepReopenForm(posted(request), action=action, steps=steps)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.completion_step_reopen(
                action,
                manager=request.user,
                step=data["step"],
                reason=data["reason"],
                version=data["version"],
            )
        except errors.Refused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"{ladder.NAMES[data['step']]} is reopened.")
        return redirect("action_detail", pk=action.pk)
    context = {"action": action, "form": form}
    return render(request, "actionplans/completion_step_reopen.html", context)
