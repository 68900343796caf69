"""send_reminders: one digest per owner a day, a weekly summary per manager, an opt-out the user
sets in the browser; the in-memory email backend."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from reminders.digest import send_all
from reminders.models import ReminderPreference, ReminderSent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("locmem"),
]


def test_each_owner_gets_one_digest_with_absolute_links_and_managers_a_summary(emails):
    today = timezone.localdate()
    sent = send_all(today)
    kinds = {(username, kind) for username, kind, _ in sent}
    assert ("officer", "digest") in kinds and ("manager", "weekly") in kinds
    digest = next(m for m in mail.outbox if m.to == ["officer@example.gov.uk"])
    assert "Overdue" in digest.body
    assert f"https://plans.example.gov.uk/actions/{emails.own.pk}/" in digest.body
    assert "https://plans.example.gov.uk/account/reminders/" in digest.body
    summary = next(m for m in mail.outbox if m.to == ["manager@example.gov.uk"])
    assert emails.plan.title in summary.body and "/dashboard/" in summary.body
    # Nothing twice for the same day; the weekly summary not again within 7 days.
    count = len(mail.outbox)
    assert send_all(today) == []
    assert send_all(today + dt.timedelta(days=3)) != []
    assert not any(m.to == ["manager@example.gov.uk"] for m in mail.outbox[count:])
    assert ReminderSent.objects.filter(user=emails.officer, sent_on=today).count() == 1


def test_a_dry_run_sends_nothing_and_records_nothing(emails, capsys):
    call_command("send_reminders", "--dry-run")
    assert mail.outbox == [] and not ReminderSent.objects.exists()
    assert "Would send digest to officer" in capsys.readouterr().out


def test_the_user_turns_reminders_off_in_the_browser(client, emails):
    client.force_login(emails.officer)
    page = client.get(reverse("reminder_preferences")).content.decode()
    assert "csrfmiddlewaretoken" in page
    assert client.post(reverse("reminder_preferences"), {"emails_off": "on"}).status_code == 302
    assert ReminderPreference.objects.get(user=emails.officer).emails_off
    send_all(timezone.localdate())
    assert not any(m.to == ["officer@example.gov.uk"] for m in mail.outbox)


@pytest.mark.parametrize(
    "data",
    [
        {"emails_off": "<script>alert(1)</script>" * 1000},
        {"emails_off": ["1", "2"], "user": "1"},
        {"user_id": "999", "emails_off": ""},
    ],
)
def test_hostile_input_changes_only_the_users_own_setting(client, emails, data):
    client.force_login(emails.officer)
    response = client.post(reverse("reminder_preferences"), data)
    assert response.status_code == 302
    assert list(ReminderPreference.objects.values_list("user", flat=True)) == [emails.officer.pk]
    assert "alert(1)" not in client.get(reverse("reminder_preferences")).content.decode()


def test_the_page_needs_sign_in_and_csrf(client, emails):
    assert client.get(reverse("reminder_preferences")).status_code == 302
    strict = client.__class__(enforce_csrf_checks=True)
    strict.force_login(emails.officer)
    assert strict.post(reverse("reminder_preferences"), {"emails_off": "on"}).status_code == 403
    assert not ReminderPreference.objects.exists()


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_no_email_address_no_email(world):
    send_all(timezone.localdate())
    assert mail.outbox == []
