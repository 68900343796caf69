"""Every doubt the importer has shown, and a way on (issue 26): an impossible date, a status that
is none of the statuses, a row with no action, the header repeated at a page break, a row split by
a page break; a file without a title asks for one on its preview (never the council's name); and
statuses, ratings and dates in words."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplans.fuzzy_dates import derive_date, impossible_dates
from actionplans.models import Action, Plan, ProgressUpdate, Recommendation
from importers import service
from importers.models import PendingImport
from reporting import appendix, word

from .conftest import COUNCIL
from .factories import ActionFactory, PlanFactory, RecommendationFactory
from .test_import_shapes import csv_of

pytestmark = pytest.mark.django_db

HEADER = ["Ref", "Recommendation", "Action", "Lead officer", "Time scale", "Status", "Progress"]
BAD = [
    ["Audit plan"],
    HEADER,
    ["1", "Improve supervision", "Audit supervision files", "Jo Bloggs", "31/13/2027", "Weird"],
    ["", "", "", "Sam Smith", "March 2013", "Underway", "Sessions booked"],
    ["2", "Hear the child", "Record wishes", "Jo Bloggs", "Nov 12", "Not started"],
]


def upload(client, rows, title=""):
    data = SimpleUploadedFile("plan.csv", csv_of(rows), content_type="text/csv")
    response = client.post(reverse("import_upload"), {"file": data, "title": title})
    assert response.status_code == 302, response.content.decode()[:2000]
    return PendingImport.objects.latest("pk")


def page_of(client, pending):
    return client.get(reverse("import_preview", args=[pending.pk])).content.decode()


def confirm(client, pending, **data):
    return client.post(reverse("import_confirm", args=[pending.pk]), data)


def notes(result):
    return [str(p) for p in result.problems if not p.blocking]


def test_the_bad_csv_shows_its_three_doubts_by_row_and_column_and_imports_as_they_say(
    client, world
):
    client.force_login(world.manager)
    pending = upload(client, BAD)
    page = page_of(client, pending)
    for said in (
        "Row 3, column “Time scale”: “31/13/2027” is no real date (there is no month 13): the "
        "date is kept as written and has no real date",
        "Row 3, column “Status”: “Weird” is none of the statuses (“Not started”, “Underway”",
        "the status is left unrecorded (No status recorded)",
        "Row 4, column “Action”: This row has an owner, a date and progress but no action: it "
        "is imported as an action with no text.",
    ):
        assert said.replace("'", "&#x27;") in page, said
    # Notes, not problems: the plan imports, as the notes say.
    assert "Import this plan" in page and "There is a problem" not in page
    confirm(client, pending)
    plan = Plan.objects.get(title="Audit plan")
    audit, blank, wishes = Action.objects.filter(recommendation__plan=plan).order_by(
        "recommendation__order", "order"
    )
    assert (audit.planned_completion_text, audit.planned_completion_date) == ("31/13/2027", None)
    assert audit.status == Action.Status.NOT_RECORDED
    assert (blank.text, blank.planned_completion_text) == ("", "March 2013")
    assert wishes.status == Action.Status.NOT_STARTED


def test_a_status_read_from_the_progress_is_said_so():
    rows = [["Plan"], HEADER, ["1", "R", "A", "Jo", "Nov 12", "Weird", "Work is underway"]]
    result = service.preview_file("plan.csv", csv_of(rows))
    assert "the status is read from the progress instead: Underway" in " ".join(notes(result))
    assert result.actions[0]["status"] == "underway"


def test_ratings_and_status_words_are_statuses_and_no_doubt():
    rows = [["Plan"], HEADER]
    rows += [[str(n), f"R{n}", "A", "Jo", "Nov 12", word] for n, word in enumerate(WORDS)]
    result = service.preview_file("plan.csv", csv_of(rows))
    assert notes(result) == [] and not result.blocking


WORDS = [
    "Complete",
    "Not started",
    "Ongoing (business as usual)",
    "Red",
    "Amber-green",
    "On track",
    "R",
    "A/G",
]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("31/13/2027", [("31/13/2027", "there is no month 13")]),
        ("30 February 2012", [("30 February 2012", "February 2012 has 29 days")]),
        (
            "By 2012-04-31, then 31/12/9999",
            [("2012-04-31", "April 2012 has 30 days")]
            + [("31/12/9999", "a plan's dates fall between 1990 and 2099")],
        ),
        ("0/1/2012", [("0/1/2012", "there is no day 0")]),
        ("31/03/2011", []),
        ("29/02/2012", []),
        ("13/12", []),  # a month and year, not a full date
        ("2012/13", []),
        ("Nov 12", []),
        ("Ongoing", []),
    ],
)
def test_impossible_dates_are_found_and_real_ones_are_not(text, found):
    assert impossible_dates(text) == found


def test_an_impossible_date_has_no_real_date_unless_the_cell_gives_one_too():
    assert derive_date("31/13/2027") is None and derive_date("2012-04-31") is None


def test_an_impossible_date_beside_a_real_one_says_which_is_used():
    rows = [["Plan"], HEADER, ["1", "R", "A", "Jo", "31/13/2027 or March 2013", "", ""]]
    result = service.preview_file("plan.csv", csv_of(rows))
    assert "the action is due by the date read from the cell: 31 March 2013" in " ".join(
        notes(result)
    )


def test_an_update_dated_by_no_real_day_is_noted_and_imports(world):
    rows = [["Plan"], HEADER, ["1", "R", "A", "Jo", "Nov 12", "", "[2012-13-45] (Nov) Met"]]
    result = service.preview_file("plan.csv", csv_of(rows), organisation=COUNCIL)
    assert notes(result) == [
        "Row 3, column “Progress”: “[2012-13-45] (Nov)” opens an update but is no real date: it is "
        "kept in the update's text, and the update is dated as the plan is (or today, if the "
        "plan has no date). Correct it in the file and upload it again."
    ]
    plan = service.confirm(result, actor=world.manager, organisation=COUNCIL)  # no crash
    update = ProgressUpdate.objects.get(action__recommendation__plan=plan)
    assert update.text == "[2012-13-45] (Nov) Met"


# Page breaks: the header repeated, and a row split across two pages.

SPLIT = [
    ["Split plan"],
    HEADER,
    ["1", "Improve supervision", "Audit supervision files and", "Jo Bloggs", "Nov 12", "", "Begun"],
    HEADER,  # the next page
    ["", "", "report to the board", "", "", "", "in October"],
    ["", "", "Train team managers", "Sam Smith", "March 2013", "", ""],
]


def test_a_repeated_header_and_a_continuation_row_are_reported_and_handled(world):
    result = service.preview_file("plan.csv", csv_of(SPLIT), organisation=COUNCIL)
    assert notes(result) == [
        "Row 4: This row repeats the table's header (row 2), as a table does after a page break: "
        "it is skipped. If it is part of the plan, change its wording in the file.",
        "Row 5, column “Action”: This row's action opens in lower case and the row has no "
        "reference, owner or date of its own: the row is read as a continuation of row 3 (a row "
        "split by a page break), its text joined to that row's. If it is an action of its own, "
        "give it a capital letter, an owner or a date in the file and upload it again.",
    ]
    assert [a["text"] for a in result.actions] == [
        "Audit supervision files and report to the board",
        "Train team managers",
    ]
    assert [u["text"] for u in result.actions[0]["progress"]] == ["Begun in October"]
    assert len(result.recommendations) == 1 and not result.blocking
    plan = service.confirm(result, actor=world.manager, organisation=COUNCIL)
    assert Recommendation.objects.filter(plan=plan).count() == 1
    assert Action.objects.filter(recommendation__plan=plan).count() == 2


def test_a_lower_case_row_with_no_page_break_before_it_is_its_own_action_with_a_note():
    rows = [*SPLIT[:3], SPLIT[4]]
    result = service.preview_file("plan.csv", csv_of(rows))
    assert [a["text"] for a in result.actions] == [rows[2][2], "report to the board"]
    assert notes(result) == [
        "Row 4, column “Action”: This row's action opens in lower case and the row has no "
        "reference, owner or date of its own, but no page break comes before it: it is read as "
        "an action of its own. If it goes on from row 3's action, join the two in the file and "
        "upload it again."
    ]


@pytest.mark.parametrize("repeated", [True, False], ids=["header-repeated", "new-table"])
def test_a_word_row_split_over_two_tables_is_joined(repeated):
    document = docx.Document()
    document.add_paragraph("Split plan")
    for rows in (SPLIT[1:3], SPLIT[3:] if repeated else SPLIT[4:]):  # each page a table
        table = document.add_table(rows=len(rows), cols=len(HEADER))
        for cells, values in zip(table.rows, rows, strict=True):
            for cell, text in zip(cells.cells, values, strict=False):
                cell.text = text
    out = io.BytesIO()
    document.save(out)
    result = service.preview_file("plan.docx", out.getvalue())
    assert [a["text"] for a in result.actions] == [
        "Audit supervision files and report to the board",
        "Train team managers",
    ]
    # Rows as a spreadsheet counts them through the tables (the title is not a row).
    assert [p.row for p in result.problems] == ([3, 4] if repeated else [3])
    assert "continuation of row 2" in str(result.problems[-1])


def test_a_lower_case_action_with_an_owner_is_an_action_of_its_own():
    rows = [*SPLIT[:3], ["", "", "e-learning for all staff", "Sam Smith", "", "", ""]]
    result = service.preview_file("plan.csv", csv_of(rows))
    assert [a["text"] for a in result.actions] == ["Audit supervision files and", rows[3][2]]
    assert notes(result) == []


# The title: asked for where the file gives none, never the council's name.

NO_TITLE = [HEADER, ["1", "Improve supervision", "Audit files", "Jo Bloggs", "Nov 12", "", ""]]


def test_a_file_with_no_title_previews_with_a_title_field_and_imports_with_the_typed_title(
    client, world
):
    client.force_login(world.manager)
    pending = upload(client, NO_TITLE)
    page = page_of(client, pending)
    assert 'name="title"' in page and "Import this plan" in page
    assert "None in the file" in page and 'href="#id_title"' in page
    missing = confirm(client, pending, title="  ")
    assert missing.status_code == 200 and "Enter the plan&#x27;s title." in missing.content.decode()
    assert not Plan.objects.filter(organisation=COUNCIL).exclude(pk__in=world_plans(world))
    done = confirm(client, pending, title="Supervision improvement plan")
    plan = Plan.objects.get(title="Supervision improvement plan")
    assert done.url == plan.get_absolute_url()
    assert PendingImport.objects.get(pk=pending.pk).title == "Supervision improvement plan"


def test_a_file_with_a_title_asks_for_none(client, world):
    client.force_login(world.manager)
    page = page_of(client, upload(client, BAD))
    assert 'name="title"' not in page and "Audit plan" in page


def world_plans(world):
    return [world.plan.pk, world.other_plan.pk]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("\x00", "Null characters are not allowed."),
        ("Plan\x01one", "The title holds a control character (U+0001): retype it without it."),
        ("x" * 1_000_000, "Ensure this value has at most 300 characters (it has 1000000)."),
        (COUNCIL.upper(), "That is the council&#x27;s name, not the plan&#x27;s"),
        ("Plan \ufffd", "the mark of a character that could not be read"),
    ],
    ids=["nul", "control", "huge", "council", "unreadable"],
)
def test_the_title_field_refuses_hostile_values_and_changes_nothing(client, world, typed, said):
    client.force_login(world.manager)
    pending = upload(client, NO_TITLE)
    before = Plan.objects.count()
    response = confirm(client, pending, title=typed)
    body = response.content.decode()
    assert response.status_code == 200 and said in body
    assert 'class="govuk-error-summary"' in body and 'href="#id_title"' in body
    assert Plan.objects.count() == before
    again = PendingImport.objects.get(pk=pending.pk)
    assert (again.title, again.confirmed_at, again.plan) == ("", None, None)


def test_html_in_the_title_is_text_never_markup(client, world):
    client.force_login(world.manager)
    pending = upload(client, NO_TITLE)
    confirm(client, pending, title="<script>alert(1)</script> plan")
    plan = Plan.objects.get(title="<script>alert(1)</script> plan")
    body = client.get(plan.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; plan" in body and "<script>alert" not in body


def test_a_title_missing_from_the_post_is_refused_plainly(client, world):
    client.force_login(world.manager)
    pending = upload(client, NO_TITLE)
    response = confirm(client, pending)
    assert response.url == reverse("import_preview", args=[pending.pk])
    page = client.get(response.url).content.decode()
    assert "The file gives the plan no title" in page
    assert not PendingImport.objects.get(pk=pending.pk).confirmed_at


def test_the_councils_name_above_the_table_is_not_the_title(client, world):
    client.force_login(world.manager)
    pending = upload(client, [[COUNCIL], *NO_TITLE])
    page = page_of(client, pending)
    assert 'name="title"' in page and f'<dd class="govuk-summary-list__value">{COUNCIL}' not in page
    confirm(client, pending, title="Supervision plan")
    assert Plan.objects.filter(title="Supervision plan", organisation=COUNCIL).exists()
    assert not Plan.objects.filter(title=COUNCIL).exists()


def test_the_councils_name_given_as_the_title_is_not_used(client, world):
    client.force_login(world.manager)
    pending = upload(client, [["Supervision plan"], *NO_TITLE], title=COUNCIL)
    result = service.pending_preview(pending)
    assert result.title == "Supervision plan"
    assert f"The title given, “{COUNCIL}”, is the council's name" in " ".join(notes(result))


def test_a_word_appendix_imported_back_does_not_take_the_councils_name_as_the_title(world):
    plan = PlanFactory(organisation=COUNCIL, title="Fostering plan", directorate="Children's")
    ActionFactory(recommendation=RecommendationFactory(plan=plan), text="Recruit carers")
    data = word.write_docx(appendix.build(plan, appendix.spec_for(plan)))
    for organisation in (COUNCIL, ""):  # known, or not (the command given none)
        result = service.preview_file("appendix.docx", data, organisation=organisation)
        assert (result.title, result.directorate) == ("Fostering plan", "Children's")
        assert result.date is not None and result.date_text.startswith("As at ")
        assert not result.blocking, [str(p) for p in result.blocking]
    imported = service.confirm(result, actor=world.manager, organisation=COUNCIL)
    assert (imported.title, imported.directorate) == ("Fostering plan", "Children's")
    assert [a.text for a in Action.objects.filter(recommendation__plan=imported)] == [
        "Recruit carers"
    ]


# Words, never codes.


def test_the_preview_shows_statuses_ratings_and_dates_in_words(client, world):
    client.force_login(world.manager)
    rows = [
        ["Words plan"],
        ["Overall rating: Amber-Green"],
        HEADER,
        ["1", "R", "Audit", "Jo", "30/11/2012", "Not started", ""],
        ["2", "S", "Train", "Jo", "Nov 12", "Complete, awaiting sign-off", ""],
    ]
    page = page_of(client, upload(client, rows))
    for words in ("Not started", "Complete, awaiting sign-off", "Amber-green", "30 November 2012"):
        assert words in page, words
    for code in ("not_started", "awaiting_sign_off", "amber_green", "2012-11-30"):
        assert code not in page, code


def test_the_command_describes_statuses_ratings_and_dates_in_words():
    rows = [["Words plan"], ["Overall rating: Amber-Green"], HEADER]
    rows.append(["1", "R", "Audit", "Jo", "30/11/2012", "Not started", ""])
    lines = "\n".join(service.describe(service.preview_file("plan.csv", csv_of(rows))))
    assert "Overall rating: Amber-green" in lines
    assert "= 30 November 2012; status: Not started" in lines
    assert "not_started" not in lines and "amber_green" not in lines
