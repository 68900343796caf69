"""Every write of the reporting app: named, with the actor and a reason kept in history."""

from django.db import transaction

from actionplans.services import Refused

from .models import Layout, LayoutColumn, PlanLayout

LAYOUT_FIELDS = [
    "name", "running_heading", "title_block", "preamble", "include_introduction",
    "group_sections", "span_recommendations", "bold_complete", "complete_word", "rag_display",
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


@transaction.atomic
def layout_create(actor, values, columns):
    layout = Layout(**{k: values[k] for k in LAYOUT_FIELDS if k in values})
    layout._history_user, layout._change_reason = actor, "Layout created"
    layout.full_clean()
    layout.save()
    _columns_replace(actor, layout, columns, "Layout created")
    return layout


@transaction.atomic
def layout_edit(actor, layout, version, values, columns):
    """Change the layout's settings and columns, unless it changed since ``version`` was read."""
    current = Layout.objects.select_for_update().get(pk=layout.pk)
    if current.version != version:
        raise StaleLayout(current)
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
    """Make ``layout`` the plan's default for its appendix."""
    choice = PlanLayout.objects.select_for_update().filter(plan=plan).first() or PlanLayout(
        plan=plan
    )
    choice.layout = layout
    choice._history_user, choice._change_reason = actor, f"Default appendix layout: {layout}"
    choice.save()
    return choice
