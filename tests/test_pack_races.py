""" "Publish the pack" pressed twice at once (two clerks, or a double click), as two real clients
in two threads on PostgreSQL, on the database queue: it is asked once, queued once, published
once; and two publish tasks run at once (two workers) still publish it once."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reporting import pack_renders, services
from reporting.models import CommitteeReport, PackPublishing, PublishedPack

from .test_packs import COVER, RECS, SECTIONS, settings_for
from .test_races import signed_in, together
from .test_renders import run_queued

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent connections: PostgreSQL"
)
ROUNDS = 4


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def draft(world, n):
    report = services.report_create(
        {**COVER, "agenda_item": str(n)},
        actor=world.clerk,
        organisation="Example Council",
        recommendations=RECS,
        sections=SECTIONS,
    )
    services.appendix_add(
        report,
        actor=world.clerk,
        plan=world.plan,
        settings=settings_for(world.plan, as_at=timezone.localdate()),
    )
    report.refresh_from_db()
    return report


def failures(report):
    """Why publishing failed, for the assertion's message."""
    from reporting.models import PackRendering

    return list(PackPublishing.objects.filter(report=report).values_list("failure", flat=True)) + [
        r.detail[-500:] for r in PackRendering.objects.filter(report=report).exclude(reason="")
    ]


def publish_tasks(report):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=pack_renders.publish_pack.module_path, args_kwargs__args=[report.pk]
    )


def test_publish_pressed_twice_at_once_is_published_once(committed_world, database_queue):
    world = committed_world
    for round_ in range(ROUNDS):
        report = draft(world, round_)
        url = reverse("report_publish", args=[report.pk])
        data = {"version": report.version}
        clerk, manager = signed_in(world.clerk), signed_in(world.admin)
        answers = together(
            lambda c=clerk, u=url, d=data: c.post(u, d),
            lambda c=manager, u=url, d=data: c.post(u, d),
        )
        assert [a.status_code for a in answers] == [302, 302], answers
        assert all(a["Location"] == url for a in answers)  # both shown how it is going
        assert publish_tasks(report).count() == 1, f"round {round_}: queued twice"
        assert PackPublishing.objects.filter(report=report).count() == 1
        page = clerk.get(url).content.decode()
        assert "Publishing: rendering the pack…" in page
        run_queued()
        assert CommitteeReport.objects.get(pk=report.pk).is_published, failures(report)
        assert PublishedPack.objects.filter(report=report).count() == 1
        assert "The pack has been published" in clerk.get(url).content.decode()


def test_two_publish_tasks_at_once_publish_once(committed_world, database_queue):
    """Two workers each running a publish task of the same report (a task queued again by
    hand, say): each renders or finds the pack, then locks the report and checks; one freezes."""
    world = committed_world
    report = draft(world, 99)
    services.report_publish_ask(report, actor=world.clerk, version=report.version)
    outcomes = together(
        lambda: services.report_publish_asked(report.pk),
        lambda: services.report_publish_asked(report.pk),
    )
    assert sorted(str(o) for o in outcomes) in (
        ["None", "published"],
        ["published", "published"],
    ), failures(report)
    assert PublishedPack.objects.filter(report=report).count() == 1
    history = CommitteeReport.history.filter(
        id=report.pk, history_change_reason="Committee report published"
    )
    assert history.count() == 1
