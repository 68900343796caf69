"""Every write of the reporting app, named for what it does to what: the subject first, the actor
keyword-only, and each record saved through core.records (who and why kept in its history; an
edit based on a stale copy refused as core.errors.StaleEdit)."""

from django.db import transaction

from core import once
from core.errors import Refused
from core.records import (
    record_append,
    record_move,
    record_remove,
    record_save,
    record_save_versioned,
)

from . import appendix, meetings, pack_renders, packs
from .models import (
    LAYOUT_FIELDS,
    REPORT_FIELDS,
    CommitteeReport,
    GovernanceBody,
    Layout,
    LayoutColumn,
    Meeting,
    PlanLayout,
    ReportAppendix,
    ReportRecommendation,
    ReportSection,
)
from .publishing import (  # noqa: F401 - the publishing writes are services too
    FAILED,
    PUBLISH_BROKE,
    PUBLISHED,
    PUBLISHING,
    STOPPED,
    ReportBeingPublished,
    ReportPublished,
    locked_draft,
    publishing_state,
    report_correct_ask,
    report_publish,
    report_publish_ask,
    report_publish_asked,
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


# Committee packs. A published report is frozen: every write below refuses it (locked_draft).


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


def _meeting_set(report, values, *, actor):
    """The report's meeting from ``values``: a Meeting of the report's council's bodies; or a
    "body" of its council and a "meeting_date", the body's meeting that day, made if need be;
    or (for callers that name the committee in words) its "committee" and "meeting_date", body
    and meeting found or made. The cover's copy of the body's name and the date follows it."""
    meeting, body, date = values.get("meeting"), values.get("body"), values.get("meeting_date")
    if meeting is None and body is not None and date:
        if not isinstance(body, GovernanceBody) or body.organisation != report.organisation:
            raise Refused(f"Choose one of {report.organisation}'s bodies.", field="body")
        meeting = meetings.meeting_for(report.organisation, body.name, date, actor=actor)
    elif meeting is None and values.get("committee") and date:
        meeting = meetings.meeting_for(report.organisation, values["committee"], date, actor=actor)
    if meeting is None and report.meeting_id is None:
        raise Refused("Choose the meeting the report is for.", field="meeting")
    if meeting is not None:
        if not isinstance(meeting, Meeting) or meeting.body.organisation != report.organisation:
            raise Refused(f"Choose a meeting of {report.organisation}'s bodies.", field="meeting")
        report.meeting = meeting
    report.committee, report.meeting_date = report.meeting.body.name, report.meeting.date


@once.guarded("actor")
@transaction.atomic
def report_create(values, *, actor, organisation, recommendations=(), sections=()):
    report = CommitteeReport(organisation=organisation)
    _set(report, REPORT_FIELDS, {k: v for k, v in values.items() if k != "meeting"})
    _meeting_set(report, values, actor=actor)
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
    current = locked_draft(report)
    _set(current, REPORT_FIELDS, {k: v for k, v in values.items() if k != "meeting"})
    _meeting_set(current, values, actor=actor)
    current.full_clean()
    record_save_versioned(
        current,
        actor=actor,
        expected_version=version,
        reason="Committee report edited",
        fields=[*REPORT_FIELDS, "committee", "meeting_date"],
    )
    _parts_replace(
        current, recommendations, sections, actor=actor, reason="Committee report edited"
    )
    _render_ahead(current)
    return current


@once.guarded("actor")
@transaction.atomic
def appendix_add(report, *, actor, plan, settings, title=""):
    """Add ``plan`` as the report's last appendix, rendered with ``settings`` (packs.Settings)."""
    current = locked_draft(report)
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
    current = locked_draft(item.report)
    record_remove(item, actor=actor, reason="Appendix removed")
    for order, other in enumerate(current.appendices.all()):
        if other.order != order:
            other.order = order
            record_save(other, actor=actor, reason="Appendices renumbered", update_fields=["order"])
    _touch(current, actor=actor, reason=f"Appendix removed: {item.title}")


@transaction.atomic
def appendix_move(item, *, actor, up):
    """One place earlier (``up``) or later; the first cannot go up, nor the last down."""
    current = locked_draft(item.report)
    if record_move(item, actor=actor, siblings=current.appendices.all(), up=up):
        _touch(current, actor=actor, reason=f"Appendix moved: {item.title}")
