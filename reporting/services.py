"""Every write of the reporting app, named for what it does to what: the subject first, the actor
keyword-only, and each record saved through core.records (who and why kept in its history; an
edit based on a stale copy refused as core.errors.StaleEdit)."""

import contextlib

from django.db import transaction
from django.utils import timezone

from core.errors import Refused
from core.records import (
    record_append,
    record_move,
    record_remove,
    record_save,
    record_save_versioned,
)

from . import appendix, pack_renders, packs, renders
from .models import (
    LAYOUT_FIELDS,
    REPORT_FIELDS,
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
from .rules import plans_for_report


def _replace(old, new, *, actor, reason):
    """The ``old`` records go (kept in history); the ``new`` are checked and saved, in order."""
    for record in old:
        record_remove(record, actor=actor, reason=reason)
    for record in new:
        record.full_clean()
        record_save(record, actor=actor, reason=reason)


def _columns_replace(layout, columns, *, actor, reason):
    """``columns`` as (heading, field, width), in order."""
    new = [
        LayoutColumn(layout=layout, order=order, heading=heading, field=key, width=width)
        for order, (heading, key, width) in enumerate(columns)
    ]
    _replace(LayoutColumn.objects.filter(layout=layout), new, actor=actor, reason=reason)


def _check_name_free(organisation, name, exclude=None):
    taken = Layout.objects.filter(organisation=organisation, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise Refused(
            f"Your council already has a layout called {name}: choose another name.", field="name"
        )


def _set(obj, names, values):
    for name in names:
        if name in values:
            setattr(obj, name, values[name])


@transaction.atomic
def layout_create(values, *, actor, organisation, columns, reason="Layout created"):
    """A layout of ``organisation`` (a council), which only its people see and change."""
    layout = Layout(organisation=organisation)
    _set(layout, LAYOUT_FIELDS, values)
    _check_name_free(organisation, layout.name)
    layout.full_clean()
    record_save(layout, actor=actor, reason=reason)
    _columns_replace(layout, columns, actor=actor, reason=reason)
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
    return layout_create(
        values,
        actor=actor,
        organisation=organisation,
        columns=[(c.heading, c.field, c.width) for c in layout.columns.all()],
        reason=f"Copied from {layout.name}",
    )


@transaction.atomic
def layout_edit(layout, *, actor, version, values, columns):
    """Change the layout's settings and columns; StaleEdit if someone saved it since ``version``
    (a change to its columns too: each edit saves the layout)."""
    if layout.is_preset:
        raise Refused("A preset is read only: make a copy for your council and change that.")
    _check_name_free(layout.organisation, values.get("name", layout.name), exclude=layout)
    _set(layout, LAYOUT_FIELDS, values)
    layout.full_clean()
    record_save_versioned(
        layout, actor=actor, expected_version=version, reason="Layout edited", fields=LAYOUT_FIELDS
    )
    _columns_replace(layout, columns, actor=actor, reason="Layout edited")
    return layout


@transaction.atomic
def plan_layout_set(plan, *, actor, layout):
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
    return record_save(choice, actor=actor, reason=f"Default appendix layout: {layout}")


# Committee packs. A published report is frozen: every write below refuses it.


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
    transaction.on_commit(lambda: pack_renders.pack_render_ahead(report.pk))


def _touch(report, *, actor, reason):
    """One history record on the (locked) report for a change to its parts; a copy of it read
    before is then stale."""
    report.version += 1
    record_save(report, actor=actor, reason=reason, update_fields=["version"])
    _render_ahead(report)


def _parts_replace(report, recommendations, sections, *, actor, reason):
    """Recommendations as texts, sections as (heading, text), in order."""
    old = [
        *ReportRecommendation.objects.filter(report=report),
        *ReportSection.objects.filter(report=report),
    ]
    new = [
        ReportRecommendation(report=report, order=order, text=text)
        for order, text in enumerate(recommendations)
    ] + [
        ReportSection(report=report, order=order, heading=heading, text=text)
        for order, (heading, text) in enumerate(sections)
    ]
    _replace(old, new, actor=actor, reason=reason)


@transaction.atomic
def report_create(values, *, actor, organisation, recommendations=(), sections=()):
    report = CommitteeReport(organisation=organisation)
    _set(report, REPORT_FIELDS, values)
    report.full_clean()
    record_save(report, actor=actor, reason="Committee report created")
    _parts_replace(
        report, recommendations, sections, actor=actor, reason="Committee report created"
    )
    return report


@transaction.atomic
def report_edit(report, *, actor, version, values, recommendations, sections):
    """The cover's fields, recommendations and sections; StaleEdit if someone saved the report
    since ``version``."""
    current = _locked_draft(report)
    _set(current, REPORT_FIELDS, values)
    current.full_clean()
    record_save_versioned(
        current,
        actor=actor,
        expected_version=version,
        reason="Committee report edited",
        fields=REPORT_FIELDS,
    )
    _parts_replace(
        current, recommendations, sections, actor=actor, reason="Committee report edited"
    )
    _render_ahead(current)
    return current


@transaction.atomic
def appendix_add(report, *, actor, plan, settings, title=""):
    """Add ``plan`` as the report's last appendix, rendered with ``settings`` (packs.Settings)."""
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
        report=current, title=title or plan.title, render_settings=settings.dump()
    )
    item.full_clean()
    record_append(item, actor=actor, siblings=current.appendices.all(), reason="Appendix added")
    _touch(current, actor=actor, reason=f"Appendix added: {item.title}")
    return item


@transaction.atomic
def appendix_remove(item, *, actor):
    """The appendix goes (kept in history); those after it move up a place."""
    current = _locked_draft(item.report)
    record_remove(item, actor=actor, reason="Appendix removed")
    for order, other in enumerate(current.appendices.all()):
        if other.order != order:
            other.order = order
            record_save(other, actor=actor, reason="Appendices renumbered", update_fields=["order"])
    _touch(current, actor=actor, reason=f"Appendix removed: {item.title}")


@transaction.atomic
def appendix_move(item, *, actor, up):
    """One place earlier (``up``) or later; the first cannot go up, nor the last down."""
    current = _locked_draft(item.report)
    if record_move(item, actor=actor, siblings=current.appendices.all(), up=up):
        _touch(current, actor=actor, reason=f"Appendix moved: {item.title}")


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
def report_publish_ask(report, *, actor, version):
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
        defaults={
            "version": version,
            "requested_by": actor,
            "requested_at": timezone.now(),
            "failure": "",
        },
    )
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
        report_publish(publishing.report, actor=publishing.requested_by, version=publishing.version)
    except ReportPublished:
        return PUBLISHED
    except Refused as refused:
        PackPublishing.objects.filter(pk=publishing.pk).update(failure=refused.message)
        return FAILED
    except Exception:
        PackPublishing.objects.filter(pk=publishing.pk).update(failure=PUBLISH_BROKE)
        raise  # logged by the worker, with its traceback
    return PUBLISHED


def report_publish(report, *, actor, version):
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
                return _freeze(current, rendering, actor=actor)
        # A plan in the pack changed while it was rendered: render it as it is now.
    raise Refused(
        "The plans in the pack kept changing while it was being published. Publish it again."
    )


def _freeze(report, rendering, *, actor):
    pdf = bytes(rendering.pdf)
    now = timezone.now()
    frozen = PublishedPack(
        report=report,
        pdf=pdf,
        sha256=packs.digest(pdf),
        appendices=rendering.appendices,
        published_at=now,
        published_by=actor,
    )
    record_save(frozen, actor=actor, reason="Pack published")
    report.status, report.published_at = CommitteeReport.Status.PUBLISHED, now
    report.version += 1
    record_save(
        report,
        actor=actor,
        reason="Committee report published",
        update_fields=["status", "published_at", "version"],
    )
    # The frozen PDF is the pack from now on: the drafts' renders and the request are done.
    PackPublishing.objects.filter(report=report).delete()
    PackRendering.objects.filter(report=report).delete()
    return report
