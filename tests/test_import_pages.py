"""The import pages: upload, preview, map the unrecognised columns, confirm; table downloads."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplans.models import Action, Plan
from importers.models import PendingImport

from .test_import_shapes import SHEET, csv_of, word_plan, xlsx_of

pytestmark = pytest.mark.django_db


def upload(client, name, data, title=""):
    return client.post(
        reverse("import_upload"), {"file": SimpleUploadedFile(name, data), "title": title}
    )


def test_manager_uploads_maps_and_confirms(client, world):
    client.force_login(world.manager)
    response = upload(client, "plan.xlsx", xlsx_of(SHEET))
    pending = PendingImport.objects.get()
    assert response.url == reverse("import_preview", args=[pending.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    assert (
        "Not recognised" in page.content.decode()
        and "Notes from the board" in page.content.decode()
    )
    assert "Import this plan" not in page.content.decode()  # not until every column has a meaning
    choosable = [c["heading"] for c in page.context["choosable"]]
    field = f"column_{choosable.index('Notes from the board')}"
    client.post(response.url, {field: "progress"})
    page = client.get(response.url)
    assert "Import this plan" in page.content.decode()
    done = client.post(reverse("import_confirm", args=[pending.pk]))
    plan = Plan.objects.get(title="Youth Justice Action Plan")
    assert done.url == plan.get_absolute_url()
    assert plan.managers.filter(pk=world.manager.pk).exists()
    assert Action.objects.filter(recommendation__plan=plan).count() == 3
    used = PendingImport.objects.get()  # kept, emptied, to tell a second confirmation
    assert (used.plan, bytes(used.data)) == (plan, b"") and used.confirmed_at


def test_word_upload_previews(client, world):
    client.force_login(world.manager)
    response = upload(client, "plan.docx", word_plan())
    page = client.get(response.url)
    body = page.content.decode()
    assert "Children&#x27;s Services Improvement Plan" in body
    assert "Within 3 Months" in body and "15 November 2012" in body


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("plan.exe", b"MZ....", "is not an Excel"),
        ("plan.xlsx", b"<html>not really</html>", "not a real .xlsx"),
        ("plan.csv", b"", "empty"),
        ("plan.csv", b"x" * (20 * 1024 * 1024), "larger than"),
    ],
)
def test_bad_uploads_refused_nothing_kept(client, world, name, data, message):
    client.force_login(world.manager)
    response = upload(client, name, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PendingImport.objects.exists()


def test_unreadable_file_shows_its_problem_and_no_import_button(client, world):
    client.force_login(world.manager)
    response = upload(client, "plan.csv", b"a,b\n<script>alert(1)</script>,2\n")
    page = client.get(response.url).content.decode()
    assert "No header row" in page and "Import this plan" not in page
    assert "<script>alert(1)" not in page


def test_another_users_upload_is_not_found(client, world):
    client.force_login(world.manager)
    response = upload(client, "plan.xlsx", xlsx_of(SHEET))
    pending = PendingImport.objects.get()
    client.force_login(world.other_manager)
    assert client.get(response.url).status_code == 404
    assert client.post(reverse("import_confirm", args=[pending.pk])).status_code == 404
    assert client.get(reverse("import_preview", args=[999999])).status_code == 404


def test_officer_may_not_import(client, world):
    client.force_login(world.officer)
    assert client.get(reverse("import_upload")).status_code == 403


def test_confirm_is_post_only(client, world):
    client.force_login(world.manager)
    upload(client, "plan.xlsx", xlsx_of(SHEET))
    pending = PendingImport.objects.get()
    assert client.get(reverse("import_confirm", args=[pending.pk])).status_code == 405


def test_plan_downloads_as_table_with_formulas_defused(client, world):
    world.own.text = "=1+1 is not run"
    world.own.save()
    client.force_login(world.clerk)
    response = client.get(reverse("plan_table_export", args=[world.plan.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:3] == ["Ref No", "Recommendation", "Action Required"]
    assert "'=1+1 is not run" in [row[2] for row in rows[2:] if len(row) > 2]
    response = client.get(reverse("plan_table_export", args=[world.plan.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=1+1 is not run")
    assert cell.data_type == "s"
    assert client.get(reverse("plan_table_export", args=[world.plan.pk, "pdf"])).status_code == 404


def test_another_councils_plan_is_not_downloadable(client, world):
    client.force_login(world.partner)
    response = client.get(reverse("plan_table_export", args=[world.other_plan.pk, "csv"]))
    assert response.status_code == 404


def test_filtered_action_list_downloads(client, world):
    client.force_login(world.clerk)
    response = client.get(reverse("action_table_export", args=["csv"]), {"q": "(a)"})
    assert response.status_code == 200
    everything = client.get(reverse("action_table_export", args=["csv"]))
    assert len(everything.content) > len(response.content)


def test_upload_without_login_redirects(client):
    response = client.get(reverse("import_upload"))
    assert response.status_code == 302
    assert csv_of([["x"]])


def test_the_preview_shows_statuses_in_words(client, world):
    client.force_login(world.manager)
    data = b"Recommendation,Action,Status\nR1,Refresh the form,Not started\n"
    upload = SimpleUploadedFile("plan.csv", data, content_type="text/csv")
    response = client.post(reverse("import_upload"), {"file": upload, "title": "Status plan"})
    page = client.get(response["Location"]).content.decode()
    assert "Not started" in page and "not_started" not in page
