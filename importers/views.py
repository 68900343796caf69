"""Upload a plan's file, see what the importer read, map the columns it did not recognise, and
confirm; and download a plan as a table. Thin: readers, parse and services do the work."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from actionplans import rules
from actionplans.models import Action
from core.errors import Refused
from core.views import require

from . import export, owner_edits, service, titles
from .forms import MappingForm, OwnerEditForm, TitleForm, UploadForm
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
    return _preview_page(request, pending, result, form)


def _asks_title(result):
    """Whether the preview asks for the plan's title: the file gives none, and nothing else
    stops the import (then the title is typed with the confirmation)."""
    return not result.title and all(p.message == titles.NO_TITLE for p in result.blocking)


def _preview_page(request, pending, result, form=None, title_form=None):
    """The preview: what was read, the columns' meanings, the problems that stop the import (each
    linked to where it is put right on the page) and the notes of what the importer will do; the
    Title field where the file gives none."""
    choosable = [c for c in result.columns if not c["recognised"]]
    if form is None:
        form = MappingForm(columns=choosable)
    asks_title = _asks_title(result)
    if asks_title and title_form is None:
        title_form = TitleForm(organisation=pending.organisation)
    summary = []
    if asks_title and title_form.is_bound:
        summary = [(error, "#id_title") for error in title_form.errors.get("title", [])]
    for problem in result.blocking:
        if problem.message == titles.NO_TITLE:
            if not summary:
                summary.append((problem, "#id_title" if asks_title else ""))
        else:
            summary.append((problem, "#columns" if choosable else ""))
    return render(
        request,
        "importers/preview.html",
        {
            "pending": pending,
            "result": result,
            "form": form,
            "choosable": choosable,
            "title_form": title_form if asks_title else None,
            "asks_title": asks_title,
            "summary": summary,
            "can_confirm": not result.blocking or asks_title,
            "notes": [p for p in result.problems if not p.blocking],
            "overall_rating": service.rating_words(result.overall_rating),
        },
    )


@require_POST
def confirm(request, pk):
    pending = _pending(request, pk)
    title = ""
    if "title" in request.POST and not pending.confirmed_at:  # typed where the file gives none
        title_form = TitleForm(request.POST, organisation=pending.organisation)
        if title_form.is_valid():
            title = title_form.cleaned_data["title"]
        else:  # said with the field on the preview, nothing saved (ignored where none is asked)
            result = service.pending_preview(pending)
            if _asks_title(result):
                return _preview_page(request, pending, result, title_form=title_form)
    try:
        plan = service.pending_confirm(pending.pk, user=request.user, title=title)
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


def owner_edit(request, pk, number):
    """One owner of an import, as the preview will create or match it: merged into another of
    the file's owners, renamed, its kind, or matched to an owner of the council or its partner
    agencies (``owner_edits``). Kept with the import; nothing is saved until it is confirmed."""
    pending = _pending(request, pk)
    if pending.confirmed_at:
        return _already_confirmed(request, pending)
    result = service.pending_preview(pending)
    if not 0 <= number < len(result.owner_list):
        raise Http404("No such owner in this import.")
    owner = result.owner_list[number]
    existing = service.owner_choices(pending.organisation)
    others = [(o["number"], o["read_as"]) for o in result.owner_list if o["number"] != number]
    version = service.pending_owners_version(pending, result)
    form_args = {"existing": existing, "others": others}
    if request.method == "POST":
        data = request.POST.copy()
        form = OwnerEditForm(data, **form_args)
        if form.is_valid():
            try:
                service.pending_owner_edit(
                    pending.pk,
                    number,
                    form.cleaned_data["choice"],
                    actor=request.user,
                    version=form.cleaned_data["version"],
                    **form.chosen(),
                )
            except AlreadyConfirmed:
                return redirect("import_preview", pk=pending.pk)
            except Refused as error:
                # Shown with what was chosen, and the owners as they now stand (a stale page's
                # version replaced, so that a second look and a second post can be made).
                data["version"] = version
                form = OwnerEditForm(data, **form_args)
                form.is_valid()
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, f"The owner “{owner['read_as']}” has been changed.")
                return redirect(reverse("import_preview", args=[pending.pk]) + "#owners")
    else:
        form = OwnerEditForm(initial=_owner_initial(owner, existing, version), **form_args)
    return render(
        request,
        "importers/owner_edit.html",
        {"pending": pending, "owner": owner, "form": form, "cells": owner["cells"]},
    )


def _owner_initial(owner, existing, version):
    """The form as the owner stands: merged, matched (by the manager or by its name) or new."""
    initial = {"version": version, "name": owner["name"], "kind": owner["kind_value"]}
    if owner["into_number"] is not None:
        return {**initial, "choice": owner_edits.SAME, "same": str(owner["into_number"])}
    match = owner["match"]
    if match is None and owner["matched"]:
        named = owner["name"].casefold()
        match = next(
            (o for o in existing if named in (o.name.casefold(), o.initials.casefold())), None
        )
    if match is not None:
        return {**initial, "choice": owner_edits.EXISTING, "existing": str(match.pk)}
    return {**initial, "choice": owner_edits.NEW}
