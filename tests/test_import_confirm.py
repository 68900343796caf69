"""An import confirmed twice makes one plan, and the second confirmation is told what the first
made: at the same moment (two real clients on PostgreSQL), one after the other, and after the plan
has gone out of the uploader's sight or been deleted."""

import pytest
from django.db import connection
from django.urls import reverse

from actionplans.models import Plan
from importers.models import PendingImport

from .conftest import COUNCIL
from .factories import OwnerFactory
from .test_import_hostile import csv_bytes, table
from .test_import_pages import upload
from .test_races import signed_in, together

ROUNDS = 10
DATA = csv_bytes(table(filler=30))


def uploaded(client, title):
    response = upload(client, "plan.csv", DATA, title=title)
    assert response.status_code == 302
    return PendingImport.objects.get(title=title)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_the_same_moment_make_one_plan(committed_world):
    """Before the upload was locked and marked used with the import: two plans, 10 runs of 10."""
    world = committed_world
    # The file's owners exist already, so nothing else stands between two imports of one file.
    for name in ("Jo Bloggs", "LSCB"):
        OwnerFactory(name=name, organisation=COUNCIL)
    for round_ in range(ROUNDS):
        title = f"Raced plan {round_}"
        pending = uploaded(signed_in(world.manager), title)
        url = reverse("import_confirm", args=[pending.pk])
        clients = [signed_in(world.manager), signed_in(world.manager)]
        responses = together(*[lambda c=c, u=url: c.post(u, follow=True) for c in clients])
        for response in responses:
            assert not isinstance(response, Exception), response
            assert response.status_code == 200, response.status_code
        plans = Plan.objects.filter(title=title)
        assert plans.count() == 1, f"round {round_}: {plans.count()} plans"
        pages = [r.content.decode() for r in responses]
        made = [p for p in pages if "The plan has been imported. You manage it." in p]
        told = [p for p in pages if "This import was already confirmed: it made the plan" in p]
        assert len(made) == 1 and len(told) == 1, f"round {round_}: both were told the same"
        assert f"it made the plan “{title}”" in told[0]
        # Both were taken to the one plan.
        assert [r.redirect_chain[-1][0] for r in responses] == [plans.get().get_absolute_url()] * 2


@pytest.mark.django_db
def test_a_second_confirm_is_told_and_makes_nothing(client, world):
    client.force_login(world.manager)
    pending = uploaded(client, "Twice confirmed")
    url = reverse("import_confirm", args=[pending.pk])
    first = client.post(url)
    plan = Plan.objects.get(title="Twice confirmed")
    assert first.url == plan.get_absolute_url()
    again = client.post(url, follow=True)
    assert again.redirect_chain[-1][0] == plan.get_absolute_url()
    assert "This import was already confirmed: it made the plan “Twice confirmed”." in (
        again.content.decode()
    )
    assert Plan.objects.filter(title="Twice confirmed").count() == 1
    # The preview, opened again (the back button), says so too, with a link to the plan.
    page = client.get(reverse("import_preview", args=[pending.pk])).content.decode()
    assert "This import was already confirmed" in page
    assert f'href="{plan.get_absolute_url()}">Twice confirmed</a>' in page
    assert "Import this plan" not in page
    # Mapping a column of a used import changes nothing.
    client.post(reverse("import_preview", args=[pending.pk]), {"column_0": "progress"})
    assert PendingImport.objects.get(pk=pending.pk).mapping == {}
    # Anyone else: not found, as before.
    client.force_login(world.other_manager)
    assert client.post(url).status_code == 404
    assert client.get(reverse("import_preview", args=[pending.pk])).status_code == 404


@pytest.mark.django_db
def test_the_plan_is_named_only_to_someone_who_may_see_it(client, world):
    client.force_login(world.manager)
    pending = uploaded(client, "Moved away")
    url = reverse("import_confirm", args=[pending.pk])
    client.post(url)
    plan = Plan.objects.get(title="Moved away")
    Plan.objects.filter(pk=plan.pk).update(organisation="Another Council")
    again = client.post(url, follow=True)
    page = again.content.decode()
    assert again.redirect_chain[-1][0] == reverse("import_preview", args=[pending.pk])
    assert "This import was already confirmed" in page
    assert "Moved away" not in page and plan.get_absolute_url() not in page
    plan.delete()
    page = client.get(reverse("import_preview", args=[pending.pk])).content.decode()
    assert "The plan it made has since been deleted." in page
    client.post(url)
    assert not Plan.objects.filter(title="Moved away").exists()
