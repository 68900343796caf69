"""Committee reports: a cover report written in the council's shape, the plans added as its
appendices, the pack previewed, downloaded while a draft, and published (frozen)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from actionplans import rules as plan_rules
from actionplans.models import Plan
from core.errors import Refused, Repeated, StaleEdit
from core.views import rebound, refuse

from .. import appendix, pack_renders, packs, services
from ..forms import (
    AppendixForm,
    ReportForm,
    adding,
    report_formsets,
    report_formsets_again,
    typed,
)
from ..meeting_forms import CorrectionForm
from ..models import REPORT_FIELDS, Layout, letter
from ..rules import (
    check_pack_export,
    check_reports,
    get_report_appendix_for_user,
    get_report_for_user,
    plans_for_report,
    visible_bodies,
    visible_layouts,
    visible_meetings,
    visible_reports,
)


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


def report_add(request):
    check_reports(request.user)
    councils = _councils_for(request.user)
    if councils == []:
        raise PermissionDenied("Your sign-in is not linked to a council, so it has no reports.")

    def create(form, recs, sections):
        council = form.cleaned_data.get("organisation") or plan_rules.council_of(request.user)
        return services.report_create(
            form.cleaned_data,
            actor=request.user,
            organisation=council,
            recommendations=recs.texts(),
            sections=sections.parts(),
            once=form.once_key,
        )

    done = "The committee report has been created. Now add its appendices."
    kwargs = _meeting_choices(request.user)
    if councils is None and (meeting := _meeting_asked(request)):
        kwargs["preset_meeting"] = meeting  # "Add a report" on the meeting's page
    return _report_form(
        request, "Create a committee report", create, done, **kwargs, councils=councils
    )


def _meeting_choices(user, report=None):
    """The meetings and bodies the report form offers: the user's council's (the report's, for
    one that exists)."""
    bodies, meetings = visible_bodies(user), visible_meetings(user)
    if report is not None:
        bodies = bodies.filter(organisation=report.organisation)
        meetings = meetings.filter(body__organisation=report.organisation)
    return {"meetings": meetings, "bodies": bodies}


def _meeting_asked(request):
    """The meeting named in the address (?meeting=id), if it is one the user may see."""
    try:
        pk = int(request.GET.get("meeting", ""))
    except ValueError:
        return None
    return visible_meetings(request.user).filter(pk=pk).first() if 0 < pk < 2**31 else None


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

    def edit(form, recs, sections):
        return services.report_edit(
            report,
            actor=request.user,
            version=form.cleaned_data.get("version") or 0,
            values=form.cleaned_data,
            recommendations=recs.texts(),
            sections=sections.parts(),
        )

    done = "The committee report has been saved."
    kwargs = _meeting_choices(request.user, report)
    return _report_form(request, "Edit the committee report", edit, done, report, **kwargs)


def _report_form(request, title, save, done, report=None, **form_kwargs):
    """The cover's fields, recommendations and sections (a new report's when ``report`` is None),
    written by ``save(form, recs, sections)``. "Add another" shows them again as typed, nothing
    saved; an edit someone else saved first is shown again with what they changed."""
    data = request.POST or None
    form = ReportForm(data, instance=report, **form_kwargs)
    recs, sections = report_formsets(report, data=data)
    stale = None
    if boxes := adding(request.POST):
        form = ReportForm(initial=typed(form), instance=report, **form_kwargs)
        recs, sections = report_formsets_again(recs, sections, boxes)
    elif request.method == "POST" and all(f.is_valid() for f in (form, recs, sections)):
        try:
            saved = save(form, recs, sections)
        except StaleEdit as conflict:
            stale, form = conflict, rebound(ReportForm, request.POST, conflict, **form_kwargs)
        except Repeated as repeated:  # sent twice: the report the first one made
            messages.info(request, repeated.message)
            return redirect(repeated.made or "report_list")
        except Refused as refused:  # published, or being published, since the page was shown
            messages.error(request, refused.message)
            return redirect(report or "report_list")
        else:
            messages.success(request, done)
            return redirect(saved)
    context = {"form": form, "recs": recs, "sections": sections, "title": title}
    return _report_page(request, "report_form.html", report=report, stale=stale, **context)


def _settings(item):
    """An appendix's render settings as stored (a dict; {} if they are not one)."""
    return item.render_settings if isinstance(item.render_settings, dict) else {}


def _settings_words(settings):
    try:
        return packs.Settings.load(settings).words
    except packs.SettingsError as error:
        return str(error)


def report_detail(request, pk):
    report = get_report_for_user(request.user, pk)
    appendices = [(item, _settings(item)) for item in report.appendices.all()]
    plans = Plan.objects.in_bulk([settings.get("plan") for _, settings in appendices])
    layouts = Layout.objects.in_bulk([settings.get("layout") for _, settings in appendices])
    rows = []
    for i, (item, settings) in enumerate(appendices, 1):
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
        "versions": report.published_packs.select_related("published_by").defer("pdf"),
        "correction": CorrectionForm(initial={"version": report.version}),
    }
    return _report_page(request, "report_detail.html", **context)


def _cover_rows(report):
    rows = [
        ("Committee", report.committee),
        ("Date of the meeting", f"{report.meeting_date:%-d %B %Y}"),
    ]
    for name in REPORT_FIELDS[1:-2]:  # the cover's fields; the meeting, numbering and version apart
        value = getattr(report, name)
        label = ReportForm.Meta.labels.get(name) or report._meta.get_field(name).verbose_name
        rows.append(
            (str(label).capitalize() if name not in ReportForm.Meta.labels else label, value)
        )
    rows.append(("Appendices numbered", report.get_appendix_numbering_display().split(":")[0]))
    rows.append(("Version", "Public version" if report.public else "Full version"))
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
                report,
                actor=request.user,
                plan=form.cleaned_data["plan"],
                settings=form.settings(),
                title=form.cleaned_data["title"],
                once=form.once_key,
            )
        except Repeated as repeated:  # sent twice: the report, with the appendix the first made
            messages.info(request, repeated.message)
            return redirect(report)
        except Refused as refused:
            refuse(form, refused)
        else:
            messages.success(request, f"{item.title} has been added as an appendix.")
            return redirect(report)
    return _report_page(request, "appendix_form.html", form=form, report=report)


@require_POST
def appendix_remove(request, pk):
    item = get_report_appendix_for_user(request.user, pk)
    try:
        services.appendix_remove(item, actor=request.user)
        messages.success(request, f"{item.title} has been removed from the appendices.")
    except Refused as refused:
        messages.error(request, refused.message)
    return redirect(item.report)


@require_POST
def appendix_move(request, pk):
    item = get_report_appendix_for_user(request.user, pk)
    try:
        services.appendix_move(item, actor=request.user, up=request.POST.get("direction") == "up")
    except Refused as refused:
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


def _pack_pdf(report, pdf, version=None):
    response = HttpResponse(pdf, content_type="application/pdf")
    name = packs.file_name(report, version.number if version else None)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    if version is not None:  # the checksum the download hashes to, for whoever keeps it
        response["Digest"] = f"sha-256={version.sha256}"
    return response


def report_version_download(request, pk, number):
    """One published version of the pack, as frozen."""
    report = get_report_for_user(request.user, pk)
    version = get_object_or_404(report.published_packs, number=number)
    return _pack_pdf(report, bytes(version.pdf), version)  # PostgreSQL: a memoryview


@require_POST
def report_correct(request, pk):
    """ "Publish a correction" of a published pack: a new version, saying what it corrects,
    rendered and frozen on the queue as publishing is (its progress is the publishing page)."""
    report = get_report_for_user(request.user, pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(f"{report.get_absolute_url()}#correct")
    try:
        check_pack_export(request.user, plans_in(report))
        services.report_correct_ask(
            report,
            actor=request.user,
            version=form.cleaned_data["version"],
            corrects=form.cleaned_data["corrects"],
        )
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect(f"{report.get_absolute_url()}#correct")
    return redirect("report_publish", report.pk)


def report_download(request, pk):
    """The published pack as frozen; a draft's from the store at once, else it is rendered on
    the queue (it takes seconds) and the clerk is shown how it is going."""
    report = get_report_for_user(request.user, pk)
    if report.is_published:  # the latest version
        version = report.published_pack
        return _pack_pdf(report, bytes(version.pdf), version)  # PostgreSQL: a memoryview
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
            message = pack_renders.pack_failure_message(rendering)
            context.update(state="failed", message=message, failure=rendering)
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
            services.report_publish_ask(report, actor=request.user, version=version)
        except services.ReportPublished:
            pass  # pressed again once it was done: the page says it is published
        except Refused as refused:
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
    """The plans the report's appendices show."""
    ids = [_settings(item).get("plan") for item in report.appendices.all()]
    return Plan.objects.filter(pk__in=[i for i in ids if isinstance(i, int)])
