"""Committees and their meetings are records (issue 27): a council's governance bodies and their
meetings, a report for a meeting, the free text of older reports turned into both, a published
pack that never changes and its corrections as versions with their own checksums, and the packs a
plan has appeared in."""

import datetime as dt
import hashlib
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from core.errors import Refused
from reporting import changes_since, demo, meetings, services
from reporting.models import (
    CommitteeReport,
    GovernanceBody,
    LayoutColumn,
    Meeting,
    PackPublishing,
    PublishedPack,
)

from . import test_packs
from .conftest import COUNCIL, person
from .factories import PlanFactory, published_directly
from .test_packs import COVER, run_queued, settings_for

# test_packs' fixtures, used here by name: a layout, a report, one with two appendices, the queue.
layout, report, pack_report, queue = (
    test_packs.layout,
    test_packs.report,
    test_packs.pack_report,
    test_packs.queue,
)

pytestmark = pytest.mark.django_db
OTHER = "Other Borough Council"
PANEL = "Children and Young People Overview and Scrutiny Panel"
HUGE = "x" * 30_000
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def theirs(world):
    """Another council: its clerk, plan, body and meeting."""
    clerk, _ = person("their_clerk", "Clerk", OTHER)
    plan = PlanFactory(organisation=OTHER, title="Their plan")
    body = meetings.body_create(actor=clerk, organisation=OTHER, name=PANEL, kind="scrutiny")
    meeting = meetings.meeting_create(body, actor=clerk, date=dt.date(2011, 11, 15))
    return clerk, plan, body, meeting


def options(page, name):
    """The values offered by the page's select called ``name``."""
    found = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    return set(re.findall(r'<option value="(\d+)"', found.group(0)))


def sha(content):
    return hashlib.sha256(content).hexdigest()


def date_boxes(prefix, date):
    return {f"{prefix}_0": date.day, f"{prefix}_1": date.month, f"{prefix}_2": date.year}


def report_form(**fields):
    """The report form as posted, with one section; the meeting fields are the caller's."""
    return {
        "subject": "Progress on the plan",
        "appendix_numbering": "letters",
        "recs-TOTAL_FORMS": 0,
        "recs-INITIAL_FORMS": 0,
        "sections-TOTAL_FORMS": 1,
        "sections-INITIAL_FORMS": 0,
        "sections-0-heading": "DETAILS",
        "sections-0-text": "",
        **fields,
    }


# Bodies and meetings.


def test_bodies_and_meetings_through_the_pages(client, world):
    client.force_login(world.clerk)
    response = client.post(
        reverse("body_add"), {"name": f"  {PANEL} ", "kind": "scrutiny", "plans": [world.plan.pk]}
    )
    body = GovernanceBody.objects.get()
    assert response.status_code == 302 and response["Location"] == body.get_absolute_url()
    assert (body.organisation, body.name, body.kind) == (COUNCIL, PANEL, "scrutiny")
    assert list(body.plans.all()) == [world.plan]
    assert body.history.first().history_user == world.clerk
    # The same name again, in another case: refused, nothing made.
    response = client.post(reverse("body_add"), {"name": PANEL.upper(), "kind": "other"})
    assert response.status_code == 200
    assert "already has a body called" in response.content.decode()
    assert GovernanceBody.objects.count() == 1

    add = reverse("meeting_add", args=[body.pk])
    response = client.post(add, {**date_boxes("date", dt.date(2011, 11, 15)), "title": ""})
    meeting = Meeting.objects.get()
    assert response["Location"] == meeting.get_absolute_url()
    assert (meeting.body, meeting.date) == (body, dt.date(2011, 11, 15))
    response = client.post(add, date_boxes("date", dt.date(2011, 11, 15)))
    assert "already has a meeting on 15 November 2011" in response.content.decode()
    assert Meeting.objects.count() == 1

    # The plans it receives: changed, and another council's refused.
    plans = reverse("body_plans", args=[body.pk])
    response = client.post(plans, {"plans": [world.plan.pk, world.other_plan.pk]})
    assert response["Location"] == body.get_absolute_url()
    assert set(body.plans.all()) == {world.plan, world.other_plan}
    assert body.history.first().history_change_reason == "Plans it receives changed"
    theirs = PlanFactory(organisation=OTHER, title="Their plan")
    response = client.post(plans, {"plans": [theirs.pk]})
    assert "Choose plans of your council only." in response.content.decode()
    assert set(body.plans.all()) == {world.plan, world.other_plan}

    listed = client.get(reverse("body_list")).content.decode()
    assert PANEL in listed
    page = client.get(body.get_absolute_url()).content.decode()
    assert "15 November 2011" in page and world.plan.title in page
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Tuesday 15 November 2011" in page and "No reports for this meeting yet" in page


def test_another_councils_bodies_and_meetings_are_never_listed_or_accepted(client, world, theirs):
    their_clerk, their_plan, their_body, their_meeting = theirs
    ours = meetings.body_create(actor=world.clerk, organisation=COUNCIL, name=PANEL, kind="other")
    assert ours.pk != their_body.pk  # the same name in another council is another body
    client.force_login(world.clerk)
    listed = client.get(reverse("body_list")).content.decode()
    assert listed.count(PANEL) == 1 and OTHER not in listed
    for url in (
        reverse("body_detail", args=[their_body.pk]),
        reverse("meeting_detail", args=[their_meeting.pk]),
        reverse("meeting_add", args=[their_body.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("meeting_add", args=[their_body.pk]), date_boxes("date", dt.date(2012, 1, 5))
    )
    assert response.status_code == 404 and Meeting.objects.count() == 1
    add = reverse("report_add")
    form = client.get(add).content.decode()
    assert options(form, "meeting") == set()  # none of ours yet; none of theirs ever
    assert options(form, "body") == {str(ours.pk)}

    # A hostile id: a clear message, nothing made.
    response = client.post(add, report_form(meeting=their_meeting.pk))
    assert "Choose one of the meetings listed." in response.content.decode()
    response = client.post(
        add, report_form(body=their_body.pk, **date_boxes("meeting_date", dt.date(2012, 1, 5)))
    )
    assert "Choose one of the committees and boards listed." in response.content.decode()
    response = client.post(
        reverse("body_add"), {"name": "Board", "kind": "other", "plans": [their_plan.pk]}
    )
    assert "Choose plans of your council only." in response.content.decode()
    assert not CommitteeReport.objects.exists() and Meeting.objects.count() == 1
    assert GovernanceBody.objects.count() == 2

    # The services refuse the same, whoever calls them.
    with pytest.raises(Refused, match="Choose a meeting of Example Council's bodies"):
        services.report_create(
            {"meeting": their_meeting, "subject": "S"}, actor=world.clerk, organisation=COUNCIL
        )
    with pytest.raises(Refused, match="Choose one of Example Council's bodies"):
        services.report_create(
            {"body": their_body, "meeting_date": dt.date(2012, 1, 5), "subject": "S"},
            actor=world.clerk,
            organisation=COUNCIL,
        )
    with pytest.raises(Refused, match="its own council's plans only"):
        meetings.body_create(
            actor=world.clerk, organisation=COUNCIL, name="B", kind="other", plans=[their_plan]
        )
    with pytest.raises(Refused, match="its own council's plans only"):
        meetings.body_plans_set(ours, actor=world.clerk, plans=[world.plan, their_plan])
    assert not CommitteeReport.objects.exists() and not ours.plans.exists()
    assert GovernanceBody.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": HUGE, "kind": "scrutiny"}, "at most 200 characters"),
        ({"name": "", "kind": "scrutiny"}, "This field is required"),
        ({"name": "Board", "kind": "roman"}, "Choose one of the kinds listed."),
        ({"name": "Board", "kind": "other", "plans": ["99999999999999"]}, "Choose plans"),
        ({"name": "Board", "kind": "other", "plans": [SCRIPT]}, "is not a valid value"),
    ],
)
def test_hostile_body_input(client, world, data, message):
    client.force_login(world.clerk)
    response = client.post(reverse("body_add"), data)
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page and message in page
    assert not GovernanceBody.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (date_boxes("date", dt.date(2011, 1, 1)) | {"date_2": "2999"}, "between 1990 and 2099"),
        (date_boxes("date", dt.date(2011, 1, 1)) | {"date_1": "13"}, "Enter a real date"),
        ({"date_0": "x", "date_1": "1", "date_2": "2011"}, "Enter the date in numbers"),
        ({}, "Enter the day, month and year"),
        (date_boxes("date", dt.date(2011, 1, 1)) | {"title": HUGE}, "at most 200 characters"),
    ],
)
def test_hostile_meeting_input(client, world, data, message):
    body = meetings.body_create(actor=world.clerk, organisation=COUNCIL, name=PANEL, kind="other")
    client.force_login(world.clerk)
    response = client.post(reverse("meeting_add", args=[body.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page and message in page
    assert not Meeting.objects.exists()


def test_script_in_a_body_name_is_text(client, world):
    body = meetings.body_create(actor=world.clerk, organisation=COUNCIL, name=SCRIPT, kind="other")
    meetings.meeting_create(body, actor=world.clerk, date=dt.date(2012, 1, 5))
    client.force_login(world.clerk)
    for url in (reverse("body_list"), body.get_absolute_url(), reverse("report_add")):
        page = client.get(url).content.decode()
        assert SCRIPT not in page and "&lt;script&gt;" in page, url


# The report form picks a meeting, or makes one under a body.


def test_the_report_form_picks_a_meeting_or_makes_one(client, world):
    body = meetings.body_create(actor=world.clerk, organisation=COUNCIL, name=PANEL, kind="other")
    meeting = meetings.meeting_create(body, actor=world.clerk, date=dt.date(2011, 9, 21))
    client.force_login(world.clerk)
    add = reverse("report_add")
    preset = client.get(f"{add}?meeting={meeting.pk}").content.decode()
    assert f'<option value="{meeting.pk}" selected>' in preset

    assert client.post(add, report_form(meeting=meeting.pk)).status_code == 302
    first = CommitteeReport.objects.get()
    assert (first.meeting, first.committee, first.meeting_date) == (
        meeting,
        PANEL,
        dt.date(2011, 9, 21),
    )
    new_day = date_boxes("meeting_date", dt.date(2011, 11, 15))
    assert client.post(add, report_form(body=body.pk, **new_day)).status_code == 302
    assert client.post(add, report_form(body=body.pk, **new_day)).status_code == 302
    second, third = CommitteeReport.objects.exclude(pk=first.pk).order_by("pk")
    assert second.meeting == third.meeting != meeting  # one meeting that day, made once
    assert second.meeting.date == dt.date(2011, 11, 15) and second.meeting.body == body

    for data, message in (
        (report_form(meeting=meeting.pk, body=body.pk), "not both"),
        (report_form(), "Choose the meeting the report is for"),
        (report_form(body=body.pk), "Enter the date of the new meeting."),
        (report_form(**new_day), "Choose its body."),
        (report_form(meeting=SCRIPT), "Choose one of the meetings listed."),
    ):
        response = client.post(add, data)
        assert message in response.content.decode()
    assert CommitteeReport.objects.count() == 3 and Meeting.objects.count() == 2

    # The meeting's page lists its reports.
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert first.get_absolute_url() in page and second.get_absolute_url() not in page


# Free text of older reports, turned into bodies and meetings (migration 0014).


def test_free_text_committees_become_bodies_and_meetings(world):
    migration = importlib.import_module("reporting.migrations.0014_meetings_from_free_text")
    clerk, _ = person("their_clerk", "Clerk", OTHER)
    texts = [
        (COUNCIL, "Children and Young People Scrutiny Panel", dt.date(2011, 9, 21)),
        (COUNCIL, "  children and young people  scrutiny panel", dt.date(2011, 9, 21)),
        (COUNCIL, "Children and Young People Scrutiny Panel", dt.date(2011, 11, 15)),
        (COUNCIL, "Improvement Panel", dt.date(2012, 10, 1)),
        (COUNCIL, "Cabinet", dt.date(2012, 10, 1)),
        (OTHER, "Children and Young People Scrutiny Panel", dt.date(2011, 9, 21)),
    ]
    placeholder = {"committee": "Placeholder", "meeting_date": dt.date(2000, 1, 1)}
    made = []
    for council, committee, date in texts:
        actor = world.clerk if council == COUNCIL else clerk
        report = services.report_create(
            {**placeholder, "subject": committee}, actor=actor, organisation=council
        )
        # As a report before 0012 had it: free text only.
        CommitteeReport.objects.filter(pk=report.pk).update(committee=committee, meeting_date=date)
        made.append(report.pk)

    migration.meetings_from_text(
        django_apps, None, reports=CommitteeReport.objects.filter(pk__in=made)
    )

    reports = [CommitteeReport.objects.select_related("meeting__body").get(pk=pk) for pk in made]
    bodies = {
        (b.organisation, b.name): b.kind for b in GovernanceBody.objects.exclude(name="Placeholder")
    }
    assert bodies == {
        (COUNCIL, "Children and Young People Scrutiny Panel"): "scrutiny",
        (COUNCIL, "Improvement Panel"): "improvement",
        (COUNCIL, "Cabinet"): "executive",
        (OTHER, "Children and Young People Scrutiny Panel"): "scrutiny",
    }
    assert reports[0].meeting == reports[1].meeting  # one body and meeting, however written
    assert reports[1].committee == "Children and Young People Scrutiny Panel"
    assert reports[2].meeting.body == reports[0].meeting.body != reports[5].meeting.body
    assert reports[2].meeting != reports[0].meeting
    assert reports[5].meeting.body.organisation == OTHER
    for report, (council, _, date) in zip(reports, texts, strict=True):
        assert report.meeting.body.organisation == council == report.organisation
        assert report.meeting.date == date == report.meeting_date


# A published pack never changes; a correction is a new version with its own checksum.


def publish(client, user, report):
    client.force_login(user)
    client.post(reverse("report_publish", args=[report.pk]), {"version": report.version})
    assert run_queued("publish_pack") == ["published"]
    report.refresh_from_db()


def test_a_published_pack_never_changes(client, world, pack_report):
    publish(client, world.clerk, pack_report)
    frozen = PublishedPack.objects.get(report=pack_report)
    download = client.get(reverse("report_download", args=[pack_report.pk]))
    assert sha(download.content) == frozen.sha256 == download["Digest"].split("=", 1)[1]
    # A second publication, an edit and a rewrite of the row are all refused; nothing changes.
    with pytest.raises(services.ReportPublished):
        services.report_publish(pack_report, actor=world.clerk, version=pack_report.version)
    with pytest.raises(services.ReportPublished):
        services.report_publish_ask(pack_report, actor=world.clerk, version=pack_report.version)
    with pytest.raises(services.ReportPublished):
        services.report_edit(
            pack_report,
            actor=world.clerk,
            version=pack_report.version,
            values={"subject": "Changed"},
            recommendations=[],
            sections=[],
        )
    frozen.pdf = b"rewritten"
    with pytest.raises(Refused, match="never changed"):
        frozen.save()
    again = client.get(reverse("report_download", args=[pack_report.pk])).content
    assert again == download.content and PublishedPack.objects.count() == 1
    assert not PackPublishing.objects.exists()


def test_a_correction_is_a_new_version_and_both_keep_their_checksums(
    client, world, pack_report, layout
):
    publish(client, world.clerk, pack_report)
    first = PublishedPack.objects.get(report=pack_report)
    v1 = reverse("report_version_download", args=[pack_report.pk, 1])
    first_bytes = client.get(v1).content
    assert sha(first_bytes) == first.sha256

    correct = reverse("report_correct", args=[pack_report.pk])
    detail = client.get(pack_report.get_absolute_url()).content.decode()
    assert f'action="{correct}"' in detail and first.sha256 in detail
    # It must say what it corrects: refused, nothing asked.
    response = client.post(correct, {"version": pack_report.version, "corrects": "  "}, follow=True)
    assert "Say what the correction corrects." in response.content.decode()
    assert not PackPublishing.objects.exists() and run_queued("publish_pack") == []

    # The layout's heading was wrong; the correction shows it as it is now.
    LayoutColumn.objects.filter(layout=layout, field="reference").update(heading="Reference")
    response = client.post(
        correct, {"version": pack_report.version, "corrects": "Appendix A's first heading."}
    )
    assert response["Location"] == reverse("report_publish", args=[pack_report.pk])
    assert run_queued("publish_pack") == ["published"]
    versions = list(PublishedPack.objects.filter(report=pack_report).order_by("number"))
    assert [(v.number, v.corrects) for v in versions] == [
        (1, ""),
        (2, "Appendix A's first heading."),
    ]
    second = versions[1]
    assert second.sha256 != first.sha256 and second.published_by == world.clerk

    # Both stay downloadable, each hashing to its own checksum; version 1 is as it was.
    assert client.get(v1).content == first_bytes
    v2 = client.get(reverse("report_version_download", args=[pack_report.pk, 2]))
    assert sha(v2.content) == second.sha256 and v2["Digest"] == f"sha-256={second.sha256}"
    assert "version-2.pdf" in v2["Content-Disposition"]
    latest = client.get(reverse("report_download", args=[pack_report.pk])).content
    assert latest == v2.content
    missing = client.get(reverse("report_version_download", args=[pack_report.pk, 3]))
    assert missing.status_code == 404
    detail = client.get(pack_report.get_absolute_url()).content.decode()
    assert first.sha256 in detail and second.sha256 in detail
    assert "A correction of: Appendix A&#x27;s first heading." in detail

    # A correction of a draft, or one saying nothing, is refused by the service too.
    draft = services.report_create(COVER, actor=world.clerk, organisation=COUNCIL)
    with pytest.raises(Refused, match="Only a published pack can be corrected"):
        services.report_correct_ask(draft, actor=world.clerk, version=1, corrects="x")
    pack_report.refresh_from_db()
    with pytest.raises(Refused, match="Say what"):
        services.report_correct_ask(
            pack_report, actor=world.clerk, version=pack_report.version, corrects=""
        )


# The packs a plan has appeared in.


def test_a_plans_packs_page_lists_each_version_with_its_meeting(client, world, pack_report):
    published_directly(pack_report, actor=world.clerk, pdf=b"%PDF first")
    PublishedPack.objects.create(
        report=pack_report,
        number=2,
        corrects="The as-at date.",
        pdf=b"%PDF second",
        sha256=sha(b"%PDF second"),
        published_at=timezone.now(),
        published_by=world.manager,
    )
    unrelated = PlanFactory(organisation=COUNCIL, title="A plan in no pack")
    client.force_login(world.clerk)
    page = client.get(reverse("plan_packs", args=[world.plan.pk])).content.decode()
    for text in (
        COVER["committee"],
        "21 September 2011",
        "Version 1",
        "Version 2",
        "A correction of: The as-at date.",
        sha(b"%PDF first"),
        sha(b"%PDF second"),
        reverse("report_version_download", args=[pack_report.pk, 2]),
    ):
        assert text in page, text
    empty = client.get(reverse("plan_packs", args=[unrelated.pk])).content.decode()
    assert "None published yet." in empty and sha(b"%PDF first") not in empty
    plan_page = client.get(world.plan.get_absolute_url()).content.decode()
    assert reverse("plan_packs", args=[world.plan.pk]) in plan_page
    client.force_login(world.officer)
    assert client.get(reverse("plan_packs", args=[world.plan.pk])).status_code == 403


def test_the_last_pack_of_a_plan(world, report, pack_report):
    assert changes_since.last_pack(world.plan) is None
    published_directly(pack_report, actor=world.clerk)
    first = PublishedPack.objects.get(report=pack_report)
    since = changes_since.last_pack(world.plan)
    assert since is not None and since.moment <= first.published_at
    PublishedPack.objects.create(
        report=pack_report,
        number=2,
        corrects="A typo.",
        pdf=b"x",
        sha256=sha(b"x"),
        published_at=first.published_at + dt.timedelta(days=3),
    )
    assert changes_since.last_pack(world.plan) == since  # a correction is not a new meeting
    later = services.report_create(COVER, actor=world.clerk, organisation=COUNCIL)
    services.appendix_add(
        later, actor=world.clerk, plan=world.other_plan, settings=settings_for(world.other_plan)
    )
    published_directly(later, actor=world.clerk)
    assert changes_since.last_pack(world.plan) == since  # not in that pack
    later_pack = PublishedPack.objects.get(report=later)
    assert changes_since.last_pack(world.other_plan).moment == later_pack.published_at


# The demo's committees.


def test_the_demo_councils_committees(world):
    merton = PlanFactory(organisation=demo.MERTON, title="Youth Justice Core Case Action Plan")
    access = PlanFactory(organisation=demo.MERTON, title="Access and Assessment Action Plan")
    rotherham = PlanFactory(organisation=demo.ROTHERHAM, title="Improvement Panel plan")
    for _ in range(2):  # loaded again, nothing twice
        demo.committees_load(actor=world.clerk)
    panel = GovernanceBody.objects.get(
        organisation=demo.MERTON, name="Children and Young People Scrutiny Panel"
    )
    assert set(panel.plans.all()) == {merton, access}
    assert [m.date for m in panel.meetings.order_by("date")] == [
        dt.date(2011, 9, 21),
        dt.date(2011, 11, 15),
    ]
    yjeb = GovernanceBody.objects.get(organisation=demo.MERTON, name__startswith="Youth Justice")
    assert list(yjeb.plans.all()) == [merton]
    improvement = GovernanceBody.objects.get(organisation=demo.ROTHERHAM, kind="improvement")
    assert list(improvement.plans.all()) == [rotherham]
    assert GovernanceBody.objects.count() == 4 and Meeting.objects.count() == 2
