"""A plan's managers share it, read only, with other councils by name."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.errors import Refused
from core.forms import GDSMixin

from .. import rules, sharing


class ShareForm(GDSMixin, forms.Form):
    organisation = forms.ChoiceField(
        label="Council to share with",
        error_messages={
            "invalid_choice": "Choose one of the councils listed.",
            "required": "Choose the council to share the plan with.",
        },
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        others = [c for c in sharing.councils() if c != plan.organisation]
        self.fields["organisation"].choices = [("", "Choose a council"), *((c, c) for c in others)]
        self.setup_gds()


def plan_sharing(request, pk):
    plan = rules.get_plan_for_user(request.user, pk, edit=True)
    form = ShareForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        try:
            sharing.plan_share_add(plan, actor=request.user, organisation=organisation)
        except Refused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, f"{plan.title} is shared with {organisation}, read only.")
            return redirect("plan_sharing", plan.pk)
    shares = plan.shares.select_related("shared_by").order_by("organisation")
    return render(
        request, "actionplans/plan_sharing.html", {"plan": plan, "form": form, "shares": shares}
    )


@require_POST
def plan_share_remove(request, pk, share_pk):
    plan = rules.get_plan_for_user(request.user, pk, edit=True)
    share = get_object_or_404(plan.shares, pk=share_pk)
    sharing.plan_share_remove(share, actor=request.user)
    messages.success(request, f"{plan.title} is no longer shared with {share.organisation}.")
    return redirect("plan_sharing", plan.pk)
