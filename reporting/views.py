"""Prepare a plan for committee (preview; PDF, Word, Excel) and make and edit appendix layouts."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from actionplans import rules as plan_rules

from . import appendix, services
from .formats import FORMATS
from .forms import LayoutForm, PrepareForm, column_formset
from .models import Layout
from .rules import check_layouts, get_layout_for_user, get_plan_for_export


def _prepared(request, plan):
    """The form from the query string, and the document when it is valid."""
    form = PrepareForm(request.GET if request.GET else None)
    if not form.is_bound or not form.is_valid():
        return form, None
    spec = appendix.spec_for(plan, form.cleaned_data["layout"])
    try:
        doc = appendix.build(plan, spec, form.cleaned_data["as_at"], form.update_range())
    except appendix.AppendixError as error:
        form.add_error("as_at", str(error))
        return form, None
    return form, doc


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
        context["preview"] = appendix.html(doc, for_print=False)
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
    form, doc = _prepared(request, plan)
    if doc is None:
        return prepare(request, pk)
    out = FORMATS[fmt]
    response = HttpResponse(out.write(doc), content_type=out.content_type)
    name = appendix.file_name(doc, out.extension)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def default_set(request, pk):
    plan = get_plan_for_export(request.user, pk)
    layout = Layout.objects.filter(pk=request.POST.get("layout") or 0).first()
    if layout is None:
        messages.error(request, "Choose one of the layouts listed, then make it the default.")
    else:
        services.plan_layout_set(request.user, plan, layout)
        messages.success(request, f"{layout} is now the plan's default layout.")
    return redirect(reverse("appendix_prepare", args=[plan.pk]))


def layout_list(request):
    check_layouts(request.user)
    layouts = Layout.objects.prefetch_related("columns")
    return render(request, "reporting/layout_list.html", {"layouts": layouts})


def _layout_page(request, form, columns, title, layout=None, stale=None):
    context = {"form": form, "columns": columns, "title": title, "layout": layout, "stale": stale}
    return render(request, "reporting/layout_form.html", context)


def layout_add(request):
    check_layouts(request.user)
    form = LayoutForm(request.POST or None)
    columns = column_formset(data=request.POST or None, blank=6)
    if request.method == "POST" and form.is_valid() and columns.is_valid():
        layout = services.layout_create(request.user, form.cleaned_data, columns.columns())
        messages.success(request, f"Layout {layout} created.")
        return redirect("layout_list")
    return _layout_page(request, form, columns, "Create a layout")


def layout_edit(request, pk):
    layout = get_layout_for_user(request.user, pk)
    form = LayoutForm(request.POST or None, instance=layout)
    columns = column_formset(layout, data=request.POST or None)
    if request.method == "POST" and form.is_valid() and columns.is_valid():
        version = form.cleaned_data.get("version") or 0
        try:
            services.layout_edit(
                request.user, layout, version, form.cleaned_data, columns.columns()
            )
        except services.StaleLayout as stale:
            layout.refresh_from_db()
            return _layout_page(request, form, columns, f"Edit {layout}", layout, stale)
        messages.success(request, f"Layout {layout} saved.")
        return redirect("layout_list")
    return _layout_page(request, form, columns, f"Edit {layout}", layout)
