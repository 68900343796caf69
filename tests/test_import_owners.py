"""Owners read as people and posts (issue 26): each way councils write an owners cell, read by
``importers.owners``; initials tied to the person the plan names elsewhere; time scales never
owners; owners matched only within the importing council and its partner agencies; and a demo
plan's own Word appendix imported back names no more owners than the plan does."""

import csv
import io

import pytest

from actionplans.models import Action, Owner, Plan
from importers import owners, service
from reporting import appendix, word

from .conftest import COUNCIL, person
from .factories import InspectionFactory, OwnerFactory, PlanFactory

KIND = Owner.Kind
HEADER = ["Ref", "Recommendation", "Action", "Lead officer", "Timescale"]


def read(text, **kwargs):
    return [(o.name, o.kind, o.job_title, o.initials) for o in owners.read(text, **kwargs).owners]


def plan_csv(*cells, header=HEADER, title="Improvement plan"):
    """A plan of one recommendation whose actions' owners cells are ``cells`` (a row each, or a
    whole row where a cell is a list)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([[title], header])
    for n, cell in enumerate(cells):
        row = cell if isinstance(cell, list) else ["1", "Improve", f"Action {n}", cell, "Nov 12"]
        writer.writerow(row)
    return out.getvalue().encode()


def preview(*cells, organisation="", **kwargs):
    result = service.preview_file("plan.csv", plan_csv(*cells, **kwargs), organisation=organisation)
    assert not result.blocking, [str(p) for p in result.blocking]
    return result


# One cell, as councils write it.


def test_name_then_job_title_is_one_person():
    assert read("Jane Smith, Head of Service") == [
        ("Jane Smith", KIND.PERSON, "Head of Service", "")
    ]


def test_a_job_title_with_commas_stays_one_title():
    text = "Jane Smith, Head of Service, Children, Young People and Families, John Brown, Director"
    assert read(text) == [
        ("Jane Smith", KIND.PERSON, "Head of Service, Children, Young People and Families", ""),
        ("John Brown", KIND.PERSON, "Director", ""),
    ]


def test_job_title_then_name_in_brackets():
    assert read("Head of Service (Jane Smith)") == [
        ("Jane Smith", KIND.PERSON, "Head of Service", "")
    ]


def test_name_then_initials_in_brackets():
    assert read("Alice Brown (AB)") == [("Alice Brown", KIND.PERSON, "", "AB")]


def test_post_colon_name():
    assert read("Head of Service: Jane Smith") == [
        ("Jane Smith", KIND.PERSON, "Head of Service", "")
    ]


def test_a_post_with_initials_in_brackets_names_the_people_holding_it():
    assert read("Team Leads (AB, CD)") == [
        ("AB", KIND.PERSON, "Team Lead", "AB"),
        ("CD", KIND.PERSON, "Team Lead", "CD"),
    ]


def test_lists_joined_by_commas_and_slashes_and_line_breaks():
    text = "Alice Brown, Carl Davis and Eve Fox / Police\nSenior Management Team"
    assert [(name, kind) for name, kind, _, _ in read(text)] == [
        ("Alice Brown", KIND.PERSON),
        ("Carl Davis", KIND.PERSON),
        ("Eve Fox", KIND.PERSON),
        ("Police", KIND.PARTNER_AGENCY),
        ("Senior Management Team", KIND.TEAM),
    ]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("S&VC", ["S&VC"]),
        ("P&Q Team", ["P&Q Team"]),
        ("C&F", ["C&F"]),
        ("Head of C&F", ["Head of C&F"]),
        ("Linda Alcock\nwith P&Q Team", ["Linda Alcock", "P&Q Team"]),
        ("Head of CSC & YI and DCS", ["Head of CSC & YI", "DCS"]),
        ("Performance and Quality Team", ["Performance and Quality Team"]),
        ("Phil Bradley & Ailsa Barr", ["Phil Bradley", "Ailsa Barr"]),
        ("TM and staff team with Lean Team", ["TM", "staff team", "Lean Team"]),
    ],
)
def test_and_inside_a_name_is_not_a_list(text, names):
    assert [name for name, *_ in read(text)] == names


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Warren Carratt", KIND.PERSON),
        ("Service Manager", KIND.ROLE),
        ("Ops managers", KIND.ROLE),
        ("Lean Team", KIND.TEAM),
        ("IT Dept", KIND.TEAM),
        ("Youth Justice Executive Board", KIND.BOARD),
        ("Corporate Parenting Panel", KIND.BOARD),
        ("LSCB P&QA Sub Group", KIND.SUB_GROUP),
        ("Police", KIND.PARTNER_AGENCY),
        ("CPS", KIND.PARTNER_AGENCY),
        ("Youth Justice Board", KIND.PARTNER_AGENCY),
    ],
)
def test_each_owner_has_a_kind(text, kind):
    assert [k for _, k, _, _ in read(text)] == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "Immediate effect",
        "Review Plan monthly",
        "Ongoing",
        "11",
        "10/11",
        "Nov 12",
        "March 2013",
        "December",
        "planning and briefing with immediate effect 1st session From 10/11",
    ],
)
def test_time_scales_and_free_text_are_never_owners(text):
    reading = owners.read(f"Service Manager\n{text}")
    assert [o.name for o in reading.owners] == ["Service Manager"]
    assert [fragment for fragment, _ in reading.not_owners] == [text]


def test_a_body_cell_holds_one_body_a_line():
    assert read("Corporate Parenting Panel\nHealth and Wellbeing Board\nOngoing", bodies=True) == [
        ("Corporate Parenting Panel", KIND.BOARD, "", ""),
        ("Health and Wellbeing Board", KIND.BOARD, "", ""),
    ]


# A whole plan.


@pytest.mark.parametrize("first", [True, False], ids=["named-first", "initials-first"])
def test_initials_stand_for_the_person_named_elsewhere_in_the_plan(first):
    cells = ["Alice Brown (AB), Head of Service", "AB / Police", "Team Leads (AB, CD)"]
    result = preview(*(cells if first else cells[::-1]))
    by_action = [[o["name"] for o in a["owners"]] for a in result.actions]
    expected = [["Alice Brown"], ["Alice Brown", "Police"], ["Alice Brown", "CD"]]
    assert by_action == (expected if first else expected[::-1])
    assert result.owners == (
        ["Alice Brown", "Police", "CD"] if first else ["Alice Brown", "CD", "Police"]
    )
    assert result.owner_details["Alice Brown"] == {
        "name": "Alice Brown",
        "kind": KIND.PERSON,
        "initials": "AB",
        "job_title": "Head of Service",
    }


def test_a_time_scale_in_an_owners_cell_is_a_problem_of_that_cell():
    result = preview("Service Manager\nImmediate effect", "Ops managers / 11")
    assert [[o["name"] for o in a["owners"]] for a in result.actions] == [
        ["Service Manager"],
        ["Ops managers"],
    ]
    notes = [str(p) for p in result.problems]
    assert notes == [
        "Row 3, column “Lead officer”: “Immediate effect” is a time scale, not an owner: no owner "
        "is made of it (the cell is kept as written).",
        "Row 4, column “Lead officer”: “11” is a number, not an owner: no owner is made of it (the "
        "cell is kept as written).",
    ]
    assert result.actions[0]["owners_as_written"] == "Service Manager\nImmediate effect"


def test_who_and_when_in_one_cell_are_told_apart():
    header = ["Ref", "Recommendation", "Action", "Who/when"]
    row = ["1", "Improve", "Audit", "Service manager\nImmediate effect"]
    result = preview(row, header=header)
    action = result.actions[0]
    assert [o["name"] for o in action["owners"]] == ["Service manager"]
    assert action["planned_completion"] == "Immediate effect"


def test_owners_are_created_with_their_kind_and_job_title(db):
    manager, _ = person("manager", "Manager")
    header = [*HEADER, "Governance board"]
    rows = [
        [
            "1",
            "Improve",
            "Audit",
            "Jane Smith, Head of Service / Lean Team",
            "Nov 12",
            "Corporate Parenting Panel\nImprovement Board",
        ],
        ["", "", "Train", "Police", "Dec 12", ""],
    ]
    result = preview(*rows, header=header)
    assert [str(p) for p in result.problems] == [
        "Row 3, column “Governance board”: An action reports to one body: “Corporate Parenting "
        "Panel” is recorded, “Improvement Board” not (the file keeps them)."
    ]
    plan = service.confirm(result, actor=manager, organisation=COUNCIL)
    made = {
        o.name: (o.kind, o.job_title)
        for o in Owner.objects.filter(organisation=COUNCIL).exclude(pk=manager.owner.pk)
    }
    assert made == {
        "Jane Smith": (KIND.PERSON, "Head of Service"),
        "Lean Team": (KIND.TEAM, ""),
        "Police": (KIND.PARTNER_AGENCY, ""),
        "Corporate Parenting Panel": (KIND.BOARD, ""),
    }
    audit = Action.objects.get(recommendation__plan=plan, text="Audit")
    assert audit.accountable_body.name == "Corporate Parenting Panel"


# Only the council's own owners and its partner agencies'.


def test_another_councils_owner_of_the_same_name_is_never_matched(db):
    """Importing a Rotherham plan matched its "Service Manager" to Merton's (issue 26)."""
    merton, rotherham = "London Borough of Merton", "Rotherham Metropolitan Borough Council"
    PlanFactory(organisation=merton)
    mertons = OwnerFactory(name="Service Manager", organisation=merton, kind=KIND.ROLE)
    inspected = "Inspected Council"  # a council by its inspection alone, no plan yet
    InspectionFactory(organisation=inspected)
    OwnerFactory(name="Head of Service", organisation=inspected)
    police = OwnerFactory(name="Police", organisation="South Yorkshire Police")
    manager, _ = person("rotherham_manager", "Manager", organisation=rotherham)
    result = preview("Service Manager / Police", "Head of Service", organisation=rotherham)
    assert result.matched == ["Police"]
    assert result.created == ["Service Manager", "Head of Service"]
    plan = service.confirm(result, actor=manager, organisation=rotherham)
    first, second = Action.objects.filter(recommendation__plan=plan).order_by("order")
    service_manager, agency = first.ordered_owners
    assert service_manager != mertons and service_manager.organisation == rotherham
    assert service_manager.kind == KIND.ROLE
    assert agency == police  # a partner agency's owner is matched
    assert second.ordered_owners[0].organisation == rotherham


# The app's own Word appendix, imported back.


def word_export(plan):
    return word.write_docx(appendix.build(plan, appendix.spec_for(plan)))


@pytest.mark.parametrize(
    "title",
    [
        "Merton Youth Justice Core Case Inspection (HMIP) Action Plan – October 2011",
        "Improvement Panel - Action Delivery Plan – October 2012",
    ],
    ids=["merton-youth-justice", "rotherham"],
)
@pytest.mark.django_db
def test_a_demo_plans_word_appendix_reads_back_as_the_owners_it_names(demo_plans, title):
    plan = Plan.objects.get(title=title)
    named = {
        o.pk: o for a in Action.objects.filter(recommendation__plan=plan) for o in a.owners.all()
    }
    user, _ = person("word_importer", "Manager", organisation=plan.organisation)
    result = service.preview_file(
        "appendix.docx",
        word_export(plan),
        organisation=plan.organisation,
        title=plan.title + " (imported)",
    )
    assert not result.blocking, [str(p) for p in result.blocking]
    names = {o.name.casefold() for o in named.values()}
    for name in result.owners:  # no time scale, no fragment ("P", "Q Team", "11")
        assert not owners.why_not_owner(name), name
        assert name.casefold() in names, name
    assert result.created == []  # each is an owner the council has already
    imported = service.confirm(result, actor=user, organisation=plan.organisation)
    again = {
        o for a in Action.objects.filter(recommendation__plan=imported) for o in a.owners.all()
    }
    assert len(again) <= len(named)
    assert {o.name.casefold() for o in again} <= names
