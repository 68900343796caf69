"""When a plan changes, its current appendix is rendered again ahead of the clerk.

One task per plan per transaction, enqueued when the transaction commits (so the worker reads
what was saved), and none while one for the plan is still waiting its turn: that one renders the
plan as it stands when it runs, so an afternoon of updates is not an afternoon of renders. The
task renders only if no render of the plan as it now stands exists.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

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


def _plan_of(model, pk, path="plan_id"):
    return model.objects.filter(pk=pk).values_list(path, flat=True).first()


def _plan_id(instance):
    """The plan a saved or deleted object belongs to (one small query at most)."""
    if isinstance(instance, Plan):
        return instance.pk
    if isinstance(instance, (Section, Recommendation, Measure)):
        return instance.plan_id
    if isinstance(instance, Action):
        if Action.recommendation.is_cached(instance):  # loaded with it: no query on the save
            return instance.recommendation.plan_id
        return _plan_of(Recommendation, instance.recommendation_id)
    if isinstance(instance, Reading):
        return _plan_of(Measure, instance.measure_id)
    if isinstance(instance, ProgressUpdate) and instance.recommendation_id:
        return _plan_of(Recommendation, instance.recommendation_id)
    if isinstance(instance, ProgressUpdate) and ProgressUpdate.action.is_cached(instance):
        return _plan_id(instance.action)
    if isinstance(instance, (ProgressUpdate, ActionOwner)):
        return _plan_of(Action, instance.action_id, "recommendation__plan_id")
    return None


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
    plan_id = _plan_id(instance)
    if plan_id is None:
        return
    connection = transaction.get_connection()
    # Once per plan per transaction: a callback already waiting for this commit will do.
    # (Django keeps them as (savepoint ids, callback, robust); a rollback drops them.)
    if any(
        isinstance(callback, _Enqueue) and callback.plan_id == plan_id
        for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Enqueue(plan_id))


def connect():
    for model in (Plan, Section, Recommendation, Action, ActionOwner, ProgressUpdate, Measure,
                  Reading):  # fmt: skip
        post_save.connect(plan_changed, sender=model, dispatch_uid=f"render-{model.__name__}")
        post_delete.connect(plan_changed, sender=model, dispatch_uid=f"render-del-{model.__name__}")
