"""Upload a plan's file, see what the importer read, map the columns it did not recognise, and
confirm; and download a plan as a table. Thin: readers, parse and services do the work."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from actionplans import rules
from actionplans.models import Action
from core.errors import Refused
from core.views import require

from . import export, service
from .forms import MappingForm, UploadForm
from .models import PendingImport
from .service import AlreadyConfirmed


def _council(user):
    return rules.council_of(user) or ""


def upload(request):
    require(rules.can_add_plan(request.user), "Only a manager can import plans.")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        organisation = _council(request.user)
        if not organisation:
            form.add_error(None, "Your sign-in is not linked to a council, so it cannot import.")
        else:
            pending = service.pending_add(
                user=request.user,
                name=form.cleaned_data["file"].name,
                data=form.data_bytes,
                organisation=organisation,
                title=form.cleaned_data["title"],
            )
            return redirect("import_preview", pk=pending.pk)
    return render(request, "importers/upload.html", {"form": form})


def _pending(request, pk):
    """The user's own upload; anyone else's is not found. Its file is not loaded: what it holds
    was read when it was uploaded (``PendingImport.document``)."""
    require(rules.can_add_plan(request.user), "Only a manager can import plans.")
    return get_object_or_404(PendingImport.objects.defer("data"), pk=pk, uploaded_by=request.user)


def _visible_plan(user, pending):
    """The plan a used import made, if ``user`` may still see it."""
    if pending.plan_id is None:
        return None
    return rules.visible_plans(user).filter(pk=pending.plan_id).first()


def _already_confirmed(request, pending):
    """A used import: what it made, the plan named and linked only to someone who may see it."""
    return render(
        request,
        "importers/confirmed.html",
        {
            "pending": pending,
            "plan": _visible_plan(request.user, pending),
        },
    )


def preview(request, pk):
    pending = _pending(request, pk)
    if pending.confirmed_at:
        return _already_confirmed(request, pending)
    result = service.pending_preview(pending)
    choosable = [c for c in result.columns if not c["recognised"]]
    form = MappingForm(request.POST or None, columns=choosable)
    if request.method == "POST" and form.is_valid():
        service.pending_map(pending, form.mapping())
        return redirect("import_preview", pk=pending.pk)
    return render(
        request,
        "importers/preview.html",
        {
            "pending": pending,
            "result": result,
            "form": form,
            "choosable": choosable,
        },
    )


@require_POST
def confirm(request, pk):
    pending = _pending(request, pk)
    try:
        plan = service.pending_confirm(pending.pk, user=request.user)
    except AlreadyConfirmed as done:
        # A second post (a double click, a retry): the first's plan, said to be the first's.
        plan = _visible_plan(request.user, done.pending)
        if plan is None:
            return redirect("import_preview", pk=pending.pk)
        messages.info(request, f"This import was already confirmed: it made the plan “{plan}”.")
        return redirect(plan.get_absolute_url())
    except Refused as error:
        messages.error(request, error.message)
        return redirect("import_preview", pk=pending.pk)
    messages.success(request, "The plan has been imported. You manage it.")
    return redirect(plan.get_absolute_url())


def _download(rows, fmt, name):
    response = HttpResponse(export.write(rows, fmt, name), content_type=export.CONTENT_TYPES[fmt])
    filename = (slugify(name)[:80] or "plan") + f".{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _format(fmt):
    if fmt not in export.CONTENT_TYPES:
        raise Http404("Tables download as .xlsx or .csv.")
    return fmt


def plan_export(request, pk, fmt):
    fmt = _format(fmt)
    plan = rules.get_plan_for_user(request.user, pk)
    return _download(export.plan_rows(plan), fmt, plan.title)


def action_list_export(request, fmt):
    """The action list as filtered on its page (same filter, same visibility)."""
    fmt = _format(fmt)
    from django.utils import timezone

    from actionplans import queries
    from actionplans.filters import ActionFilter

    today = timezone.localdate()
    actions = queries.with_list_columns(rules.visible_actions(request.user), today)
    filterset = ActionFilter(request.GET or None, queryset=actions, user=request.user, today=today)
    # The filtered ids only: the list's own prefetches and annotations are not the export's.
    chosen = Action.objects.filter(pk__in=filterset.qs.values("pk"))
    rows = export.action_rows(chosen, title="Actions")
    return _download(rows, fmt, "actions")
