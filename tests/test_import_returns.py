"""A plan's Word table sent back with progress typed in (issue 26): each preset's export of its
demo plan, read back untouched, proposes nothing; one cell typed into (with python-docx, as an
officer's Word would save it) is one proposed change of the right kind; nothing changes until a
manager accepts it, and the history then names who typed it and who accepted it."""

import datetime as dt
import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from docx.table import _Cell

from actionplans import plan_setup
from actionplans.marks import plain
from actionplans.models import Action, Plan, ProgressUpdate
from core.errors import Refused
from core.people import person_name
from importers import returns, returns_decide
from importers.models import ProposedChange, ReturnedFile
from reporting import appendix, word
from reporting.models import Layout
from reporting.presets import PRESETS

from .conftest import person

pytestmark = pytest.mark.django_db

NAMES = [p["name"] for p in PRESETS]
TYPIST = "Jo Typist"
TYPED = "January: the audit found 40 of 45 plans on time."
DATE_COLUMNS = ("Time Scale", "Who/when", "Planned Completion Date")
PROGRESS_COLUMNS = ("Progress to Date", "Progress", "Progress and related outcomes")


def preset(name):
    layout = Layout.objects.get(name=name, organisation="")
    return Plan.objects.get(title=layout.applies_to_title), layout


def export(plan, layout):
    return word.write_docx(appendix.build(plan, appendix.spec_for(plan, layout)))


def manager_of(plan, username="returns_manager"):
    user, _ = person(username, "Manager", organisation=plan.organisation, name="Mo Manager")
    plan.managers.add(user)
    return user


class Returned:
    """An exported appendix opened in python-docx, to type into as an officer would."""

    def __init__(self, data):
        self.document = docx.Document(io.BytesIO(data))
        self.table = self.document.tables[0]
        self.rows = []
        for tr in self.table._tbl.tr_lst:
            row = []
            for tc in tr.tc_lst:
                row.extend([tc] * max(1, tc.grid_span))
            self.rows.append(row)
        self.headings = [_Cell(tc, self.table).text for tc in self.rows[0]]

    def column(self, headings):
        return next(i for i, h in enumerate(self.headings) if h in headings)

    def cell(self, row, column):
        return _Cell(self.rows[row][column], self.table)

    def action_rows(self, plan):
        """(row index, action) for each row whose action cell names one action of ``plan``."""
        by_text = {}
        for action in Action.objects.filter(recommendation__plan=plan):
            key = " ".join(plain(f"{action.reference} {action.text}").split())
            by_text.setdefault(key, []).append(action)
        column = self.column(("Action Required", "Action required"))
        for index in range(1, len(self.rows)):
            key = " ".join(self.cell(index, column).text.split())
            if len(by_text.get(key, [])) == 1:
                yield index, by_text[key][0]

    def data(self, typist=TYPIST):
        self.document.core_properties.last_modified_by = typist
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


def type_progress(returned, plan):
    """Progress typed into the first progress cell of its own (not one merged from above)."""
    column = returned.column(PROGRESS_COLUMNS)
    for index, action in returned.action_rows(plan):
        if returned.rows[index][column].vMerge != "continue":
            returned.cell(index, column).add_paragraph(TYPED)
            return action
    raise AssertionError("no progress cell to type into")


def move_date(returned, plan, new="31 March 2013"):
    """The time scale of an action whose cell is its own, and says it in one line, retyped."""
    column = returned.column(DATE_COLUMNS)
    for index, action in returned.action_rows(plan):
        tc = returned.rows[index][column]
        text = action.planned_completion_text
        if tc.vMerge is not None or not text or "\n" in text or action.status == "complete":
            continue
        for paragraph in returned.cell(index, column).paragraphs:
            if paragraph.text == text and "\n" not in action.owners_as_written:
                paragraph.runs[0].text = new
                for run in paragraph.runs[1:]:
                    run.text = ""
                return action
    raise AssertionError("no date cell to retype")


@pytest.mark.parametrize("name", NAMES)
def test_an_untouched_export_proposes_nothing(demo_plans, name):
    plan, layout = preset(name)
    reading = returns.returned_read(plan, "appendix.docx", export(plan, layout))
    assert [p.line() for p in reading.proposals] == []
    assert reading.doubts == []
    assert reading.matched == Action.objects.filter(recommendation__plan=plan).count()


@pytest.mark.parametrize("name", NAMES)
def test_progress_typed_in_is_one_proposal_made_only_when_accepted(demo_plans, name):
    plan, layout = preset(name)
    manager = manager_of(plan)
    returned = Returned(export(plan, layout))
    action = type_progress(returned, plan)
    reading = returns.returned_read(plan, "returned.docx", returned.data())
    assert [(p.kind, p.new, p.typed_by) for p in reading.proposals] == [("progress", TYPED, TYPIST)]
    made = returns.returned_add(plan, actor=manager, name="returned.docx", reading=reading)
    assert not ProgressUpdate.objects.filter(text=TYPED).exists()  # nothing until accepted
    change = made.changes.get()
    if change.action_id:  # progress on the action (Merton B's is on the whole recommendation)
        assert change.action_id == action.pk
    else:
        assert change.recommendation_id == action.recommendation_id
    returns_decide.change_accept(change, actor=manager)
    update = ProgressUpdate.objects.get(text=TYPED)
    owner = action.ordered_owners[0] if change.action_id else None
    if owner is not None:  # the update is the owner's
        assert (update.author, update.attributed_to) in [(owner.user, None), (None, owner)]
    record = update.history.get()
    assert TYPIST in record.history_change_reason
    assert f"accepted by {person_name(manager)}," in record.history_change_reason
    assert record.history_user == manager
    change.refresh_from_db()
    assert (change.state, change.decided_by) == ("accepted", manager)


@pytest.mark.parametrize("name", NAMES)
def test_a_date_retyped_is_one_date_moved(demo_plans, name):
    plan, layout = preset(name)
    manager = manager_of(plan)
    returned = Returned(export(plan, layout))
    action = move_date(returned, plan)
    reading = returns.returned_read(plan, "returned.docx", returned.data())
    assert [(p.kind, p.action.id, p.old, p.new) for p in reading.proposals] == [
        ("date", action.pk, action.planned_completion_text, "31 March 2013")
    ]
    made = returns.returned_add(plan, actor=manager, name="returned.docx", reading=reading)
    action.refresh_from_db()
    assert action.planned_completion_text != "31 March 2013"
    returns_decide.change_accept(made.changes.get(), actor=manager)
    action.refresh_from_db()
    assert action.planned_completion_text == "31 March 2013"
    assert action.planned_completion_date == dt.date(2013, 3, 31)
    reason = action.history.latest().history_change_reason
    assert reason.startswith(f"Date moved: typed by {TYPIST}, accepted by {person_name(manager)},")


def edited(plan, layout, *, date=True, progress=True):
    returned = Returned(export(plan, layout))
    touched = []
    if progress:
        touched.append(type_progress(returned, plan))
    if date:
        touched.append(move_date(returned, plan))
    return returned.data(), touched


def test_the_command_dry_run_prints_each_change_and_saves_nothing(demo_plans, tmp_path, capsys):
    plan, layout = preset("Rotherham action delivery plan")
    manager_of(plan)
    data, _ = edited(plan, layout)
    path = tmp_path / "returned.docx"
    path.write_bytes(data)
    args = ["import_plan", str(path), "--into", plan.title, "--user", "returns_manager"]
    call_command(*args, "--dry-run")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines[:-1]] == ["Progress update", "Date moved"]
    assert "31 March 2013" in lines[1] and f"typed by {TYPIST}" in lines[1]
    assert lines[-1].endswith("Dry run: nothing was saved.")
    assert not ProposedChange.objects.exists() and not ReturnedFile.objects.exists()
    call_command(*args)
    assert "kept for its managers" in capsys.readouterr().out
    assert ProposedChange.objects.filter(plan=plan, state="pending").count() == 2


def test_the_command_refuses_a_plan_the_user_does_not_manage(demo_plans, tmp_path):
    from django.core.management import CommandError

    plan, layout = preset("Merton Appendix A")
    person("stranger_manager", "Manager", organisation="Another council")
    path = tmp_path / "returned.docx"
    path.write_bytes(export(plan, layout))
    with pytest.raises(CommandError, match="manages no plan titled"):
        call_command("import_plan", str(path), "--into", plan.title, "--user", "stranger_manager")
    assert not ProposedChange.objects.exists()


def test_accept_all_makes_every_change_of_one_action(demo_plans):
    plan, layout = preset("Rotherham action delivery plan")
    manager = manager_of(plan)
    data, _ = edited(plan, layout)
    reading = returns.returned_read(plan, "r.docx", data)
    returns.returned_add(plan, actor=manager, name="r.docx", reading=reading)
    accepted, refused = returns_decide.changes_accept_all(plan, actor=manager)
    assert (len(accepted), refused) == (2, [])
    assert ProgressUpdate.objects.filter(text=TYPED).exists()
    assert not ProposedChange.objects.filter(state="pending").exists()


def test_a_change_to_an_action_changed_since_is_refused(demo_plans):
    plan, layout = preset("Rotherham action delivery plan")
    manager = manager_of(plan)
    data, (action,) = edited(plan, layout, progress=False)
    reading = returns.returned_read(plan, "r.docx", data)
    change = returns.returned_add(plan, actor=manager, name="r.docx", reading=reading).changes.get()
    action.refresh_from_db()
    action.target = "Edited meanwhile"
    plan_setup.action_edit(
        action,
        actor=manager,
        version=action.version,
        fields=["target"],
        owners=list(action.ordered_owners),
    )
    with pytest.raises(Refused, match="changed after the file was read"):
        returns_decide.change_accept(change, actor=manager)
    action.refresh_from_db()
    assert action.planned_completion_text != "31 March 2013"
    change.refresh_from_db()
    assert change.state == "pending"


def test_progress_written_since_refuses_the_typed_progress(demo_plans):
    from actionplans import workflow

    plan, layout = preset("Rotherham action delivery plan")
    manager = manager_of(plan)
    data, (action,) = edited(plan, layout, date=False)
    reading = returns.returned_read(plan, "r.docx", data)
    change = returns.returned_add(plan, actor=manager, name="r.docx", reading=reading).changes.get()
    workflow.progress_add(action, author=manager, written_on=dt.date(2026, 1, 5), text="Since.")
    with pytest.raises(Refused, match="changed after the file was read"):
        returns_decide.change_accept(change, actor=manager)
    assert not ProgressUpdate.objects.filter(text=TYPED).exists()


def test_rows_that_match_nothing_and_dates_that_are_no_date_are_doubts(demo_plans):
    plan, layout = preset("Rotherham action delivery plan")
    returned = Returned(export(plan, layout))
    column = returned.column(("Action Required",))
    index, _ = next(returned.action_rows(plan))
    paragraph = returned.cell(index, column).paragraphs[0]
    paragraph.runs[0].text = "Something no plan ever said about kites"
    for run in paragraph.runs[1:]:
        run.text = ""
    move_date(returned, plan, new="when the moon is blue")
    reading = returns.returned_read(plan, "r.docx", returned.data())
    assert reading.proposals == []
    assert len(reading.doubts) == 2
    assert "matches none of the plan's actions" in reading.doubts[0]
    assert "“when the moon is blue”" in reading.doubts[1] and "not a date" in reading.doubts[1]


def test_a_file_that_is_no_plan_table_is_refused(demo_plans):
    plan, _ = preset("Merton Appendix A")
    with pytest.raises(Refused):
        returns.returned_read(plan, "r.docx", b"PK\x03\x04 not a word file")
    document = docx.Document()
    document.add_paragraph("No table here")
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(Refused, match="no table"):
        returns.returned_read(plan, "r.docx", out.getvalue())


# The pages: a manager's; another council's people are not told the plan exists.


def upload(client, plan, data, name="returned.docx"):
    return client.post(
        reverse("returned_changes", args=[plan.pk]),
        {"file": SimpleUploadedFile(name, data)},
    )


def test_the_pages_upload_list_and_accept(client, demo_plans):
    plan, layout = preset("Merton Appendix A")
    manager = manager_of(plan)
    data, _ = edited(plan, layout)
    client.force_login(manager)
    response = upload(client, plan, data)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert TYPED in page and "31 March 2013" in page and TYPIST in page
    change = ProposedChange.objects.get(kind="date")
    client.post(reverse("returned_change_reject", args=[plan.pk, change.pk]))
    change.refresh_from_db()
    assert change.state == "rejected"
    client.post(reverse("returned_accept_all", args=[plan.pk]))
    assert ProgressUpdate.objects.filter(text=TYPED).exists()
    response = client.post(reverse("returned_change_accept", args=[plan.pk, change.pk]))
    assert "already rejected" in client.get(response.url).content.decode()


def test_a_hostile_upload_is_a_clear_error_and_saves_nothing(client, demo_plans):
    plan, _ = preset("Merton Appendix A")
    client.force_login(manager_of(plan))
    for name, data in [
        ("r.docx", b"<script>alert(1)</script>"),
        ("r.exe", b"MZ\x00\x00"),
        ("r.csv", b"Nothing,here\n\x00,<b>x</b>\n"),
    ]:
        response = upload(client, plan, data, name)
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page and "<script>alert(1)" not in page
    assert not ReturnedFile.objects.exists()
    response = client.post(reverse("returned_changes", args=[plan.pk]), {})
    assert "Choose the file that came back." in response.content.decode()


def test_another_councils_manager_gets_404_and_an_officer_may_not_decide(client, demo_plans):
    plan, layout = preset("Merton Appendix A")
    manager = manager_of(plan)
    data, _ = edited(plan, layout, date=False)
    reading = returns.returned_read(plan, "r.docx", data)
    change = returns.returned_add(plan, actor=manager, name="r.docx", reading=reading).changes.get()
    rotherham, _ = preset("Rotherham action delivery plan")
    stranger = manager_of(rotherham, "rotherham_manager")
    officer, _ = person("merton_officer", "Officer", organisation=plan.organisation)
    urls = [
        reverse("returned_changes", args=[plan.pk]),
        reverse("returned_change_accept", args=[plan.pk, change.pk]),
        reverse("returned_accept_all", args=[plan.pk]),
    ]
    client.force_login(stranger)
    assert [client.post(url).status_code for url in urls] == [404, 404, 404]
    assert client.get(urls[0]).status_code == 404
    # Another plan's address with this change's id: not found either.
    other = reverse("returned_change_accept", args=[rotherham.pk, change.pk])
    assert client.post(other).status_code == 404
    client.force_login(officer)
    assert [client.post(url).status_code for url in urls] == [403, 403, 403]
    with pytest.raises(Refused, match="Only a manager"):
        returns_decide.change_accept(change, actor=officer)
    change.refresh_from_db()
    assert change.state == "pending"
    assert not ProgressUpdate.objects.filter(text=TYPED).exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_sites_table_export_comes_back_the_same_way(demo_plans, fmt):
    """The plan as a table (Excel, CSV) untouched proposes nothing; progress typed on after an
    update's line is that much progress."""
    from importers import export

    plan, _ = preset("Rotherham action delivery plan")
    rows = export.plan_rows(plan)
    assert returns.returned_read(plan, f"plan.{fmt}", export.write(rows, fmt)).proposals == []
    progress = rows[1].index("Progress")
    row = next(r for r in rows[2:] if len(r) > progress and r[progress])
    row[progress] += "\n" + TYPED
    reading = returns.returned_read(plan, f"plan.{fmt}", export.write(rows, fmt))
    assert [(p.kind, p.new) for p in reading.proposals] == [("progress", TYPED)]


def test_progress_typed_as_a_tracked_change_is_the_typists(demo_plans):
    """Word's Track Changes keeps who typed each insertion: that name, not the file's last
    saver, is who typed the change; the inserted text is read (python-docx leaves it out)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    plan, layout = preset("Rotherham action delivery plan")
    returned = Returned(export(plan, layout))
    column = returned.column(PROGRESS_COLUMNS)
    index, action = next(returned.action_rows(plan))
    paragraph = returned.cell(index, column).add_paragraph()
    inserted = OxmlElement("w:ins")
    inserted.set(qn("w:id"), "1")
    inserted.set(qn("w:author"), "Terry Irvine")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = TYPED
    run.append(text)
    inserted.append(run)
    paragraph._p.append(inserted)
    reading = returns.returned_read(plan, "r.docx", returned.data(typist="Clerk Who Saved It"))
    assert [(p.kind, p.action.id, p.new, p.typed_by) for p in reading.proposals] == [
        ("progress", action.pk, TYPED, "Terry Irvine")
    ]
    assert reading.typed_by == "Clerk Who Saved It"


def test_owners_retyped_are_one_owners_change(demo_plans):
    from actionplans.models import Owner

    plan, layout = preset("Rotherham action delivery plan")
    manager = manager_of(plan)
    returned = Returned(export(plan, layout))
    column = returned.column(("Lead Officer / Agency",))
    index, action = next(returned.action_rows(plan))
    named = {o.pk for o in action.ordered_owners}
    owner = next(
        o
        for o in Owner.objects.filter(organisation=plan.organisation).order_by("pk")
        if o.pk not in named and o.name.replace(" ", "").isalpha() and not o.initials
    )
    cell = returned.cell(index, column)
    for paragraph in cell.paragraphs[1:]:
        paragraph._p.getparent().remove(paragraph._p)
    cell.paragraphs[0].runs[0].text = owner.name
    for run in cell.paragraphs[0].runs[1:]:
        run.text = ""
    reading = returns.returned_read(plan, "r.docx", returned.data())
    assert [(p.kind, p.action.id, p.new, p.owner_ids) for p in reading.proposals] == [
        ("owners", action.pk, owner.name, [owner.pk])
    ]
    made = returns.returned_add(plan, actor=manager, name="r.docx", reading=reading)
    returns_decide.change_accept(made.changes.get(), actor=manager)
    action = Action.objects.get(pk=action.pk)
    assert (action.ordered_owners, action.owners_as_written) == ([owner], owner.name)
    assert action.history.latest().history_change_reason.startswith("Owners changed typed by")


@pytest.mark.parametrize("field", ["kind", "state"])
def test_the_database_refuses_a_kind_or_state_outside_the_choices(db, field):
    from django.db import IntegrityError, transaction

    from .factories import PlanFactory

    plan = PlanFactory()
    returned = ReturnedFile.objects.create(plan=plan, name="r.docx")
    change = ProposedChange.objects.create(returned=returned, plan=plan, kind="date", new_value="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposedChange.objects.filter(pk=change.pk).update(**{field: "Amber!"})


def test_the_same_file_uploaded_twice_proposes_each_change_once(demo_plans):
    plan, layout = preset("Rotherham action delivery plan")
    manager = manager_of(plan)
    data, _ = edited(plan, layout)
    for _ in range(2):
        reading = returns.returned_read(plan, "r.docx", data)
        second = returns.returned_add(plan, actor=manager, name="r.docx", reading=reading)
    assert ProposedChange.objects.filter(plan=plan).count() == 2
    assert [d.split(": ", 1)[1] for d in second.doubts] == [
        "the same change is already waiting for a decision."
    ] * 2
    returns_decide.changes_accept_all(plan, actor=manager)
    # Once accepted, the file proposes nothing more: what it says is the plan's now.
    assert returns.returned_read(plan, "r.docx", data).proposals == []


def test_only_a_manager_of_the_plan_keeps_proposals(demo_plans):
    plan, layout = preset("Rotherham action delivery plan")
    officer, _ = person("rotherham_officer", "Officer", organisation=plan.organisation)
    data, _ = edited(plan, layout)
    reading = returns.returned_read(plan, "r.docx", data)
    with pytest.raises(Refused, match="Only a manager"):
        returns.returned_add(plan, actor=officer, name="r.docx", reading=reading)
    assert not ReturnedFile.objects.exists()


def test_a_row_whose_action_was_reworded_a_little_still_matches_its_action(demo_plans):
    plan, layout = preset("Rotherham action delivery plan")
    returned = Returned(export(plan, layout))
    action = type_progress(returned, plan)
    column = returned.column(("Action Required",))
    index = next(i for i, a in returned.action_rows(plan) if a.pk == action.pk)
    paragraph = returned.cell(index, column).paragraphs[0]
    paragraph.runs[-1].text = paragraph.runs[-1].text.rstrip(".") + " as agreed."
    assert len(action.text) > 60  # so that two words more leave it nearly alike
    reading = returns.returned_read(plan, "r.docx", returned.data())
    assert reading.doubts == []
    assert [(p.kind, p.action.id) for p in reading.proposals] == [("progress", action.pk)]
