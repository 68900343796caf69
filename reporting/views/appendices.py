"""Prepare a plan for committee: the appendix previewed, downloaded (PDF, Word, Excel), followed
while it renders, and the plan's default layout chosen."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.tasks.base import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
from django.urls import reverse
from django.views.decorators.http import require_POST

from actionplans import rules as plan_rules

from .. import appendix, printing, renders, services
from ..formats import FORMATS
from ..forms import PrepareForm
from ..rules import get_plan_for_export, visible_layouts


def _chosen(request):
    """The prepare form from the query string: (form, settings) with settings None until valid."""
    form = PrepareForm(request.GET if request.GET else None, layouts=visible_layouts(request.user))
    if not form.is_bound or not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, (data["layout"], data["as_at"], form.update_range(), data["public"])


def _prepared(request, plan):
    """The form, and the document when the form is valid."""
    form, chosen = _chosen(request)
    if chosen is None:
        return form, None
    layout, as_at, updates, public = chosen
    try:
        return form, appendix.build(plan, appendix.spec_for(plan, layout), as_at, updates, public)
    except appendix.AppendixError as error:
        form.add_error("as_at", str(error))
        return form, None


def prepare(request, pk):
    plan = get_plan_for_export(request.user, pk)
    form, doc = _prepared(request, plan)
    context = {
        "plan": plan,
        "form": form,
        "doc": doc,
        "default_layout": appendix.default_layout(plan),
        "query": request.GET.urlencode(),
        "can_set_default": plan_rules.can_edit_plan(request.user, plan)
        or plan_rules.can_export(request.user),
    }
    if doc is not None:
        context["preview"] = printing.html(doc, for_print=False)
        # The same document in each format: the same layout, date and updates (query string).
        context["downloads"] = [
            (f, reverse(DOWNLOAD_URLS[f.key], args=[plan.pk]) + "?" + context["query"])
            for f in FORMATS.values()
        ]
    return render(request, "reporting/prepare.html", context)


DOWNLOAD_URLS = {
    "pdf": "appendix_download",
    "docx": "appendix_download_docx",
    "xlsx": "appendix_download_xlsx",
}


def download(request, pk, fmt="pdf"):
    plan = get_plan_for_export(request.user, pk)
    form, chosen = _chosen(request)
    if chosen is None:
        return prepare(request, pk)
    layout, as_at, updates, public = chosen
    spec = appendix.spec_for(plan, layout)
    if request.method == "POST":  # "Try again" after a failure: the next request renders it
        renders.appendix_forget_failure(plan, spec, as_at, updates, fmt, public)
        return redirect(request.get_full_path())
    try:
        # From the store when this very document was rendered (or failed) before; else now if
        # it is quick, else on the queue, and the clerk is shown how it is going.
        layout_id = layout.pk if layout else None
        answer = renders.requested(plan, spec, as_at, updates, fmt, layout_id, public)
    except appendix.AppendixError:
        return prepare(request, pk)  # shows the same error with the form
    if answer.failure is not None:
        return _progress_page(request, plan, fmt, failure=answer.failure)
    if answer.task_id is not None:
        query = request.GET.copy()
        query["task"], query["format"] = answer.task_id, fmt
        return redirect(f"{reverse('appendix_progress', args=[plan.pk])}?{query.urlencode()}")
    rendering = answer.rendering
    out = FORMATS[fmt]
    response = HttpResponse(bytes(rendering.content), content_type=out.content_type)
    response["Content-Disposition"] = f'attachment; filename="{rendering.file_name}"'
    return response


def progress(request, pk):
    """How a long render is going: queued, running (for how long, against the last render's
    time), done (with the download), or failed. "Check again" reloads it; no timed refresh."""
    plan = get_plan_for_export(request.user, pk)
    fmt = request.GET.get("format", "pdf")
    fmt = fmt if fmt in FORMATS else "pdf"  # never a stranger's text in a query
    result = None
    if renders.can_follow():
        try:
            # A task id is a UUID: anything else (a NUL byte...) is never looked up.
            task_id = str(uuid.UUID(request.GET.get("task", "")))
            result = renders.render_requested.get_result(task_id)
        except (TaskResultDoesNotExist, TaskResultMismatch, ValueError, ValidationError):
            result = None  # unknown, or a task of another kind (a render ahead): nothing to say
    if result is not None and result.args[:1] != [plan.pk]:
        result = None  # a task of another plan: nothing to say here
    failure = None
    if result is not None and result.status == TaskResultStatus.SUCCESSFUL:
        _, failure = renders.outcome(result.return_value)
    return _progress_page(request, plan, fmt, result, failure)


def _progress_page(request, plan, fmt, result=None, failure=None):
    """The progress page: a render waiting, running, done or failed, or a failure kept for the
    document (with "Try again", which posts to its download address)."""
    query = request.GET.copy()
    for name in ("task", "format"):
        query.pop(name, None)
    context = {
        "plan": plan,
        "result": result,
        "failure": failure,
        "message": failure and renders.failure_message(failure, fmt),
        "format": FORMATS.get(fmt),
        "started": result and (result.started_at or result.enqueued_at),
        "took": result
        and result.finished_at
        and result.started_at
        and round((result.finished_at - result.started_at).total_seconds()),
        "again": request.get_full_path(),
        "estimate": renders.last_seconds(plan, fmt),
        "download": f"{reverse(DOWNLOAD_URLS.get(fmt, 'appendix_download'), args=[plan.pk])}?"
        f"{query.urlencode()}",
        "back": f"{reverse('appendix_prepare', args=[plan.pk])}?{query.urlencode()}",
    }
    status = 200 if result or failure else 404
    return render(request, "reporting/progress.html", context, status=status)


@require_POST
def default_set(request, pk):
    plan = get_plan_for_export(request.user, pk)
    layout = visible_layouts(request.user).filter(pk=_int(request.POST.get("layout"))).first()
    if layout is None:
        messages.error(request, "Choose one of the layouts listed, then make it the default.")
    else:
        chosen = services.plan_layout_set(plan, actor=request.user, layout=layout).layout
        copied = " (your council's copy of the preset)" if chosen.pk != layout.pk else ""
        messages.success(request, f"{chosen} is now the plan's default layout{copied}.")
    return redirect(reverse("appendix_prepare", args=[plan.pk]))


def _int(value):
    """A posted id as a number (0, which is no record, for anything else)."""
    return int(value) if str(value or "").isdigit() and len(str(value)) < 19 else 0
