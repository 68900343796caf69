"""Prepare for committee and the layout editor: who may use them, and hostile input."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.models import Layout, LayoutColumn, PlanLayout

from .conftest import COUNCIL

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def query(**changes):
    data = {"as_at": TODAY.isoformat(), "updates": "latest", **changes}
    return data


@pytest.fixture
def layout(db):
    layout = Layout.objects.create(
        name="Test layout", running_heading="Appendix C", organisation=COUNCIL
    )
    LayoutColumn.objects.create(layout=layout, order=0, heading="Ref", field="reference", width=5)
    LayoutColumn.objects.create(layout=layout, order=1, heading="Doing", field="action", width=20)
    LayoutColumn.objects.create(layout=layout, order=2, heading="RAG", field="rag", width=8)
    return layout


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clerk", 200),
        ("manager", 200),
        ("admin", 200),
        ("other_manager", 403),
        ("officer", 403),
        ("partner", 403),
    ],
)
def test_who_may_prepare(client, world, who, status):
    client.force_login(getattr(world, who))
    for name in ("appendix_prepare", "appendix_download"):
        response = client.get(reverse(name, args=[world.plan.pk]), query())
        assert response.status_code == status, (name, who)


def test_signed_out_goes_to_sign_in(client, world):
    response = client.get(reverse("appendix_prepare", args=[world.plan.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_preview_and_download(client, world, layout):
    client.force_login(world.clerk)
    url = reverse("appendix_prepare", args=[world.plan.pk])
    page = client.get(url, query(layout=layout.pk)).content.decode()
    assert "Appendix C" in page and '<th scope="col">Doing</th>' in page
    assert world.own.text in page
    response = client.get(
        reverse("appendix_download", args=[world.plan.pk]), query(layout=layout.pk, updates="all")
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="Child-protection-improvement-plan-as-at-{TODAY:%Y-%m-%d}.pdf"'
    )
    assert response.content.startswith(b"%PDF")


def test_a_plan_without_a_layout_renders_in_its_own_headings(client, world):
    world.plan.column_names = ["Ref No", "Action", "Lead officer", "Deadline", "RAG", "Update"]
    world.plan.save()
    client.force_login(world.clerk)
    page = client.get(reverse("appendix_prepare", args=[world.plan.pk]), query()).content.decode()
    for heading in world.plan.column_names:
        assert f'<th scope="col">{heading}</th>' in page
    assert "rag rag--" in page  # a coloured cell, with its word beside the colour


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"as_at": "31/02/2012"}, "Enter a real date"),
        ({"as_at": "not a date"}, ""),
        ({"as_at": "01/01/2999"}, ""),
        ({"as_at": ""}, "Enter the date the appendix shows"),
        ({"layout": "999999"}, "Choose one of the layouts listed."),
        ({"layout": "<script>alert(1)</script>"}, "Choose one of the layouts listed."),
        ({"updates": "everything"}, "Select a valid choice"),
        ({"updates": "since"}, "Enter the date to show updates since."),
        ({"updates": "since", "since": "01/01/2999"}, ""),
        ({"as_at": "01/01/2001"}, "had not been recorded yet"),
    ],
)
def test_hostile_prepare_input(client, world, changes, message):
    client.force_login(world.clerk)
    for name in ("appendix_prepare", "appendix_download"):
        response = client.get(reverse(name, args=[world.plan.pk]), query(**changes))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        body = response.content.decode()
        assert "There is a problem" in body and message in body
        assert "<script>alert(1)</script>" not in body


def test_another_councils_plan_is_not_found(client, world):
    client.force_login(world.partner)
    response = client.get(reverse("appendix_prepare", args=[world.other_plan.pk]), query())
    assert response.status_code == 404
    client.force_login(world.clerk)
    assert client.get(reverse("appendix_prepare", args=[999999]), query()).status_code == 404


def test_setting_the_plans_default(client, world, layout):
    client.force_login(world.manager)
    url = reverse("appendix_default_set", args=[world.plan.pk])
    client.post(url, {"layout": layout.pk})
    assert PlanLayout.objects.get(plan=world.plan).layout == layout
    assert PlanLayout.history.filter(plan_id=world.plan.pk).first().history_user == world.manager
    client.post(url, {"layout": "999999"})
    assert PlanLayout.objects.get(plan=world.plan).layout == layout
    client.force_login(world.other_manager)
    assert client.post(url, {"layout": layout.pk}).status_code == 403
    client.force_login(world.officer)
    assert client.post(url, {"layout": layout.pk}).status_code == 403


# The layout editor.


def layout_data(version=1, **changes):
    data = {
        "name": "Committee style",
        "running_heading": "Appendix 1",
        "title_block": "on",
        "preamble": "",
        "group_sections": "on",
        "span_recommendations": "on",
        "bold_complete": "on",
        "complete_word": "complete",
        "rag_display": "coloured",
        "version": version,
        "columns-TOTAL_FORMS": 3,
        "columns-INITIAL_FORMS": 0,
        "columns-MIN_NUM_FORMS": 0,
        "columns-MAX_NUM_FORMS": 20,
        "columns-0-heading": "What",
        "columns-0-field": "action",
        "columns-0-width": "30",
        "columns-0-position": "2",
        "columns-1-heading": "Ref",
        "columns-1-field": "reference",
        "columns-1-width": "5",
        "columns-1-position": "1",
        "columns-2-heading": "",
        "columns-2-field": "",
        "columns-2-width": "10",
        "columns-2-position": "3",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("who", "status"), [("clerk", 200), ("manager", 200), ("admin", 200), ("officer", 403)]
)
def test_who_may_edit_layouts(client, world, layout, who, status):
    client.force_login(getattr(world, who))
    for url in (
        reverse("layout_list"),
        reverse("layout_add"),
        reverse("layout_edit", args=[layout.pk]),
    ):
        assert client.get(url).status_code == status


def test_create_and_edit_a_layout(client, world):
    client.force_login(world.clerk)
    response = client.post(reverse("layout_add"), layout_data())
    assert response.status_code == 302
    layout = Layout.objects.get(name="Committee style")
    assert [(c.heading, c.field, c.width) for c in layout.columns.all()] == [
        ("Ref", "reference", 5),
        ("What", "action", 30),
    ]
    assert layout.history.first().history_user == world.clerk
    url = reverse("layout_edit", args=[layout.pk])
    response = client.post(
        url, layout_data(version=1, name="Renamed", **{"columns-INITIAL_FORMS": 2})
    )
    assert response.status_code == 302
    layout.refresh_from_db()
    assert layout.name == "Renamed" and layout.version == 2
    # A second save from the same (now stale) page is refused and changes nothing.
    response = client.post(url, layout_data(version=1, name="Stale"))
    assert "Someone else changed this layout" in response.content.decode()
    layout.refresh_from_db()
    assert layout.name == "Renamed"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"columns-0-field": "nonsense"}, "Select a valid choice"),
        ({"columns-0-width": "1000"}, "less than or equal to 100"),
        ({"columns-0-width": "wide"}, "Enter a whole number"),
        ({"columns-0-field": ""}, "Choose what the column shows."),
        (
            {
                "columns-0-heading": "",
                "columns-0-field": "",
                "columns-1-heading": "",
                "columns-1-field": "",
            },
            "at least one column",
        ),
        ({"columns-0-heading": "x" * 5000}, "at most 120 characters"),
        ({"name": "x" * 5000}, "at most 120 characters"),
        ({"name": ""}, "required"),
        ({"rag_display": "blink"}, "Select a valid choice"),
        ({"columns-TOTAL_FORMS": "5000"}, ""),
    ],
)
def test_hostile_layout_input(client, world, changes, message):
    client.force_login(world.manager)
    response = client.post(reverse("layout_add"), layout_data(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Layout.objects.filter(name="Committee style").exists()


def test_script_in_a_layout_is_only_text(client, world):
    client.force_login(world.clerk)
    script = "<script>alert(1)</script>"
    data = layout_data(name=script, running_heading=script, **{"columns-0-heading": script})
    assert client.post(reverse("layout_add"), data).status_code == 302
    layout = Layout.objects.get(name=script)
    for response in (
        client.get(reverse("layout_list")),
        client.get(reverse("appendix_prepare", args=[world.plan.pk]), query(layout=layout.pk)),
    ):
        assert script not in response.content.decode()
        assert "&lt;script&gt;" in response.content.decode()


def test_preview_query_count_does_not_grow_with_the_plan(
    client, world, layout, settings, django_assert_num_queries
):
    settings.SESSION_REFRESH_SECONDS = 24 * 60 * 60  # no keep-alive save of the session counted
    from tests.factories import ActionFactory, ProgressUpdateFactory

    client.force_login(world.clerk)
    url = reverse("appendix_prepare", args=[world.plan.pk])
    for _ in range(15):
        action = ActionFactory(recommendation=world.rec, owners=[world.officer_owner])
        ProgressUpdateFactory(action=action, written_on=dt.date(2012, 10, 18))
    # The session, the user with their permissions, the owners they act as with their council (3);
    # the plan, the layout (twice) and its columns (4); the plan's rows token, under which the
    # rows as at the date are kept (1); the plan as it stands (as at today: snapshots.kept_as_of),
    # read again after the token, its outline token and outline (sections, recommendations,
    # leads, actions, owners, measures, readings, findings) and its updates (2): 12; the layout
    # the plan keeps, and the layouts to choose from (3).
    with django_assert_num_queries(23):
        assert client.get(url, query(layout=layout.pk)).status_code == 200


def test_the_plan_page_offers_prepare_for_committee_to_whoever_may_export(client, world):
    url = reverse("plan_detail", args=[world.plan.pk])
    link = reverse("appendix_prepare", args=[world.plan.pk])
    for user, shown in [
        (world.clerk, True),
        (world.manager, True),
        (world.officer, False),
        (world.other_manager, False),
    ]:
        client.force_login(user)
        assert (link in client.get(url).content.decode()) is shown, user
