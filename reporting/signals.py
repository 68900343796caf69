"""When a plan changes, its current appendix is rendered again ahead of the clerk.

Which plans a change changes is the one registry's to say (actionplans.changes), as it is for the
pages kept and the render store's key; reporting adds its own models to it here (a layout changes
the appendices of the plans published in it), since nothing in actionplans imports reporting.

One task per plan per transaction, enqueued when the transaction commits (so the worker reads
what was saved) to run RENDER_AHEAD_AFTER later, and none while one for the plan is still
waiting its turn: that one renders the plan as it stands when it runs, so an afternoon of
updates is not an afternoon of renders, and a plan being written to is rendered ahead at most
once in that time, not after each write (issue 28: under a full office's writes, rendering
ahead took a third of the machine's CPU). The
task renders only if no render of the plan as it now stands exists (a change that may show on
every plan, such as an owner's name, queues each, and most find their render still good).
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from actionplans import changes
from actionplans.models import Plan

from .models import (
    CommitteeReport,
    GovernanceBody,
    Layout,
    LayoutColumn,
    Meeting,
    PlanLayout,
    PublishedPack,
    ReportAppendix,
    ReportRecommendation,
    ReportSection,
)


class _Enqueue:
    """Enqueue the render of one plan's current appendix (an on-commit callback)."""

    def __init__(self, plan_id):
        self.plan_id = plan_id

    def __call__(self):
        from .renders import RENDER_AHEAD_AFTER, render_current, waiting

        if not waiting(self.plan_id):
            task = render_current
            if task.get_backend().supports_defer:
                task = task.using(run_after=timezone.now() + RENDER_AHEAD_AFTER)
            task.enqueue(self.plan_id)


def plans_changed(plan_ids, *, outline=True):  # an appendix shows progress and outline alike
    if plan_ids is changes.EVERY:
        plan_ids = Plan.objects.values_list("pk", flat=True)
    connection = transaction.get_connection()
    waiting = {
        callback.plan_id
        for _, callback, _ in connection.run_on_commit
        if isinstance(callback, _Enqueue)
    }
    # Once per plan per transaction: a callback already waiting for this commit will do.
    # (Django keeps them as (savepoint ids, callback, robust); a rollback drops them.)
    for plan_id in plan_ids:
        if plan_id not in waiting:
            waiting.add(plan_id)
            transaction.on_commit(_Enqueue(plan_id))


def _layout_plans(layout_id):
    """The plans whose current appendix is in the layout (appendix.default_layout): those that
    chose it, and those of its title without a choice, of its council (or any, for a preset)."""
    layout = Layout.objects.filter(pk=layout_id).first()
    chose = Q(default_layout__layout_id=layout_id)
    if layout is not None and layout.applies_to_title:
        by_title = Q(title=layout.applies_to_title, default_layout__isnull=True)
        if layout.organisation:
            by_title &= Q(organisation=layout.organisation)
        chose |= by_title
    return list(Plan.objects.filter(chose).values_list("pk", flat=True).distinct())


def connect():
    # A layout is in the render key as its values (renders.key), not through its history.
    changes.register(Layout, lambda layout: _layout_plans(layout.pk))
    changes.register(LayoutColumn, lambda column: _layout_plans(column.layout_id))
    changes.register(PlanLayout, lambda chosen: [chosen.plan_id])
    # A committee report is no plan's page or appendix: its pack is kept under its own key
    # (packs.key, holding its appendices' keys) and rendered ahead by its own services. Nor is a
    # governance body or meeting (a report copies its body's name and date onto its cover).
    for model in (
        GovernanceBody,
        Meeting,
        CommitteeReport,
        ReportRecommendation,
        ReportSection,
        ReportAppendix,
        PublishedPack,
    ):
        changes.register(model, changes.no_plan)
    changes.watch(plans_changed)
    # The demo's committees, once importers.demo has loaded its plans (it may not import us).
    from core import demo

    from .demo import on_demo_loaded

    demo.loaded.connect(on_demo_loaded, dispatch_uid="reporting-demo-committees")
