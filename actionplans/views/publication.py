"""What is not for publication: an action's entries marked by a manager of its plan, and whom the
council's public version names (its managers and administrators)."""

from django.shortcuts import redirect, render
from django.urls import reverse

from core.views import posted, require, save_form, versioned_form

from .. import rules, withholding
from ..models import WITHHOLDABLE_FIELDS, PublicationPolicy
from ..publication_forms import PublicationPolicyForm, WithholdForm


def action_publication(request, pk):
    action = rules.get_action_for_user(request.user, pk, edit=True)
    updates = list(
        action.updates.select_related("withholding").order_by("-written_on", "-created_at", "-pk")
    )
    form = WithholdForm(posted(request), updates=updates)

    def save(form):
        kind, target = form.target()
        category = form.cleaned_data["category"]
        if kind == "update":
            withholding.update_withhold(target, actor=request.user, category=category)
        else:
            withholding.cell_withhold(action, actor=request.user, field=target, category=category)
        return action

    if save_form(request, form, save, "Saved: the public version follows it.") is not None:
        return redirect("action_publication", pk=action.pk)
    cells = {mark.field: mark for mark in action.withholdings.all()}
    context = {
        "action": action,
        "form": form,
        "updates": [(u, getattr(u, "withholding", None)) for u in updates],
        "cells": [(label, cells.get(name)) for name, label in WITHHOLDABLE_FIELDS.items()],
    }
    return render(request, "actionplans/action_publication.html", context)


def publication_policy(request):
    """The user's own council's choice: only its own people ever see or change it."""
    council = rules.council_of(request.user)
    require(
        bool(council) and request.user.has_perm("actionplans.change_plan"),
        "Only a manager or an administrator of a council can choose whom it names.",
    )
    policy = PublicationPolicy.objects.filter(organisation=council).first()
    policy = policy or PublicationPolicy(organisation=council)

    def save(form):
        return withholding.publication_policy_set(
            council,
            actor=request.user,
            name_from=form.cleaned_data["name_from"],
            version=form.cleaned_data["version"],
        )

    return versioned_form(
        request,
        PublicationPolicyForm,
        policy,
        "Whom the public version names",
        save,
        back=reverse("home"),
        back_label="Back to your plans",
        context={"caption": council},
        message="Saved: the public version of your council's appendices follows it.",
        done=lambda saved: reverse("publication_policy"),
    )
