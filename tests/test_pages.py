"""The minimal pages: sign-in, plan list, plan page; anonymous users are sent to sign in."""

import pytest
from django.urls import reverse

from .factories import ActionFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["home", "plan_list"])
def test_anonymous_users_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_anonymous_plan_page_and_admin_are_closed(client):
    action = ActionFactory()
    response = client.get(reverse("plan_detail", args=[action.recommendation.plan_id]))
    assert response.status_code == 302 and reverse("login") in response.url
    assert client.get("/admin/").status_code == 302


def test_sign_in_page_is_open_and_bad_passwords_are_refused(client, user):
    user.set_password("pw")
    user.save()
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "reader", "password": "wrong"})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    response = client.post(reverse("login"), {"username": "reader", "password": "pw"})
    assert response.status_code == 302


def test_plan_list_and_plan_page_show_the_plan(reader_client, world):
    action = ActionFactory(
        reference="(4a)",
        text="Multi Agency Referral Form (MARF) to be refreshed",
        owners=[world.officer_owner],
        recommendation=world.rec,
    )
    ProgressUpdateFactory(action=action, text="Older note")
    ProgressUpdateFactory(
        action=action,
        written_on=action.planned_completion_date,
        text="Policy Sub committee for approval",
    )
    plan = action.recommendation.plan

    listing = reader_client.get(reverse("plan_list")).content.decode()
    assert plan.title in listing

    page = reader_client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    for text in [
        "CP4",
        "(4a)",
        "Multi Agency Referral Form",
        "Terry Irvine",
        "Nov 12",
        "30 Nov 2012",
        "Policy Sub committee for approval",
    ]:
        assert text in page
    # The latest progress is shown, with a link to the earlier ones...
    assert "Older note" not in page and "1 earlier update" in page
    # ...and every update when asked.
    url = reverse("plan_detail", args=[plan.pk])
    page = reader_client.get(url, {"updates": "all"}).content.decode()
    assert page.index("Policy Sub committee for approval") < page.index("Older note")


def test_unknown_plan_is_404(reader_client):
    assert reader_client.get(reverse("plan_detail", args=[999999])).status_code == 404


def test_texts_are_escaped(reader_client, world):
    action = ActionFactory(text="<script>alert('x')</script>")
    page = reader_client.get(reverse("plan_detail", args=[action.recommendation.plan_id]))
    assert b"<script>alert" not in page.content
    assert b"&lt;script&gt;alert" in page.content
