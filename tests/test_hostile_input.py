"""Hostile input on every form: a clear message, and nothing changed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplans.models import Action, Evidence, Measure, Plan, ProgressUpdate, Reading, Section

from .conftest import action_form_data, pdf
from .factories import MeasureFactory, OwnerFactory, RecommendationFactory

pytestmark = pytest.mark.django_db

HUGE = "x" * 100_000
SCRIPT = "<script>alert('owned')</script><b>bold</b>"


def snapshot():
    return (
        ProgressUpdate.objects.count(),
        Evidence.objects.count(),
        list(Action.objects.order_by("pk").values_list("text", "status", "version", "target")),
        Section.objects.count(),
        Measure.objects.count(),
        Reading.objects.count(),
        list(Plan.objects.order_by("pk").values_list("title", "status")),
    )


def refused(client, url, data, message):
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page, page[:0]
    assert snapshot() == before


UPDATE = {"written_on": "18/10/2012", "period_label": "", "text": "Briefing held.", "status": ""}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"written_on": "yesterday"}, "Enter the date in numbers, for example 18 10 2012."),
        ({"written_on": "31/02/2012"}, "Enter a real date, for example 18 10 2012."),
        ({"written_on_0": "18", "written_on_2": "2012"}, "The date must include a month."),
        ({"written_on_0": "1", "written_on_1": "1", "written_on_2": "12"}, "four digits"),
        ({"written_on_0": "9" * 5000, "written_on_1": "1", "written_on_2": "2012"}, "in numbers"),
        ({"written_on": "31/12/2101"}, "The date cannot be in the future."),
        ({"written_on": "01/01/1066"}, "Enter a date between 1990 and 2099."),
        ({"text": HUGE}, "Ensure this value has at most 20000 characters (it has 100000)."),
        ({"text": "   "}, "Enter the progress made."),
        ({"period_label": "p" * 5000}, "Ensure this value has at most 100 characters"),
        ({"status": "complete"}, "Select a valid choice. complete is not one of the available"),
    ],
)
def test_progress_update_form(client, world, changes, message):
    client.force_login(world.officer)
    url = reverse("action_update", args=[world.own.pk])
    refused(client, url, {**UPDATE, **changes}, message)


def test_progress_update_with_two_statuses_takes_the_last(client, world):
    # Two values for one field: the last wins, as HTML forms do; still a valid choice.
    client.force_login(world.officer)
    url = reverse("action_update", args=[world.own.pk])
    assert client.post(url, {**UPDATE, "status": ["underway", "delayed"]}).status_code == 302
    world.own.refresh_from_db()
    assert world.own.status == "delayed"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("tool.exe", b"MZ\x90\x00", "application/x-msdownload"),
            "tool.exe is not an accepted type",
        ),
        (
            SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>", "application/pdf"),
            "fake.pdf does not look like a PDF file",
        ),
        (SimpleUploadedFile("empty.pdf", b"", "application/pdf"), "The submitted file is empty."),
        (
            SimpleUploadedFile("page.html", SCRIPT.encode(), "text/html"),
            "page.html is not an accepted type",
        ),
    ],
)
def test_evidence_files_are_checked(client, world, upload, message):
    client.force_login(world.officer)
    url = reverse("action_update", args=[world.own.pk])
    refused(client, url, {**UPDATE, "evidence": [pdf("good.pdf"), upload]}, message)


def test_evidence_size_and_count_are_limited(client, world, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    client.force_login(world.officer)
    url = reverse("action_update", args=[world.own.pk])
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 200, "application/pdf")
    refused(client, url, {**UPDATE, "evidence": [big]}, "evidence files must be 100")
    settings.EVIDENCE_MAX_BYTES = 10_000
    many = [pdf(f"file{n}.pdf") for n in range(6)]
    refused(client, url, {**UPDATE, "evidence": many}, "Attach at most 5 files to one update.")


def test_html_and_script_are_stored_as_written_and_shown_escaped(client, world):
    client.force_login(world.officer)
    client.post(reverse("action_update", args=[world.own.pk]), {**UPDATE, "text": SCRIPT})
    assert world.own.updates.filter(text=SCRIPT).exists()
    for name, pk in [("action_detail", world.own.pk), ("plan_detail", world.plan.pk)]:
        page = client.get(reverse(name, args=[pk])).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;&lt;b&gt;bold" in page


def test_propose_form_rejects_bad_input(client, world):
    client.force_login(world.officer)
    url = reverse("action_propose", args=[world.own.pk])
    refused(
        client,
        url,
        {"written_on": "2101-01-01", "text": "Done", "evidence": [pdf()]},
        "The date cannot be in the future.",
    )
    refused(
        client,
        url,
        {"written_on": "18/10/2012", "text": HUGE, "evidence": [pdf()]},
        "at most 20000 characters",
    )


def test_sign_off_form_rejects_bad_input(client, world, proposed):
    client.force_login(world.manager)
    url = reverse("action_sign_off", args=[world.own.pk])
    refused(client, url, {"decision": "approve-everything"}, "Select a valid choice.")
    refused(client, url, {}, "Choose whether to sign off or return the action.")
    refused(client, url, {"decision": "return", "reason": HUGE}, "at most 20000 characters")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": ""}, "This field is required."),
        ({"text": HUGE}, "at most 20000 characters"),
        ({"status": "awaiting_sign_off"}, "Select a valid choice."),
        ({"status": "finished"}, "Select a valid choice."),
        ({"owners": ["not-a-number"]}, "is not a valid value"),
        ({"rag_override": "red"}, "Give the reason for overriding the RAG rating."),
        ({"version": "abc"}, "Enter a whole number."),
        (
            {"status": "complete", "completed_on": "31/12/2050"},
            "The completed date cannot be in the future.",
        ),
        (
            {"status": "complete", "completed_on": "31/12/2101"},
            "Enter a date between 1990 and 2099.",
        ),
    ],
)
def test_action_edit_form(client, world, changes, message):
    client.force_login(world.manager)
    url = reverse("action_edit", args=[world.own.pk])
    refused(client, url, action_form_data(world.own, **changes), message)


def test_another_councils_owner_cannot_be_given_an_action(client, world):
    stranger = OwnerFactory(name="Someone at another council", organisation="Other Council")
    client.force_login(world.manager)
    url = reverse("action_edit", args=[world.own.pk])
    refused(
        client,
        url,
        action_form_data(world.own, owners=[stranger.pk]),
        f"Select a valid choice. {stranger.pk} is not one of the available choices.",
    )


def test_another_plans_section_cannot_be_chosen(client, world):
    client.force_login(world.manager)
    url = reverse("recommendation_edit", args=[world.rec.pk])
    data = {
        "section": world.other_rec.section_id,
        "reference": "CP4",
        "text": "x",
        "version": world.rec.version,
    }
    refused(client, url, data, "Select a valid choice.")


def test_another_plans_recommendation_cannot_carry_a_measure(client, world):
    client.force_login(world.manager)
    url = reverse("measure_add", args=[world.plan.pk])
    data = {"name": "Timely plans", "unit": "percent", "recommendation": world.other_rec.pk}
    refused(client, url, data, "Select a valid choice.")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "Timely", "unit": "percent", "baseline_value": "150"},
            "A percentage must be between 0 and 100.",
        ),
        ({"name": "Timely", "unit": "percent", "baseline_value": "lots"}, "Enter a number."),
        ({"name": "Timely", "unit": "furlongs"}, "Select a valid choice."),
        # A name is optional (plans rarely name their measures), but a measure must say something.
        ({"name": "", "unit": "percent"}, "Give the measure a name, or its baseline or target"),
        (
            {
                "name": "Timely",
                "unit": "count",
                "baseline_date": "01/06/2012",
                "target_date_text": "Dec 11",
            },
            "The target date cannot be before the baseline date.",
        ),
    ],
)
def test_measure_form(client, world, data, message):
    client.force_login(world.manager)
    refused(client, reverse("measure_add", args=[world.plan.pk]), data, message)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"value": "101"}, "A percentage must be between 0 and 100."),
        ({"numerator": "60", "denominator": "53"}, "The count cannot be more than the total."),
        (
            {"numerator": "-1", "denominator": "53"},
            "Ensure this value is greater than or equal to 0.",
        ),
        ({}, "Enter a value, or a count and the total it is out of."),
        ({"value": "50", "taken_on": "31/12/2050"}, "A reading cannot be dated in the future."),
    ],
)
def test_reading_form(client, world, data, message):
    measure = MeasureFactory(plan=world.plan)
    client.force_login(world.manager)
    refused(client, reverse("reading_add", args=[measure.pk]), data, message)


def test_plan_and_section_forms(client, world):
    client.force_login(world.manager)
    refused(
        client,
        reverse("section_add", args=[world.plan.pk]),
        {"title": HUGE},
        "at most 300 characters",
    )
    refused(
        client,
        reverse("plan_edit", args=[world.plan.pk]),
        {"title": world.plan.title, "status": "approved", "submitted_on": "2012-13-45"},
        "Enter a real date, for example 18 10 2012.",
    )
    # Approving needs an owner on every action.
    RecommendationFactory(plan=world.plan)  # a recommendation without actions is fine
    world.own.owners.clear()
    refused(
        client,
        reverse("plan_edit", args=[world.plan.pk]),
        {"title": world.plan.title, "status": "approved"},
        "An approved plan needs an owner for every action.",
    )


def test_as_of_and_list_filters_report_bad_dates(client, world):
    client.force_login(world.clerk)
    page = client.get(reverse("plan_as_of", args=[world.plan.pk]), {"date": "31/12/2101"})
    assert "The date cannot be in the future." in page.content.decode()
    page = client.get(reverse("plan_as_of", args=[world.plan.pk]), {"date": "<script>"})
    assert "Enter the date in numbers, for example 18 10 2012." in page.content.decode()
    assert "<script>" not in page.content.decode().split("<main")[1]
    page = client.get(
        reverse("action_list"),
        {
            "due_after": "not a date",
            "plan": "999999",
            "rag": "purple",
            "q": HUGE[:2000],
            "page": "-3",
        },
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Enter a valid date." in text and "Select a valid choice." in text


def test_another_users_object_in_the_url(client, world):
    client.force_login(world.partner)
    assert (
        client.post(reverse("action_update", args=[world.elsewhere.pk]), UPDATE).status_code == 404
    )
    client.force_login(world.officer)
    assert client.post(reverse("action_update", args=[world.others.pk]), UPDATE).status_code == 403
    assert world.others.updates.count() == 0 and world.elsewhere.updates.count() == 0


def test_an_oversized_request_is_refused_before_it_is_read(client, world, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    client.force_login(world.officer)
    before = snapshot()
    big = [
        SimpleUploadedFile(f"f{n}.pdf", b"%PDF-" + b"0" * 2_000_000, "application/pdf")
        for n in range(1)
    ]
    response = client.post(
        reverse("action_update", args=[world.own.pk]), {**UPDATE, "evidence": big}
    )
    assert response.status_code == 413
    assert "The files attached are too large" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amber_days": "-1"}, "greater than or equal to 0"),
        ({"stale_days": "0"}, "greater than or equal to 1"),
        ({"due_soon_days": "100000"}, "less than or equal to 366"),
        ({"amber_days": "<script>"}, "Enter a whole number."),
        ({"rag_scale": "purple"}, "Select a valid choice."),
    ],
)
def test_plan_rating_settings(client, world, data, message):
    client.force_login(world.manager)
    base = {
        "title": world.plan.title,
        "status": world.plan.status,
        "rag_scale": "rag",
        "amber_days": "14",
        "stale_days": "30",
        "due_soon_days": "30",
    }
    refused(client, reverse("plan_edit", args=[world.plan.pk]), base | data, message)
