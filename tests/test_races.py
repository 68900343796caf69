"""Two people acting at once, as two real clients in two threads on PostgreSQL.

Each thread has its own database connection, as two requests to a real server would; a barrier
releases them together. Every test here failed before the writes locked the action and changed only
their own fields: a status change saved the whole action loaded at the start of its request, and two
decisions on one proposal were both recorded.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from actionplans import workflow
from actionplans.models import Action, ProgressUpdate
from core import errors, records

from .conftest import action_form_data, pdf

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent connections: PostgreSQL"
)
ROUNDS = 8


def together(*calls):
    """Run each call in its own thread and connection, released at the same moment."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported to the test below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_status_change_does_not_revert_an_edit_saved_meanwhile(committed_world):
    """The officer's request loaded the action before the manager saved new text."""
    world = committed_world
    loaded_by_officer = Action.objects.get(pk=world.own.pk)
    editing = Action.objects.get(pk=world.own.pk)
    editing.text = "Revised by the manager."
    records.record_save_versioned(
        editing, actor=world.manager, expected_version=editing.version, fields=["text"]
    )
    workflow.progress_add(
        loaded_by_officer,
        author=world.officer,
        written_on=dt.date(2012, 10, 20),
        text="Delayed by staffing.",
        status=Action.Status.DELAYED,
    )
    action = Action.objects.get(pk=world.own.pk)
    assert (action.text, action.status) == ("Revised by the manager.", Action.Status.DELAYED)
    texts = [h.text for h in action.history.order_by("history_date")]
    assert texts.count("Revised by the manager.") == 2  # the edit, then the status change on it


def test_edit_and_status_update_posted_together_both_land_or_one_is_told(committed_world):
    world = committed_world
    edit_url = reverse("action_edit", args=[world.own.pk])
    update_url = reverse("action_update", args=[world.own.pk])
    for round_ in range(ROUNDS):
        action = Action.objects.get(pk=world.own.pk)
        manager, officer = signed_in(world.manager), signed_in(world.officer)
        text = f"Manager's text, round {round_}."
        status = [Action.Status.DELAYED, Action.Status.UNDERWAY][round_ % 2]
        edit = action_form_data(action, text=text)
        update = {"written_on": "18/10/2012", "text": f"Round {round_}.", "status": status}
        records = action.history.count()
        edited, updated = together(
            lambda m=manager, e=edit: m.post(edit_url, e),
            lambda o=officer, u=update: o.post(update_url, u),
        )
        assert updated.status_code == 302, updated
        action.refresh_from_db()
        assert action.status == status
        if edited.status_code == 302:
            assert action.text == text, f"round {round_}: the manager's saved text was reverted"
        else:  # the update landed first: the manager is shown the conflict, nothing lost silently
            assert "Someone else saved changes" in edited.content.decode()
            assert action.text != text
        # History shows each landed change once: the status change, and the edit if it landed.
        landed = 1 + (edited.status_code == 302)
        assert action.history.count() == records + landed


@pytest.mark.parametrize("second", ["sign_off", "return"])
def test_two_decisions_on_one_proposal_the_second_is_refused(committed_world, second):
    world = committed_world
    url = reverse("action_sign_off", args=[world.own.pk])
    for round_ in range(ROUNDS // 2):
        Action.objects.filter(pk=world.own.pk).update(status="underway", completed_on=None)
        workflow.completion_propose(
            Action.objects.get(pk=world.own.pk),
            author=world.officer,
            written_on=dt.date(2012, 10, 18),
            text=f"Done, round {round_}.",
            files=[pdf()],
        )
        shown = workflow.latest_proposal(world.own).pk
        first, other = signed_in(world.manager), signed_in(world.admin)
        decisions = [
            {"decision": "sign_off", "reason": "", "proposal": shown},
            {"decision": second, "reason": "Evidence is missing.", "proposal": shown},
        ]
        before = ProgressUpdate.objects.filter(action=world.own).count()
        responses = together(
            *[
                lambda c=c, d=d: c.post(url, d, follow=True)
                for c, d in zip([first, other], decisions, strict=True)
            ]
        )
        pages = [r.content.decode() for r in responses]
        recorded = [p for p in pages if "signed off as complete." in p or "returned to its" in p]
        refused = [p for p in pages if "not awaiting sign-off" in p or "was not recorded" in p]
        assert len(recorded) == 1 and len(refused) == 1, f"round {round_}: both were told"
        # The refusal says what the first decision was, and by whom.
        assert "signed it off as complete" in refused[0] or "returned it to its owner" in refused[0]
        assert ProgressUpdate.objects.filter(action=world.own).count() == before + 1
        action = Action.objects.get(pk=world.own.pk)
        expected = Action.Status.COMPLETE if "signed off as" in recorded[0] else "underway"
        assert action.status == expected


def test_a_status_update_after_sign_off_is_refused_not_reopened(committed_world):
    """The officer opened the update form before the manager signed the action off."""
    world = committed_world
    workflow.completion_propose(
        world.own,
        author=world.officer,
        written_on=dt.date(2012, 10, 18),
        text="Done",
        files=[pdf()],
    )
    loaded_by_officer = Action.objects.get(pk=world.own.pk)
    loaded_by_officer.status = Action.Status.UNDERWAY  # as it stood when the form was opened
    workflow.completion_sign_off(
        world.own, manager=world.manager, proposal_id=workflow.latest_proposal(world.own).pk
    )
    count = ProgressUpdate.objects.count()
    with pytest.raises(errors.Refused, match="signed it off as complete"):
        workflow.progress_add(
            loaded_by_officer,
            author=world.officer,
            written_on=dt.date(2012, 10, 20),
            text="Still going.",
            status=Action.Status.UNDERWAY,
        )
    action = Action.objects.get(pk=world.own.pk)
    assert action.status == Action.Status.COMPLETE and action.completed_on is not None
    assert ProgressUpdate.objects.count() == count


def test_a_reader_reloading_while_updates_land_never_sees_an_older_page(committed_world):
    """Pages are made once and reused (page_cache). A reader reloading the plan page while an
    officer writes one update after another sees each once it has landed, never loses one it has
    seen, and at the end sees them all: what is reused is never older than what was shown."""
    world = committed_world
    url = reverse("plan_detail", args=[world.plan.pk]) + "?updates=all"
    texts = [f"Race update {n:02d}" for n in range(20)]
    written, views = threading.Event(), []

    def write():
        for text in texts:
            workflow.progress_add(
                world.own, author=world.officer, written_on=dt.date.today(), text=text
            )
            # The reader keeps reloading; the next write waits for one more view, at most 2 s.
            seen_before, waited = len(views), 0
            while len(views) <= seen_before and waited < 200:
                threading.Event().wait(0.01)
                waited += 1
        written.set()
        return len(texts)

    def read():
        client = signed_in(world.clerk)
        while not written.is_set():
            page = client.get(url).content.decode()
            views.append(sum(text in page for text in texts))
        page = client.get(url).content.decode()
        return sum(text in page for text in texts)

    wrote, last = together(write, read)
    assert wrote == len(texts), wrote
    assert views == sorted(views), views  # never fewer than before
    assert last == len(texts), last
    assert len(set(views)) > 10, views  # the reader saw the page change as the updates landed


def test_clerks_asking_at_once_for_a_document_share_one_render(committed_world, monkeypatch):
    """Three clerks ask for the same Word appendix at the same moment, none kept yet: one renders
    it while the others wait on its key, then are given it (issue 28: after a write, every
    clerk's download was a render of its own)."""
    from urllib.parse import urlencode

    from reporting import renders
    from reporting.models import Rendering

    world = committed_world
    made, real = [], renders._render

    def slow_render(*args, **kwargs):
        made.append(1)
        threading.Event().wait(0.3)  # still rendering when the others ask
        return real(*args, **kwargs)

    monkeypatch.setattr(renders, "_render", slow_render)
    today = dt.date.today()
    fields = {"layout": "", "updates": "latest"}
    fields |= {"as_at_0": today.day, "as_at_1": today.month, "as_at_2": today.year}
    url = f"/plans/{world.plan.pk}/committee/appendix.docx?{urlencode(fields)}"
    clients = [signed_in(world.clerk) for _ in range(3)]
    responses = together(*[lambda c=c: c.get(url) for c in clients])
    assert [r.status_code for r in responses] == [200, 200, 200], responses
    assert len({r.content for r in responses}) == 1
    assert made == [1]
    assert Rendering.objects.filter(plan=world.plan, format="docx").count() == 1
