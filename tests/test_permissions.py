"""Every URL, for every role, on their own objects and on others': what each person gets.

200: may use the page; 403: may see the object but not change it; 404: may not see it at all (ids
reveal nothing); 302: anonymous users are sent to sign in.
"""

import pytest
from django.urls import reverse

from actionplans import rules, workflow
from actionplans.models import Action, Evidence

from .conftest import pdf

pytestmark = pytest.mark.django_db

ROLES = ["officer", "other_officer", "partner", "manager", "other_manager", "clerk", "admin"]
EVERYONE = dict.fromkeys(ROLES, 200)


def expect(**overrides):
    return {**EVERYONE, **overrides}


MANAGERS_ONLY = expect(
    officer=403, other_officer=403, partner=403, other_manager=403, clerk=403, manager=200
)

# (url name, how to get the argument from the world, expected status per role)
PAGES = [
    ("home", None, EVERYONE),
    ("plan_list", None, EVERYONE),
    ("action_list", None, EVERYONE),
    ("plan_detail", lambda w: w.plan.pk, EVERYONE),
    ("plan_history", lambda w: w.plan.pk, EVERYONE),
    ("plan_as_of", lambda w: w.plan.pk, EVERYONE),
    ("plan_measures", lambda w: w.plan.pk, EVERYONE),
    ("recommendation_detail", lambda w: w.rec.pk, EVERYONE),
    ("recommendation_history", lambda w: w.rec.pk, EVERYONE),
    ("action_detail", lambda w: w.own.pk, EVERYONE),
    ("action_history", lambda w: w.own.pk, EVERYONE),
    # A partner agency sees only the plans it has actions in.
    ("plan_detail", lambda w: w.other_plan.pk, expect(partner=404)),
    ("plan_history", lambda w: w.other_plan.pk, expect(partner=404)),
    ("action_detail", lambda w: w.elsewhere.pk, expect(partner=404)),
    ("recommendation_detail", lambda w: w.other_rec.pk, expect(partner=404)),
    # Progress and completion: owners (directly or through a team) and the plan's managers.
    *(
        (
            name,
            lambda w: w.own.pk,
            expect(other_officer=403, partner=403, other_manager=403, clerk=403),
        )
        for name in ("action_update", "action_propose")
    ),
    (
        "action_update",
        lambda w: w.via_team.pk,
        expect(other_officer=403, partner=403, other_manager=403, clerk=403),
    ),
    (
        "action_update",
        lambda w: w.partners.pk,
        expect(officer=403, other_officer=403, other_manager=403, clerk=403),
    ),
    (
        "action_update",
        lambda w: w.elsewhere.pk,
        expect(officer=403, partner=404, manager=403, clerk=403),
    ),
    # Structure: the plan's managers and administrators.
    ("action_edit", lambda w: w.own.pk, MANAGERS_ONLY),
    ("action_add", lambda w: w.rec.pk, MANAGERS_ONLY),
    ("recommendation_edit", lambda w: w.rec.pk, MANAGERS_ONLY),
    ("recommendation_add", lambda w: w.plan.pk, MANAGERS_ONLY),
    ("section_add", lambda w: w.plan.pk, MANAGERS_ONLY),
    ("plan_edit", lambda w: w.plan.pk, MANAGERS_ONLY),
    ("measure_add", lambda w: w.plan.pk, MANAGERS_ONLY),
    ("section_edit", lambda w: w.rec.section_id, MANAGERS_ONLY),
    ("measure_edit", lambda w: w.measure.pk, MANAGERS_ONLY),
    ("reading_add", lambda w: w.measure.pk, MANAGERS_ONLY),
    (
        "measure_edit",
        lambda w: w.other_measure.pk,
        expect(officer=403, other_officer=403, partner=404, manager=403, clerk=403),
    ),
    (
        "plan_edit",
        lambda w: w.other_plan.pk,
        expect(officer=403, other_officer=403, partner=404, manager=403, clerk=403),
    ),
]


def person_of(world, role):
    return getattr(world, role)


@pytest.mark.parametrize(("name", "arg", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_for_every_role(client, world, name, arg, expected):
    url = reverse(name, args=[arg(world)] if arg else [])
    assert client.get(url).status_code == 302  # anonymous
    got = {}
    for role in ROLES:
        client.force_login(person_of(world, role))
        got[role] = client.get(url).status_code
    assert got == expected


@pytest.mark.parametrize("kind", ["action", "recommendation", "section"])
def test_remove_and_move_are_for_the_plan_managers(client, world, kind):
    target = {"action": world.others, "recommendation": world.rec, "section": world.rec.section}
    pk = target[kind].pk
    for role, status in [
        ("officer", 403),
        ("clerk", 403),
        ("other_manager", 403),
        ("partner", 403),
    ]:
        client.force_login(person_of(world, role))
        assert client.post(reverse("remove", args=[kind, pk])).status_code == status
        assert client.post(reverse("move", args=[kind, pk]), {"direction": "up"}).status_code == (
            status
        )
    assert type(target[kind]).objects.filter(pk=pk).exists()
    # A manager is asked to confirm removing the action; the recommendation (it still has
    # actions) and the section (it still has recommendations) send them back to the plan.
    client.force_login(world.manager)
    response = client.get(reverse("remove", args=[kind, pk]))
    plan_url = world.rec.plan.get_absolute_url()
    expected = {
        "action": (200, None),
        "recommendation": (302, plan_url),
        "section": (302, plan_url),
    }
    assert (response.status_code, response.get("Location")) == expected[kind]


def test_move_only_answers_for_known_kinds(client, world):
    client.force_login(world.manager)
    assert client.post(f"/plan/{world.plan.pk}/move/").status_code == 404


def test_sign_off_is_for_the_plan_managers(client, world, proposed):
    url = reverse("action_sign_off", args=[world.own.pk])
    expected = expect(officer=403, other_officer=403, partner=403, other_manager=403, clerk=403)
    got = {}
    for role in ROLES:
        client.force_login(person_of(world, role))
        got[role] = client.get(url).status_code
    assert got == expected
    client.force_login(world.other_manager)
    client.post(url, {"decision": "sign_off"})
    world.own.refresh_from_db()
    assert world.own.status == Action.Status.AWAITING_SIGN_OFF


def test_evidence_is_served_only_to_readers_of_the_action(client, world):
    workflow.progress_add(
        world.elsewhere,
        author=world.other_officer,
        written_on=world.own.updates.get().written_on,
        text="Audit attached",
        files=[pdf("audit.pdf")],
    )
    evidence = Evidence.objects.get()
    url = reverse("evidence_download", args=[evidence.pk])
    client.force_login(world.partner)
    assert client.get(url).status_code == 404
    client.force_login(world.clerk)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit.pdf"')
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # Stored outside the static tree, under a random name.
    assert "static" not in evidence.file.path and "audit" not in evidence.file.name


def test_visible_plans_rule(world):
    assert set(rules.visible_plans(world.partner)) == {world.plan}
    assert set(rules.visible_plans(world.officer)) == {world.plan, world.other_plan}
    assert set(rules.owned_actions(world.officer)) == {world.own, world.via_team}
    assert set(rules.managed_plans(world.manager)) == {world.plan}
    assert set(rules.managed_plans(world.admin)) == {world.plan, world.other_plan}
    assert not rules.managed_plans(world.clerk).exists()
