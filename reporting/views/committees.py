"""A council's governance bodies and their meetings, each meeting's reports and packs, and the
packs a plan has appeared in, version by version."""

from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render

from actionplans import rules as plan_rules
from core.views import form_page, posted, save_form

from .. import meetings
from ..meeting_forms import BodyForm, BodyPlansForm, MeetingForm
from ..models import CommitteeReport, PublishedPack
from ..rules import (
    check_reports,
    council_for_new,
    get_body_for_user,
    get_meeting_for_user,
    visible_bodies,
    visible_reports,
)


def body_list(request):
    check_reports(request.user)
    bodies = visible_bodies(request.user).annotate(
        meeting_count=Count("meetings", distinct=True), plan_count=Count("plans", distinct=True)
    )
    return render(request, "reporting/body_list.html", {"bodies": bodies})


def body_add(request):
    check_reports(request.user)
    councils = council_for_new(request.user)
    plans = plan_rules.visible_plans(request.user)
    if councils is None:
        plans = plans.filter(organisation=plan_rules.council_of(request.user))
    form = BodyForm(posted(request), plans=plans, councils=councils)

    def save(form):
        data = form.cleaned_data
        return meetings.body_create(
            actor=request.user,
            organisation=data.get("organisation") or plan_rules.council_of(request.user),
            name=data["name"],
            kind=data["kind"],
            plans=data["plans"],
            once=form.once_key,
        )

    body = save_form(request, form, save, "The committee or board has been added.")
    if body is not None:
        return redirect(body)
    return form_page(
        request,
        form,
        "Add a committee or board",
        back=_url("body_list"),
        back_label="Back to committees and boards",
    )


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


def body_detail(request, pk):
    body = get_body_for_user(request.user, pk)
    context = {
        "body": body,
        "meetings": body.meetings.annotate(report_count=Count("reports")),
        "plans": plan_rules.visible_plans(request.user).filter(
            pk__in=body.plans.values("pk"), organisation=body.organisation
        ),
    }
    return render(request, "reporting/body_detail.html", context)


def body_plans(request, pk):
    """The plans the body receives: its council's, that the user may read."""
    body = get_body_for_user(request.user, pk)
    plans = plan_rules.visible_plans(request.user).filter(organisation=body.organisation)
    initial = {"plans": list(body.plans.values_list("pk", flat=True))}
    form = BodyPlansForm(posted(request), plans=plans, initial=initial)

    def save(form):
        return meetings.body_plans_set(body, actor=request.user, plans=form.cleaned_data["plans"])

    if save_form(request, form, save, "The plans it receives have been saved.") is not None:
        return redirect(body)
    return form_page(
        request,
        form,
        "Plans it receives",
        back=body.get_absolute_url(),
        back_label=f"Back to {body.name}",
        caption=body.name,
    )


def meeting_add(request, pk):
    body = get_body_for_user(request.user, pk)
    form = MeetingForm(posted(request))

    def save(form):
        data = form.cleaned_data
        return meetings.meeting_create(
            body,
            actor=request.user,
            date=data["date"],
            title=data.get("title", ""),
            agenda_reference=data.get("agenda_reference", ""),
            once=form.once_key,
        )

    meeting = save_form(request, form, save, "The meeting has been added.")
    if meeting is not None:
        return redirect(meeting)
    return form_page(
        request,
        form,
        "Add a meeting",
        back=body.get_absolute_url(),
        back_label=f"Back to {body.name}",
        caption=body.name,
    )


def _with_packs(reports):
    """Reports with their published versions, newest last, and who published each."""
    versions = PublishedPack.objects.select_related("published_by").defer("pdf")
    return reports.prefetch_related(Prefetch("published_packs", queryset=versions))


def meeting_detail(request, pk):
    meeting = get_meeting_for_user(request.user, pk)
    reports = _with_packs(visible_reports(request.user).filter(meeting=meeting))
    context = {"meeting": meeting, "reports": reports.annotate(appendix_count=Count("appendices"))}
    return render(request, "reporting/meeting_detail.html", context)


def plan_packs(request, pk):
    """Every published version of every pack the plan is an appendix of, with its meeting."""
    check_reports(request.user)
    plan = plan_rules.get_plan_for_user(request.user, pk)
    reports = visible_reports(request.user).filter(appendices__render_settings__plan=plan.pk)
    versions = (
        PublishedPack.objects.filter(report__in=reports.values("pk"))
        .select_related("report__meeting__body", "published_by")
        .defer("pdf")
        .order_by("-report__meeting_date", "report_id", "number")
    )
    drafts = (
        reports.filter(status=CommitteeReport.Status.DRAFT)
        .select_related("meeting__body")
        .distinct()
    )
    context = {"plan": plan, "versions": versions, "drafts": drafts}
    return render(request, "reporting/plan_packs.html", context)
