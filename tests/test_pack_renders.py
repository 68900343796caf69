"""No wait without a word: a committee pack is rendered on the queue, never in the clerk's
request, within the render limits; its download answers the progress page at once and serves the
PDF once it is made; publishing renders and freezes on the queue, says what it is doing, and
publishes once however often it is asked."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError
from django.tasks import default_task_backend
from django.urls import reverse
from django.utils import timezone

from actionplans import workflow
from reporting import limits, pack_renders, packs, renders, services
from reporting.models import CommitteeReport, PackPublishing, PackRendering, PublishedPack

from .test_packs import COVER, RECS, SECTIONS, queue, read, run_queued, settings_for  # noqa: F401
from .test_renders import run_queued as run_database_queue

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def counted(monkeypatch):
    """Each render's child process started (a pack's or an appendix's), counted here."""
    calls = []
    real = limits.run

    def run(function, *args, **kwargs):
        calls.append(function.__name__)
        return real(function, *args, **kwargs)

    monkeypatch.setattr(limits, "run", run)
    return calls


@pytest.fixture
def pack_report(world):
    """A draft report of both plans, for a meeting still to come."""
    report = services.report_create(
        {**COVER, "meeting_date": TODAY},
        actor=world.clerk,
        organisation="Example Council",
        recommendations=RECS,
        sections=SECTIONS,
    )
    for plan in (world.plan, world.other_plan):
        services.appendix_add(report, actor=world.clerk, plan=plan, settings=settings_for(plan))
    report.refresh_from_db()
    default_task_backend.clear()
    return report


def queued(name):
    return [r.args for r in default_task_backend.results if r.task.name == name]


def urls(report):
    return {
        name: reverse(f"report_{name}", args=[report.pk])
        for name in ("download", "pack_progress", "publish", "detail", "edit")
    }


def test_the_download_answers_the_progress_page_at_once_then_serves_the_pdf(
    client, world, pack_report, counted
):
    url = urls(pack_report)
    client.force_login(world.clerk)
    response = client.get(url["download"])
    assert response.status_code == 302 and response["Location"] == url["pack_progress"]
    assert counted == []  # nothing rendered while the clerk waited
    assert queued("render_pack") == [[pack_report.pk, packs.key(pack_report)]]
    page = client.get(url["pack_progress"]).content.decode()
    assert "Preparing the pack" in page and "Check again" in page
    assert f'href="{url["pack_progress"]}"' in page  # "Check again" reloads it: no timed refresh
    assert queued("render_pack") == [[pack_report.pk, packs.key(pack_report)]]  # looked at: no more

    run_queued("render_pack")
    assert counted == ["_write_pack"]
    page = client.get(url["pack_progress"]).content.decode()
    assert "Your pack is ready" in page and f'href="{url["download"]}"' in page
    response = client.get(url["download"])
    assert response["Content-Type"] == "application/pdf"
    _, pages = read(response.content)
    text = " ".join(pages)
    assert COVER["subject"] in text and "Appendix B" in text and world.elsewhere.text[:30] in text
    assert counted == ["_write_pack"] and queued("render_pack") == []  # served from the store


def test_a_change_to_the_report_or_a_plan_in_it_is_a_new_pack(client, world, pack_report):
    first = packs.key(pack_report)
    services.report_edit(
        pack_report,
        actor=world.clerk,
        version=pack_report.version,
        values={**COVER, "wards": "Abbey"},
        recommendations=RECS,
        sections=SECTIONS,
    )
    pack_report.refresh_from_db()
    second = packs.key(pack_report)
    workflow.progress_add(
        world.elsewhere, author=world.other_officer, written_on=TODAY, text="A fresh update."
    )
    third = packs.key(pack_report)
    assert len({first, second, third}) == 3
    # A plan that is not in the pack changes nothing.
    from .factories import PlanFactory

    PlanFactory(organisation="Example Council", title="Another plan")
    assert packs.key(pack_report) == third


def test_a_pack_that_runs_out_of_time_is_kept_and_shown_with_what_to_do(
    client, world, pack_report, counted, settings
):
    settings.RENDER_TIMEOUT_SECONDS = 0.01
    url = urls(pack_report)
    client.force_login(world.clerk)
    client.get(url["download"])
    run_queued("render_pack")
    failure = PackRendering.objects.get(report=pack_report)
    assert failure.reason == "time" and failure.pdf is None
    page = client.get(url["pack_progress"]).content.decode()
    assert "The pack could not be made" in page and "in 0.01 seconds" in page
    assert "Shorten that text" in page and "Try again" in page
    # Not tried again on each click: the download shows the failure, and queues nothing.
    assert client.get(url["download"])["Location"] == url["pack_progress"]
    assert queued("render_pack") == [] and counted == ["_write_pack"]
    # "Try again" forgets it: the next download is rendered again.
    settings.RENDER_TIMEOUT_SECONDS = 60
    response = client.post(url["download"])
    assert response["Location"] == url["download"]
    assert not PackRendering.objects.filter(report=pack_report).exists()
    client.get(url["download"])
    run_queued("render_pack")
    assert client.get(url["download"])["Content-Type"] == "application/pdf"


def test_an_appendix_that_cannot_be_made_is_named(client, world, pack_report):
    pack_report.appendices.filter(order=0).update(
        render_settings={**settings_for(world.plan).dump(), "as_at": "2001-01-01"}
    )
    client.force_login(world.clerk)
    client.get(urls(pack_report)["download"])
    run_queued("render_pack")
    page = client.get(urls(pack_report)["pack_progress"]).content.decode()
    assert "The pack could not be made" in page and "Appendix A:" in page
    assert "had not been recorded yet" in page and "Change that appendix" in page
    # A plan that is gone: said on the report page, nothing queued.
    gone = {**settings_for(world.plan).dump(), "plan": 999_999}
    pack_report.appendices.filter(order=0).update(render_settings=gone)
    for name in ("download", "pack_progress"):
        response = client.get(urls(pack_report)[name], follow=True)
        assert "Appendix A: its plan no longer exists." in response.content.decode()
    assert queued("render_pack") == []


def test_a_draft_pack_is_rendered_ahead_when_it_or_a_plan_in_it_changes(
    world, pack_report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.appendix_move(pack_report.appendices.last(), actor=world.clerk, up=True)
    assert queued("render_pack") == [[pack_report.pk, None]]
    run_queued("render_pack")
    assert PackRendering.objects.get(report=pack_report).key == packs.key(pack_report)
    # A plan in it changes: its render ahead queues the packs for meetings still to come.
    past = services.report_create(COVER, actor=world.clerk, organisation="Example Council")
    services.appendix_add(  # a report of a meeting in 2011
        past, actor=world.clerk, plan=world.plan, settings=settings_for(world.plan)
    )
    default_task_backend.clear()
    renders.render_current.call(world.plan.pk)
    assert queued("render_pack") == [[pack_report.pk, None]]
    # Nothing changed since it was rendered: the task finds it kept and renders nothing.
    assert run_queued("render_pack") == [packs.key(pack_report)]
    assert PackRendering.objects.filter(report=pack_report).count() == 1


def test_publishing_is_done_on_the_queue_says_what_it_is_doing_and_happens_once(
    client, world, pack_report, counted
):
    url = urls(pack_report)
    client.force_login(world.clerk)
    response = client.post(url["publish"], {"version": pack_report.version})
    assert response["Location"] == url["publish"] and counted == []
    page = client.get(url["publish"]).content.decode()
    assert "Publishing: rendering the pack…" in page and "Check again" in page
    detail = client.get(url["detail"]).content.decode()
    assert "Publishing: rendering the pack…" in detail and "Publish the pack</button>" not in detail
    # Pressed again: nothing more is queued. Meanwhile the report cannot be changed.
    assert client.post(url["publish"], {"version": pack_report.version}).status_code == 302
    assert queued("publish_pack") == [[pack_report.pk]]
    response = client.get(url["edit"], follow=True)
    assert "is being published" in response.content.decode()
    with pytest.raises(services.ReportBeingPublished):
        services.appendix_move(pack_report.appendices.last(), actor=world.clerk, up=True)

    assert run_queued("publish_pack") == ["published"]
    assert counted == ["_write_pack"]
    page = client.get(url["publish"]).content.decode()
    assert "The pack has been published" in page and "Download the published PDF" in page
    frozen = PublishedPack.objects.get(report=pack_report)
    assert client.get(url["download"]).content == bytes(frozen.pdf)
    assert not PackPublishing.objects.exists() and not PackRendering.objects.exists()
    # Pressed once more after it was done, or its task run twice: still published once.
    assert client.post(url["publish"], {"version": 1})["Location"] == url["publish"]
    assert pack_renders.publish_pack.call(pack_report.pk) is None
    assert PublishedPack.objects.count() == 1
    published = pack_report.history.filter(history_change_reason="Committee report published")
    assert published.count() == 1


def test_publishing_freezes_the_pack_rendered_ahead(client, world, pack_report, counted):
    client.force_login(world.clerk)
    client.get(urls(pack_report)["download"])
    run_queued("render_pack")
    rendered = bytes(client.get(urls(pack_report)["download"]).content)
    client.post(urls(pack_report)["publish"], {"version": pack_report.version})
    run_queued("publish_pack")
    assert counted == ["_write_pack"]  # not rendered again
    assert bytes(PublishedPack.objects.get(report=pack_report).pdf) == rendered
    frozen = PublishedPack.objects.get(report=pack_report).appendices
    assert [a["label"] for a in frozen] == ["Appendix A", "Appendix B"]


def test_a_publication_that_fails_says_why_and_the_report_can_be_changed_again(
    client, world, pack_report, settings
):
    settings.RENDER_TIMEOUT_SECONDS = 0.01
    url = urls(pack_report)
    client.force_login(world.clerk)
    client.post(url["publish"], {"version": pack_report.version})
    assert run_queued("publish_pack") == ["failed"]
    page = client.get(url["publish"]).content.decode()
    assert "The pack was not published" in page and "could not be made in 0.01 seconds" in page
    detail = client.get(url["detail"]).content.decode()
    assert "The pack was not published" in detail and "Publish the pack</button>" in detail
    assert client.get(url["edit"]).status_code == 200
    # Publishing again is asked deliberately: the failure kept for the pack is tried again.
    settings.RENDER_TIMEOUT_SECONDS = 60
    client.post(url["publish"], {"version": pack_report.version})
    assert run_queued("publish_pack") == ["published"]


def test_a_publish_task_that_finds_its_pack_published_meanwhile_says_published(
    world, pack_report, monkeypatch
):
    """Two workers render the same pack; the other one keeps it first and publishes it, which
    drops the drafts' renders, before this one looks for the render it lost the race to."""
    services.report_publish_ask(pack_report, actor=world.clerk, version=pack_report.version)
    real_save = PackRendering.save

    def other_task_first(rendering, *args, **kwargs):
        monkeypatch.setattr(PackRendering, "save", real_save)
        services.report_publish(pack_report, actor=world.clerk, version=pack_report.version)
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(PackRendering, "save", other_task_first)
    assert services.report_publish_asked(pack_report.pk) == "published"
    assert PublishedPack.objects.filter(report=pack_report).count() == 1


def test_a_publication_whose_worker_died_is_said_to_have_stopped(client, world, pack_report):
    url = urls(pack_report)
    client.force_login(world.clerk)
    client.post(url["publish"], {"version": pack_report.version})
    PackPublishing.objects.update(requested_at=timezone.now() - dt.timedelta(hours=1))
    page = client.get(url["publish"]).content.decode()
    assert "Publishing stopped without finishing" in page
    assert client.get(url["edit"]).status_code == 200  # no longer held
    client.post(url["publish"], {"version": pack_report.version})
    assert len(queued("publish_pack")) == 2  # asked again
    assert run_queued("publish_pack") == ["published", None]


def test_publishing_a_changed_report_is_refused(client, world, pack_report):
    client.force_login(world.clerk)
    url = urls(pack_report)
    response = client.post(url["publish"], {"version": pack_report.version - 1}, follow=True)
    assert "Someone changed this report" in response.content.decode()
    assert queued("publish_pack") == [] and not PackPublishing.objects.exists()
    assert client.get(url["publish"])["Location"] == url["detail"]  # nothing asked: the report


def test_on_the_database_queue_the_page_says_how_it_is_going(client, world, pack_report, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    url = urls(pack_report)
    client.force_login(world.clerk)
    client.get(url["download"])
    client.get(url["download"])  # asked twice: queued once
    tasks = DBTaskResult.objects.filter(task_path=pack_renders.render_pack.module_path)
    assert tasks.count() == 1
    page = client.get(url["pack_progress"]).content.decode()
    assert "waiting its turn, since" in page
    # A render lost with its worker: looking at the page asks for it again.
    tasks.delete()
    client.get(url["pack_progress"])
    assert tasks.count() == 1
    run_database_queue()
    assert client.get(url["download"])["Content-Type"] == "application/pdf"
    # Publishing on the database queue: one task, however often it is asked.
    client.post(url["publish"], {"version": pack_report.version})
    client.post(url["publish"], {"version": pack_report.version})
    published = DBTaskResult.objects.filter(task_path=pack_renders.publish_pack.module_path)
    assert published.count() == 1
    assert "waiting its turn" in client.get(url["publish"]).content.decode()
    run_database_queue()
    assert CommitteeReport.objects.get(pk=pack_report.pk).is_published


def test_the_pack_links_open_the_progress_page_not_a_file(client, world, pack_report):
    """A link with the ``download`` attribute would save the progress page as the PDF's file."""
    client.force_login(world.clerk)
    download = urls(pack_report)["download"]
    for name in ("report_detail", "report_preview"):
        page = client.get(reverse(name, args=[pack_report.pk])).content.decode()
        links = re.findall(rf'<a [^>]*href="{re.escape(download)}"[^>]*>', page)
        assert links and not any(re.search(r"\sdownload[\s>=]", link) for link in links), name


def test_a_pack_that_breaks_is_kept_as_a_failure_not_queued_again(
    client, world, pack_report, monkeypatch
):
    def broken(report):
        raise RuntimeError("a bug")

    monkeypatch.setattr(packs, "build", broken)
    client.force_login(world.clerk)
    client.get(urls(pack_report)["download"])
    run_queued("render_pack")
    failure = PackRendering.objects.get(report=pack_report)
    assert failure.reason == "error" and "RuntimeError: a bug" in failure.detail
    page = client.get(urls(pack_report)["pack_progress"]).content.decode()
    assert "something went wrong" in page and "tell your administrator" in page
    assert "a bug" not in page  # the detail is for an administrator (the error log)
    client.get(urls(pack_report)["download"])
    assert queued("render_pack") == []
