"""A plan's returned copies: upload one, see the changes it proposes, accept or reject them one
by one or all at once. A manager's pages; thin: ``returns`` and ``returns_decide`` do the work."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from actionplans import rules
from core.errors import Refused, Repeated
from core.views import posted

from . import returns, returns_decide
from .forms import ReturnedFileForm
from .models import ProposedChange, ReturnedFile

PAGE = "importers/returned.html"


def _plan(request, pk):
    """The plan, for one of its managers only (another council's people: 404)."""
    return rules.get_plan_for_user(request.user, pk, edit=True)


def returned(request, pk):
    """The changes proposed to the plan, waiting first; and the form to upload another file."""
    plan = _plan(request, pk)
    form = ReturnedFileForm(posted(request), request.FILES if posted(request) is not None else None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["file"].name
        try:
            reading = returns.returned_read(plan, name, form.data_bytes)
            made = returns.returned_add(
                plan, actor=request.user, name=name, reading=reading, once=form.once_key
            )
        except Repeated:
            messages.info(request, "That file was already uploaded; it was not read twice.")
            return redirect("returned_changes", pk=plan.pk)
        except Refused as error:
            form.add_error("file", error.message)
        else:
            count = made.changes.count()
            messages.success(
                request,
                f"{name} proposes {count} change{'s' if count != 1 else ''}: nothing in the "
                "plan changes until you accept them.",
            )
            return redirect("returned_changes", pk=plan.pk)
    return _page(request, plan, form)


def _page(request, plan, form):
    changes = (
        ProposedChange.objects.filter(plan=plan)
        .select_related("action", "recommendation", "decided_by", "returned")
        .order_by("-returned_id", "pk")
    )
    waiting = changes.filter(state=ProposedChange.State.PENDING)
    decided = changes.exclude(state=ProposedChange.State.PENDING).order_by("-decided_at")[:50]
    # The doubts of the latest files: what they said that could not be proposed.
    files = ReturnedFile.objects.filter(plan=plan).exclude(doubts=[]).order_by("-pk")[:10]
    return render(
        request,
        PAGE,
        {
            "plan": plan,
            "form": form,
            "waiting": list(waiting),
            "decided": list(decided),
            "files": list(files),
        },
    )


def _change(plan, change_pk):
    return get_object_or_404(ProposedChange.objects.select_related("plan"), pk=change_pk, plan=plan)


def _decide(request, pk, change_pk, decide, done):
    plan = _plan(request, pk)
    change = _change(plan, change_pk)
    try:
        decide(change, actor=request.user)
    except Refused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("returned_changes", pk=plan.pk)


@require_POST
def accept(request, pk, change_pk):
    return _decide(request, pk, change_pk, returns_decide.change_accept, "The change was made.")


@require_POST
def reject(request, pk, change_pk):
    return _decide(request, pk, change_pk, returns_decide.change_reject, "The change was rejected.")


@require_POST
def accept_all(request, pk):
    plan = _plan(request, pk)
    try:
        accepted, refused = returns_decide.changes_accept_all(plan, actor=request.user)
    except Refused as error:
        messages.error(request, error.message)
        return redirect("returned_changes", pk=plan.pk)
    count = len(accepted)
    messages.success(request, f"{count} change{'s were' if count != 1 else ' was'} made.")
    for change, why in refused:
        messages.error(request, f"Row {change.row} ({change.get_kind_display()}): {why}")
    return redirect("returned_changes", pk=plan.pk)
