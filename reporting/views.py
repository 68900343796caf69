"""Prepare a plan for committee (preview; PDF, Word, Excel) and make and edit appendix layouts."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.tasks.base import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
from django.urls import reverse
from django.views.decorators.http import require_POST

from actionplans import rules as plan_rules
from actionplans.models import Plan

from . import appendix, pack_renders, packs, renders, services
from .formats import FORMATS
from .forms import (
    AppendixForm,
    LayoutForm,
    PrepareForm,
    ReportForm,
    adding,
    column_formset,
    report_formsets,
    report_formsets_again,
    typed,
)
from .models import Layout, letter
from .rules import (
    check_layouts,
    check_pack_export,
    check_reports,
    get_layout_for_user,
    get_plan_for_export,
    get_report_appendix_for_user,
    get_report_for_user,
    layout_council,
    plans_for_report,
    visible_layouts,
    visible_reports,
)


def _chosen(request):
    """The prepare form from the query string: (form, settings) with settings None until valid."""
    form = PrepareForm(request.GET if request.GET else None, layouts=visible_layouts(request.user))
    if not form.is_bound or not form.is_valid():
        return form, None
    return form, (form.cleaned_data["layout"], form.cleaned_data["as_at"], form.update_range())


def _prepared(request, plan):
    """The form, and the document when the form is valid."""
    form, chosen = _chosen(request)
    if chosen is None:
        return form, None
    layout, as_at, updates = chosen
    try:
        return form, appendix.build(plan, appendix.spec_for(plan, layout), as_at, updates)
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
    form, chosen = _chosen(request)
    if chosen is None:
        return prepare(request, pk)
    layout, as_at, updates = chosen
    spec = appendix.spec_for(plan, layout)
    if request.method == "POST":  # "Try again" after a failure: the next request renders it
        renders.forget_failure(plan, spec, as_at, updates, fmt)
        return redirect(request.get_full_path())
    try:
        # From the store when this very document was rendered (or failed) before; else now if
        # it is quick, else on the queue, and the clerk is shown how it is going.
        answer = renders.requested(plan, spec, as_at, updates, fmt, layout.pk if layout else None)
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
        chosen = services.plan_layout_set(request.user, plan, layout).layout
        copied = " (your council's copy of the preset)" if chosen.pk != layout.pk else ""
        messages.success(request, f"{chosen} is now the plan's default layout{copied}.")
    return redirect(reverse("appendix_prepare", args=[plan.pk]))


def _int(value):
    """A posted id as a number (0, which is no record, for anything else)."""
    return int(value) if str(value or "").isdigit() and len(str(value)) < 19 else 0


def layout_list(request):
    check_layouts(request.user)
    layouts = visible_layouts(request.user).prefetch_related("columns")
    can_copy = bool(plan_rules.council_of(request.user))
    return render(request, "reporting/layout_list.html", {"layouts": layouts, "can_copy": can_copy})


@require_POST
def layout_copy(request, pk):
    layout = get_layout_for_user(request.user, pk)
    copy = services.layout_copy(
        layout, actor=request.user, organisation=layout_council(request.user)
    )
    messages.success(request, f"{copy} is your council's copy of {layout}: change it here.")
    return redirect("layout_edit", copy.pk)


def _layout_page(request, form, columns, title, layout=None, stale=None):
    context = {"form": form, "columns": columns, "title": title, "layout": layout, "stale": stale}
    return render(request, "reporting/layout_form.html", context)


def layout_add(request):
    council = layout_council(request.user)
    form = LayoutForm(request.POST or None)
    columns = column_formset(data=request.POST or None, blank=6)
    if request.method == "POST" and form.is_valid() and columns.is_valid():
        try:
            layout = services.layout_create(
                request.user, form.cleaned_data, columns.columns(), organisation=council
            )
        except services.Refused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, f"Layout {layout} created.")
            return redirect("layout_list")
    return _layout_page(request, form, columns, "Create a layout")


def layout_edit(request, pk):
    layout = get_layout_for_user(request.user, pk, edit=True)
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
        except services.Refused as refused:
            form.add_error(refused.field, refused.message)
            return _layout_page(request, form, columns, f"Edit {layout}", layout)
        messages.success(request, f"Layout {layout} saved.")
        return redirect("layout_list")
    return _layout_page(request, form, columns, f"Edit {layout}", layout)


# Committee packs: a cover report and its appendices.


def _report_page(request, template, **context):
    return render(request, f"reporting/{template}", context)


def report_list(request):
    check_reports(request.user)
    reports = visible_reports(request.user).annotate(appendix_count=Count("appendices"))
    context = {"reports": reports, "can_create": _councils_for(request.user) != []}
    return _report_page(request, "report_list.html", **context)


def _councils_for(user):
    """None: the report is of the user's own council; a list: an administrator chooses one."""
    if plan_rules.is_site_administrator(user):
        return sorted(set(Plan.objects.values_list("organisation", flat=True)))
    return None if plan_rules.council_of(user) else []


def _report_form_page(request, form, recs, sections, title, report=None, stale=None):
    context = {"form": form, "recs": recs, "sections": sections, "title": title,
               "report": report, "stale": stale}  # fmt: skip
    return _report_page(request, "report_form.html", **context)


def report_add(request):
    check_reports(request.user)
    councils = _councils_for(request.user)
    if councils == []:
        raise PermissionDenied("Your sign-in is not linked to a council, so it has no reports.")
    form = ReportForm(request.POST or None, councils=councils)
    recs, sections = report_formsets(data=request.POST or None)
    title = "Create a committee report"
    if boxes := adding(request.POST):  # "Add another": shown again as typed, nothing saved
        form = ReportForm(initial=typed(form), councils=councils)
        recs, sections = report_formsets_again(recs, sections, boxes)
        return _report_form_page(request, form, recs, sections, title)
    if request.method == "POST" and all(f.is_valid() for f in (form, recs, sections)):
        council = form.cleaned_data.get("organisation") or plan_rules.council_of(request.user)
        report = services.report_create(
            request.user, council, form.cleaned_data, recs.texts(), sections.parts()
        )
        messages.success(request, "The committee report has been created. Now add its appendices.")
        return redirect(report)
    return _report_form_page(request, form, recs, sections, title)


def _refuse_if_published(request, report):
    if report.is_published:
        messages.error(request, str(services.ReportPublished(report)))
        return redirect(report)
    if services.publishing_state(report)[0] == services.PUBLISHING:
        messages.error(request, str(services.ReportBeingPublished()))
        return redirect(report)
    return None


def report_edit(request, pk):
    report = get_report_for_user(request.user, pk)
    if refused := _refuse_if_published(request, report):
        return refused
    form = ReportForm(request.POST or None, instance=report)
    recs, sections = report_formsets(report, data=request.POST or None)
    title = "Edit the committee report"
    if boxes := adding(request.POST):  # "Add another": shown again as typed, nothing saved
        form = ReportForm(initial=typed(form), instance=report)
        recs, sections = report_formsets_again(recs, sections, boxes)
        return _report_form_page(request, form, recs, sections, title, report)
    if request.method == "POST" and all(f.is_valid() for f in (form, recs, sections)):
        try:
            services.report_edit(
                request.user, report, form.cleaned_data.get("version") or 0, form.cleaned_data,
                recs.texts(), sections.parts(),
            )  # fmt: skip
        except services.StaleEdit as stale:
            data = request.POST.copy()
            data["version"] = stale.current.version  # saving again is now deliberate
            form = ReportForm(data, instance=stale.current)
            form.is_valid()
            return _report_form_page(request, form, recs, sections, title, report, stale)
        except services.Refused as refused:
            messages.error(request, refused.message)
            return redirect(report)
        messages.success(request, "The committee report has been saved.")
        return redirect(report)
    return _report_form_page(request, form, recs, sections, title, report)


def _settings_words(settings):
    try:
        return packs.Settings.load(settings).words
    except packs.SettingsError as error:
        return str(error)


def report_detail(request, pk):
    report = get_report_for_user(request.user, pk)
    appendices = list(report.appendices.all())
    plans = Plan.objects.in_bulk(
        [item.render_settings.get("plan") for item in appendices
         if isinstance(item.render_settings, dict)]
    )  # fmt: skip
    layouts = Layout.objects.in_bulk(
        [item.render_settings.get("layout") for item in appendices
         if isinstance(item.render_settings, dict)]
    )  # fmt: skip
    rows = []
    for i, item in enumerate(appendices, 1):
        settings = item.render_settings if isinstance(item.render_settings, dict) else {}
        rows.append(
            {
                "item": item,
                "label": report.appendix_label(i),
                "plan": plans.get(settings.get("plan")),
                "layout": layouts.get(settings.get("layout")),
                "shown": _settings_words(settings),
            }
        )
    context = {
        "report": report,
        "cover": _cover_rows(report),
        "recommendations": [
            {"letter": letter(i), "text": rec.text}
            for i, rec in enumerate(report.recommendations.all(), 1)
        ],
        "sections": report.sections.all(),
        "appendices": rows,
        "published": getattr(report, "published_pack", None) if report.is_published else None,
        "publish_state": services.publishing_state(report)[0],
    }
    return _report_page(request, "report_detail.html", **context)


def _cover_rows(report):
    rows = []
    for name in services.REPORT_FIELDS[:-1]:  # the cover's fields, numbering apart
        value = getattr(report, name)
        label = ReportForm.Meta.labels.get(name) or report._meta.get_field(name).verbose_name
        rows.append((str(label).capitalize() if name not in ReportForm.Meta.labels else label,
                     f"{value:%-d %B %Y}" if name == "meeting_date" else value))  # fmt: skip
    rows.append(("Appendices numbered", report.get_appendix_numbering_display().split(":")[0]))
    return rows


def appendix_add(request, pk):
    report = get_report_for_user(request.user, pk)
    if refused := _refuse_if_published(request, report):
        return refused
    plans = plans_for_report(request.user, report)
    form = AppendixForm(request.POST or None, plans=plans, layouts=visible_layouts(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.appendix_add(
                request.user, report, form.cleaned_data["plan"], form.settings(),
                form.cleaned_data["title"],
            )  # fmt: skip
        except services.Refused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            messages.success(request, f"{item.title} has been added as an appendix.")
            return redirect(report)
    return _report_page(request, "appendix_form.html", form=form, report=report)


@require_POST
def appendix_remove(request, pk):
    item = get_report_appendix_for_user(request.user, pk)
    try:
        services.appendix_remove(request.user, item)
        messages.success(request, f"{item.title} has been removed from the appendices.")
    except services.Refused as refused:
        messages.error(request, refused.message)
    return redirect(item.report)


@require_POST
def appendix_move(request, pk):
    item = get_report_appendix_for_user(request.user, pk)
    try:
        services.appendix_move(request.user, item, up=request.POST.get("direction") == "up")
    except services.Refused as refused:
        messages.error(request, refused.message)
    return redirect(f"{item.report.get_absolute_url()}#appendix-{item.pk}")


def _draft_pack(request, report):
    """The pack as it renders now, if the user may export every plan in it."""
    check_pack_export(request.user, plans_in(report))
    return packs.build(report)


def report_preview(request, pk):
    report = get_report_for_user(request.user, pk)
    error, preview = None, None
    try:
        pack = _draft_pack(request, report)
        preview = packs.html(pack, for_print=False)
    except appendix.AppendixError as problem:
        error = str(problem)
    return _report_page(request, "report_preview.html", report=report, preview=preview, error=error)


def _pack_pdf(report, pdf):
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{packs.file_name(report)}"'
    return response


def report_download(request, pk):
    """The published pack as frozen; a draft's from the store at once, else it is rendered on
    the queue (it takes seconds) and the clerk is shown how it is going."""
    report = get_report_for_user(request.user, pk)
    if report.is_published:
        return _pack_pdf(report, bytes(report.published_pack.pdf))  # PostgreSQL: a memoryview
    check_pack_export(request.user, plans_in(report))
    try:
        if request.method == "POST":  # "Try again" after a failure: the next request renders it
            pack_renders.pack_forget_failure(report)
            return redirect("report_download", report.pk)
        answer = pack_renders.pack_requested(report)
    except appendix.AppendixError as problem:
        messages.error(request, str(problem))
        return redirect(report)
    if answer.rendering is not None and not answer.rendering.failed:
        return _pack_pdf(report, bytes(answer.rendering.pdf))
    return redirect("report_pack_progress", report.pk)


def report_pack_progress(request, pk):
    """How the pack's render is going: waiting, being laid out, ready (with the download) or
    failed (with what to do, and "Try again"). "Check again" reloads it; no timed refresh."""
    report = get_report_for_user(request.user, pk)
    context = {
        "report": report,
        "state": "ready",
        "estimate": pack_renders.pack_last_seconds(report),
    }
    if not report.is_published:
        check_pack_export(request.user, plans_in(report))
        try:
            answer = pack_renders.pack_requested(report, ask=False)
        except appendix.AppendixError as problem:
            messages.error(request, str(problem))
            return redirect(report)
        rendering = answer.rendering
        if rendering is None:
            context.update(state="preparing", task=answer.task)
        elif rendering.failed:
            context.update(state="failed", message=pack_renders.pack_failure_message(rendering),
                           failure=rendering)  # fmt: skip
        else:
            context.update(took=rendering.seconds)
    return _report_page(request, "report_progress.html", **context)


def report_publish(request, pk):
    """POST: "Publish the pack", carried out on the queue (a second press adds nothing). GET:
    how it is going ("Publishing: rendering the pack…"), then what became of it."""
    report = get_report_for_user(request.user, pk)
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            check_pack_export(request.user, plans_in(report))
            services.report_publish_ask(request.user, report, version)
        except services.ReportPublished:
            pass  # pressed again once it was done: the page says it is published
        except services.Refused as refused:
            messages.error(request, refused.message)
            return redirect(report)
        return redirect("report_publish", report.pk)
    state, publishing = services.publishing_state(report)
    if not state:
        return redirect(report)
    context = {
        "report": report,
        "state": state,
        "publishing": publishing,
        "published": getattr(report, "published_pack", None) if report.is_published else None,
        "task": state == services.PUBLISHING and pack_renders.publish_task(report.pk),
        "estimate": pack_renders.pack_last_seconds(report),
    }
    return _report_page(request, "report_publishing.html", **context)


def plans_in(report):
    ids = [a.render_settings.get("plan") for a in report.appendices.all()
           if isinstance(a.render_settings, dict)]  # fmt: skip
    return Plan.objects.filter(pk__in=[i for i in ids if isinstance(i, int)])
