"""Appendices rendered once and served again at once.

A render is kept under a key that says exactly what was rendered: the plan's rows as they stood
(the moment of their last recorded change up to the as-at date), the layout as plain values, the
date and the update range. So a repeat download is served from the store, and a stored render is
never stale: any change to the plan, its owners or the layout makes a new key.

The current appendix of each plan (its default layout, today, the latest updates) is rendered
ahead, off the request, by a task on the shared database queue whenever the plan changes, so the
clerk who then asks for it does not wait (see signals.py).

Every render runs in a child process with a time and a memory limit (reporting/limits.py). One
that stops is kept as a RenderFailure under the same key and shown to the clerk, with what to do,
instead of being tried again on each click; a change to the plan makes a new key, and so a new
attempt. A document a clerk asks for is rendered inside the request only when it is clearly quick
(``quick``: the document's size, the plan's last render), within a short limit; anything else, and
anything that outruns that limit, goes on the queue, once however often it is asked for.
"""

import contextlib
import dataclasses
import datetime as dt
import gc
import hashlib
import json
import logging
import time

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Length
from django.tasks import task
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from actionplans import snapshots
from actionplans.models import Plan

from . import appendix, changes_since, limits, printing
from .fields import Updates
from .formats import FORMATS
from .models import RenderFailure, Rendering

logger = logging.getLogger(__name__)

# Bump when a change to the document's template or rules changes what a render looks like.
RENDER_VERSION = 3  # 2: long words broken for print, columns of a least width; 3: progress
# is progress (no decisions), spanned cells, marks, the seeds' own preambles
KEEP_PER_PLAN = 12
# A document expected to take longer than this (or of a plan whose last render did) is rendered
# off the request when it is not in the store, and the clerk is shown how it is going
# (views.appendices.progress). One rendered in the request is stopped after INLINE_FACTOR times
# this, and queued instead. One second: no wait longer than that without a word on screen (at 5 s
# a first PDF of a demo plan took 2-3 s with nothing shown; bench/packs.py).
RENDER_INLINE_MAX_SECONDS = 1.0
INLINE_FACTOR = 1.5
# A PDF's layout on one core, roughly (bench/appendix.py, bench/worst_render.py: the demo's plans
# take 0.3 s and a second per 10,000 characters); Word and Excel take a tenth of it. A column too
# narrow for its text is laid out many times slower (appendix.MIN_COLUMN_PERCENT).
SECONDS_PER_CHARACTER = 1 / 10_000
SECONDS_PER_ROW = 0.01
NARROW_FACTOR = 10
# A plan's current appendix is rendered ahead this long after the change that asks for it; the
# changes made meanwhile find that render waiting (signals._Enqueue). A clerk who asks sooner has
# it rendered then, as for any document not kept.
RENDER_AHEAD_AFTER = dt.timedelta(seconds=30)
# A plan whose texts, all told, would take this many times RENDER_INLINE_MAX_SECONDS is queued
# without building the document (``clearly_slow``).
CLEARLY_SLOW_FACTOR = 4
# A queued render not finished in this many times the time limit is taken to have died with its
# worker: a new request queues another.
STUCK_FACTOR = 2


def key(plan, spec, as_at, updates, fmt=Rendering.Format.PDF, public=False):
    what = {
        "render": RENDER_VERSION,
        "plan": plan.pk,
        "layout": dataclasses.asdict(spec),
        "as_at": as_at.isoformat(),
        "updates": str(updates),
        # The rows as they stood: when they last changed, and what they show as it is now (the
        # names of the users they name), as the one registry says (actionplans.changes); as at
        # today, the plan's rows token, which that registry moves.
        "rows": snapshots.rows_version(plan, appendix.end_of(as_at), public=public),
        "format": str(fmt),
    }
    if any(c.field == changes_since.MARKER for c in spec.columns):
        # The "changed since" column counts from the last published pack: a new one moves it.
        what["changed_since"] = str(changes_since.last_pack(plan))
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()


def _write(out, doc):
    """In the render's child process: the document's bytes in the format ``out``."""
    # Rendering makes many short-lived objects and no cycles worth collecting mid-way: with the
    # collector off WeasyPrint is about an eighth faster here (bench/appendix.py).
    gc.disable()
    return out.write(doc)


class Failed(Exception):  # noqa: N818 - it reads as renders.Failed
    """The document could not be made: ``failure`` is the RenderFailure kept for it."""

    def __init__(self, failure):
        super().__init__(failure.get_reason_display())
        self.failure = failure


def rendered(
    plan, spec, as_at=None, updates=None, fmt=Rendering.Format.PDF, wanted=None, public=False
):
    """The appendix as a stored Rendering (PDF, Word or Excel): from the store if this document
    was rendered before, else rendered now within the limits and kept. Failed if it could not be
    made (now or before: a failure is not tried again); AppendixError for a date before the plan
    existed. ``wanted``: the key, when the caller already computed it (``stored``); ``public``:
    the public version (actionplans.publication)."""
    as_at = as_at or timezone.localdate()
    updates = updates or Updates()
    wanted = wanted or key(plan, spec, as_at, updates, fmt, public)
    found = Rendering.objects.filter(key=wanted).first()
    if found is not None:
        return found
    failure = RenderFailure.objects.filter(key=wanted).first()
    if failure is not None:
        raise Failed(failure)
    return _render(plan, appendix.build(plan, spec, as_at, updates, public), wanted, fmt)


def _render(plan, doc, wanted, fmt, seconds=None, record=True):
    """Render ``doc`` in a child process within the limits (``seconds``: the time limit, the
    setting's by default) and keep it. Stopped: Failed with the failure kept (``record``), or
    limits.Exceeded as it is."""
    out = FORMATS[str(fmt)]
    if out.prepare:
        out.prepare()
    started = time.perf_counter()
    try:
        content = limits.run(_write, out, doc, seconds=seconds)
    except limits.Exceeded as stop:
        if not record:
            raise
        raise Failed(_failed(plan, wanted, out, stop)) from None
    rendering = Rendering(
        plan=plan,
        key=wanted,
        format=out.key,
        file_name=appendix.file_name(doc, out.extension),
        content=content,
        seconds=round(time.perf_counter() - started, 3),
    )
    try:
        with transaction.atomic():
            rendering.save()
    except IntegrityError:
        # Another server or the worker rendered the same document meanwhile: that one, or ours
        # where it was pruned since.
        return Rendering.objects.filter(key=wanted).first() or rendering
    _prune(plan)
    return rendering


def _failed(plan, wanted, out, stop):
    """Keep the failure under the document's key (the first one, if two stopped at once)."""
    failure, _ = RenderFailure.objects.get_or_create(
        key=wanted,
        defaults={
            "plan": plan,
            "format": out.key,
            "reason": stop.reason,
            "detail": stop.detail,
            "seconds": round(stop.seconds, 3),
        },
    )
    old = RenderFailure.objects.filter(plan=plan).values_list("pk", flat=True)[KEEP_PER_PLAN:]
    RenderFailure.objects.filter(pk__in=list(old)).delete()
    return failure


def failure_words(thing, reason, advice):
    """What a clerk is told about ``thing`` ("The PDF", "The pack") that could not be made, by
    ``reason`` (RenderFailure.Reason), with ``advice`` for a render that ran out of time or
    memory."""
    if reason == RenderFailure.Reason.TIME:
        return f"{thing} could not be made in {limits.timeout():g} seconds. {advice}"
    if reason == RenderFailure.Reason.MEMORY:
        return f"{thing} needed more memory than one document may use. {advice}"
    return (
        f"{thing} could not be made: something went wrong while it was laid out. Try again; "
        "if it fails again, tell your administrator."
    )


def failure_message(failure, fmt=None):
    """What the clerk is told about a failed render, and what to do about it."""
    name = FORMATS[str(fmt or failure.format)].name
    advice = (
        "This usually means a cell holds very long text without spaces, or the plan is very "
        "large for one document. Shorten that text, or choose a layout with fewer columns or "
        "fewer progress updates, and the appendix will be made again."
    )
    return failure_words(f"The {name}", failure.reason, advice)


def appendix_forget_failure(plan, spec, as_at, updates, fmt, public=False):
    """The clerk's "Try again": the next request renders the document again."""
    RenderFailure.objects.filter(key=key(plan, spec, as_at, updates, fmt, public)).delete()


def _prune(plan):
    old = Rendering.objects.filter(plan=plan).values_list("pk", flat=True)[KEEP_PER_PLAN:]
    Rendering.objects.filter(pk__in=list(old)).delete()


@task()
def render_current(plan_id):
    """Render a plan's current appendix ahead of the clerk (its default layout, today, latest)."""
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        return None
    from .pack_renders import plan_packs_render_ahead

    plan_packs_render_ahead(plan_id)  # each its own task, after this one
    try:
        return rendered(plan, appendix.spec_for(plan)).key
    except Failed as failed:
        return failed.failure.key  # kept, and shown to the clerk who asks for it
    except appendix.AppendixError:
        return None  # nothing to render yet (no recorded rows today)


def on_database_queue(task_):
    """Whether ``task_`` goes on the database queue, the one that can say what waits or runs."""
    return isinstance(task_.get_backend(), DatabaseBackend)


def stuck_after():
    """How long after it started a queued render or publication is taken to have died."""
    return dt.timedelta(seconds=limits.timeout() * STUCK_FACTOR + 60)


def live(task_, *, running=True):
    """Runs of ``task_`` waiting their turn, or (with ``running``) running while they may still
    finish: one not done in STUCK_FACTOR times the time limit died with its worker. None of
    them where the queue cannot say (another backend)."""
    if not on_database_queue(task_):
        return DBTaskResult.objects.none()
    waits = Q(status=TaskResultStatus.READY)
    if running:
        alive = timezone.now() - stuck_after()
        waits |= Q(status=TaskResultStatus.RUNNING, started_at__gte=alive)
    return DBTaskResult.objects.filter(waits, task_path=task_.module_path).order_by("-enqueued_at")


def waiting(plan_id):
    """Whether a render of the plan's current appendix is queued and not yet started. Only the
    database queue can say; with another backend every change enqueues its own."""
    return live(render_current, running=False).filter(args_kwargs__args=[plan_id]).exists()


def stored(plan, spec, as_at, updates, fmt=Rendering.Format.PDF, public=False):
    """(key, the stored render of exactly this document or None): the key is passed on to
    ``rendered`` on a miss, so the plan's history is read once."""
    wanted = key(plan, spec, as_at, updates, fmt, public)
    return wanted, Rendering.objects.filter(key=wanted).first()


def last_seconds(plan, fmt=None):
    """How long the plan's last render (of ``fmt``) took, for the clerk's estimate (None if it was
    never rendered)."""
    renderings = Rendering.objects.filter(plan=plan)
    if fmt is not None:
        renderings = renderings.filter(format=fmt)
    return renderings.values_list("seconds", flat=True).first()


def slow(plan, fmt=None):
    """Too slow to render while the clerk's request waits, judged by the plan's last render, or a
    failure to render it since."""
    renderings = Rendering.objects.filter(plan=plan)
    failures = RenderFailure.objects.filter(plan=plan)
    if fmt is not None:
        renderings, failures = renderings.filter(format=fmt), failures.filter(format=fmt)
    last = renderings.values("seconds", "created_at").first()
    if last is None:
        return failures.exists()
    return (
        last["seconds"] > RENDER_INLINE_MAX_SECONDS
        or failures.filter(created_at__gt=last["created_at"]).exists()
    )


def estimate(doc, fmt=Rendering.Format.PDF):
    """Seconds a render of ``doc`` may take, from its size, before it is laid out."""
    printed = printing.printable(doc) if fmt == Rendering.Format.PDF else doc
    characters = sum(len(p.text) for r in printed.rows for c in r.cells for p in c.paras)
    characters += sum(len(getattr(p, "text", p)) for p in doc.preamble)  # Para, or text
    seconds = 0.3 + characters * SECONDS_PER_CHARACTER + len(doc.rows) * SECONDS_PER_ROW
    if doc.columns and min(doc.widths) < appendix.MIN_COLUMN_PERCENT:
        seconds *= NARROW_FACTOR
    return seconds if fmt == Rendering.Format.PDF else seconds / 10


def quick(plan, doc, fmt=Rendering.Format.PDF):
    """Clearly quick enough to render while the clerk's request waits."""
    return estimate(doc, fmt) <= RENDER_INLINE_MAX_SECONDS and not slow(plan, fmt)


def clearly_slow(plan, fmt=Rendering.Format.PDF):
    """So much text in the plan that no document of it is quick: told without building one (for
    megabytes of text that takes seconds, and a click on each waits for it)."""
    seconds = text_size(plan) * SECONDS_PER_CHARACTER
    if fmt != Rendering.Format.PDF:
        seconds /= 10
    return seconds > RENDER_INLINE_MAX_SECONDS * CLEARLY_SLOW_FACTOR


def text_size(plan):
    """Characters of every text of the plan as it stands (its recommendations', its actions', its
    progress updates'): a bound on what one of its documents prints, counted by the database."""
    from actionplans.models import Action, ProgressUpdate, Recommendation

    def total(queryset):
        names = [
            f.name for f in queryset.model._meta.concrete_fields if isinstance(f, models.TextField)
        ]
        sums = queryset.aggregate(**{f"size_{n}": Sum(Length(n)) for n in names})
        return sum(value or 0 for value in sums.values())

    return (
        total(Recommendation.objects.filter(plan=plan))
        + total(Action.objects.filter(recommendation__plan=plan))
        + total(
            ProgressUpdate.objects.filter(
                Q(action__recommendation__plan=plan) | Q(recommendation__plan=plan)
            )
        )
    )


@dataclasses.dataclass
class Answer:
    """What a clerk asking for a document gets: the stored render, the failure kept for it, or
    the id of the queued task making it."""

    rendering: Rendering | None = None
    failure: RenderFailure | None = None
    task_id: str | None = None


def requested(plan, spec, as_at, updates, fmt, layout_id=None, public=False):
    """The document a clerk asked for (see ``Answer``): from the store, or its failure; else
    rendered now if it is clearly quick, else queued (once, however often it is asked for).
    AppendixError for a date before the plan existed."""
    wanted, found = stored(plan, spec, as_at, updates, fmt, public)
    if found is not None:
        return Answer(rendering=found)
    failure = RenderFailure.objects.filter(key=wanted).first()
    if failure is not None:
        return Answer(failure=failure)
    args = (plan.pk, layout_id, as_at.isoformat(), str(updates), str(fmt), public)
    if can_follow():
        if queued := _queued(args):
            return Answer(task_id=queued)
        if clearly_slow(plan, fmt):
            return Answer(task_id=str(render_requested.enqueue(*args).id))
    with one_at_a_time(wanted):
        # A clerk who asked for the same document while another's render of it ran is given
        # that one, or its failure: ten clerks after one write make one render, not ten.
        if (found := Rendering.objects.filter(key=wanted).first()) is not None:
            return Answer(rendering=found)
        if (failure := RenderFailure.objects.filter(key=wanted).first()) is not None:
            return Answer(failure=failure)
        if not can_follow():  # nothing would say how a queued render goes: the full limits, here
            try:
                return Answer(rendering=rendered(plan, spec, as_at, updates, fmt, wanted, public))
            except Failed as failed:
                return Answer(failure=failed.failure)
        doc = appendix.build(plan, spec, as_at, updates, public)
        if quick(plan, doc, fmt):
            try:
                seconds = max(RENDER_INLINE_MAX_SECONDS * INLINE_FACTOR, 1)
                return Answer(rendering=_render(plan, doc, wanted, fmt, seconds, record=False))
            except limits.Exceeded as stop:
                if stop.reason != "time":  # out of memory or broken: no use trying again queued
                    return Answer(failure=_failed(plan, wanted, FORMATS[str(fmt)], stop))
    return Answer(task_id=str(render_requested.enqueue(*args).id))


@contextlib.contextmanager
def one_at_a_time(wanted):
    """One render of the document keyed ``wanted`` at a time across every app server: on
    PostgreSQL a transaction holding an advisory lock on the key, released when the render is
    kept (committed). SQLite, one process's embedded database, has none and needs none."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            lock = int.from_bytes(bytes.fromhex(wanted)[:8], "big", signed=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
        yield


def _queued(args):
    """The id of a render of the same document waiting or running on the database queue, or
    None."""
    found = live(render_requested).filter(args_kwargs__args=list(args)).first()
    return str(found.id) if found else None


def outcome(key_):
    """(Rendering, RenderFailure) made under ``key_`` (a finished task's return value): either
    may be None."""
    if not key_:
        return None, None
    return (
        Rendering.objects.filter(key=key_).first(),
        RenderFailure.objects.filter(key=key_).first(),
    )


def can_follow():
    """Whether the task queue can say how a task is going (the database queue can; a backend
    that runs tasks at once, or only records them, cannot)."""
    return render_requested.get_backend().supports_get_result


@task()
def render_requested(plan_id, layout_id, as_at, updates, fmt, public=False):
    """Render the document a clerk asked for, off the request (see views.appendices.progress)."""
    from .models import Layout

    plan = Plan.objects.get(pk=plan_id)
    layout = Layout.objects.filter(pk=layout_id).first() if layout_id else None
    day = dt.date.fromisoformat(as_at)
    spec = appendix.spec_for(plan, layout)
    try:
        return rendered(plan, spec, day, Updates.parse(updates), fmt, public=bool(public)).key
    except Failed as failed:
        return failed.failure.key  # kept; the progress page shows it (``outcome``)
