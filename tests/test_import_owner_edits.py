"""The import preview's owners, changed before anything is saved (issue 26): each owner shown with
the cells it came from; merged into another (one owner of both actions), renamed, its kind
changed, matched to an existing owner of the importing council or a partner agency (never another
council's), and made new again; the change kept with the import and written only on confirmation;
a double post or a stale page refused with a reason; hostile input refused with nothing changed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplans.models import Action, Owner, Plan
from core.errors import Refused
from importers import service
from importers.models import PendingImport

from .conftest import COUNCIL
from .factories import OwnerFactory, PlanFactory
from .test_import_owners import plan_csv
from .test_import_pages import upload
from .test_races import signed_in, together

pytestmark = pytest.mark.django_db


ROWS = [
    ["1", "Improve audits", "Audit the files", "Jane Smith", "Nov 12"],
    ["", "", "Train the staff", "Jane Smyth", "Dec 12"],
    ["2", "Improve supervision", "Supervise monthly", "Ops Manager", "Jan 13"],
    ["", "", "Review cases", "Lean Team", "Feb 13"],
    ["", "", "Check the register", "Terry Irvine", "Mar 13"],
]
OTHER_COUNCIL = "Other Borough Council"


@pytest.fixture
def pending(client, world):
    client.force_login(world.manager)
    response = upload(client, "plan.csv", plan_csv(*ROWS), title="Edited owners plan")
    assert response.status_code == 302
    return PendingImport.objects.get(title="Edited owners plan")


def preview_of(client, pending):
    page = client.get(reverse("import_preview", args=[pending.pk]))
    assert page.status_code == 200
    return page


def owners_of(client, pending):
    """The preview's owners, by the name they were read as."""
    return {o["read_as"]: o for o in preview_of(client, pending).context["result"].owner_list}


def edit_url(pending, number):
    return reverse("import_owner_edit", args=[pending.pk, number])


def edit(client, pending, read_as, **data):
    """The owner read as ``read_as`` changed through its page, as a browser sends its form."""
    number = owners_of(client, pending)[read_as]["number"]
    page = client.get(edit_url(pending, number))
    assert page.status_code == 200
    version = page.context["form"].initial["version"]
    return client.post(edit_url(pending, number), {"version": version, **data})


def number_of(client, pending, read_as):
    return owners_of(client, pending)[read_as]["number"]


def changes(pending):
    return (PendingImport.objects.get(pk=pending.pk).document or {}).get("owner_edits", {})


def confirm(client, pending):
    response = client.post(reverse("import_confirm", args=[pending.pk]))
    plan = Plan.objects.get(title="Edited owners plan")
    assert response.url == plan.get_absolute_url()
    return plan


def owners_of_action(plan, text):
    return list(Action.objects.get(recommendation__plan=plan, text=text).ordered_owners)


def saved_counts():
    return Owner.objects.count(), Plan.objects.count(), Action.objects.count()


def test_the_preview_shows_each_owner_with_its_cells_and_a_change_link(client, pending):
    owners = owners_of(client, pending)
    assert list(owners) == ["Jane Smith", "Jane Smyth", "Ops Manager", "Lean Team", "Terry Irvine"]
    assert owners["Jane Smyth"]["cells"] == [("Lead officer", "row 4")]
    assert owners["Terry Irvine"]["matched"] and not owners["Lean Team"]["matched"]
    body = preview_of(client, pending).content.decode()
    assert "“Lead officer”: row 3" in body
    assert edit_url(pending, owners["Lean Team"]["number"]) in body
    assert "Matched to the existing owner “Terry Irvine”" in body
    assert "Created: “Lean Team”, team" in body


def test_merge_two_then_confirm_makes_one_owner_of_both_actions(client, world, pending):
    before = saved_counts()
    jane = number_of(client, pending, "Jane Smith")
    response = edit(client, pending, "Jane Smyth", choice="same", same=str(jane))
    assert response.url == reverse("import_preview", args=[pending.pk]) + "#owners"
    owners = owners_of(client, pending)
    assert owners["Jane Smyth"]["merged_into"] == "Jane Smith"
    assert owners["Jane Smith"]["cells"] == [("Lead officer", "rows 3, 4")]  # both its cells
    result = preview_of(client, pending).context["result"]
    assert "Jane Smyth" not in result.created and "Jane Smith" in result.created
    assert saved_counts() == before  # nothing saved until the import is confirmed
    plan = confirm(client, pending)
    jane = Owner.objects.get(name="Jane Smith", organisation=COUNCIL)
    assert not Owner.objects.filter(name="Jane Smyth").exists()
    assert owners_of_action(plan, "Audit the files") == [jane]
    assert owners_of_action(plan, "Train the staff") == [jane]


def test_a_merge_follows_the_owner_merged_into(client, pending):
    jane, ops = (number_of(client, pending, n) for n in ("Jane Smith", "Ops Manager"))
    edit(client, pending, "Jane Smyth", choice="same", same=str(jane))
    edit(client, pending, "Jane Smith", choice="same", same=str(ops))
    owners = owners_of(client, pending)
    assert owners["Jane Smyth"]["merged_into"] == "Ops Manager"
    # Merging Ops Manager back into Jane Smyth would make a loop: refused, nothing changed.
    kept = changes(pending)
    response = edit(client, pending, "Ops Manager", choice="same", same=str(jane))
    assert response.status_code == 200
    assert "is already merged into this owner" in response.content.decode()
    assert changes(pending) == kept


def test_rename_and_change_kind_are_what_confirming_creates(client, pending):
    edit(client, pending, "Ops Manager", choice="new", name="Operations Manager", kind="role")
    edit(client, pending, "Lean Team", choice="new", name="Lean Team", kind="board")
    body = preview_of(client, pending).content.decode()
    assert "Created: “Operations Manager”, role" in body and "Created: “Lean Team”, board" in body
    assert not Owner.objects.filter(name__in=["Operations Manager", "Lean Team"]).exists()
    plan = confirm(client, pending)
    renamed = Owner.objects.get(name="Operations Manager", organisation=COUNCIL)
    assert renamed.kind == Owner.Kind.ROLE
    assert not Owner.objects.filter(name="Ops Manager").exists()
    assert owners_of_action(plan, "Supervise monthly") == [renamed]
    assert Owner.objects.get(name="Lean Team").kind == Owner.Kind.BOARD


def test_match_to_an_existing_owner_of_the_council_creates_none(client, world, pending):
    sue = Owner.objects.get(name="Sue Wilson", organisation=COUNCIL)
    edit(client, pending, "Jane Smyth", choice="existing", existing=str(sue.pk))
    edit(client, pending, "Lean Team", choice="existing", existing=str(world.partner_owner.pk))
    owners = owners_of(client, pending)
    assert owners["Jane Smyth"]["match"] == sue
    result = preview_of(client, pending).context["result"]
    assert {"Sue Wilson", "Jason Harwin"} <= set(result.matched)
    assert "Jane Smyth" not in result.created
    made_before = Owner.objects.count()
    plan = confirm(client, pending)
    assert owners_of_action(plan, "Train the staff") == [sue]
    assert owners_of_action(plan, "Review cases") == [world.partner_owner]  # a partner agency's
    assert not Owner.objects.filter(name__in=["Jane Smyth", "Lean Team"]).exists()
    # Only Jane Smith and Ops Manager are new (Terry Irvine is the council's already).
    assert Owner.objects.count() == made_before + 2


def test_undo_a_match_creates_a_new_owner(client, world, pending):
    edit(client, pending, "Lean Team", choice="existing", existing=str(world.team.pk))
    assert owners_of(client, pending)["Lean Team"]["match"] == world.team
    edit(client, pending, "Lean Team", choice="new", name="Lean Team", kind="team")
    assert owners_of(client, pending)["Lean Team"]["match"] is None
    plan = confirm(client, pending)
    made = owners_of_action(plan, "Review cases")
    assert [o.name for o in made] == ["Lean Team"] and made[0] != world.team


def test_an_existing_owners_name_for_a_new_one_is_refused(client, pending):
    response = edit(client, pending, "Terry Irvine", choice="new", name="terry irvine", kind="team")
    assert "The council already has an owner called “terry irvine”" in response.content.decode()
    response = edit(client, pending, "Lean Team", choice="new", name="JANE SMITH", kind="team")
    assert "Another owner in this file is called “Jane Smith”" in response.content.decode()
    assert changes(pending) == {}


def test_another_councils_owner_is_never_matched(client, world, pending):
    PlanFactory(organisation=OTHER_COUNCIL)  # a council, not a partner agency
    theirs = OwnerFactory(name="Their Service Manager", organisation=OTHER_COUNCIL)
    response = edit(client, pending, "Ops Manager", choice="existing", existing=str(theirs.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Choose one of your council&#x27;s or its partner agencies&#x27; owners" in page
    assert "Their Service Manager" not in page  # not even offered
    assert changes(pending) == {}
    # Past the form, the service refuses it too.
    result = service.pending_preview(pending)
    with pytest.raises(Refused, match="partner agencies' owners: that one is not"):
        service.pending_owner_edit(
            pending.pk,
            number_of(client, pending, "Ops Manager"),
            "existing",
            actor=world.manager,
            version=service.pending_owners_version(pending, result),
            existing=theirs.pk,
        )
    assert changes(pending) == {}
    # And a match kept with the import that names one (a hostile document) makes nothing.
    document = PendingImport.objects.get(pk=pending.pk).document
    number = number_of(client, pending, "Ops Manager")
    document["owner_edits"] = {"Ops Manager": {"match": theirs.pk}}
    PendingImport.objects.filter(pk=pending.pk).update(document=document)
    assert owners_of(client, pending)["Ops Manager"]["match"] is None  # never shown as theirs
    assert number == number_of(client, pending, "Ops Manager")
    before = saved_counts()
    client.post(reverse("import_confirm", args=[pending.pk]))
    # Jane Smith, Jane Smyth, Lean Team and Ops Manager made new: not theirs.
    assert saved_counts()[0] == before[0] + 4
    ops = Action.objects.get(text="Supervise monthly").ordered_owners
    assert [o.organisation for o in ops] == [COUNCIL]


def test_plan_writer_refuses_an_owner_id_from_elsewhere(world):
    PlanFactory(organisation=OTHER_COUNCIL)
    theirs = OwnerFactory(name="Their Lead", organisation=OTHER_COUNCIL)
    result = service.preview_file(
        "plan.csv", plan_csv(*ROWS, title="Edited owners plan"), organisation=COUNCIL
    )
    result.owner_details["Lean Team"]["owner_id"] = theirs.pk
    before = saved_counts()
    with pytest.raises(Refused, match="not one of this council's or its partner agencies'"):
        service.confirm(result, actor=world.manager, organisation=COUNCIL)
    assert saved_counts() == before


def test_a_double_post_or_a_stale_page_is_refused(client, pending):
    number = number_of(client, pending, "Lean Team")
    page = client.get(edit_url(pending, number))
    version = page.context["form"].initial["version"]
    data = {"version": version, "choice": "new", "name": "Lean Board", "kind": "board"}
    first = client.post(edit_url(pending, number), data)
    assert first.status_code == 302
    kept = changes(pending)
    again = client.post(edit_url(pending, number), {**data, "name": "Lean Group"})
    assert again.status_code == 200
    assert "have changed since this page was shown" in again.content.decode()
    assert changes(pending) == kept
    # The page shown again carries the owners' present version: sent again, it is kept.
    fresh = again.context["form"].data["version"]
    assert fresh != version
    assert client.post(edit_url(pending, number), {**data, "version": fresh}).status_code == 302
    # A change of a column's meaning changes the owners too: a page shown before it is stale.
    page = client.get(edit_url(pending, number))
    version = page.context["form"].initial["version"]
    PendingImport.objects.filter(pk=pending.pk).update(mapping={"Timescale": ""})
    stale = client.post(edit_url(pending, number), {**data, "version": version})
    assert "have changed since this page was shown" in stale.content.decode()


HUGE = "x" * 1_000_000


@pytest.mark.parametrize(
    "data, message",
    [
        ({"choice": "new", "name": HUGE, "kind": "team"}, "at most 200 characters"),
        ({"choice": "new", "name": "Lean\x07Team", "kind": "team"}, "retype it without it"),
        ({"choice": "new", "name": "Lean\ufffdTeam", "kind": "team"}, "could not be read"),
        ({"choice": "new", "name": "a\x00b", "kind": "team"}, "Null characters"),
        ({"choice": "new", "name": "   ", "kind": "team"}, "Enter the owner&#x27;s name."),
        ({"choice": "new", "name": "Lean Team", "kind": "wizard"}, "Select a valid choice"),
        ({"choice": "new", "name": "Lean Team"}, "Choose its kind."),
        ({"choice": "merge"}, "Select a valid choice"),
        ({}, "Choose what this owner is."),
        ({"choice": "existing", "existing": "abc"}, "from the list"),
        ({"choice": "existing", "existing": "99999999999999999999"}, "from the list"),
        ({"choice": "existing"}, "Choose the existing owner it is."),
        ({"choice": "same", "same": "-1"}, "Choose one of the other owners in this file."),
        ({"choice": "same", "same": "abc"}, "Choose one of the other owners in this file."),
        ({"choice": "same", "same": "3"}, "Choose one of the other owners in this file."),
    ],
    ids=lambda v: repr(v)[:40] if isinstance(v, dict) else None,
)
def test_hostile_changes_are_refused_and_nothing_kept(client, pending, data, message):
    number = number_of(client, pending, "Lean Team")  # the fourth owner: 3 is itself
    assert number == 3
    response = edit(client, pending, "Lean Team", **data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and message in page, page[:3000]
    assert changes(pending) == {}


def test_a_name_with_markup_is_kept_as_text(client, pending):
    name = "<script>alert(1)</script> Team"
    assert edit(client, pending, "Lean Team", choice="new", name=name, kind="team").status_code
    body = preview_of(client, pending).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt; Team" in body
    plan = confirm(client, pending)
    assert [o.name for o in owners_of_action(plan, "Review cases")] == [name]


def test_a_version_that_is_not_the_pages_is_refused(client, pending):
    number = number_of(client, pending, "Lean Team")
    for version in ["", "x" * 100, "<b>", "0"]:
        response = client.post(
            edit_url(pending, number),
            {"version": version, "choice": "new", "name": "Lean Board", "kind": "board"},
        )
        assert response.status_code == 200
    assert changes(pending) == {}


def test_unknown_owner_numbers_are_not_found(client, pending):
    for number in (5, 999, 2**40):
        assert client.get(edit_url(pending, number)).status_code == 404
        assert client.post(edit_url(pending, number), {"choice": "new"}).status_code == 404
    assert changes(pending) == {}


def test_only_the_uploader_may_change_its_owners(client, world, pending):
    url = edit_url(pending, 0)
    data = {"version": "x", "choice": "new", "name": "Mine", "kind": "team"}
    client.force_login(world.other_manager)  # the same council: the import is not theirs
    assert client.get(url).status_code == 404 and client.post(url, data).status_code == 404
    client.force_login(world.officer)  # no manager: may not import at all
    assert client.get(url).status_code == 403 and client.post(url, data).status_code == 403
    assert changes(pending) == {}


def test_a_confirmed_imports_owners_no_longer_change(client, pending):
    number = number_of(client, pending, "Lean Team")
    page = client.get(edit_url(pending, number))
    version = page.context["form"].initial["version"]
    confirm(client, pending)
    response = client.post(
        edit_url(pending, number),
        {"version": version, "choice": "new", "name": "Late Board", "kind": "board"},
    )
    assert "This import was already confirmed" in response.content.decode()
    assert not Owner.objects.filter(name="Late Board").exists()


def test_changes_of_the_wrong_shape_kept_with_an_import_change_nothing(client, pending):
    document = PendingImport.objects.get(pk=pending.pk).document
    document["owner_edits"] = {
        "Lean Team": "x",
        "Ops Manager": {"name": 5, "kind": ["a"], "into": ["b"], "match": "7"},
        "Nobody in the file": {"into": "Lean Team"},
        "Jane Smyth": {"into": "Jane Smyth"},
    }
    PendingImport.objects.filter(pk=pending.pk).update(document=document)
    owners = owners_of(client, pending)
    assert [(o["name"], o["merged_into"], o["match"]) for o in owners.values()][:4] == [
        ("Jane Smith", "", None),
        ("Jane Smyth", "", None),
        ("Ops Manager", "", None),
        ("Lean Team", "", None),
    ]
    plan = confirm(client, pending)
    assert [o.name for o in owners_of_action(plan, "Supervise monthly")] == ["Ops Manager"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_changes_sent_at_the_same_moment_keep_one(committed_world):
    """Both read the same page: the import's row is locked, so the second finds the owners
    changed and is refused, instead of both being taken and one lost."""
    world = committed_world
    client = signed_in(world.manager)
    upload(client, "plan.csv", plan_csv(*ROWS), title="Edited owners plan")
    pending = PendingImport.objects.get(title="Edited owners plan")
    number = number_of(client, pending, "Lean Team")
    version = client.get(edit_url(pending, number)).context["form"].initial["version"]
    posts = [
        {"version": version, "choice": "new", "name": name, "kind": "board"}
        for name in ("Lean Board", "Lean Group")
    ]
    clients = [signed_in(world.manager), signed_in(world.manager)]
    url = edit_url(pending, number)
    pairs = list(zip(clients, posts, strict=True))
    responses = together(*[lambda c=c, d=d: c.post(url, d) for c, d in pairs])
    assert sorted(r.status_code for r in responses) == [200, 302], responses
    refused = next(r for r in responses if r.status_code == 200)
    assert "have changed since this page was shown" in refused.content.decode()
    kept = next(d["name"] for d, r in zip(posts, responses, strict=True) if r.status_code == 302)
    assert changes(pending)["Lean Team"]["name"] == kept


FIRST = ["Alex", "Beth", "Carl", "Dana", "Evan"]
LAST = ["Abbott", "Barker", "Carter", "Dawson", "Ellis", "Foster", "Gibson", "Hughes"]


def test_the_owner_pages_queries_do_not_grow_with_the_owners(client, world):
    """The preview and an owner's change page, for a file of 4 owners and one of 40, each with
    every other owner matched to an existing one: the same number of queries."""
    client.force_login(world.manager)
    existing = [OwnerFactory(name=f"Existing {n}", organisation=COUNCIL) for n in range(20)]
    counts = []
    for size in (4, 40):
        names = [f"{a} {b}" for a in FIRST for b in LAST][:size]
        rows = [["1", "Improve", f"Action {n}", name, "Nov 12"] for n, name in enumerate(names)]
        title = f"Plan of {size}"
        upload(client, "plan.csv", plan_csv(*rows), title=title)
        pending = PendingImport.objects.get(title=title)
        document = pending.document
        document["owner_edits"] = {
            name: {"match": existing[n % 20].pk} for n, name in enumerate(names) if n % 2
        }
        PendingImport.objects.filter(pk=pending.pk).update(document=document)
        owners = owners_of(client, pending)
        assert len(owners) == size
        assert sum(o["match"] is not None for o in owners.values()) == size // 2
        with CaptureQueriesContext(connection) as preview:
            assert client.get(reverse("import_preview", args=[pending.pk])).status_code == 200
        with CaptureQueriesContext(connection) as page:
            assert client.get(edit_url(pending, 1)).status_code == 200
        counts.append((len(preview), len(page)))
    assert counts[0] == counts[1], counts


def test_a_body_merged_is_the_body_of_both_actions(client, world):
    """An owner read from the accountable body column is changed as any other: its cells are
    shown by that column, and merged it is each action's one body."""
    client.force_login(world.manager)
    header = ["Ref", "Recommendation", "Action", "Lead officer", "Timescale", "Governance board"]
    rows = [
        ["1", "Improve", "Audit", "Jane Smith", "Nov 12", "Improvement Board"],
        ["", "", "Train", "Jane Smith", "Dec 12", "Improvment Board"],
    ]
    upload(client, "plan.csv", plan_csv(*rows, header=header), title="Edited owners plan")
    pending = PendingImport.objects.get(title="Edited owners plan")
    owners = owners_of(client, pending)
    assert owners["Improvment Board"]["cells"] == [("Governance board", "row 4")]
    board = str(owners["Improvement Board"]["number"])
    edit(client, pending, "Improvment Board", choice="same", same=board)
    plan = confirm(client, pending)
    bodies = {a.accountable_body for a in Action.objects.filter(recommendation__plan=plan)}
    assert [b.name for b in bodies] == ["Improvement Board"]
    assert not Owner.objects.filter(name="Improvment Board").exists()
