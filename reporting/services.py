"""Every write of the reporting app: named, with the actor and a reason kept in history."""

import contextlib

from django.db import transaction
from django.utils import timezone

from core.errors import Refused
from core.records import record_save_versioned as save_with_version

from . import appendix, pack_renders, packs, renders
from .models import (
    CommitteeReport,
    Layout,
    LayoutColumn,
    PackPublishing,
    PackRendering,
    PlanLayout,
    PublishedPack,
    ReportAppendix,
    ReportRecommendation,
    ReportSection,
)

LAYOUT_FIELDS = [
    "name", "running_heading", "title_block", "preamble", "include_introduction",
    "include_findings",
    "group_sections", "span_recommendations", "span_repeated_cells", "bold_recommendations",
    "bold_complete", "complete_word", "rag_display",
]  # fmt: skip


class StaleLayout(Refused):
    """Someone else saved the layout since this copy was read."""

    def __init__(self, layout):
        self.layout = layout
        super().__init__(
            "Someone else changed this layout while you were editing it. "
            "Your changes have not been saved: check the layout as it is now and edit it again."
        )


def _columns_replace(actor, layout, columns, reason):
    """``columns`` as (heading, field, width) in order; the old ones go (kept in history)."""
    for old in layout.columns.all():
        old._history_user, old._change_reason = actor, reason
        old.delete()
    for order, (heading, key, width) in enumerate(columns):
        column = LayoutColumn(layout=layout, order=order, heading=heading, field=key, width=width)
        column._history_user, column._change_reason = actor, reason
        column.full_clean()
        column.save()


def _check_name_free(organisation, name, exclude=None):
    taken = Layout.objects.filter(organisation=organisation, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise Refused(f"Your council already has a layout called {name}: choose another name.",
                      field="name")  # fmt: skip


@transaction.atomic
def layout_create(actor, values, columns, *, organisation, reason="Layout created"):
    """A layout of ``organisation`` (a council), which only its people see and change."""
    layout = Layout(**{k: values[k] for k in LAYOUT_FIELDS if k in values})
    layout.organisation = organisation
    _check_name_free(organisation, layout.name)
    layout._history_user, layout._change_reason = actor, reason
    layout.full_clean()
    layout.save()
    _columns_replace(actor, layout, columns, reason)
    return layout


def _free_name(organisation, name):
    """``name``, or "name (copy 2)"... when the council already has a layout of that name."""
    candidate, n = name, 1
    while Layout.objects.filter(organisation=organisation, name__iexact=candidate).exists():
        n += 1
        candidate = f"{name[:100]} (copy {n})"
    return candidate


def layout_copy(layout, *, actor, organisation):
    """The council's own copy of ``layout`` (a preset, or one of its own), to change freely.
    A preset is copied under its own name, so the council's copy reads as the house style."""
    values = {k: getattr(layout, k) for k in LAYOUT_FIELDS}
    values["name"] = _free_name(organisation, layout.name)
    columns = [(c.heading, c.field, c.width) for c in layout.columns.all()]
    return layout_create(
        actor, values, columns, organisation=organisation, reason=f"Copied from {layout.name}"
    )


@transaction.atomic
def layout_edit(actor, layout, version, values, columns):
    """Change the layout's settings and columns, unless it changed since ``version`` was read."""
    current = Layout.objects.select_for_update().get(pk=layout.pk)
    if current.version != version:
        raise StaleLayout(current)
    if current.is_preset:
        raise Refused("A preset is read only: make a copy for your council and change that.")
    _check_name_free(current.organisation, values.get("name", current.name), exclude=current)
    for key in LAYOUT_FIELDS:
        if key in values:
            setattr(current, key, values[key])
    current.version += 1
    current._history_user, current._change_reason = actor, "Layout edited"
    current.full_clean()
    current.save()
    _columns_replace(actor, current, columns, "Layout edited")
    return current


@transaction.atomic
def plan_layout_set(actor, plan, layout):
    """Make ``layout`` the plan's default for its appendix. A preset, or another council's
    layout, is first copied for the plan's council, so no one else's edit can change it."""
    if layout.organisation != plan.organisation:
        layout = (
            Layout.objects.filter(organisation=plan.organisation, name__iexact=layout.name).first()
            if layout.is_preset
            else None
        ) or layout_copy(layout, actor=actor, organisation=plan.organisation)
    choice = PlanLayout.objects.select_for_update().filter(plan=plan).first() or PlanLayout(
        plan=plan
    )
    choice.layout = layout
    choice._history_user, choice._change_reason = actor, f"Default appendix layout: {layout}"
    choice.save()
    return choice


# Committee packs. A published report is frozen: every write below refuses it.

REPORT_FIELDS = [
    "committee", "meeting_date", "agenda_item", "wards", "subject", "lead_officer", "lead_member",
    "forward_plan_reference", "contact_officer", "reason_for_urgency", "appendix_numbering",
]  # fmt: skip


class ReportPublished(Refused):
    def __init__(self, report):
        super().__init__(
            f"This report was published on {timezone.localtime(report.published_at):%-d %B %Y} "
            "and its pack is frozen: it cannot be changed. Make a new report to change it."
        )


class ReportBeingPublished(Refused):
    def __init__(self):
        super().__init__(
            "This report is being published, so it cannot be changed now. If publishing fails, "
            "you can change it and publish it again."
        )


def _locked_draft(report, *, publishing=False):
    """The report, locked for this transaction; refused if it has been published, or (unless
    this is the publication itself) while it is being published."""
    current = CommitteeReport.objects.select_for_update().get(pk=report.pk)
    if current.is_published:
        raise ReportPublished(current)
    if not publishing and publishing_state(current)[0] == PUBLISHING:
        raise ReportBeingPublished()
    return current


def _render_ahead(report):
    """Once the change is committed, the pack is rendered again ahead of the clerk."""
    transaction.on_commit(lambda: pack_renders.pack_ahead(report.pk))


def _touch(actor, report, reason):
    """One history record on the report for a change to its parts; a stale copy is then refused."""
    report.version += 1
    report._history_user, report._change_reason = actor, reason
    report.save(update_fields=["version"])
    _render_ahead(report)


def _parts_replace(actor, report, recommendations, sections, reason):
    """Recommendations as texts, sections as (heading, text), in order; old ones kept in history."""
    for model in (ReportRecommendation, ReportSection):
        for old in model.objects.filter(report=report):
            old._history_user, old._change_reason = actor, reason
            old.delete()
    for order, text in enumerate(recommendations):
        rec = ReportRecommendation(report=report, order=order, text=text)
        rec._history_user, rec._change_reason = actor, reason
        rec.full_clean()
        rec.save()
    for order, (heading, text) in enumerate(sections):
        section = ReportSection(report=report, order=order, heading=heading, text=text)
        section._history_user, section._change_reason = actor, reason
        section.full_clean()
        section.save()


@transaction.atomic
def report_create(actor, organisation, values, recommendations=(), sections=()):
    report = CommitteeReport(organisation=organisation)
    for key in REPORT_FIELDS:
        if key in values:
            setattr(report, key, values[key])
    report._history_user, report._change_reason = actor, "Committee report created"
    report.full_clean()
    report.save()
    _parts_replace(actor, report, recommendations, sections, "Committee report created")
    return report


@transaction.atomic
def report_edit(actor, report, version, values, recommendations, sections):
    """The cover's fields, recommendations and sections, unless changed since ``version``."""
    current = _locked_draft(report)
    for key in REPORT_FIELDS:
        if key in values:
            setattr(current, key, values[key])
    current.full_clean()
    save_with_version(
        current, actor=actor, expected_version=version, reason="Committee report edited",
        fields=REPORT_FIELDS,
    )  # fmt: skip
    _parts_replace(actor, current, recommendations, sections, "Committee report edited")
    _render_ahead(current)
    return current


@transaction.atomic
def appendix_add(actor, report, plan, settings, title=""):
    """Add ``plan`` as the report's last appendix, rendered with ``settings`` (packs.Settings)."""
    from .rules import plans_for_report

    current = _locked_draft(report)
    if current.appendices.count() >= packs.MAX_APPENDICES:
        raise Refused(f"A report has at most {packs.MAX_APPENDICES} appendices.")
    if plan.pk != settings.plan:
        raise Refused("The settings are for another plan.", field="plan")
    if not plans_for_report(actor, current).filter(pk=plan.pk).exists():
        raise Refused(f"Choose a plan of {current.organisation} that you may export.", field="plan")
    if settings.layout is not None and not Layout.objects.filter(pk=settings.layout).exists():
        raise Refused("Choose one of the layouts listed.", field="layout")
    try:
        appendix.outline_as_at(plan, settings.as_at)  # the plan existed on that date
    except appendix.AppendixError as error:
        raise Refused(str(error), field="as_at") from None
    item = ReportAppendix(
        report=current, order=current.appendices.count(), title=title or plan.title,
        render_settings=settings.dump(),
    )  # fmt: skip
    item._history_user, item._change_reason = actor, "Appendix added"
    item.full_clean()
    item.save()
    _touch(actor, current, f"Appendix added: {item.title}")
    return item


def _renumber(actor, items, reason):
    for order, item in enumerate(items):
        if item.order != order:
            item.order = order
            item._history_user, item._change_reason = actor, reason
            item.save(update_fields=["order"])


@transaction.atomic
def appendix_remove(actor, item):
    current = _locked_draft(item.report)
    item._history_user, item._change_reason = actor, "Appendix removed"
    item.delete()
    _renumber(actor, list(current.appendices.all()), "Appendices renumbered")
    _touch(actor, current, f"Appendix removed: {item.title}")


@transaction.atomic
def appendix_move(actor, item, up):
    """One place earlier (``up``) or later; the first cannot go up, nor the last down."""
    current = _locked_draft(item.report)
    items = list(current.appendices.all())
    at = next(i for i, other in enumerate(items) if other.pk == item.pk)
    to = at - 1 if up else at + 1
    if 0 <= to < len(items):
        items[at], items[to] = items[to], items[at]
        _renumber(actor, items, "Appendices reordered")
        _touch(actor, current, f"Appendix moved: {item.title}")


# Publishing: "Publish the pack" is checked at once and carried out on the task queue
# (pack_renders.publish_pack), which renders the pack (or takes the one kept for it) and freezes it.

PUBLISHING, PUBLISHED, FAILED, STOPPED = "publishing", "published", "failed", "stopped"


def publishing_state(report):
    """(state, PackPublishing or None): PUBLISHED; PUBLISHING (asked, waiting or under way);
    FAILED (``failure`` says why); STOPPED (asked so long ago, with no task left to do it, that
    it died with its worker); or "" (never asked)."""
    if report.is_published:
        return PUBLISHED, None
    publishing = PackPublishing.objects.filter(report=report).first()
    if publishing is None:
        return "", None
    if publishing.failure:
        return FAILED, publishing
    # A publication takes one render at most (and a few moments): long after, with no task
    # waiting or running for it, its worker has died. A task still waiting will publish it.
    waited = timezone.now() - publishing.requested_at
    long_ago = waited > renders.stuck_after()
    if long_ago and not pack_renders.publish_waiting(report.pk):
        return STOPPED, publishing
    return PUBLISHING, publishing


def _check_publishable(report, version):
    if report.version != version:
        raise Refused(
            "Someone changed this report since you opened it. Check the pack again, then publish."
        )
    if not report.appendices.exists():
        raise Refused("Add at least one appendix before publishing the pack.")


@transaction.atomic
def report_publish_ask(actor, report, version):
    """The clerk's "Publish the pack": checked now (Refused if the report changed since
    ``version`` or has no appendix; ReportPublished once published) and carried out on the queue.
    The report is locked while this is checked, so a second press, or a second clerk, while it is
    on its way finds it and queues nothing more. Returns the PackPublishing."""
    current = CommitteeReport.objects.select_for_update().get(pk=report.pk)
    state, publishing = publishing_state(current)
    if state == PUBLISHED:
        raise ReportPublished(current)
    if state == PUBLISHING:
        return publishing
    _check_publishable(current, version)
    publishing, _ = PackPublishing.objects.update_or_create(
        report=current,
        defaults={"version": version, "requested_by": actor, "requested_at": timezone.now(),
                  "failure": ""},
    )  # fmt: skip
    # In this transaction: on the database queue the task is there exactly when this commits.
    pack_renders.publish_pack.enqueue(current.pk)
    return publishing


PUBLISH_BROKE = (
    "Something went wrong while the pack was being published. Publish it again; if it fails "
    "again, tell your administrator."
)


def report_publish_asked(report_id):
    """The queued half of "Publish the pack": publish as asked, once; a failure is kept for the
    clerk in words. Returns what became of it (PUBLISHED, FAILED), or None if nothing was asked."""
    publishing = (
        PackPublishing.objects.select_related("report", "requested_by")
        .filter(report_id=report_id, failure="")
        .first()
    )
    if publishing is None:
        return None  # published already (by a task before this one), or failed
    # Publishing is asked deliberately: a render failure kept for the pack is tried again (an
    # appendix that cannot be made is for report_publish to say).
    with contextlib.suppress(appendix.AppendixError):
        pack_renders.pack_forget_failure(publishing.report)
    try:
        report_publish(publishing.requested_by, publishing.report, publishing.version)
    except ReportPublished:
        return PUBLISHED
    except Refused as refused:
        PackPublishing.objects.filter(pk=publishing.pk).update(failure=refused.message)
        return FAILED
    except Exception:
        PackPublishing.objects.filter(pk=publishing.pk).update(failure=PUBLISH_BROKE)
        raise  # logged by the worker, with its traceback
    return PUBLISHED


def report_publish(actor, report, version):
    """Render the pack (or take the one kept for it) and freeze it: the PDF and the settings it
    was made from are stored, and the report can no longer change.

    Refused if the report changed since ``version`` (what was checked is what is published), if
    it has no appendix, or if the pack cannot be made; ReportPublished if it was published
    meanwhile (so it is published once). The render runs unlocked, within the limits; the report
    is then locked, checked again and frozen only if the pack still shows what was rendered.
    """
    for _ in range(3):
        current = CommitteeReport.objects.get(pk=report.pk)
        if current.is_published:
            raise ReportPublished(current)
        _check_publishable(current, version)
        try:
            rendering = pack_renders.pack_rendered(current)
        except appendix.AppendixError as error:
            raise Refused(str(error)) from None
        if rendering.failed:
            raise Refused(pack_renders.pack_failure_message(rendering))
        with transaction.atomic():
            current = _locked_draft(report, publishing=True)
            _check_publishable(current, version)
            try:
                unchanged = packs.key(current) == rendering.key
            except appendix.AppendixError as error:
                raise Refused(str(error)) from None
            if unchanged:
                return _freeze(actor, current, rendering)
        # A plan in the pack changed while it was rendered: render it as it is now.
    raise Refused(
        "The plans in the pack kept changing while it was being published. Publish it again."
    )


def _freeze(actor, report, rendering):
    pdf = bytes(rendering.pdf)
    now = timezone.now()
    frozen = PublishedPack(
        report=report, pdf=pdf, sha256=packs.digest(pdf), appendices=rendering.appendices,
        published_at=now, published_by=actor,
    )  # fmt: skip
    frozen._history_user, frozen._change_reason = actor, "Pack published"
    frozen.save()
    report.status, report.published_at = CommitteeReport.Status.PUBLISHED, now
    report.version += 1
    report._history_user, report._change_reason = actor, "Committee report published"
    report.save(update_fields=["status", "published_at", "version"])
    # The frozen PDF is the pack from now on: the drafts' renders and the request are done.
    PackPublishing.objects.filter(report=report).delete()
    PackRendering.objects.filter(report=report).delete()
    return report
