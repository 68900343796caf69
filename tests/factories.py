import datetime as dt

import factory
from django.contrib.auth import get_user_model

from actionplans.models import (
    Action,
    Measure,
    Owner,
    Plan,
    ProgressUpdate,
    Reading,
    Recommendation,
    Section,
)
from inspections.models import Finding, Inspection


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    inspectorate = "Ofsted"
    kind = Inspection.Kind.UNANNOUNCED
    title = factory.Sequence(lambda n: f"Inspection {n}")
    organisation = "Example Council"
    started_on = dt.date(2012, 7, 2)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    inspection = factory.SubFactory(InspectionFactory)
    kind = Finding.Kind.RECOMMENDATION
    reference = factory.Sequence(str)
    text = "Improve the quality of plans."


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Owner

    name = factory.Sequence(lambda n: f"Officer {n}")
    organisation = "Example Council"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    title = factory.Sequence(lambda n: f"Improvement plan {n}")
    organisation = "Example Council"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    plan = factory.SubFactory(PlanFactory)
    title = "Immediate"


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    plan = factory.SubFactory(PlanFactory)
    section = factory.SubFactory(SectionFactory, plan=factory.SelfAttribute("..plan"))
    reference = factory.Sequence(lambda n: f"CP{n}")
    text = "Improve the consistency of referrals."


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    recommendation = factory.SubFactory(RecommendationFactory)
    text = "Refresh the referral form."
    planned_completion_text = "Nov 12"
    planned_completion_date = dt.date(2012, 11, 30)
    # As every way of adding an action keeps it (Action.derive_planned_completion_date).
    first_planned_completion_text = factory.SelfAttribute("planned_completion_text")
    first_planned_completion_date = factory.SelfAttribute("planned_completion_date")
    status = Action.Status.UNDERWAY

    @factory.post_generation
    def owners(self, create, extracted, **kwargs):
        if create and extracted:
            self.owners.set(extracted)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    action = factory.SubFactory(ActionFactory)
    written_on = dt.date(2012, 10, 18)
    text = "Work has started."


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    plan = factory.SubFactory(PlanFactory)
    name = "Timely assessments"
    unit = Measure.Unit.PERCENT


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    measure = factory.SubFactory(MeasureFactory)
    value = 50


def published_directly(report, *, actor, pdf=b"%PDF-1.7\n% a test pack\n%%EOF\n"):
    """``report`` published with ``pdf`` as its pack, without rendering one (seconds each): for
    tests of who may reach a published pack, not of how it is made (tests/test_committees.py
    publishes through the service)."""
    from django.utils import timezone

    from reporting import packs
    from reporting.models import CommitteeReport, PublishedPack

    now = timezone.now()
    PublishedPack.objects.create(
        report=report,
        pdf=pdf,
        sha256=packs.digest(pdf),
        # What publishing records of each appendix (its settings; the layout's name aside).
        appendices=[
            {"title": item.title, "settings": item.render_settings}
            for item in report.appendices.all()
        ],
        published_at=now,
        published_by=actor,
    )
    CommitteeReport.objects.filter(pk=report.pk).update(
        status=CommitteeReport.Status.PUBLISHED, published_at=now, version=report.version + 1
    )
    report.refresh_from_db()
    return report
