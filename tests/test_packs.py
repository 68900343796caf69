"""Committee packs: the cover report and its appendices as one tagged PDF, read back; publishing
freezes it; who may use the pages; hostile input; a stale edit."""

import datetime as dt
import io
import re

import pypdf
import pytest
from django.tasks import default_task_backend
from django.urls import reverse
from django.utils import timezone

from reporting import packs, services
from reporting.models import (
    CommitteeReport,
    GovernanceBody,
    Layout,
    LayoutColumn,
    PublishedPack,
    ReportAppendix,
    letter,
)
from reporting.packs import Settings

from .conftest import COUNCIL, person
from .factories import ActionFactory, PlanFactory, RecommendationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
OTHER_COUNCIL = "Other Borough Council"


def squash(text):
    return re.sub(r"\s+", "", text)


def assert_in_order(needles, haystack):
    at = 0
    for needle in needles:
        found = haystack.find(squash(needle), at)
        assert found >= 0, f"{needle[:60]!r} missing or out of order"
        at = found + len(squash(needle))


COVER = {
    "committee": "Children and Young People Scrutiny Panel",
    "meeting_date": dt.date(2011, 9, 21),
    "agenda_item": "15",
    "wards": "All",
    "subject": "Youth Offending Service Post-Inspection Scrutiny Briefing",
    "lead_officer": "Yvette Stanley, Director of Children, Schools and Families",
    "lead_member": "Cllr Maxi Martin",
    "forward_plan_reference": "FP 2011/42",
    "contact_officer": "Keith Shipman, Youth Inclusion Manager",
    "reason_for_urgency": "The legal requirements for Access to Information have not been met.",
    "appendix_numbering": "letters",
}
RECS = [
    "That Panel note the findings of the Youth Justice Casework inspection.",
    "That Panel agree to receive progress updates at future meetings.",
]
SECTIONS = [
    ("PURPOSE OF REPORT AND EXECUTIVE SUMMARY", "Youth Offending Services are statutory."),
    ("DETAILS", "This Inspection had a disappointing result.\n\nScores across London are lower."),
]


@pytest.fixture
def layout(db):
    layout = Layout.objects.create(
        name="Pack test layout", running_heading="Appendix Z", organisation=COUNCIL
    )
    LayoutColumn.objects.create(layout=layout, order=0, heading="Ref", field="reference", width=5)
    LayoutColumn.objects.create(layout=layout, order=1, heading="Doing", field="action", width=20)
    return layout


@pytest.fixture
def report(world):
    return services.report_create(
        COVER,
        actor=world.clerk,
        organisation="Example Council",
        recommendations=RECS,
        sections=SECTIONS,
    )


def settings_for(plan, layout=None, as_at=TODAY, updates="latest"):
    return Settings.load(
        {
            "plan": plan.pk,
            "layout": layout.pk if layout else None,
            "as_at": as_at.isoformat(),
            "updates": updates,
        }
    )


@pytest.fixture
def pack_report(world, report, layout):
    services.appendix_add(
        report, actor=world.clerk, plan=world.plan, settings=settings_for(world.plan, layout)
    )
    services.appendix_add(
        report,
        actor=world.clerk,
        plan=world.other_plan,
        settings=settings_for(world.other_plan),
        title="Youth justice plan",
    )
    report.refresh_from_db()
    return report


def heading_of(text):
    """The running heading and footer of an appendix page ("Appendix A" / "Appendix A: as at")."""
    found = re.search(r"(Appendix \w+)\n\1: as at \d+ \w+ \d{4} Page \d+ of \d+\s*$", text)
    return found.group(1) if found else None


def read(pdf):
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return reader, [page.extract_text() for page in reader.pages]


@pytest.fixture(autouse=True)
def queue():
    """The test settings' queue records tasks and runs none: each test starts with it empty."""
    default_task_backend.clear()
    yield default_task_backend
    if hasattr(default_task_backend, "clear"):  # not a test that chose the database queue
        default_task_backend.clear()


def run_queued(name):
    """Run the recorded tasks called ``name``, as the worker would, each once."""
    results = [r for r in default_task_backend.results if r.task.name == name]
    default_task_backend.results[:] = [r for r in default_task_backend.results if r not in results]
    return [r.task.call(*r.args, **r.kwargs) for r in results]


def downloaded(client, report):
    """The pack's download: the progress page at once, then the PDF once its render has run."""
    url = reverse("report_download", args=[report.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("report_pack_progress", args=[report.pk])
    run_queued("render_pack")
    response = client.get(url)
    assert response.status_code == 200
    return response


# The document.


def test_letters_and_numbers():
    assert [letter(n) for n in (1, 2, 26, 27, 28, 52, 53)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
    ]


def test_pack_pdf_reads_in_order(world, pack_report):
    pdf = packs.write_pdf(packs.build(pack_report))
    reader, pages = read(pdf)
    whole = squash(" ".join(pages))
    cover = [
        "Committee: Children and Young People Scrutiny Panel",
        "Date: Wednesday 21 September 2011",
        "Agenda item: 15",
        "Wards: All",
        "Subject: Youth Offending Service Post-Inspection Scrutiny Briefing",
        "Lead officer: Yvette Stanley",
        "Lead member: Cllr Maxi Martin",
        "Forward Plan reference number: FP 2011/42",
        "Contact officer: Keith Shipman",
        "Reason for urgency: The legal requirements",
        "Recommendations:",
        f"A. {RECS[0]}",
        f"B. {RECS[1]}",
        "1 PURPOSE OF REPORT AND EXECUTIVE SUMMARY",
        "1.1 Youth Offending Services are statutory.",
        "2 DETAILS",
        "2.1 This Inspection had a disappointing result.",
        "2.2 Scores across London are lower.",
        "3 APPENDICES",
        "Appendix A: Child protection improvement plan",
        "Appendix B: Youth justice plan",
    ]
    assert_in_order(cover, whole)
    # Then each appendix, with its running heading (the pack's letter, not the layout's own).
    appendix_a = [i for i, text in enumerate(pages) if heading_of(text) == "Appendix A"]
    appendix_b = [i for i, text in enumerate(pages) if heading_of(text) == "Appendix B"]
    assert appendix_a and appendix_b and max(appendix_a) < min(appendix_b)
    assert "Appendix Z" not in whole
    # (The running heading names each appendix, as checked above, and nothing else above its
    # title: "Appendix A" is not printed twice at the top of its first page.)
    assert_in_order(
        [
            "Child protection improvement plan",
            "Ref",
            "Doing",
            world.rec.reference,
            world.own.text,
            world.via_team.text,
            "Youth justice improvement plan",
            world.elsewhere.text,
        ],
        squash(" ".join(pages[min(appendix_a) :])),
    )
    # The cover is portrait, the appendices landscape; every page of an appendix carries its
    # heading; "Page N of M" across the whole pack.
    cover_pages = min(appendix_a)
    for i, page in enumerate(reader.pages):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width < height) == (i < cover_pages), i
        assert f"Page {i + 1} of {len(pages)}" in pages[i]
    for i in range(min(appendix_a), len(pages)):
        assert heading_of(pages[i]) == ("Appendix A" if i < min(appendix_b) else "Appendix B")
    assert all(heading_of(text) is None for text in pages[:cover_pages])
    # Tagged, titled and in British English.
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB"
    assert reader.metadata.title == (
        "Agenda item 15: Youth Offending Service Post-Inspection Scrutiny Briefing "
        "(Children and Young People Scrutiny Panel, 21 September 2011)"
    )


def test_numbers_as_rotherham_does(world, pack_report):
    pack_report.appendix_numbering = CommitteeReport.Numbering.NUMBERS
    pack_report.save()
    _, pages = read(packs.write_pdf(packs.build(pack_report)))
    whole = squash(" ".join(pages))
    assert_in_order(["Appendix 1: Child protection", "Appendix 2: Youth justice plan"], whole)
    assert heading_of(pages[-1]) == "Appendix 2"


def test_a_long_appendix_repeats_its_recommendation_contd_across_pages(world, report, layout):
    rec = RecommendationFactory(plan=world.plan, reference="CP9")
    for n in range(60):
        ActionFactory(recommendation=rec, reference=f"({n})", text=f"Long action number {n}. " * 8)
    for _ in range(2):
        services.appendix_add(
            report, actor=world.clerk, plan=world.plan, settings=settings_for(world.plan, layout)
        )
    _, pages = read(packs.write_pdf(packs.build(report)))
    contd = [i for i, text in enumerate(pages) if "CP9 (contd.)" in text]
    assert len(contd) >= 2  # in both appendices, though they show the same rows
    a_pages = [i for i, text in enumerate(pages) if heading_of(text) == "Appendix A"]
    b_pages = [i for i, text in enumerate(pages) if heading_of(text) == "Appendix B"]
    assert any(i in a_pages for i in contd) and any(i in b_pages for i in contd)


# Publishing freezes the pack.


def test_publish_freezes_the_pack(client, world, pack_report):
    client.force_login(world.clerk)
    url = reverse("report_publish", args=[pack_report.pk])
    client.post(url, {"version": pack_report.version})
    assert run_queued("publish_pack") == ["published"]
    pack_report.refresh_from_db()
    assert pack_report.is_published and pack_report.published_at
    frozen = PublishedPack.objects.get(report=pack_report)
    assert [a["label"] for a in frozen.appendices] == ["Appendix A", "Appendix B"]
    assert frozen.appendices[0]["settings"]["plan"] == world.plan.pk
    first = client.get(reverse("report_download", args=[pack_report.pk])).content
    assert packs.digest(first) == frozen.sha256
    # The plan changes: the published pack does not.
    world.own.text = "Rewritten after the meeting"
    world.own.save()
    assert client.get(reverse("report_download", args=[pack_report.pk])).content == first
    # Every edit is refused with a clear message, and changes nothing.
    edit = reverse("report_edit", args=[pack_report.pk])
    response = client.post(edit, {**form_data(pack_report), "subject": "Changed"}, follow=True)
    assert "was published on" in response.content.decode()
    pack_report.refresh_from_db()
    assert pack_report.subject == COVER["subject"]
    item = pack_report.appendices.first()
    for name, data in (
        ("report_appendix_remove", {}),
        ("report_appendix_move", {"direction": "down"}),
    ):
        response = client.post(reverse(name, args=[item.pk]), data, follow=True)
        assert "cannot be changed" in response.content.decode()
    assert list(pack_report.appendices.values_list("pk", flat=True))[0] == item.pk
    assert pack_report.appendices.count() == 2
    with pytest.raises(services.ReportPublished):
        services.appendix_add(
            pack_report, actor=world.clerk, plan=world.plan, settings=settings_for(world.plan)
        )
    with pytest.raises(services.ReportPublished):
        services.report_publish(pack_report, actor=world.clerk, version=pack_report.version)


def test_publish_refuses_a_stale_copy_and_an_empty_pack(client, world, report, pack_report):
    client.force_login(world.clerk)
    url = reverse("report_publish", args=[pack_report.pk])
    response = client.post(url, {"version": pack_report.version - 1}, follow=True)
    assert "Someone changed this report" in response.content.decode()
    response = client.post(url, {"version": "<script>"}, follow=True)
    assert "Someone changed this report" in response.content.decode()
    pack_report.refresh_from_db()
    assert not pack_report.is_published
    empty = services.report_create(COVER, actor=world.clerk, organisation="Example Council")
    with pytest.raises(services.Refused, match="at least one appendix"):
        services.report_publish(empty, actor=world.clerk, version=empty.version)


# Pages and who may use them.


def form_data(report=None, **changes):
    """The report form as posted: a new meeting of the council's body named in COVER (made for
    the test if need be) on the COVER's date, or the report's own."""
    values = {**COVER, "meeting_date": ""}
    if report is not None:
        values = {k: getattr(report, k) for k in COVER}
    date = values.pop("meeting_date") or COVER["meeting_date"]
    body, _ = GovernanceBody.objects.get_or_create(
        organisation="Example Council", name=values.pop("committee")
    )
    data = {
        **values,
        "body": body.pk,
        "meeting_date_0": date.day,
        "meeting_date_1": date.month,
        "meeting_date_2": date.year,
        "version": report.version if report else "",
        "recs-TOTAL_FORMS": 2,
        "recs-INITIAL_FORMS": 0,
        "recs-0-text": RECS[0],
        "recs-1-text": RECS[1],
        "sections-TOTAL_FORMS": 2,
        "sections-INITIAL_FORMS": 0,
        "sections-0-heading": SECTIONS[0][0],
        "sections-0-text": SECTIONS[0][1],
        "sections-1-heading": SECTIONS[1][0],
        "sections-1-text": SECTIONS[1][1],
    }
    data.update(changes)
    return data


@pytest.fixture
def other_council(world):
    plan = PlanFactory(organisation=OTHER_COUNCIL, title="Another council's plan")
    clerk, _ = person("other_clerk", "Clerk", OTHER_COUNCIL)
    report = services.report_create(COVER, actor=clerk, organisation=OTHER_COUNCIL)
    return plan, clerk, report


def urls(report, item):
    return [
        ("get", reverse("report_list")),
        ("get", reverse("report_add")),
        ("get", reverse("report_detail", args=[report.pk])),
        ("get", reverse("report_edit", args=[report.pk])),
        ("get", reverse("report_appendix_add", args=[report.pk])),
        ("get", reverse("report_preview", args=[report.pk])),
        ("get", reverse("report_download", args=[report.pk])),
        ("get", reverse("report_pack_progress", args=[report.pk])),
        ("post", reverse("report_appendix_move", args=[item.pk])),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clerk", 200),
        ("admin", 200),
        ("manager", 200),
        ("officer", 403),
        ("partner", 403),
        ("other_officer", 403),
    ],
)
def test_who_may_use_the_pages(client, world, pack_report, who, status):
    client.force_login(getattr(world, who))
    item = pack_report.appendices.first()
    for method, url in urls(pack_report, item):
        response = getattr(client, method)(url)
        expected = 302 if (status == 200 and method == "post") else status
        if status == 200 and url.endswith(".pdf"):
            expected = 302  # not rendered yet: its progress page
        if who == "manager" and url.endswith(("/preview/", ".pdf", "/pack/")):
            expected = 403  # the pack shows a plan they do not manage (see below)
        assert response.status_code == expected, (who, url)


def test_a_manager_may_not_render_a_plan_they_do_not_manage(client, world, pack_report):
    # other_plan is not the manager's: the draft pack shows it, so they may not export it.
    client.force_login(world.manager)
    assert client.get(reverse("report_detail", args=[pack_report.pk])).status_code == 200
    for name in ("report_preview", "report_download", "report_pack_progress"):
        assert client.get(reverse(name, args=[pack_report.pk])).status_code == 403
    client.force_login(world.other_manager)
    assert client.get(reverse("report_download", args=[pack_report.pk])).status_code == 403


def test_another_councils_report_is_not_found(client, world, pack_report, other_council):
    _, other_clerk, other_report = other_council
    client.force_login(world.clerk)
    item = ReportAppendix.objects.create(
        report=other_report, title="x", render_settings=settings_for(world.plan).dump()
    )
    for method, url in urls(other_report, item)[2:]:
        assert getattr(client, method)(url).status_code == 404, url
    assert client.post(reverse("report_publish", args=[other_report.pk])).status_code == 404
    page = client.get(reverse("report_list")).content.decode()
    assert COVER["subject"] in page
    assert reverse("report_detail", args=[other_report.pk]) not in page
    client.force_login(other_clerk)
    assert client.get(reverse("report_detail", args=[pack_report.pk])).status_code == 404


def test_create_edit_and_add_appendices_through_the_pages(client, world, layout):
    client.force_login(world.clerk)
    response = client.post(reverse("report_add"), form_data())
    report = CommitteeReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.organisation == "Example Council"
    assert [r.text for r in report.recommendations.all()] == RECS
    assert [(s.heading, s.text) for s in report.sections.all()] == SECTIONS
    assert report.history.first().history_user == world.clerk
    add = reverse("report_appendix_add", args=[report.pk])
    page = client.get(add).content.decode()
    assert world.plan.title in page and world.other_plan.title in page
    data = {
        "plan": world.plan.pk,
        "layout": layout.pk,
        "as_at_0": TODAY.day,
        "title": "",
        "as_at_1": TODAY.month,
        "as_at_2": TODAY.year,
        "updates": "all",
    }
    assert client.post(add, data).status_code == 302
    assert client.post(add, {**data, "plan": world.other_plan.pk, "layout": ""}).status_code == 302
    first, second = report.appendices.all()
    assert first.title == world.plan.title
    assert first.render_settings == {
        "plan": world.plan.pk,
        "layout": layout.pk,
        "as_at": TODAY.isoformat(),
        "updates": "all",
    }
    client.post(reverse("report_appendix_move", args=[second.pk]), {"direction": "up"})
    assert list(report.appendices.all()) == [second, first]
    detail = client.get(report.get_absolute_url()).content.decode()
    assert detail.index("Appendix A: " + second.title) < detail.index("Appendix B: " + first.title)
    preview = client.get(reverse("report_preview", args=[report.pk])).content.decode()
    assert_in_order(
        ["A.", RECS[0], "1 PURPOSE", "2.2", "Appendix A", "Appendix B"],
        squash(re.sub("<[^>]+>", " ", preview)),
    )
    client.post(reverse("report_appendix_remove", args=[second.pk]))
    assert list(report.appendices.all()) == [first]
    first.refresh_from_db()
    assert first.order == 0
    edit = reverse("report_edit", args=[report.pk])
    report.refresh_from_db()
    response = client.post(edit, form_data(report, subject="A new subject", **{"recs-1-text": ""}))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.subject == "A new subject"
    assert [r.text for r in report.recommendations.all()] == RECS[:1]
    download = downloaded(client, report)
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith(
        'attachment; filename="Children-and-Young-People-Scrutiny-Panel-2011-09-21-A-new-subject'
    )


def test_stale_edit_is_refused_and_shown(world, report):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(world.clerk)
    second.force_login(world.manager)
    edit = reverse("report_edit", args=[report.pk])
    version = report.version
    assert second.post(edit, form_data(report, subject="The manager's subject")).status_code == 302
    response = first.post(edit, form_data(report, version=version, wards="Abbey"))
    body = response.content.decode()
    assert response.status_code == 200 and "Your changes have not been saved" in body
    assert "The manager&#x27;s subject" in body
    report.refresh_from_db()
    assert report.subject == "The manager's subject" and report.wards == "All"
    # Saving again is deliberate: the form now carries the current version.
    again = re.search(r'name="version" value="(\d+)"', body).group(1)
    assert first.post(edit, form_data(report, version=again, wards="Abbey")).status_code == 302
    report.refresh_from_db()
    assert report.wards == "Abbey"


# Hostile input.

HUGE = "x" * 30_000
SCRIPT = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"subject": HUGE}, "at most 1000 characters"),
        ({"body": ""}, "Choose its body."),
        ({"reason_for_urgency": HUGE}, "at most 20000 characters"),
        ({"meeting_date_2": "2999"}, "Enter a date between 1990 and 2099"),
        ({"meeting_date_1": "13"}, "Enter a real date"),
        ({"meeting_date_0": "x"}, "Enter the date in numbers"),
        ({"appendix_numbering": "roman"}, "Select a valid choice"),
        ({"recs-0-text": HUGE}, "at most 20000 characters"),
        (
            {"sections-0-heading": "", "sections-0-text": "Text without a heading"},
            "Enter the section&#x27;s heading.",
        ),
        ({"sections-0-heading": HUGE}, "at most 300 characters"),
        ({"recs-TOTAL_FORMS": "1000"}, "Please submit at most 30 forms"),
    ],
)
def test_hostile_report_input(client, world, report, changes, message):
    client.force_login(world.clerk)
    for url, base in (
        (reverse("report_add"), form_data()),
        (reverse("report_edit", args=[report.pk]), form_data(report)),
    ):
        count = CommitteeReport.objects.count()
        response = client.post(url, {**base, **changes})
        body = response.content.decode()
        assert response.status_code == 200, url
        assert "There is a problem" in body and message in body, url
        assert CommitteeReport.objects.count() == count
    report.refresh_from_db()
    assert report.version == 1 and report.subject == COVER["subject"]


def test_script_is_text_everywhere(client, world, layout):
    client.force_login(world.clerk)
    data = form_data(subject=SCRIPT, **{"recs-0-text": SCRIPT, "sections-0-text": SCRIPT})
    assert client.post(reverse("report_add"), data).status_code == 302
    report = CommitteeReport.objects.get()
    services.appendix_add(
        report, actor=world.clerk, plan=world.plan, settings=settings_for(world.plan), title=SCRIPT
    )
    for name in ("report_detail", "report_preview", "report_list"):
        args = [] if name == "report_list" else [report.pk]
        body = client.get(reverse(name, args=args)).content.decode()
        assert SCRIPT not in body and "&lt;script&gt;" in body, name
    _, pages = read(downloaded(client, report).content)
    assert "<script>alert(1)</script>" in " ".join(pages)  # printed as the words it is


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"plan": "999999"}, "Choose one of the plans listed."),
        ({"plan": SCRIPT}, "Choose one of the plans listed."),
        ({"layout": "999999"}, "Choose one of the layouts listed."),
        ({"as_at_2": "2999"}, ""),
        ({"as_at_0": "31", "as_at_1": "2"}, "Enter a real date"),
        ({"as_at_2": "2001"}, "had not been recorded yet"),
        ({"updates": "everything"}, "Select a valid choice"),
        ({"updates": "since"}, "Enter the date to show updates since."),
        ({"title": HUGE}, "at most 300 characters"),
    ],
)
def test_hostile_appendix_input(client, world, report, changes, message):
    client.force_login(world.clerk)
    data = {
        "plan": world.plan.pk,
        "layout": "",
        "as_at_0": TODAY.day,
        "as_at_1": TODAY.month,
        "as_at_2": TODAY.year,
        "updates": "latest",
        "title": "",
        **changes,
    }
    response = client.post(reverse("report_appendix_add", args=[report.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body and message in body
    assert SCRIPT not in body
    assert not report.appendices.exists()


def test_another_councils_plan_is_refused(client, world, report, other_council):
    other_plan, _, _ = other_council
    client.force_login(world.clerk)  # a clerk reads every plan, but reports are of one council
    data = {
        "plan": other_plan.pk,
        "layout": "",
        "as_at_0": TODAY.day,
        "as_at_1": TODAY.month,
        "as_at_2": TODAY.year,
        "updates": "latest",
    }
    response = client.post(reverse("report_appendix_add", args=[report.pk]), data)
    assert "Choose one of the plans listed." in response.content.decode()
    with pytest.raises(services.Refused, match="Choose a plan of Example Council"):
        services.appendix_add(
            report, actor=world.clerk, plan=other_plan, settings=settings_for(other_plan)
        )
    # A manager may add only the plans they may export: those they manage.
    with pytest.raises(services.Refused):
        services.appendix_add(
            report,
            actor=world.manager,
            plan=world.other_plan,
            settings=settings_for(world.other_plan),
        )
    assert not report.appendices.exists()


@pytest.mark.parametrize(
    "value",
    [
        None,
        [],
        {"plan": "1", "as_at": "2012-01-01"},
        {"plan": 1, "as_at": "2012-13-01"},
        {"plan": 1, "as_at": "2012-01-01", "updates": "sometimes"},
        {"plan": 1, "as_at": "2012-01-01", "layout": "3"},
        {"plan": True, "as_at": "2012-01-01"},
        {"plan": 1, "as_at": "2012-01-01", "colour": "red"},
    ],
)
def test_settings_refuse_what_they_cannot_read(value):
    with pytest.raises(packs.SettingsError):
        Settings.load(value)


def test_settings_round_trip():
    value = {"plan": 4, "layout": None, "as_at": "2012-12-01", "updates": "since:2012-10-01"}
    assert Settings.load(value).dump() == value


def test_a_removed_layout_names_the_appendix(world, pack_report, layout):
    layout.delete()
    with pytest.raises(Exception, match="Appendix A: its layout no longer exists"):
        packs.build(pack_report)


def test_report_list_query_count(client, world, settings, django_assert_num_queries):
    settings.SESSION_REFRESH_SECONDS = 24 * 60 * 60  # no keep-alive save of the session counted
    client.force_login(world.clerk)
    for n in range(15):
        report = services.report_create(
            {**COVER, "agenda_item": n}, actor=world.clerk, organisation="Example Council"
        )
        services.appendix_add(
            report, actor=world.clerk, plan=world.plan, settings=settings_for(world.plan)
        )
    # The session, the user with their permissions, the owners they act as with their council,
    # and the reports.
    with django_assert_num_queries(4):
        assert client.get(reverse("report_list")).status_code == 200


def test_the_report_page_says_how_each_appendix_is_shown_in_words(client, world, pack_report):
    client.force_login(world.clerk)
    page = client.get(reverse("report_detail", args=[pack_report.pk])).content.decode()
    assert f"as at {TODAY:%-d %B %Y}, with the latest update of each action" in page
    assert "updates: latest" not in page and TODAY.isoformat() not in page
