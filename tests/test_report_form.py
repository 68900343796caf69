"""The committee report form takes as many sections and recommendations as a report needs: "Add
another section" / "Add another recommendation" (no JavaScript) show the form again as typed with
one more blank, save nothing, and stop at a stated bound; hostile posts never answer 5xx."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting import services
from reporting.forms import MAX_RECOMMENDATIONS, MAX_SECTIONS
from reporting.models import CommitteeReport

from .test_packs import COVER, RECS, SECTIONS, form_data

pytestmark = pytest.mark.django_db

# The seed's cover report (000) has nine sections.
SEED_SECTIONS = [
    "PURPOSE OF REPORT AND EXECUTIVE SUMMARY",
    "DETAILS",
    "ALTERNATIVE OPTIONS",
    "CONSULTATION",
    "TIMETABLE",
    "FINANCIAL, RESOURCE AND PROPERTY IMPLICATIONS",
    "LEGAL AND STATUTORY",
    "HUMAN RIGHTS, EQUALITIES AND COMMUNITY COHESION",
    "CRIME AND DISORDER",
]


def boxes(page, kind):
    """How many boxes of ``kind`` ("sections" headings, "recs" texts) the page shows."""
    field = "heading" if kind == "sections" else "text"
    return len(re.findall(rf'name="{kind}-\d+-{field}"', page))


def total(page, kind):
    return int(re.search(rf'name="{kind}-TOTAL_FORMS" value="(\d+)"', page).group(1))


def test_add_another_keeps_what_was_typed_and_saves_nothing(client, world):
    client.force_login(world.clerk)
    url = reverse("report_add")
    data = form_data(subject="Typed, not saved", **{"sections-1-text": "Half a thought"})
    response = client.post(url, {**data, "add_section": "1"})
    page = response.content.decode()
    assert response.status_code == 200 and not CommitteeReport.objects.exists()
    assert "There is a problem" not in page  # nothing was checked
    assert "Typed, not saved" in page and "Half a thought" in page and RECS[1] in page
    assert boxes(page, "sections") == total(page, "sections") == 3
    assert "Section 3: heading" in page and boxes(page, "recs") == 2
    assert 'formaction="#section-4"' in page  # the next one brings the clerk to the new box
    assert re.search(r'name="meeting_date_0"[^>]*value="21"', page)
    response = client.post(url, {**data, "add_recommendation": "1"})
    page = response.content.decode()
    assert boxes(page, "recs") == 3 and "Recommendation C" in page
    assert not CommitteeReport.objects.exists()


def test_a_report_of_the_seeds_nine_sections(client, world):
    """Add boxes until there are nine, typing as the clerk goes, then save."""
    client.force_login(world.clerk)
    url = reverse("report_add")
    data = form_data()
    for n in range(2, 9):  # two boxes at first; seven added
        data = {**data, "sections-TOTAL_FORMS": n}
        data[f"sections-{n - 1}-heading"] = SEED_SECTIONS[n - 1]
        page = client.post(url, {**data, "add_section": "1"}).content.decode()
        assert boxes(page, "sections") == n + 1
        for heading in SEED_SECTIONS[:n]:
            assert heading.replace(",", "") in page.replace(",", "")
    data = {
        **data,
        "sections-TOTAL_FORMS": 9,
        "sections-8-heading": SEED_SECTIONS[8],
        "sections-8-text": "None for the purposes of this report.",
        "save": "1",
    }
    assert client.post(url, data).status_code == 302
    report = CommitteeReport.objects.get()
    assert [s.heading for s in report.sections.all()] == SEED_SECTIONS
    # The edit page shows the nine, two blanks to fill, and adds more as the new page does.
    edit = reverse("report_edit", args=[report.pk])
    page = client.get(edit).content.decode()
    assert boxes(page, "sections") == 11
    data = form_data(report, subject="Changed while adding")
    data.update({"sections-TOTAL_FORMS": 9, "sections-INITIAL_FORMS": 9})
    for i, heading in enumerate(SEED_SECTIONS):
        data[f"sections-{i}-heading"] = heading
    page = client.post(edit, {**data, "add_section": "1"}).content.decode()
    assert boxes(page, "sections") == 10 and "Changed while adding" in page
    assert f'name="version" value="{report.version}"' in page  # a stale save is still refused
    report.refresh_from_db()
    assert report.subject == COVER["subject"] and report.sections.count() == 9


@pytest.mark.parametrize(
    ("kind", "button", "most", "word"),
    [
        ("sections", "add_section", MAX_SECTIONS, "sections"),
        ("recs", "add_recommendation", MAX_RECOMMENDATIONS, "recommendations"),
    ],
)
def test_adding_stops_at_the_bound_and_says_so(client, world, kind, button, most, word):
    client.force_login(world.clerk)
    url = reverse("report_add")
    data = {**form_data(), f"{kind}-TOTAL_FORMS": most - 1}
    page = client.post(url, {**data, button: "1"}).content.decode()
    assert boxes(page, kind) == most
    assert f'name="{button}"' not in page
    assert f"A report has at most {most} {word}" in page
    # Pressed at the bound anyway (a page kept open, a script): the same, and nothing more.
    page = client.post(url, {**data, f"{kind}-TOTAL_FORMS": most, button: "1"}).content.decode()
    assert boxes(page, kind) == most and f"A report has at most {most} {word}" in page


HUGE = "x" * 100_000
SCRIPT = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    "changes",
    [
        {"sections-0-text": HUGE},
        {"sections-0-heading": SCRIPT, "subject": SCRIPT, "recs-0-text": SCRIPT},
        {"sections-0-text": "a\x00b", "subject": "c\x00d", "meeting_date_0": "\x00"},
        {"sections-TOTAL_FORMS": "1000"},
        {"sections-TOTAL_FORMS": "-5", "recs-TOTAL_FORMS": "abc"},
        {"sections-TOTAL_FORMS": "99999999999999999999999"},
        {"sections-INITIAL_FORMS": "1000"},
        {"meeting_date_2": "99999999999999999999", "appendix_numbering": "roman"},
        {"version": "<script>", "organisation": SCRIPT},
    ],
)
@pytest.mark.parametrize("button", ["add_section", "add_recommendation"])
def test_hostile_adds_never_answer_5xx(client, world, changes, button):
    client.force_login(world.clerk)
    report = services.report_create(
        {**COVER, "subject": "Kept"}, actor=world.clerk, organisation="Example Council"
    )
    for url, base in (
        (reverse("report_add"), form_data()),
        (reverse("report_edit", args=[report.pk]), form_data(report)),
    ):
        response = client.post(url, {**base, **changes, button: "1"})
        page = response.content.decode()
        assert response.status_code == 200, url
        assert SCRIPT not in page and "\x00" not in page
        assert (
            boxes(page, "sections") <= MAX_SECTIONS and boxes(page, "recs") <= MAX_RECOMMENDATIONS
        )
    assert CommitteeReport.objects.count() == 1
    report.refresh_from_db()
    assert report.subject == "Kept" and report.version == 1


def test_save_is_the_first_button_so_enter_saves(client, world):
    """Enter in a text box presses a form's first submit button: it is "Save the report"."""
    client.force_login(world.clerk)
    page = client.get(reverse("report_add")).content.decode()
    form = page[page.index('<form method="post" novalidate>') :]
    buttons = re.findall(r"<button[^>]*>", form)
    assert 'name="save"' in buttons[0] and "hidden" in buttons[0]
    assert any('name="add_section"' in b for b in buttons)
    assert any('name="add_recommendation"' in b for b in buttons)
    # Saving as shown, with its two default section headings, makes the report.
    assert SECTIONS[0][0] in page


def test_a_report_or_an_appendix_sent_twice_is_made_once(client, world):
    """A double click on "Save" (the same one-time key posted twice) makes one report and one
    appendix; the second post is told the first was saved and goes to what it made."""
    client.force_login(world.clerk)
    page = client.get(reverse("report_add")).content.decode()
    key = re.search(r'name="once" value="([^"]+)"', page).group(1)
    data = {**form_data(), "once": key, "save": "1"}
    first = client.post(reverse("report_add"), data)
    report = CommitteeReport.objects.get()
    again = client.post(reverse("report_add"), data, follow=True)
    assert first["Location"] == report.get_absolute_url()
    assert again.redirect_chain[0][0] == report.get_absolute_url()
    assert "was already saved" in again.content.decode() and CommitteeReport.objects.count() == 1

    add = reverse("report_appendix_add", args=[report.pk])
    key = re.search(r'name="once" value="([^"]+)"', client.get(add).content.decode()).group(1)
    today = timezone.localdate()
    data = {
        "plan": world.plan.pk,
        "layout": "",
        "as_at_0": today.day,
        "as_at_1": today.month,
        "as_at_2": today.year,
        "updates": "latest",
        "title": "",
        "once": key,
    }
    assert client.post(add, data).status_code == 302
    again = client.post(add, data, follow=True)
    assert "was already saved" in again.content.decode() and report.appendices.count() == 1
