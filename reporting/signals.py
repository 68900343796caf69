"""When a plan changes, its current appendix is rendered again ahead of the clerk.

One task per plan per transaction, enqueued when the transaction commits (so the worker reads
what was saved), and none while one for the plan is still waiting its turn: that one renders the
plan as it stands when it runs, so an afternoon of updates is not an afternoon of renders. The
task renders only if no render of the plan as it now stands exists.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from actionplans import snapshots
from actionplans.models import (
    Action,
    ActionOwner,
    Measure,
    Plan,
    ProgressUpdate,
    Reading,
    Recommendation,
    Section,
)


class _Enqueue:
    """Enqueue the render of one plan's current appendix (an on-commit callback)."""

    def __init__(self, plan_id):
        self.plan_id = plan_id

    def __call__(self):
        from .renders import render_current, waiting

        if not waiting(self.plan_id):
            render_current.enqueue(self.plan_id)


def plan_changed(sender, instance, **kwargs):
    if kwargs.get("raw"):  # loaddata (restore_data): the rows are put back, nothing changed
        return
    connection = transaction.get_connection()
    for plan_id in snapshots.plans_changed_by(instance) or []:
        # Once per plan per transaction: a callback already waiting for this commit will do.
        # (Django keeps them as (savepoint ids, callback, robust); a rollback drops them.)
        if not any(
            isinstance(callback, _Enqueue) and callback.plan_id == plan_id
            for _, callback, _ in connection.run_on_commit
        ):
            transaction.on_commit(_Enqueue(plan_id))


def connect():
    for model in (Plan, Section, Recommendation, Action, ActionOwner, ProgressUpdate, Measure,
                  Reading):  # fmt: skip
        post_save.connect(plan_changed, sender=model, dispatch_uid=f"render-{model.__name__}")
        post_delete.connect(plan_changed, sender=model, dispatch_uid=f"render-del-{model.__name__}")
