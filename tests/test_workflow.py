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
    shown = client.get(url).context["form"]["proposal"].value()  # the proposal the manager read
    assert (
        client.post(url, {"decision": "sign_off", "reason": "", "proposal": shown}).status_code
        == 302
    )
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
    shown = client.get(url).context["form"]["proposal"].value()
    response = client.post(url, {"decision": "return", "reason": "  ", "proposal": shown})
    assert "Give the reason for returning the action." in response.content.decode()
    world.own.refresh_from_db()
    assert world.own.status == Action.Status.AWAITING_SIGN_OFF

    client.post(
        url, {"decision": "return", "reason": "The audit report is missing.", "proposal": shown}
    )
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


def sign_off(client, world):
    propose(client, world)
    client.force_login(world.manager)
    url = reverse("action_sign_off", args=[world.own.pk])
    shown = client.get(url).context["form"]["proposal"].value()
    client.post(url, {"decision": "sign_off", "reason": "", "proposal": shown})
    world.own.refresh_from_db()
    assert world.own.status == Action.Status.COMPLETE


def test_after_sign_off_the_update_form_offers_no_status(client, world):
    sign_off(client, world)
    client.force_login(world.officer)
    page = client.get(reverse("action_update", args=[world.own.pk]))
    assert "status" not in page.context["form"].fields
    assert "A manager of the plan can reopen it" in page.content.decode()
    # A status posted anyway (an old form, a crafted request) is refused and changes nothing.
    count = ProgressUpdate.objects.count()
    response = post_update(client, world.own, text="Still embedding.", status="underway")
    assert response.status_code == 200
    assert "signed it off as complete" in response.content.decode()
    assert ProgressUpdate.objects.count() == count
    world.own.refresh_from_db()
    assert world.own.status == Action.Status.COMPLETE and world.own.completed_on is not None


def test_a_seed_action_complete_without_a_date_is_not_reopened_by_an_update(client, world):
    Action.objects.filter(pk=world.own.pk).update(status="complete", completed_on=None)
    client.force_login(world.officer)
    response = post_update(client, world.own, status="underway")
    assert "cannot change its status" in response.content.decode()
    world.own.refresh_from_db()
    assert world.own.status == Action.Status.COMPLETE


def test_an_update_refused_meanwhile_is_reshown_with_why_and_the_text_kept(client, world):
    """The officer's form offered a status; the manager signed the action off before they saved."""
    client.force_login(world.officer)
    form_page = client.get(reverse("action_update", args=[world.own.pk]))
    assert "status" in form_page.context["form"].fields
    from actionplans import workflow

    workflow.completion_propose(
        world.own,
        author=world.officer,
        written_on=dt.date(2012, 10, 18),
        text="Done",
        files=[pdf()],
    )
    count = ProgressUpdate.objects.count()
    response = post_update(client, world.own, text="My careful note.", status="delayed")
    page = response.content.decode()
    assert response.status_code == 200
    assert "cannot change its status" in page and "proposed it complete" in page
    assert "My careful note." in page
    assert ProgressUpdate.objects.count() == count


def test_a_manager_reopens_a_complete_action_with_a_reason(client, world):
    sign_off(client, world)
    url = reverse("action_reopen", args=[world.own.pk])
    client.force_login(world.officer)
    assert client.get(url).status_code == 403  # an officer cannot
    client.force_login(world.manager)
    detail = client.get(reverse("action_detail", args=[world.own.pk])).content.decode()
    assert "Reopen this action" in detail
    response = client.post(url, {"status": "underway", "reason": "  "})
    assert "Give the reason for reopening the action." in response.content.decode()
    response = client.post(url, {"status": "complete", "reason": "x"})
    assert response.status_code == 200  # complete is not a status to reopen with
    world.own.refresh_from_db()
    assert world.own.status == Action.Status.COMPLETE
    client.post(url, {"status": "delayed", "reason": "The audit found gaps."})
    world.own.refresh_from_db()
    assert (world.own.status, world.own.completed_on) == (Action.Status.DELAYED, None)
    entry = world.own.updates.get(kind=ProgressUpdate.Kind.REOPENED)
    assert (entry.text, entry.author) == ("The audit found gaps.", world.manager)
    assert world.own.history.first().history_change_reason.startswith("Reopened")
    # An open action is not reopened again.
    response = client.post(url, {"status": "underway", "reason": "Again."}, follow=True)
    assert "Only a complete action can be reopened" in response.content.decode()


def test_a_manager_cannot_reopen_by_editing_the_status(client, world):
    from .conftest import action_form_data

    sign_off(client, world)
    client.force_login(world.manager)
    action = Action.objects.get(pk=world.own.pk)
    data = action_form_data(action, status="underway")
    response = client.post(reverse("action_edit", args=[action.pk]), data)
    assert "use Reopen on the action" in response.content.decode()
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETE


def test_a_proposal_cites_evidence_already_attached(client, world):
    client.force_login(world.officer)
    post_update(client, world.own, evidence=[pdf("audit.pdf")])
    earlier = Evidence.objects.get(original_name="audit.pdf")
    url = reverse("action_propose", args=[world.own.pk])
    form = client.get(url).context["form"]
    assert [e.pk for e in form.fields["cited"].queryset] == [earlier.pk]
    response = client.post(url, {"written_on": DAY, "text": "Done.", "cited": [earlier.pk]})
    assert response.status_code == 302
    proposal = world.own.updates.get(kind=ProgressUpdate.Kind.PROPOSAL)
    assert list(proposal.cited_evidence.all()) == [earlier]
    assert Evidence.objects.count() == 1  # nothing uploaded twice
    client.force_login(world.manager)
    page = client.get(reverse("action_sign_off", args=[world.own.pk])).content.decode()
    assert "audit.pdf" in page and "attached earlier" in page


def test_a_proposal_cannot_cite_another_actions_evidence(client, world):
    client.force_login(world.officer)
    post_update(client, world.via_team, evidence=[pdf("theirs.pdf")])
    post_update(client, world.own, evidence=[pdf("mine.pdf")])
    theirs = Evidence.objects.get(original_name="theirs.pdf")
    url = reverse("action_propose", args=[world.own.pk])
    response = client.post(url, {"written_on": DAY, "text": "Done.", "cited": [theirs.pk]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not world.own.updates.filter(kind=ProgressUpdate.Kind.PROPOSAL).exists()


def test_the_file_input_states_its_limits_before_a_file_is_chosen(client, world, settings):
    settings.EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
    client.force_login(world.officer)
    for name in ("action_update", "action_propose"):
        page = client.get(reverse(name, args=[world.own.pk])).content.decode()
        assert "Up to 5 files, each 5.0\xa0MB or smaller: PDF, Word (DOCX)" in page, name
        assert 'accept=".pdf,.png,' in page
