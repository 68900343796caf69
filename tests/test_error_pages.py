"""403, 404 and 500 are the service's own pages, with DEBUG off (as in production)."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

HEADER = 'class="govuk-service-navigation'


def assert_service_page(html, title, words):
    assert HEADER in html
    assert "Improvement action plans</a>" in html
    assert f"<title>{title} – Improvement action plans</title>" in html
    assert re.search(r'<a class="govuk-link" href="/">Go to your home page</a>', html)
    for text in words:
        assert text in html, text


def test_403_is_a_service_page_with_the_reason(client, settings, world):
    assert settings.DEBUG is False
    client.force_login(world.clerk)
    response = client.get(reverse("plan_edit", args=[world.plan.pk]))
    assert response.status_code == 403
    html = response.content.decode()
    assert_service_page(
        html, "You cannot do this", ["<h1", "You cannot do this", "ask a manager of the plan"]
    )
    # The reason rules.py gave, written for the user.
    assert "Only a manager of this plan can change it." in html
    assert f'href="{reverse("plan_list")}">see the plans you can read</a>' in html
    # The signed-in user keeps the service's menu.
    assert "Sign out" in html


@pytest.mark.parametrize("path", ["/no-such-page/", "/plans/999999/"])
def test_404_is_a_service_page(client, world, path):
    client.force_login(world.officer)
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert_service_page(html, "Page not found", ["Page not found", "check it is correct"])
    # Django's own words for developers are not shown.
    assert "No Plan matches" not in html and "Resolver404" not in html


def test_another_councils_plan_answers_the_same_404(client, world):
    client.force_login(world.partner)
    response = client.get(reverse("plan_detail", args=[world.other_plan.pk]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("signed_in", [False, True])
@override_settings(ROOT_URLCONF="tests.error_urls")
def test_500_is_a_service_page_without_request_context(world, signed_in):
    client = Client(raise_request_exception=False)
    if signed_in:
        client.force_login(world.officer)
    response = client.get("/fail/")
    assert response.status_code == 500
    html = response.content.decode()
    assert_service_page(
        html,
        "Sorry, there is a problem with the service",
        ["Sorry, there is a problem with the service", "Try again later."],
    )
    # Rendered with no request: no user, so no menu and nothing of theirs.
    assert "Sign out" not in html
    assert "A fault in a view" not in html


def test_csrf_failure_is_a_service_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer)
    response = client.post(reverse("action_update", args=[world.own.pk]), {"text": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert_service_page(html, "Your form could not be sent", ["Nothing was saved."])


@pytest.mark.parametrize("signed_in", [False, True])
def test_make_run_shows_the_services_404_not_the_list_of_addresses(
    client, settings, user, signed_in
):
    """Under DEBUG (make run) a wrong address answers the service's page, not Django's debug
    page listing every URL."""
    settings.DEBUG = True
    settings.MIDDLEWARE = ["config.security.ServiceNotFoundPageMiddleware", *settings.MIDDLEWARE]
    if signed_in:
        client.force_login(user)
    # Not signed in, a real address asks to sign in first; one no view matches is not found.
    for address in ["/no-such-page/", *(["/plans/999999/"] if signed_in else [])]:
        response = client.get(address)
        page = response.content.decode()
        assert response.status_code == 404
        assert "Page not found" in page and "URLconf" not in page and "plans/<int:pk>" not in page
