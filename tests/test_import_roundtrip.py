"""Every demo plan exported (.xlsx and .csv) and imported back is the same plan."""

import pytest

from actionplans.models import Plan
from importers import export, service

from .conftest import person

pytestmark = pytest.mark.django_db


def shape(plan):
    """Sections, recommendations, actions, owners, dates and updates, in order."""
    out = []
    for section in plan.sections.order_by("order", "pk"):
        recs = []
        for rec in plan.recommendations.filter(section=section).order_by("order", "pk"):
            actions = [
                (
                    a.text,
                    [o.name for o in a.ordered_owners],
                    a.planned_completion_text,
                    a.planned_completion_date,
                    a.status,
                    a.performance_indicator,
                    a.target,
                    [
                        (u.written_on, u.period_label, u.text)
                        for u in a.updates.filter(kind="update").order_by("written_on", "pk")
                    ],
                )
                for a in rec.actions.order_by("order", "pk")
            ]
            recs.append((rec.reference, rec.text, actions))
        out.append((section.title, recs))
    return out


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_demo_plan_round_trips(demo_plans, fmt):
    plans = list(Plan.objects.order_by("pk"))
    assert plans
    for plan in plans:
        user, _ = person(f"importer_{fmt}_{plan.pk}", "Manager", organisation=plan.organisation)
        data = export.write(export.plan_rows(plan), fmt)
        result = service.preview_file(
            f"plan.{fmt}", data, organisation=plan.organisation, title=plan.title + " (imported)"
        )
        assert not result.blocking, [str(p) for p in result.blocking]
        imported = service.confirm(result, actor=user, organisation=plan.organisation)
        assert shape(imported) == shape(plan), plan.title
