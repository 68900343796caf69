"""Changes since the last committee (issue 27): per action, what history holds between two
moments and nothing else; the page, the appendix of only what changed, the command, the
"changed since" column."""

import datetime as dt
import io
import re

import pypdf
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from actionplans import plan_setup, snapshots, workflow
from actionplans.models import Action, Plan, ProgressUpdate
from core import records
from core.people import person_name
from reporting import appendix, changes_since, meetings, presets
from reporting.appendix import end_of
from reporting.fields import plain
from reporting.models import CommitteeReport, PublishedPack

from .conftest import pdf

pytestmark = pytest.mark.django_db
RATINGS = {"turned_red", "turned_amber", "turned_green", "rating"}
# After it, the demo's ratings stand as they do now: every dated open action is overdue, every
# undated one has gone without an update for the plan's 30 days.
SETTLED = dt.date(2014, 1, 1)
ROTHERHAM_DAY = dt.date(2012, 10, 18)  # the Rotherham plan's and all its updates' date


def squash(text):
    return re.sub(r"\s+", "", plain(text))


def pdf_text(data):
    return squash(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages))


def plain_text(path):
    """The words of a Word, Excel or HTML file."""
    if path.suffix == ".docx":
        import docx

        return " ".join(p.text for p in docx.Document(path).paragraphs) + " ".join(
            c.text for t in docx.Document(path).tables for r in t.rows for c in r.cells
        )
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path)
        return " ".join(str(c.value) for s in book for r in s.iter_rows() for c in r if c.value)
    return path.read_text(encoding="utf-8")


def kinds(found):
    return {a.id: {c.kind for c in a.changes if c.kind not in RATINGS} for a in found.actions}


def improvement_panel():
    return Plan.objects.get(title=presets.ROTHERHAM)


def test_the_changes_between_two_dates_are_exactly_those_in_history(demo_plans):
    """Merton's youth justice plan was recorded on 3 October 2011 and its progress written on
    15 November 2011: between 20 October and 30 November, exactly those entries, on the actions
    they were written on (progress on a whole recommendation is each of its actions')."""
    plan = Plan.objects.get(title=presets.MERTON_YJ)
    since, until = end_of(dt.date(2011, 10, 20)), end_of(dt.date(2011, 11, 30))
    found = snapshots.changes_between(plan, since, until)
    actions = list(Action.objects.filter(recommendation__plan=plan))
    by_rec = {}
    for action in actions:
        by_rec.setdefault(action.recommendation_id, set()).add(action.pk)
    entries = ProgressUpdate.history.filter(
        Q(action_id__in=[a.pk for a in actions]) | Q(recommendation_id__in=list(by_rec)),
        history_date__gt=since,
        history_date__lte=until,
        history_type="+",
    )
    expected = {
        (pk, entry.id)
        for entry in entries
        for pk in ([entry.action_id] if entry.action_id else by_rec[entry.recommendation_id])
    }
    assert expected
    assert {(a.id, c.ref) for a in found.actions for c in a.changes if c.ref} == expected
    assert found.counts["progress"] == entries.count()
    # Nothing else was recorded in between: no status, date, added, withdrawn or moved.
    assert not Action.history.filter(
        id__in=[a.pk for a in actions], history_date__gt=since, history_date__lte=until
    ).exists()
    assert all(k <= {"progress"} for k in kinds(found).values())
    # Every rating that moved says which part of the rule moved it.
    moved = [c for a in found.actions for c in a.changes if c.kind in RATINGS]
    assert moved and all(c.reason.startswith("by the rule") for c in moved)
    # After the updates, none: the same history read from a later moment.
    later = snapshots.changes_between(plan, end_of(dt.date(2011, 11, 15)), until)
    assert not any(c.ref for a in later.actions for c in a.changes)


def test_each_kind_of_change_made_through_the_services_is_listed_with_who_and_why(demo_plans):
    plan = improvement_panel()
    manager = get_user_model().objects.get(username="manager")
    since = timezone.now()
    today = timezone.localdate()
    open_actions = list(
        Action.objects.filter(recommendation__plan=plan, planned_completion_date__isnull=False)
        .exclude(status="complete")
        .select_related("recommendation")
        .order_by("recommendation__order", "order")
    )
    updated, dated, done, moved, gone = open_actions[:5]
    workflow.progress_add(updated, author=manager, written_on=today, text="Audit begun.")
    dated.planned_completion_text = "Mar 27"
    dated.derive_planned_completion_date()
    plan_setup.action_edit(
        dated,
        actor=manager,
        version=dated.version,
        fields=["planned_completion_text"],
        date_reason="Waiting for the panel",
    )
    workflow.completion_propose(done, author=manager, written_on=today, text="Done.", files=[pdf()])
    workflow.completion_sign_off(done, manager=manager, note="Evidence seen.")
    elsewhere = plan.recommendations.exclude(pk=moved.recommendation_id).first()
    moved.recommendation = elsewhere
    plan_setup.action_edit(moved, actor=manager, version=moved.version, fields=["recommendation"])
    gone_id = gone.pk
    records.record_remove(gone, actor=manager, reason="Withdrawn by the panel")
    added = plan_setup.action_add(
        Action(
            recommendation=elsewhere, text="Audit the audits.", planned_completion_text="Ongoing"
        ),
        actor=manager,
    )

    found = snapshots.changes_between(plan, since)
    assert kinds(found) == {
        updated.pk: {"progress"},
        dated.pk: {"date_moved"},
        done.pk: {"status", "proposed", "completed", "signed_off"},
        moved.pk: {"moved"},
        gone_id: {"withdrawn"},
        added.pk: {"added"},
    }
    assert found.unchanged == Action.objects.filter(recommendation__plan=plan).count() + 1 - 6
    changes = {a.id: {c.kind: c for c in a.changes} for a in found.actions}
    move = changes[dated.pk]["date_moved"]
    saved = Action.history.filter(id=dated.pk).latest("history_date")
    assert (move.new, move.reason, move.who) == (
        "Mar 27",
        saved.history_change_reason,
        person_name(manager),
    )
    assert move.old and move.old != "Mar 27"
    # Red before (its date had passed), amber now (it has gone 30 days without progress): the
    # part of the rule that rates it now is named.
    (rating,) = [c for c in changes[dated.pk].values() if c.kind in RATINGS]
    assert (rating.kind, rating.old, rating.new) == ("turned_amber", "Red", "Amber")
    assert rating.reason == "by the rule, no progress update in 30 days"
    assert changes[gone_id]["withdrawn"].reason == "Withdrawn by the panel"
    assert changes[moved.pk]["moved"].new == elsewhere.reference
    assert changes[done.pk]["completed"].new == "Complete"
    # The appendix of the changes names the withdrawn action, which has no row of its own.
    doc = changes_since.build(plan, appendix.spec_for(plan), changes_since.Since(since, today))
    assert any("Withdrawn by the panel" in p.text for p in doc.introduction)
    assert gone_id not in {
        a.id for s in doc.outline.sections for r in s.recommendations for a in r.actions
    }
    for words in ("1 completed", "1 signed off", "1 date moved", "1 progress update"):
        assert words in found.summary
    for words in ("1 action added", "1 action withdrawn", "1 action moved", "1 turned amber"):
        assert words in found.summary

    # An override is a rating change whose reason is the manager's.
    since = timezone.now()
    updated.refresh_from_db()
    updated.rag_override, updated.rag_override_reason = "green", "Audit on track, said the Panel"
    plan_setup.action_edit(
        updated,
        actor=manager,
        version=updated.version,
        fields=["rag_override", "rag_override_reason"],
        changed=["rag_override", "rag_override_reason"],
    )
    found = snapshots.changes_between(plan, since)
    (rating,) = [c for c in found.actions[0].changes if c.kind in RATINGS]
    assert "Audit on track, said the Panel" in rating.reason and "set by" in rating.reason


# The bars: the command on the Improvement Panel's plan.


def render(tmp_path, since, fmt="pdf"):
    out = tmp_path / f"changes.{fmt}"
    call_command(
        "render_appendix",
        "Improvement Panel",
        "--changes-since",
        *since.split(),
        "--format",
        fmt,
        "-o",
        str(out),
    )
    return out


def test_since_a_date_after_the_demos_last_change_no_action_changed(demo_plans, tmp_path):
    out = render(tmp_path, SETTLED.isoformat())
    reader = pypdf.PdfReader(out)
    text = squash(" ".join(p.extract_text() for p in reader.pages))
    assert squash("No action changed since 1 January 2014.") in text
    total = Action.objects.filter(recommendation__plan=improvement_panel()).count()
    assert squash(f"{total} actions were unchanged and are left out.") in text
    assert reader.metadata.title == f"{presets.ROTHERHAM}, changes since 1 January 2014"
    for fmt in ("docx", "xlsx", "html"):  # the same document, without rows, in each format
        assert "No action changed since 1 January 2014." in plain_text(
            render(tmp_path, "2014-01-01", fmt)
        )


def test_since_the_day_of_its_updates_fewer_actions_than_the_full_appendix(demo_plans, tmp_path):
    plan = improvement_panel()
    text = pdf_text(render(tmp_path, ROTHERHAM_DAY.isoformat()).read_bytes())
    since = changes_since.since_for(plan, ROTHERHAM_DAY)
    doc = changes_since.build(plan, appendix.spec_for(plan), since)
    full = appendix.build(plan, appendix.spec_for(plan))
    assert 0 < doc.outline.action_count < full.outline.action_count
    left_out = full.outline.action_count - doc.outline.action_count
    assert doc.changes.unchanged == left_out
    assert squash(f"{left_out} actions were unchanged and are left out.") in text
    assert squash(f"Since 18 October 2012: {doc.changes.summary}.") in text
    assert squash("Changed since 18 October 2012") in text  # the column's heading
    for action in doc.changes.actions:
        assert squash(action.changes[0].words[:40]) in text
    # Before it, the plan had not been recorded: nothing to compare with.
    with pytest.raises(CommandError, match="had not been recorded yet on 17 October 2012"):
        render(tmp_path, "2012-10-17")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2999-01-01", "is in the future"),
        ("yesterday", "is not a date (YYYY-MM-DD) or last-pack"),
        ("last-pack", "No published pack includes"),
        ("2012-10-18 --as-at 2012-12-01", "leave out --as-at and --updates"),
    ],
)
def test_command_errors(demo_plans, tmp_path, value, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        render(tmp_path, value)
    assert not (tmp_path / "changes.pdf").exists()


def publish(plan, as_at, published_at):
    report = CommitteeReport.objects.create(
        organisation=plan.organisation,
        meeting=meetings.meeting_for(plan.organisation, "Improvement Panel", as_at, actor=None),
        committee="Improvement Panel",
        meeting_date=as_at,
        subject="Progress",
        status="published",
        published_at=published_at,
    )
    settings = {"plan": plan.pk, "layout": None, "as_at": as_at.isoformat(), "updates": "latest"}
    report.appendices.create(title=plan.title, render_settings=settings)
    return PublishedPack.objects.create(
        report=report,
        pdf=b"%PDF",
        sha256="0" * 64,
        appendices=[{"label": "Appendix A", "title": plan.title, "settings": settings}],
        published_at=published_at,
    )


def test_last_pack_is_the_default_and_what_its_appendix_showed(demo_plans, tmp_path):
    plan = improvement_panel()
    assert changes_since.last_pack(plan) is None
    publish(plan, dt.date(2012, 9, 1), end_of(dt.date(2012, 9, 5)))  # before the plan: older
    publish(plan, ROTHERHAM_DAY, end_of(dt.date(2012, 10, 25)))
    since = changes_since.last_pack(plan)
    assert since.day == ROTHERHAM_DAY and since.moment == end_of(ROTHERHAM_DAY)
    text = pdf_text(render(tmp_path, "last-pack").read_bytes())
    assert squash("Changes since 18 October 2012, as at") in text
    assert squash("the pack published for Improvement Panel of 18 October 2012") in text


# The page.


@pytest.fixture
def clerk(client, demo_plans):
    client.force_login(get_user_model().objects.get(username="clerk"))
    return client


def page(client, **query):
    return client.get(reverse("changes_since", args=[improvement_panel().pk]), query)


def test_page_without_a_pack_asks_for_a_date(clerk):
    text = page(clerk).content.decode()
    assert "No published committee pack includes this plan yet" in text
    assert 'name="since_0"' in text and "govuk-date-input" in text


def test_page_lists_what_changed_since_a_date(clerk):
    plan = improvement_panel()
    found = changes_since.changes(plan, changes_since.since_for(plan, ROTHERHAM_DAY))
    response = page(clerk, since_0="18", since_1="10", since_2="2012")
    text = response.content.decode()
    assert "Changes since 18 October 2012" in text
    assert found.summary in text
    assert f"{found.unchanged} actions were unchanged and are left out." in text
    assert text.count('<h2 class="govuk-heading-m">') == len(found.actions)
    for fmt, name in [("pdf", "changes_download"), ("docx", "changes_download_docx")]:
        got = clerk.get(reverse(name, args=[plan.pk]), {"since": "18/10/2012"})
        assert got.status_code == 200
        assert got["Content-Disposition"].endswith(f'changes-since-18-October-2012.{fmt}"')
    got = clerk.get(reverse("changes_download_xlsx", args=[plan.pk]), {"since": "18/10/2012"})
    assert got.status_code == 200 and got.content.startswith(b"PK")


def test_page_compares_with_the_last_published_pack_by_default(clerk):
    plan = improvement_panel()
    publish(plan, ROTHERHAM_DAY, end_of(dt.date(2012, 10, 25)))
    text = page(clerk).content.decode()
    assert '<h1 class="govuk-heading-xl">Changes since 18 October 2012</h1>' in text
    assert "Since the pack published for Improvement Panel of 18 October 2012" in text
    found = changes_since.changes(plan, changes_since.last_pack(plan))
    assert found.summary in text
    # A date chosen takes its place.
    assert "Changes since 1 January 2014" in page(clerk, since="01/01/2014").content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since_0": "1", "since_1": "1", "since_2": "2999"}, "The date cannot be in the future."),
        ({"since_0": "17", "since_1": "10", "since_2": "2012"}, "had not been recorded yet"),
        ({"since_0": "xx", "since_1": "10", "since_2": "2012"}, "Enter the date in numbers"),
        ({"since_0": "31", "since_1": "2", "since_2": "2012"}, "Enter a real date"),
        ({"since_0": "1", "since_1": "1", "since_2": "12"}, "Enter the year as four digits"),
    ],
)
def test_page_refuses_a_bad_date_with_a_clear_message(clerk, query, message):
    text = page(clerk, **query).content.decode()
    assert "There is a problem" in text and message in text
    assert "Download the PDF" not in text
    download = clerk.get(reverse("changes_download", args=[improvement_panel().pk]), query)
    assert download["Content-Type"].startswith("text/html") and message in download.content.decode()
