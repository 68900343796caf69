"""The public version of an appendix (issue 27): what a council marks not for publication
(Schedule 12A) is in the full document and in no part of the public one, in any format: not its
text, not its metadata, not a Word header, footer or comment, not any sheet or property of the
workbook; people below the council's chosen level are shown there by their post; the two are
never served for each other; and only a manager of the plan marks what the public may not see."""

import datetime as dt
import io
import re
import zipfile

import docx
import openpyxl
import pypdf
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actionplans import plan_setup, publication, snapshots, withholding, workflow
from actionplans.models import (
    OfficerLevel,
    Owner,
    ProgressUpdate,
    PublicationPolicy,
    Withholding,
)
from reporting import appendix, packs, renders
from reporting import services as reporting_services
from reporting.fields import Updates
from reporting.formats import FORMATS
from reporting.packs import Settings

from .conftest import COUNCIL, person
from .factories import ActionFactory, PlanFactory, RecommendationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SECRET = "Quokkaplacement disclosed the foster carers' address"
SECRET_CELL = "Zebrafinch negotiation with the union"
OPEN = "Audit of sixty case files completed"
ALL = Updates("all")


def squash(text):
    return re.sub(r"\s+", "", text).lower()


@pytest.fixture
def marked(world):
    """The officer's action with an update that may be published and one that may not (marked as
    it is written), and the text of another action marked not for publication."""
    workflow.progress_add(world.own, author=world.officer, written_on=TODAY, text=OPEN)
    secret = workflow.progress_add(
        world.own, author=world.officer, written_on=TODAY, text=SECRET, exemption="1"
    )
    world.others.text = SECRET_CELL
    world.others.save()
    withholding.cell_withhold(world.others, actor=world.manager, field="text", category="4")
    world.secret = secret
    return world


def build(world, public):
    return appendix.build(world.plan, appendix.spec_for(world.plan), TODAY, ALL, public=public)


def pdf_text(content):
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    return text, metadata


def docx_texts(content):
    """Every text of a Word file: body, tables, headers, footers, comments, core properties."""
    document = docx.Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header):
            texts += [p.text for p in part.paragraphs]
    props = document.core_properties
    texts += [
        str(getattr(props, name) or "")
        for name in ("title", "subject", "author", "keywords", "comments", "category")
    ]
    # Comments and anything else in the package, read as XML.
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        texts += [package.read(name).decode("utf-8", "replace") for name in package.namelist()]
    return texts


def xlsx_texts(content):
    book = openpyxl.load_workbook(io.BytesIO(content))
    texts = [
        str(value) for sheet in book for row in sheet.iter_rows(values_only=True) for value in row
    ]
    texts += [sheet.title for sheet in book]
    props = book.properties
    texts += [
        str(getattr(props, name) or "")
        for name in ("title", "subject", "creator", "keywords", "description", "category")
    ]
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        texts += [package.read(name).decode("utf-8", "replace") for name in package.namelist()]
    return texts


def write(doc, fmt):
    return FORMATS[fmt].write(doc)


def test_an_update_not_for_publication_is_in_the_full_pdf_and_in_no_public_format(marked):
    full, public = build(marked, False), build(marked, True)
    text, _ = pdf_text(write(full, "pdf"))
    assert squash(SECRET) in squash(text) and squash(SECRET_CELL) in squash(text)

    text, metadata = pdf_text(write(public, "pdf"))
    for secret in ("Quokkaplacement", "Zebrafinch"):
        assert secret.lower() not in squash(text) and secret not in metadata
    assert squash(OPEN) in squash(text)
    # It says what it leaves out, and under which paragraph the cell is exempt.
    assert squash("leaves out 1 progress update and 1 entry of the table") in squash(text)
    assert squash("exempt under paragraph 4 of Schedule 12A") in squash(text)
    assert "public version" in metadata

    for texts in (docx_texts(write(public, "docx")), xlsx_texts(write(public, "xlsx"))):
        joined = " ".join(texts)
        assert "Quokkaplacement" not in joined and "Zebrafinch" not in joined
        assert OPEN in joined and "public version" in joined
    for texts in (docx_texts(write(full, "docx")), xlsx_texts(write(full, "xlsx"))):
        joined = " ".join(texts)
        assert "Quokkaplacement" in joined and "Zebrafinch" in joined


def test_the_public_file_and_title_say_public(marked):
    public, full = build(marked, True), build(marked, False)
    assert appendix.file_name(public).endswith("-public.pdf")
    assert "public" not in appendix.file_name(full) and "public" not in full.title
    assert public.title.endswith("(public version)")
    assert not full.public_note and "Schedule 12A" in public.public_note
    assert "by their post" not in public.public_note  # the council names everyone


def test_a_mark_made_later_keeps_an_old_update_out_and_moves_the_public_key(world):
    update = ProgressUpdate.objects.get(action=world.own)
    spec = appendix.spec_for(world.plan)
    before = renders.key(world.plan, spec, TODAY, ALL, public=True)
    full_before = renders.key(world.plan, spec, TODAY, ALL)
    assert before != full_before  # never served for each other
    outline = snapshots.current(world.plan, public=True)
    assert outline.withheld_updates == 0
    withholding.update_withhold(update, actor=world.manager, category="2")
    assert renders.key(world.plan, spec, TODAY, ALL, public=True) != before
    outline = snapshots.current(world.plan, public=True)
    own = next(
        a for r in outline.sections[0].recommendations for a in r.actions if a.id == world.own.pk
    )
    assert own.updates == [] and outline.withheld_updates == 1
    # Published again: back in the public version.
    withholding.update_withhold(update, actor=world.manager, category="")
    assert not Withholding.objects.exists()
    assert snapshots.current(world.plan, public=True).withheld_updates == 0
    history = Withholding.history.order_by("history_date")
    assert [h.history_type for h in history] == ["+", "-"]
    assert {h.history_user for h in history} == {world.manager}


def owner_names(doc, action_id):
    return [
        o.name
        for s in doc.outline.sections
        for r in s.recommendations
        for a in r.actions
        if a.id == action_id
        for o in a.owners
    ]


def edit_owner(world, owner, **values):
    """As the council's administrator edits an owner: the plans' pages and rows follow."""
    owner.refresh_from_db()
    for name, value in values.items():
        setattr(owner, name, value)
    plan_setup.owner_edit(owner, actor=world.admin, version=owner.version, fields=list(values))


def test_a_person_below_the_councils_level_is_shown_by_post_in_public_only(world):
    edit_owner(
        world, world.officer_owner, level=OfficerLevel.OFFICER, job_title="Senior practitioner"
    )
    senior = Owner.objects.get(user=world.other_officer)
    edit_owner(world, senior, level=OfficerLevel.HEAD_OF_SERVICE, job_title="Head of safeguarding")
    withholding.publication_policy_set(
        COUNCIL, actor=world.admin, name_from=OfficerLevel.HEAD_OF_SERVICE
    )
    full, public = build(world, False), build(world, True)
    assert owner_names(full, world.own.pk) == ["Terry Irvine"]
    assert owner_names(public, world.own.pk) == ["Senior practitioner"]
    assert owner_names(public, world.others.pk) == ["Sue Wilson"]  # at the level: named
    assert "by their post" in public.public_note
    joined = " ".join(docx_texts(write(public, "docx")))
    assert "Terry Irvine" not in joined and "Senior practitioner" in joined
    assert "Terry Irvine" in " ".join(docx_texts(write(full, "docx")))
    # No post recorded: "an officer".
    edit_owner(world, world.officer_owner, job_title="")
    assert owner_names(build(world, True), world.own.pk) == [publication.AN_OFFICER]
    # A council that names everyone: named in public too.
    withholding.publication_policy_set(COUNCIL, actor=world.admin, name_from="")
    assert owner_names(build(world, True), world.own.pk) == ["Terry Irvine"]


def test_names_in_the_plans_own_wording_are_replaced_too():
    posts = {"Terry Irvine": "Senior practitioner", "TI": "Senior practitioner"}
    words = "Terry Irvine / TI with the LSCB (TIM)"
    assert publication.substitute(words, posts) == (
        "Senior practitioner / Senior practitioner with the LSCB (TIM)"
    )


def test_render_appendix_public(marked, tmp_path):
    full, public = tmp_path / "full.pdf", tmp_path / "public.pdf"
    call_command("render_appendix", str(marked.plan.pk), "--updates", "all", "-o", str(full))
    call_command(
        "render_appendix", str(marked.plan.pk), "--updates", "all", "--public", "-o", str(public)
    )
    assert squash(SECRET) in squash(pdf_text(full.read_bytes())[0])
    text, metadata = pdf_text(public.read_bytes())
    assert "quokkaplacement" not in squash(text) and "Quokkaplacement" not in metadata


def test_the_prepare_page_offers_the_public_version(client, marked):
    client.force_login(marked.clerk)
    query = {"as_at": TODAY.isoformat(), "updates": "all", "public": "on"}
    page = client.get(reverse("appendix_prepare", args=[marked.plan.pk]), query)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Quokkaplacement" not in body and "public PDF" in body
    response = client.get(reverse("appendix_download_docx", args=[marked.plan.pk]), query)
    assert "public" in response["Content-Disposition"]
    assert "Quokkaplacement" not in " ".join(docx_texts(response.content))
    # The full version of the same settings is another document.
    del query["public"]
    response = client.get(reverse("appendix_download_docx", args=[marked.plan.pk]), query)
    assert "Quokkaplacement" in " ".join(docx_texts(response.content))


def test_a_pack_published_as_public_leaves_them_out(marked):
    cover = {"committee": "Scrutiny", "meeting_date": dt.date(2026, 2, 1), "subject": "Plan"}
    report = reporting_services.report_create(cover, actor=marked.clerk, organisation=COUNCIL)
    settings = Settings.load(
        {"plan": marked.plan.pk, "layout": None, "as_at": TODAY.isoformat(), "updates": "all"}
    )
    reporting_services.appendix_add(report, actor=marked.clerk, plan=marked.plan, settings=settings)
    full_key = packs.key(report)
    assert squash(SECRET) in squash(pdf_text(packs.write_pdf(packs.build(report)))[0])
    report.public = True
    report.save()
    assert packs.key(report) != full_key
    pack = packs.build(report)
    assert all(item.doc.public for item in pack.appendices)
    assert "public" in packs.file_name(report)
    text, metadata = pdf_text(packs.write_pdf(pack))
    assert "quokkaplacement" not in squash(text) and "zebrafinch" not in squash(text)
    assert "public version" in metadata


# Marking: a manager of the plan, the plan's own entries, the paragraphs listed.


def test_a_manager_marks_an_update_and_a_cell(client, world):
    update = ProgressUpdate.objects.get(action=world.own)
    url = reverse("action_publication", args=[world.own.pk])
    client.force_login(world.manager)
    assert client.get(url).status_code == 200
    response = client.post(url, {"item": f"update-{update.pk}", "category": "7"})
    assert response.status_code == 302
    assert Withholding.objects.get(update=update).category == "7"
    client.post(url, {"item": "field-target", "category": "5"})
    mark = Withholding.objects.get(action=world.own, field="target")
    assert mark.marked_by == world.manager and mark.history.get().history_user == world.manager
    assert "paragraph 7" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"item": "field-text", "category": "8"}, "Choose one of the paragraphs"),
        ({"item": "field-text", "category": "<script>"}, "Choose one of the paragraphs"),
        ({"item": "field-password", "category": "1"}, "Choose one of this action"),
        ({"item": "update-99999999999999999999", "category": "1"}, "Choose one of this action"),
        ({"category": "1"}, "Choose the entry"),
    ],
)
def test_marking_refuses_what_is_not_listed(client, world, data, message):
    client.force_login(world.manager)
    response = client.post(reverse("action_publication", args=[world.own.pk]), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Withholding.objects.exists()


def test_marking_refuses_another_plans_and_another_councils_update(client, world):
    other = PlanFactory(organisation="Other Borough Council")
    action = ActionFactory(recommendation=RecommendationFactory(plan=other))
    theirs = workflow.progress_add(action, author=None, written_on=TODAY, text="Theirs.")
    elsewhere = workflow.progress_add(
        world.elsewhere, author=world.other_manager, written_on=TODAY, text="Ours, elsewhere."
    )
    client.force_login(world.manager)
    url = reverse("action_publication", args=[world.own.pk])
    for update in (theirs, elsewhere):
        response = client.post(url, {"item": f"update-{update.pk}", "category": "1"})
        assert "Choose one of this action" in response.content.decode()
    assert not Withholding.objects.exists()
    # Another council's action: not found.
    assert client.get(reverse("action_publication", args=[action.pk])).status_code == 404


def test_only_a_manager_of_the_plan_marks(client, world):
    url = reverse("action_publication", args=[world.own.pk])
    for user in (world.officer, world.clerk, world.other_manager):
        client.force_login(user)
        assert client.post(url, {"item": "field-text", "category": "1"}).status_code == 403
    assert not Withholding.objects.exists()


def test_the_progress_form_marks_an_update_and_refuses_unknown_paragraphs(client, world):
    client.force_login(world.officer)
    url = reverse("action_update", args=[world.own.pk])
    data = {"written_on": TODAY.isoformat(), "text": "Sensitive.", "exemption": "12A"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Choose one of the paragraphs of Schedule 12A" in response.content.decode()
    assert not ProgressUpdate.objects.filter(text="Sensitive.").exists()
    client.post(url, {**data, "exemption": "3"})
    update = ProgressUpdate.objects.get(text="Sensitive.")
    assert update.withholding.category == "3" and update.withholding.marked_by == world.officer


def test_the_services_refuse_unknown_paragraphs_and_cells(world):
    from core.errors import Refused

    update = ProgressUpdate.objects.get(action=world.own)
    with pytest.raises(Refused):
        withholding.update_withhold(update, actor=world.manager, category="9")
    with pytest.raises(Refused):
        withholding.cell_withhold(world.own, actor=world.manager, field="status", category="1")
    with pytest.raises(Refused):
        withholding.publication_policy_set(COUNCIL, actor=world.admin, name_from="boss")
    assert not Withholding.objects.exists() and not PublicationPolicy.objects.exists()


def test_the_council_sets_whom_it_names(client, world):
    url = reverse("publication_policy")
    client.force_login(world.officer)
    assert client.get(url).status_code == 403
    client.force_login(world.clerk)
    assert client.post(url, {"name_from": "officer", "version": "1"}).status_code == 403
    client.force_login(world.admin)
    assert client.get(url).status_code == 200
    response = client.post(url, {"name_from": "boss", "version": "1"})
    assert "Choose one of the levels listed" in response.content.decode()
    assert not PublicationPolicy.objects.exists()
    assert client.post(url, {"name_from": "team_manager", "version": "1"}).status_code == 302
    policy = PublicationPolicy.objects.get()
    assert policy.organisation == COUNCIL and policy.name_from == "team_manager"
    assert policy.history.get().history_user == world.admin
    # Another council's manager sets their own council's, never this one's.
    other, _ = person("elsewhere", "Manager", "Other Borough Council")
    client.force_login(other)
    client.post(url, {"name_from": "director", "version": "1"})
    assert PublicationPolicy.objects.get(organisation=COUNCIL).name_from == "team_manager"
    assert PublicationPolicy.objects.get(organisation="Other Borough Council").name_from == (
        "director"
    )


def test_the_owner_list_links_to_the_policy_for_a_councils_manager_only(client, world):
    link = reverse("publication_policy")
    client.force_login(world.manager)
    assert link in client.get(reverse("owner_list")).content.decode()
    client.force_login(world.site_admin)  # of no council: nothing of theirs to choose
    assert link not in client.get(reverse("owner_list")).content.decode()
    assert client.get(link).status_code == 403
