"""The plan's own emphasis (**bold**, *italic*) shows as such on the web pages, never as stars,
and a stranger's markup stays text."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from actionplans import marks
from actionplans.models import Action, Plan


def test_marks_as_html_escape_first():
    assert marks.as_html("**<b>x</b>** and *y* and 5 * 3") == (
        "<strong>&lt;b&gt;x&lt;/b&gt;</strong> and <em>y</em> and 5 * 3"
    )
    assert marks.plain("Increase skills. **All Areas for Dev impacted.**") == (
        "Increase skills. All Areas for Dev impacted."
    )


@pytest.mark.django_db
def test_merton_pages_show_bold_words_without_stars(demo_plans, client):
    client.force_login(get_user_model().objects.get(username="merton-manager"))
    action = Action.objects.get(text__startswith="Increase skills base.")
    page = client.get(reverse("action_detail", args=[action.pk])).content.decode()
    assert "<strong>All Areas for Dev impacted.</strong>" in page and "**" not in page
    plan = action.recommendation.plan
    page = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert "**" not in page and "<strong>" in page
    assert Plan.objects.filter(pk=plan.pk).exists()
