"""Appendices rendered once and served again at once.

A render is kept under a key that says exactly what was rendered: the plan's rows as they stood
(the moment of their last recorded change up to the as-at date), the layout as plain values, the
date and the update range. So a repeat download is served from the store, and a stored render is
never stale: any change to the plan, its owners or the layout makes a new key.

The current appendix of each plan (its default layout, today, the latest updates) is rendered
ahead, off the request, by a task on the shared database queue whenever the plan changes, so the
clerk who then asks for it does not wait (see signals.py).
"""

import dataclasses
import datetime as dt
import gc
import hashlib
import json
import time

from django.db import IntegrityError, transaction
from django.tasks import task
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from actionplans import snapshots
from actionplans.models import Plan

from . import appendix
from .fields import Updates
from .formats import FORMATS
from .models import Rendering

# Bump when a change to the document's template or rules changes what a render looks like.
RENDER_VERSION = 1
KEEP_PER_PLAN = 12
# A plan whose last render took longer than this is rendered off the request when the document
# asked for is not in the store, and the clerk is shown how it is going (reporting.views.progress).
RENDER_INLINE_MAX_SECONDS = 5.0


def key(plan, spec, as_at, updates, fmt=Rendering.Format.PDF):
    changed = snapshots.changed_at(plan, appendix.end_of(as_at))
    what = {
        "render": RENDER_VERSION,
        "plan": plan.pk,
        "layout": dataclasses.asdict(spec),
        "as_at": as_at.isoformat(),
        "updates": str(updates),
        "changed": changed.isoformat() if changed else None,
        "format": str(fmt),
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()


def _write(out, doc):
    # Rendering makes many short-lived objects and no cycles worth collecting mid-way: with the
    # collector off WeasyPrint is about an eighth faster here (bench/appendix.py).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return out.write(doc)
    finally:
        if enabled:
            gc.enable()


def rendered(plan, spec, as_at=None, updates=None, fmt=Rendering.Format.PDF, wanted=None):
    """The appendix as a stored Rendering (PDF, Word or Excel): from the store if this document
    was rendered before, else rendered now and kept. AppendixError for a date before the plan
    existed. ``wanted``: the key, when the caller already computed it (``stored``)."""
    as_at = as_at or timezone.localdate()
    updates = updates or Updates()
    wanted = wanted or key(plan, spec, as_at, updates, fmt)
    found = Rendering.objects.filter(key=wanted).first()
    if found is not None:
        return found
    doc = appendix.build(plan, spec, as_at, updates)
    out = FORMATS[str(fmt)]
    started = time.perf_counter()
    content = _write(out, doc)
    rendering = Rendering(
        plan=plan, key=wanted, format=out.key, file_name=appendix.file_name(doc, out.extension),
        content=content, seconds=round(time.perf_counter() - started, 3),
    )  # fmt: skip
    try:
        with transaction.atomic():
            rendering.save()
    except IntegrityError:  # another server or the worker rendered the same document meanwhile
        return Rendering.objects.get(key=wanted)
    _prune(plan)
    return rendering


def _prune(plan):
    old = Rendering.objects.filter(plan=plan).values_list("pk", flat=True)[KEEP_PER_PLAN:]
    Rendering.objects.filter(pk__in=list(old)).delete()


@task()
def render_current(plan_id):
    """Render a plan's current appendix ahead of the clerk (its default layout, today, latest)."""
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        return None
    try:
        return rendered(plan, appendix.spec_for(plan)).key
    except appendix.AppendixError:
        return None  # nothing to render yet (no recorded rows today)


def waiting(plan_id):
    """Whether a render of the plan's current appendix is queued and not yet started. Only the
    database queue can say; with another backend every change enqueues its own."""
    if not isinstance(render_current.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=render_current.module_path,
        args_kwargs__args=[plan_id],
    ).exists()  # fmt: skip


def stored(plan, spec, as_at, updates, fmt=Rendering.Format.PDF):
    """(key, the stored render of exactly this document or None): the key is passed on to
    ``rendered`` on a miss, so the plan's history is read once."""
    wanted = key(plan, spec, as_at, updates, fmt)
    return wanted, Rendering.objects.filter(key=wanted).first()


def last_seconds(plan):
    """How long the plan's last render took, for the clerk's estimate (None if never rendered)."""
    return Rendering.objects.filter(plan=plan).values_list("seconds", flat=True).first()


def slow(plan):
    """Too slow to render while the clerk's request waits (judged by its last render)."""
    return (last_seconds(plan) or 0) > RENDER_INLINE_MAX_SECONDS


def can_follow():
    """Whether the task queue can say how a task is going (the database queue can; a backend
    that runs tasks at once, or only records them, cannot)."""
    return render_requested.get_backend().supports_get_result


@task()
def render_requested(plan_id, layout_id, as_at, updates, fmt):
    """Render the document a clerk asked for, off the request (see reporting.views.progress)."""
    from .models import Layout

    plan = Plan.objects.get(pk=plan_id)
    layout = Layout.objects.filter(pk=layout_id).first() if layout_id else None
    day = dt.date.fromisoformat(as_at)
    spec = appendix.spec_for(plan, layout)
    return rendered(plan, spec, day, Updates.parse(updates), fmt).key
