"""The Django admin's lists of every council's rows (issue 28): found by owner, filtered by
council, and a search counted up to a cap, never through every row."""

import pytest
from django.urls import reverse

from actionplans.admin import CappedCount
from actionplans.models import ProgressUpdate
from bench.dataset import generate
from bench.scale import site_administrator

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_admin_client(client):
    data = generate(plans=2, actions=20, updates=100)
    client.force_login(site_administrator())
    return client, data


def test_an_action_is_found_by_its_owners_name(site_admin_client):
    client, _ = site_admin_client
    url = reverse("admin:actionplans_action_changelist")
    response = client.get(url + "?q=Jordan Ellis")
    assert response.status_code == 200
    found = response.context["cl"].result_list
    assert found and all(
        any(o.name == "Jordan Ellis" for o in a.owners.all()) or "Jordan Ellis" in a.text
        for a in found
    )
    assert not client.get(url + "?q=Nobody Atall").context["cl"].result_list


@pytest.mark.parametrize(
    "name",
    ["action", "recommendation", "section", "plan", "owner", "measure"],
)
def test_every_council_list_is_filtered_by_council(site_admin_client, name):
    client, _ = site_admin_client
    response = client.get(reverse(f"admin:actionplans_{name}_changelist"))
    assert response.status_code == 200
    assert "Northshire County Council" in response.content.decode()


def test_every_update_is_listed_newest_first(site_admin_client):
    client, _ = site_admin_client
    response = client.get(reverse("admin:actionplans_progressupdate_changelist"))
    shown = [u.pk for u in response.context["cl"].result_list]
    assert shown == sorted(shown, reverse=True) and len(shown) == 100


def test_a_search_is_counted_up_to_the_cap(site_admin_client, monkeypatch):
    monkeypatch.setattr(CappedCount, "CAP", 7)
    everything = ProgressUpdate.objects.all()
    assert CappedCount(everything, 5).count == everything.count() > 7
    assert CappedCount(everything.filter(text__icontains="a"), 5).count == 7
