"""No lost updates: the second of two people editing the same object is refused and shown why."""

import pytest
from django.test import Client
from django.urls import reverse

from actionplans.models import Action
from core import errors, records

from .conftest import action_form_data

pytestmark = pytest.mark.django_db


def two_sessions(world):
    first, second = Client(), Client()
    first.force_login(world.manager)
    second.force_login(world.admin)
    return first, second


def test_second_save_of_an_action_is_refused_and_shows_what_changed(world):
    first, second = two_sessions(world)
    url = reverse("action_edit", args=[world.own.pk])
    # Both open the edit page at the same version.
    opened = first.get(url).context["form"]["version"].value()
    assert second.get(url).context["form"]["version"].value() == opened
    action = Action.objects.get(pk=world.own.pk)

    saved = first.post(
        url, action_form_data(action, planned_completion_text="Dec 12", date_reason="Board")
    )
    assert saved.status_code == 302

    refused = second.post(
        url, action_form_data(action, text="Revised: refresh the form and thresholds.")
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Someone else saved changes while you were editing" in page
    assert "Planned completion" in page and "Nov 12" in page and "Dec 12" in page
    # The first person's change is kept and the second's is not yet written...
    action.refresh_from_db()
    assert action.planned_completion_text == "Dec 12"
    assert action.text == world.own.text
    # ...but it is not lost: the form still holds it, now based on the current version.
    form = refused.context["form"]
    assert form["text"].value() == "Revised: refresh the form and thresholds."
    assert int(form["version"].value()) == action.version

    # Saving again is a deliberate choice, and it keeps both changes where they differ.
    again = second.post(
        url,
        action_form_data(
            action,
            text="Revised: refresh the form and thresholds.",
            version=form["version"].value(),
        ),
    )
    assert again.status_code == 302
    action.refresh_from_db()
    assert action.text == "Revised: refresh the form and thresholds."
    assert action.planned_completion_text == "Dec 12"


def test_second_save_of_a_recommendation_is_refused(world):
    first, second = two_sessions(world)
    url = reverse("recommendation_edit", args=[world.rec.pk])
    rec = world.rec
    data = {
        "section": rec.section_id,
        "reference": rec.reference,
        "text": rec.text,
        "paragraph": "",
        "outcomes": "",
        "accountable_body": "",
        "version": rec.version,
    }
    assert first.post(url, {**data, "paragraph": "para 42"}).status_code == 302
    refused = second.post(url, {**data, "outcomes": "Referrals are consistent."})
    assert refused.status_code == 200
    assert "Someone else saved changes" in refused.content.decode()
    rec.refresh_from_db()
    assert (rec.paragraph, rec.outcomes) == ("para 42", "")


def test_service_refuses_a_stale_version_without_writing(world):
    action = Action.objects.get(pk=world.own.pk)
    stale = Action.objects.get(pk=world.own.pk)
    action.text = "First"
    records.record_save_versioned(action, actor=world.manager, expected_version=1)
    stale.text = "Second"
    with pytest.raises(errors.StaleEdit) as caught:
        records.record_save_versioned(stale, actor=world.admin, expected_version=1)
    assert caught.value.current.text == "First"
    assert [c["new"] for c in caught.value.changes] == ["First"]
    assert Action.objects.get(pk=world.own.pk).text == "First"
    assert Action.objects.get(pk=world.own.pk).version == 2


def test_a_progress_update_meanwhile_also_makes_an_edit_stale(client, world):
    """An officer's status change while a manager edits is not silently overwritten."""
    manager = Client()
    manager.force_login(world.manager)
    url = reverse("action_edit", args=[world.own.pk])
    action = Action.objects.get(pk=world.own.pk)
    client.force_login(world.officer)
    client.post(
        reverse("action_update", args=[world.own.pk]),
        {"written_on": "18/10/2012", "text": "Delayed by staffing.", "status": "delayed"},
    )
    refused = manager.post(url, action_form_data(action, target="All referrals on the MARF"))
    assert "Someone else saved changes" in refused.content.decode()
    action.refresh_from_db()
    assert action.status == Action.Status.DELAYED and action.target == ""
