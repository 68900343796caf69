"""Owners of an action in the plan's order, a lead or supporting: the edit form, the services,
and history ("as it stood" shows the owner list of then)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from actionplans import plan_setup, snapshots
from actionplans.models import ActionOwner

from .conftest import action_form_data
from .factories import OwnerFactory
from .test_fidelity import row_of

pytestmark = pytest.mark.django_db


def test_owner_list_history_keeps_order_and_roles(world):
    """Editing the owners: the old list as it stood, the new one now, order and roles kept."""
    action, manager = world.own, world.manager
    lead, helper = OwnerFactory(organisation=world.plan.organisation), world.officer_owner
    before = timezone.now()
    plan_setup.action_edit(
        action,
        actor=manager,
        version=action.version,
        fields=["text"],
        owners=[lead],
        supporting=[helper],
    )
    action.refresh_from_db()
    _, now_row = row_of(snapshots.current(world.plan), action.pk)
    assert [(o.name, o.role) for o in now_row.owners] == [
        (str(lead), "lead"),
        (str(helper), "supporting"),
    ]
    _, then_row = row_of(snapshots.as_of(world.plan, before), action.pk)
    assert [(o.name, o.role) for o in then_row.owners] == [(str(helper), "lead")]
    _, row = row_of(snapshots.as_of(world.plan, timezone.now()), action.pk)
    assert row.owners == now_row.owners


def test_action_form_takes_a_lead_and_supporting_owners(client, world):
    client.force_login(world.manager)
    url = reverse("action_edit", args=[world.own.pk])
    other = OwnerFactory(organisation=world.plan.organisation)
    data = action_form_data(
        world.own, owners=[other.pk], supporting_owners=[world.officer_owner.pk]
    )
    assert client.post(url, data).status_code == 302
    links = world.own.ordered_owner_links
    assert [(link.owner, link.role) for link in links] == [
        (other, ActionOwner.Role.LEAD),
        (world.officer_owner, ActionOwner.Role.SUPPORTING),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ("both", "An owner is a lead or supporting, not both"),
        ("no lead", "Choose a lead owner for the supporting owners to support."),
        ("stranger", "is not one of the available choices"),
        ("junk", "is not a valid value"),
    ],
)
def test_action_form_refuses_bad_owner_lists(client, world, changes, message):
    client.force_login(world.manager)
    me = world.officer_owner.pk
    stranger = OwnerFactory(organisation="Another Council").pk
    data = action_form_data(
        world.own,
        **{
            "both": {"owners": [me], "supporting_owners": [me]},
            "no lead": {"owners": [], "supporting_owners": [me]},
            "stranger": {"supporting_owners": [stranger]},
            "junk": {"supporting_owners": ["<script>alert(1)</script>"]},
        }[changes],
    )
    before = list(world.own.owner_links.values_list("owner_id", "order", "role"))
    response = client.post(reverse("action_edit", args=[world.own.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert list(world.own.owner_links.values_list("owner_id", "order", "role")) == before
