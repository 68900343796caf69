"""Progress updates with evidence, proposing completion, sign-off and return: all recorded."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from actionplans import queries
from actionplans.models import Action, Evidence, ProgressUpdate

from .conftest import pdf

pytestmark = pytest.mark.django_db
DAY = "18/10/2012"


def post_update(client, action, **data):
    payload = {"written_on": DAY, "period_label": "", "text": "Briefing held.", "status": ""}
    payload.update(data)
    return client.post(reverse("action_update", args=[action.pk]), payload)


def test_officer_writes_an_update_with_evidence_and_a_new_status(client, world):
    client.force_login(world.officer)
    response = post_update(
        client,
        world.own,
        text="Sessions booked for November.",
        status="on_schedule",
        period_label="November update",
        evidence=[pdf("briefing.pdf")],
    )
    assert response.status_code == 302
    update = world.own.updates.order_by("-created_at").first()
    assert (update.text, update.period_label, update.author) == (
        "Sessions booked for November.",
        "November update",
        world.officer,
    )
    assert update.written_on == dt.date(2012, 10, 18)
    assert update.evidence.get().original_name == "briefing.pdf"
    world.own.refresh_from_db()
    assert world.own.status == Action.Status.ON_SCHEDULE
    last = world.own.history.first()
    assert last.history_user == world.officer and "progress update" in last.history_change_reason
    page = client.get(reverse("action_detail", args=[world.own.pk])).content.decode()
    assert "Sessions booked for November." in page and "briefing.pdf" in page


def test_the_date_defaults_to_today(client, world):
    client.force_login(world.officer)
    form = client.get(reverse("action_update", args=[world.own.pk])).context["form"]
    assert form["written_on"].value() == timezone.localdate()


def test_team_members_update_the_teams_actions(client, world):
    client.force_login(world.officer)
    assert post_update(client, world.via_team).status_code == 302
    assert world.via_team.updates.count() == 1


def test_proposing_complete_needs_evidence(client, world):
    client.force_login(world.officer)
    url = reverse("action_propose", args=[world.own.pk])
    response = client.post(url, {"written_on": DAY, "text": "All done."})
    assert response.status_code == 200
    assert "Attach evidence that the action is complete." in response.content.decode()
    world.own.refresh_from_db()
    assert world.own.status == Action.Status.UNDERWAY
    assert not world.own.updates.filter(kind=ProgressUpdate.Kind.PROPOSAL).exists()


def propose(client, world):
    client.force_login(world.officer)
    url = reverse("action_propose", args=[world.own.pk])
    data = {"written_on": DAY, "text": "Form relaunched.", "evidence": [pdf("form.pdf")]}
    assert client.post(url, data).status_code == 302
    world.own.refresh_from_db()


def test_propose_then_manager_signs_off(client, world):
    propose(client, world)
    assert world.own.status == Action.Status.AWAITING_SIGN_OFF
    work = queries.my_work(world.manager, timezone.localdate())
    assert [(a.pk, a.reasons) for a in work.actions] == [
        (world.own.pk, [("awaiting_you", "Awaiting your sign-off")])
    ]
    # The officer sees it waiting on the manager, not as their own overdue work.
    mine = {
        a.pk: [key for key, _ in a.reasons]
        for a in queries.my_work(world.officer, dt.date(2013, 1, 1)).actions
    }
    assert mine[world.own.pk] == ["awaiting_manager"]

    client.force_login(world.manager)
    url = reverse("action_sign_off", args=[world.own.pk])
    assert client.post(url, {"decision": "sign_off", "reason": ""}).status_code == 302
    world.own.refresh_from_db()
    assert world.own.status == Action.Status.COMPLETE
    assert world.own.completed_on == dt.date(2012, 10, 18)  # the date the owner gave
    sign_off = world.own.updates.get(kind=ProgressUpdate.Kind.SIGN_OFF)
    assert sign_off.author == world.manager
    statuses = [h.status for h in world.own.history.order_by("history_date")]
    assert statuses[-2:] == [Action.Status.AWAITING_SIGN_OFF, Action.Status.COMPLETE]


def test_manager_returns_a_proposal_with_a_reason(client, world):
    propose(client, world)
    client.force_login(world.manager)
    url = reverse("action_sign_off", args=[world.own.pk])
    response = client.post(url, {"decision": "return", "reason": "  "})
    assert "Give the reason for returning the action." in response.content.decode()
    world.own.refresh_from_db()
    assert world.own.status == Action.Status.AWAITING_SIGN_OFF

    client.post(url, {"decision": "return", "reason": "The audit report is missing."})
    world.own.refresh_from_db()
    assert world.own.status == Action.Status.UNDERWAY
    returned = world.own.updates.get(kind=ProgressUpdate.Kind.RETURNED)
    assert (returned.text, returned.author) == ("The audit report is missing.", world.manager)
    page = client.get(reverse("action_detail", args=[world.own.pk])).content.decode()
    assert "The audit report is missing." in page


def test_a_complete_action_cannot_be_proposed_again(client, world):
    world.own.status = Action.Status.COMPLETE
    world.own.save()
    client.force_login(world.officer)
    url = reverse("action_propose", args=[world.own.pk])
    response = client.post(url, {"written_on": DAY, "text": "x", "evidence": [pdf()]})
    assert response.status_code == 302
    assert Evidence.objects.count() == 0


def test_manager_reorders_and_removes_with_history(client, world):
    client.force_login(world.manager)
    first, second = world.own, world.via_team
    client.post(reverse("move", args=["action", second.pk]), {"direction": "up"})
    refs = list(world.rec.actions.order_by("order").values_list("reference", flat=True))
    assert refs[:2] == [second.reference, first.reference]
    client.post(reverse("remove", args=["action", world.others.pk]))
    assert not Action.objects.filter(pk=world.others.pk).exists()
    deleted = Action.history.filter(id=world.others.pk, history_type="-").get()
    assert deleted.history_user == world.manager


def test_a_recommendation_with_actions_is_not_removed(client, world):
    client.force_login(world.manager)
    response = client.post(reverse("remove", args=["recommendation", world.rec.pk]), follow=True)
    assert "Move or remove its actions first" in response.content.decode()
    assert world.rec.actions.count() == 4
