"""GET forms (filters, the as-it-stood date, the committee preview) put no CSRF token in the
address they lead to; POST forms still carry one."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

GET_FORM = re.compile(r'<form[^>]*method="get".*?</form>', re.S)


def test_get_forms_carry_no_csrf_token(client, world):
    client.force_login(world.clerk)
    pages = [
        reverse("appendix_prepare", args=[world.plan.pk]),
        reverse("changes_since", args=[world.plan.pk]),
        reverse("plan_as_of", args=[world.plan.pk]),
        reverse("plan_history", args=[world.plan.pk]),
        reverse("plan_detail", args=[world.plan.pk]),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        forms = GET_FORM.findall(page)
        assert forms, url
        assert not [f for f in forms if "csrfmiddlewaretoken" in f], url


def test_post_forms_still_carry_one(client, world):
    client.force_login(world.officer)
    page = client.get(reverse("action_update", args=[world.own.pk])).content.decode()
    posts = re.findall(r'<form[^>]*method="post".*?</form>', page, re.S)
    assert posts and all(f.count('name="csrfmiddlewaretoken"') == 1 for f in posts)
