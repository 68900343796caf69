"""Changes since the last committee (issue 27): the page, and the appendix of only the actions
that changed, downloaded as PDF, Word or Excel (the same document every appendix format renders)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .. import appendix, changes_since, limits, renders
from ..formats import FORMATS
from ..forms import ChangesForm
from ..rules import get_plan_for_export

DOWNLOAD_URLS = {
    "pdf": "changes_download",
    "docx": "changes_download_docx",
    "xlsx": "changes_download_xlsx",
}


def _since(request, plan):
    """The form, the moment to compare with and the changes since it (None, None when there is
    none: the form says why, or no pack includes the plan yet)."""
    form = ChangesForm(request.GET)  # blank is valid: since the last pack
    if not form.is_valid():
        return form, None, None
    chosen = form.cleaned_data.get("since")
    if chosen is None and changes_since.last_pack(plan) is None:
        return form, None, None  # the page asks for a date
    try:
        since = changes_since.since_for(plan, chosen or changes_since.LAST_PACK)
        return form, since, changes_since.changes(plan, since)
    except appendix.AppendixError as error:
        form.add_error("since", str(error))
        return form, None, None


def page(request, pk):
    plan = get_plan_for_export(request.user, pk)
    form, since, found = _since(request, plan)
    context = {"plan": plan, "form": form, "since": since, "changes": found}
    if since is not None:
        query = request.GET.urlencode()
        context["downloads"] = [
            (f, f"{reverse(DOWNLOAD_URLS[f.key], args=[plan.pk])}?{query}")
            for f in FORMATS.values()
        ]
    return render(request, "reporting/changes.html", context)


def download(request, pk, fmt="pdf"):
    plan = get_plan_for_export(request.user, pk)
    form, since, _ = _since(request, plan)
    if since is None:
        return page(request, pk)
    doc = changes_since.build(plan, appendix.spec_for(plan), since)
    out = FORMATS[fmt]
    try:
        content = limits.run(out.write, doc)
    except limits.Exceeded as stop:
        advice = "Choose a later date, so that fewer actions are listed."
        form.add_error(None, renders.failure_words(f"The {out.name}", stop.reason, advice))
        return render(request, "reporting/changes.html", {"plan": plan, "form": form})
    response = HttpResponse(content, content_type=out.content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{appendix.file_name(doc, out.extension)}"'
    )
    return response
