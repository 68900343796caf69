"""Nothing stale, nothing lost from a backup, when a user is renamed or leaves (issue 24).

A user's name is shown as it is now wherever they are named (an override "set by", a decision, who
changed what), so a rename is seen at once on every reused page and in every render. A sign-in
that history names is deactivated, never deleted (people.py says why): the admin refuses, and says
so; deactivated, it signs in no more and every page keeps its name; a backup is taken and restored
whatever was done in the admin, and from a database where a sign-in was deleted before this rule.
"""

import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.management import call_command
from django.db.models import ProtectedError
from django.urls import reverse

from actionplans import plan_setup, workflow
from actionplans.models import Action, Plan
from reporting import appendix, renders
from reporting.models import Rendering

from .conftest import pdf
from .factories import UserFactory
from .test_backup import empty_the_database, tables
from .test_reader_page_reuse import without_tokens

pytestmark = pytest.mark.django_db
OLD, NEW = "Temp Manager", "Tamsin Okafor"

# Where the temporary manager is named, and who reads it there.
PAGES = {
    "plan page": ("manager", lambda w: reverse("plan_detail", args=[w.plan.pk])),
    "plan page, every update": (
        "clerk",
        lambda w: reverse("plan_detail", args=[w.plan.pk]) + "?updates=all",
    ),
    "officer's home": ("officer", lambda w: reverse("home")),
    "clerk's home": ("clerk", lambda w: reverse("home")),
    "action list": ("clerk", lambda w: reverse("action_list")),
    "manager's dashboard": ("manager", lambda w: reverse("manager_dashboard")),
    "plan dashboard": ("manager", lambda w: reverse("plan_dashboard", args=[w.plan.pk])),
}


@pytest.fixture
def temp(world):
    """A temporary manager of the plan who returned the officer's proposal and set an override:
    the last change to the plan is theirs."""
    user = UserFactory(username="temp", first_name="Temp", last_name="Manager")
    user.groups.add(Group.objects.get(name="Manager"))
    world.plan.managers.add(user)
    workflow.completion_propose(
        world.own,
        author=world.officer,
        written_on=world.own.created_at.date(),
        text="Done",
        files=[pdf()],
    )
    workflow.completion_return(world.own, manager=user, reason="Attach the audit")
    action = Action.objects.get(pk=world.via_team.pk)
    action.rag_override, action.rag_override_reason = "red", "Slipping"
    plan_setup.action_edit(
        action,
        actor=user,
        version=action.version,
        fields=["rag_override", "rag_override_reason"],
        changed=["rag_override", "rag_override_reason"],
    )
    return user


def pages(client, world):
    """Each page as it is served now (reused where it can be)."""
    shown = {}
    for name, (who, url) in PAGES.items():
        client.force_login(getattr(world, who))
        response = client.get(url(world))
        assert response.status_code == 200, name
        # Charts are numbered once per process (dashboards.charts), not per page.
        page = re.sub(r"chart-\d+-", "chart-", response.content.decode())
        shown[name] = without_tokens(page)
    return shown


def afresh(client, world):
    from django.conf import settings

    caches[settings.PAGE_CACHE].clear()
    return pages(client, world)


def render_text(plan):
    """The text of the plan's current appendix as the store serves it (Excel: quick to read)."""
    stored = renders.rendered(plan, appendix.spec_for(plan), fmt=Rendering.Format.XLSX)
    book = openpyxl.load_workbook(io.BytesIO(bytes(stored.content)))
    cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    return stored.key, " ".join(str(value) for value in cells)


def test_a_renamed_user_is_shown_by_the_new_name_on_every_page_and_render(client, world, temp):
    before = pages(client, world)
    assert all(OLD in page for name, page in before.items() if "dashboard" not in name), {
        name for name, page in before.items() if OLD not in page
    }
    key, text = render_text(world.plan)
    assert f"set by {OLD}" in text

    temp.first_name, temp.last_name = "Tamsin", "Okafor"
    temp.save()

    reused = pages(client, world)
    for name, page in reused.items():
        assert OLD not in page, name
        assert (NEW in page) == (OLD in before[name]), name
    assert reused == afresh(client, world)
    renamed_key, text = render_text(world.plan)
    assert renamed_key != key and f"set by {NEW}" in text and OLD not in text


def test_a_sign_in_history_names_is_refused_deletion_and_deactivated(client, world, temp):
    site_admin = world.site_admin
    site_admin.is_staff = True
    site_admin.save()
    client.force_login(site_admin)
    url = reverse("admin:auth_user_delete", args=[temp.pk])
    refusal = client.get(url).content.decode()
    assert "history names this sign-in" in refusal and "Deactivate it instead" in refusal
    client.post(url, {"post": "yes"})
    assert type(temp).objects.filter(pk=temp.pk).exists()
    with pytest.raises(ProtectedError):  # its decision's author is protected, its history too
        temp.delete()

    # Deactivated from the admin's list: it signs in no more, and history keeps its name.
    signed_in = type(client)()
    signed_in.force_login(temp)
    assert signed_in.get(reverse("home")).status_code == 200
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "deactivate", "_selected_action": [temp.pk]},
    )
    assert response.status_code == 302
    temp.refresh_from_db()
    assert not temp.is_active
    assert signed_in.get(reverse("home")).status_code == 302  # its session has ended
    refused = type(client)().post(reverse("login"), {"username": "temp", "password": "pw"})
    assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session
    shown = pages(client, world)
    assert OLD in shown["plan page"] and OLD in shown["clerk's home"]


def test_a_sign_in_nothing_names_may_be_deleted_and_is_then_shown_nowhere(client, world):
    stray = UserFactory(username="stray", first_name="Stray")
    site_admin = world.site_admin
    site_admin.is_staff = True
    site_admin.save()
    client.force_login(site_admin)
    tokens = dict(Plan.objects.values_list("pk", "rows_token"))
    response = client.post(reverse("admin:auth_user_delete", args=[stray.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not type(stray).objects.filter(username="stray").exists()
    # Whatever named them is shown afresh (the reader's "Signed in as", were it them).
    assert all(
        dict(Plan.objects.values_list("pk", "rows_token"))[pk] != t for pk, t in tokens.items()
    )


def test_a_backup_is_taken_and_restored_after_the_admins_action(
    committed_world, client, settings, tmp_path
):
    """After the admin deactivated the temporary manager (deleting is refused) and deleted a
    sign-in nothing named, and in a database where a sign-in was deleted before this rule (three
    history rows name an id that is gone), backup_data then restore_data give back every row."""
    world = committed_world
    temp = UserFactory(username="temp", first_name="Temp", last_name="Manager")
    world.plan.managers.add(temp)
    for action in (world.own, world.via_team, world.others):
        action = Action.objects.get(pk=action.pk)
        action.rag_override, action.rag_override_reason = "red", "Slipping"
        plan_setup.action_edit(
            action,
            actor=temp,
            version=action.version,
            fields=["rag_override", "rag_override_reason"],
            changed=["rag_override", "rag_override_reason"],
        )
    site_admin = world.site_admin
    site_admin.is_staff = True
    site_admin.save()
    client.force_login(site_admin)
    stray = UserFactory(username="stray")
    client.post(reverse("admin:auth_user_delete", args=[temp.pk]), {"post": "yes"})
    client.post(reverse("admin:auth_user_delete", args=[stray.pk]), {"post": "yes"})
    with pytest.raises(ProtectedError, match="deactivate the sign-in"):
        temp.delete()  # below the admin too
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "deactivate", "_selected_action": [temp.pk]},
    )
    assert list(
        type(temp)
        .objects.filter(username__in=["temp", "stray"])
        .values_list("username", "is_active")
    ) == [("temp", False)]
    # Before the rule: a sign-in that had set three overrides, deleted (its id left in history).
    history = Action.history.model.objects
    gone = type(temp).objects.order_by("-pk").first().pk + 100
    rows = history.filter(rag_override_by=temp).order_by("history_id")[:3]
    assert (
        history.filter(history_id__in=[r.history_id for r in rows]).update(rag_override_by_id=gone)
        == 3
    )

    before = tables()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup_data", "-o", str(archive), verbosity=0)
    empty_the_database()
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "restored"
    call_command("restore_data", str(archive), verbosity=0)
    after = tables()
    for label, rows in before.items():
        assert after[label] == rows, label
    assert history.filter(rag_override_by_id=gone).count() == 3


def test_the_names_in_a_render_key_are_as_shown(world, temp):
    """The key holds each named user's name as pages show it (people.person_name)."""
    version = renders.snapshots.rows_version(world.plan)
    assert [temp.pk, OLD] in version["auth.User"]
    assert not re.search(r"\btemp\b", str(version["auth.User"]))
