"""Appendices rendered once and served again: the store, its key, rendering ahead on a change."""

import datetime as dt

import pytest
from django.db import transaction
from django.tasks import default_task_backend
from django.urls import reverse
from django.utils import timezone

from actionplans import workflow
from reporting import appendix, limits, renders
from reporting.fields import Updates
from reporting.models import Layout, LayoutColumn, Rendering

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def counted(monkeypatch):
    """How many times a document was laid out and written: each render's child process started,
    counted here (what the child does is not seen by this process)."""
    calls = []
    real = limits.run

    def run(function, out, doc, **kwargs):
        calls.append(doc.plan.pk)
        return real(function, out, doc, **kwargs)

    monkeypatch.setattr(limits, "run", run)
    return calls


@pytest.fixture
def aged(world):
    """The world's records dated ten days back, so the plan has a yesterday."""
    from django.apps import apps
    from django.db.models import F

    for model in apps.get_app_config("actionplans").get_models():
        if model.__name__.startswith("Historical") and hasattr(model, "history_date"):
            model.objects.update(history_date=F("history_date") - dt.timedelta(days=10))
    return world


def download(client, plan, **params):
    query = {"as_at": TODAY.isoformat(), "updates": "latest", **params}
    return client.get(reverse("appendix_download", args=[plan.pk]), query)


def test_a_repeat_download_is_served_from_the_store(client, world, counted):
    client.force_login(world.clerk)
    first = download(client, world.plan)
    second = download(client, world.plan)
    assert first.content == second.content and first.content.startswith(b"%PDF")
    assert len(counted) == 1
    assert Rendering.objects.filter(plan=world.plan).count() == 1
    assert second["Content-Disposition"] == first["Content-Disposition"]


def test_a_change_to_the_plan_is_never_served_stale(client, aged, counted):
    world = aged
    client.force_login(world.clerk)
    before = download(client, world.plan)
    yesterday = download(client, world.plan, as_at=(TODAY - dt.timedelta(days=1)).isoformat())
    workflow.progress_add(
        world.own, author=world.officer, written_on=TODAY, text="A fresh update, today."
    )
    after = download(client, world.plan)
    assert before.content != after.content
    assert len(counted) == 3
    # The plan as it stood yesterday has not changed: that render is served again.
    again = download(client, world.plan, as_at=(TODAY - dt.timedelta(days=1)).isoformat())
    assert again.content == yesterday.content and len(counted) == 3


def test_a_change_of_layout_or_range_is_a_different_document(world, counted):
    layout = Layout.objects.create(name="Short", running_heading="Appendix Z")
    LayoutColumn.objects.create(layout=layout, order=0, heading="Ref", field="reference", width=5)
    spec = appendix.spec_for(world.plan, layout)
    renders.rendered(world.plan, spec, TODAY, Updates())
    renders.rendered(world.plan, spec, TODAY, Updates("all"))
    column = layout.columns.get()
    column.heading = "Reference"
    column.save()
    renders.rendered(world.plan, appendix.spec_for(world.plan, layout), TODAY, Updates())
    assert len(counted) == 3
    renders.rendered(world.plan, appendix.spec_for(world.plan, layout), TODAY, Updates())
    assert len(counted) == 3


def test_a_change_enqueues_one_render_per_plan_when_it_commits(committed_world):
    world = committed_world
    default_task_backend.clear()
    with transaction.atomic():
        workflow.progress_add(world.own, author=world.officer, written_on=TODAY, text="One.")
        workflow.progress_add(world.via_team, author=world.officer, written_on=TODAY, text="Two.")
        assert default_task_backend.results == []  # nothing before the commit
    enqueued = [(r.task.name, r.args) for r in default_task_backend.results]
    assert enqueued == [("render_current", [world.plan.pk])]
    # A rolled-back change enqueues nothing.
    default_task_backend.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.progress_add(world.own, author=world.officer, written_on=TODAY, text="Gone.")
        raise RuntimeError
    assert default_task_backend.results == []


def test_changes_while_a_render_waits_its_turn_add_no_other(committed_world, settings):
    """On the database queue, one waiting render of a plan is enough: it renders the plan as it
    stands when it runs. Once it has started, the next change queues another."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    world = committed_world

    def queued():
        return sorted(
            r.args_kwargs["args"][0]
            for r in DBTaskResult.objects.filter(
                status="READY", task_path=renders.render_current.module_path
            )
        )

    for text in ("One.", "Two.", "Three."):  # each its own transaction, as three requests
        workflow.progress_add(world.own, author=world.officer, written_on=TODAY, text=text)
    workflow.progress_add(world.elsewhere, author=world.other_officer, written_on=TODAY, text="4")
    assert queued() == sorted([world.plan.pk, world.other_plan.pk])
    # Each waits RENDER_AHEAD_AFTER (a plan being written to is not rendered after each write),
    # and the worker leaves it until then.
    waiting = DBTaskResult.objects.filter(status="READY")
    soonest = timezone.now() + renders.RENDER_AHEAD_AFTER - dt.timedelta(seconds=10)
    assert all(r.run_after and r.run_after > soonest for r in waiting)
    run_queued()
    assert queued() == sorted([world.plan.pk, world.other_plan.pk])
    waiting.update(run_after=timezone.now())  # the time passed
    run_queued()
    assert queued() == []
    workflow.progress_add(world.own, author=world.officer, written_on=TODAY, text="Five.")
    assert queued() == [world.plan.pk]


def test_the_task_renders_the_current_appendix_that_the_clerk_then_gets_at_once(
    client, world, counted
):
    assert renders.render_current.call(world.plan.pk)
    assert len(counted) == 1
    client.force_login(world.clerk)
    response = download(client, world.plan)
    assert response.content.startswith(b"%PDF") and len(counted) == 1
    # A plan that no longer exists is nothing to render.
    assert renders.render_current.call(999_999) is None


def test_the_store_keeps_only_the_latest_renders_of_a_plan(aged, monkeypatch):
    world = aged
    monkeypatch.setattr(renders, "KEEP_PER_PLAN", 2)
    spec = appendix.spec_for(world.plan)
    for mode in ("latest", "all"):
        renders.rendered(world.plan, spec, TODAY, Updates(mode))
    renders.rendered(world.plan, spec, TODAY - dt.timedelta(days=1), Updates())
    assert Rendering.objects.filter(plan=world.plan).count() == 2


def test_word_and_excel_are_kept_beside_the_pdf(client, world):
    client.force_login(world.clerk)
    query = {"as_at": TODAY.isoformat(), "updates": "latest"}
    for name in ("appendix_download", "appendix_download_docx", "appendix_download_xlsx"):
        client.get(reverse(name, args=[world.plan.pk]), query)
        client.get(reverse(name, args=[world.plan.pk]), query)
    formats = sorted(Rendering.objects.filter(plan=world.plan).values_list("format", flat=True))
    assert formats == ["docx", "pdf", "xlsx"]


@pytest.fixture
def slow_plan(world, monkeypatch, settings):
    """The world's plan as if its renders were slow, on the real database queue: the next new
    document is rendered off the request."""
    monkeypatch.setattr(renders, "RENDER_INLINE_MAX_SECONDS", -1.0)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return world


def run_queued():
    """What `manage.py db_worker` does with each queued task (without its loop, which would close
    the test's database connection)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    for queued in DBTaskResult.objects.ready():
        worker.run_task(queued)


def test_a_slow_render_runs_off_the_request_and_its_progress_is_shown(client, slow_plan, counted):
    world = slow_plan
    client.force_login(world.clerk)
    response = download(client, world.plan)
    assert response.status_code == 302 and "/committee/progress/" in response["Location"]
    assert counted == []  # nothing rendered while the clerk waited
    progress = response["Location"]
    page = client.get(progress).content.decode()
    assert "Preparing your PDF" in page and "waiting its turn" in page and "Check again" in page
    run_queued()
    assert len(counted) == 1
    page = client.get(progress).content.decode()
    assert "Your PDF is ready" in page
    link = page.split('href="/plans/')[-1].split('"')[0]
    assert "appendix.pdf?" in link and "task=" not in link
    # The download the page offers is served from the store at once.
    assert download(client, world.plan).content.startswith(b"%PDF") and len(counted) == 1


def test_progress_of_an_unknown_or_another_plans_task_says_nothing(client, slow_plan):
    world = slow_plan
    client.force_login(world.clerk)
    url = reverse("appendix_progress", args=[world.plan.pk])
    for task in ("", "not-a-task", "<script>x</script>", "9" * 5000):
        page = client.get(url, {"task": task, "format": "pdf"})
        assert page.status_code == 404 and "no such document" in page.content.decode()
        assert "<script>x" not in page.content.decode()
    other = renders.render_requested.enqueue(
        world.other_plan.pk, None, TODAY.isoformat(), "latest", "pdf"
    )
    page = client.get(url, {"task": other.id, "format": "pdf"})
    assert page.status_code == 404
    client.force_login(world.officer)
    assert client.get(url, {"task": other.id}).status_code == 403


def test_a_queue_that_cannot_be_followed_renders_while_the_clerk_waits(client, world, monkeypatch):
    """The test settings' queue only records tasks and cannot say how one is going."""
    monkeypatch.setattr(renders, "RENDER_INLINE_MAX_SECONDS", -1.0)
    client.force_login(world.clerk)
    assert download(client, world.plan).content.startswith(b"%PDF")
