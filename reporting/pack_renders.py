"""Committee packs (packs.py) rendered off the request: the cover report and its appendices as
one PDF, kept under packs.key as an appendix is under its key (renders.py), and always rendered on
the queue within the same limits (a pack takes seconds), so the clerk who downloads one is shown
how it is going (views.reports.report_pack_progress), and publishing freezes the one kept
(services.report_publish). A draft pack is rendered ahead after a change to it (services) or to
a plan it shows (``plan_packs_render_ahead``, from renders.render_current).
"""

import dataclasses
import gc
import logging
import time
import traceback

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import task
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from . import appendix, limits, parts
from .models import PackRendering
from .renders import failure_words, live, on_database_queue

logger = logging.getLogger(__name__)

KEEP_PER_REPORT = 3


def _write_pack(pack):
    """In the render's child process: the pack's PDF (see ``_write``)."""
    from . import packs

    gc.disable()
    return packs.write_pdf(pack)


def pack_rendered(report, wanted=None):
    """The draft pack as a PackRendering: from the store, else rendered now within the limits
    and kept, a failure included (it is not tried again until the pack or a plan in it changes,
    or the clerk asks). AppendixError from ``packs.key``; ``wanted``: the key, if known."""
    from . import packs

    wanted = wanted or packs.key(report)
    found = PackRendering.objects.filter(key=wanted).first()
    if found is not None:
        return found
    started = time.perf_counter()
    try:
        pack = packs.build(report)
    except appendix.AppendixError as error:  # e.g. an as-at date before the plan was recorded
        values = {"reason": PackRendering.Reason.APPENDIX, "detail": str(error)}
    except Exception:  # noqa: BLE001 - kept and shown, not asked again on each "Check again"
        logger.exception("Committee report %s: its pack could not be built", report.pk)
        values = {"reason": PackRendering.Reason.ERROR, "detail": traceback.format_exc()[-4000:]}
    else:
        parts.prepare()
        try:
            values = {
                "pdf": limits.run(_write_pack, pack),
                "appendices": packs.frozen_settings(pack),
            }
        except limits.Exceeded as stop:
            values = {"reason": stop.reason, "detail": stop.detail}
    rendering = PackRendering(
        report=report, key=wanted, seconds=round(time.perf_counter() - started, 3), **values
    )
    try:
        with transaction.atomic():
            rendering.save()
    except IntegrityError:
        # The same pack rendered meanwhile by another task: that one, or ours where it is gone
        # since (that task published the pack, which drops the drafts' renders).
        return PackRendering.objects.filter(key=wanted).first() or rendering
    old = PackRendering.objects.filter(report=report).values_list("pk", flat=True)
    PackRendering.objects.filter(pk__in=list(old[KEEP_PER_REPORT:])).delete()
    return rendering


def pack_failure_message(rendering):
    """What the clerk is told about a pack that could not be made, and what to do about it."""
    if rendering.reason == PackRendering.Reason.APPENDIX:
        return (
            f"{rendering.detail} Change that appendix's date, or remove it and add it again, "
            "and the pack will be made again."
        )
    advice = (
        "This usually means a cell holds very long text without spaces, or an appendix is very "
        "large for one document. Shorten that text, or give the appendix a layout with fewer "
        "columns or fewer progress updates, and the pack will be made again."
    )
    return failure_words("The pack", rendering.reason, advice)


def pack_forget_failure(report):
    """The clerk's "Try again": the failure kept for the pack as it is now goes."""
    from . import packs

    PackRendering.objects.filter(key=packs.key(report)).exclude(reason="").delete()


def pack_last_seconds(report):
    """How long the report's last pack took to render (None if it never was)."""
    done = PackRendering.objects.filter(report=report, reason="")
    return done.values_list("seconds", flat=True).first()


@dataclasses.dataclass
class PackAnswer:
    """A draft pack as it is now: ``rendering`` kept (its PDF, or why it could not be made), else
    ``task``, its render on the database queue (None where that queue cannot say)."""

    key: str
    rendering: PackRendering | None = None
    task: DBTaskResult | None = None


def pack_requested(report, *, ask=True):
    """The draft pack a clerk asked for (see ``PackAnswer``), and its render queued if it is not
    kept and none is on its way: with ``ask``, unless the database queue has one waiting or
    running; without, only where that queue says none is (so a page that is only looked at again
    queues nothing on a queue that cannot tell). AppendixError from ``packs.key``."""
    from . import packs

    wanted = packs.key(report)
    found = PackRendering.objects.filter(key=wanted).first()
    if found is not None:
        return PackAnswer(wanted, rendering=found)
    task = _pack_task(report.pk, wanted)
    if task is None and (ask or on_database_queue(render_pack)):
        render_pack.enqueue(report.pk, wanted)
        found = PackRendering.objects.filter(key=wanted).first()  # a queue that runs it at once
        task = _pack_task(report.pk, wanted)
    return PackAnswer(wanted, rendering=found, task=task)


def _pack_task(report_id, wanted):
    """The render of this pack on the database queue: one waiting (it renders the pack as it is
    when it starts), or one running for exactly this key that may still finish; else None."""
    ours = live(render_pack).filter(args_kwargs__args__0=report_id)
    return ours.filter(
        Q(status=TaskResultStatus.READY) | Q(args_kwargs__args=[report_id, wanted])
    ).first()


@task()
def render_pack(report_id, wanted=None):
    """Render a draft pack as it is when this runs (``wanted``: the key it was asked for, by
    which a second request finds this task while it runs)."""
    from .models import CommitteeReport

    report = CommitteeReport.objects.filter(pk=report_id).first()
    if report is None or report.is_published:
        return None
    try:
        return pack_rendered(report).key
    except appendix.AppendixError:
        return None  # a plan or layout is gone: the report's pages say so


def pack_render_ahead(report_id):
    """Render a draft pack ahead of the clerk after a change: queued unless one is waiting its
    turn (that one renders the pack as it is when it starts), and only if it has appendices."""
    from .models import ReportAppendix

    if not ReportAppendix.objects.filter(report_id=report_id).exists():
        return
    if live(render_pack, running=False).filter(args_kwargs__args__0=report_id).exists():
        return
    render_pack.enqueue(report_id, None)


def plan_packs_render_ahead(plan_id):
    """After a plan changed: render ahead the draft packs that show it, for meetings still to
    come (a pack whose appendix shows the plan as it stood before the change keeps its key, and
    its task ends at once)."""
    from .models import CommitteeReport, ReportAppendix

    reports = (
        ReportAppendix.objects.filter(
            render_settings__plan=plan_id,
            report__status=CommitteeReport.Status.DRAFT,
            report__meeting_date__gte=timezone.localdate(),
        )
        .values_list("report_id", flat=True)
        .distinct()
    )
    for report_id in reports:
        pack_render_ahead(report_id)


@task()
def publish_pack(report_id):
    """Publish a report's pack as a clerk asked (services.report_publish_ask), once."""
    from . import services

    return services.report_publish_asked(report_id)


def publish_task(report_id):
    """The publication of the report waiting or running on the database queue (a running one
    only while it may still finish), or None (also where that queue cannot say)."""
    return live(publish_pack).filter(args_kwargs__args=[report_id]).first()


def publish_waiting(report_id):
    return publish_task(report_id) is not None
