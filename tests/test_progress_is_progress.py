"""Progress is progress: a manager's return reason or sign-off note is never shown, dated or
counted as the service's progress (issue 24), on the real Rotherham plan.

An officer proposes two Rotherham actions complete (their account of the work is progress); the
manager returns one with a reason and signs the other off with a note. The appendix, the plan
page, the lists' and home pages' "last update", the dashboards, the table export, the reminders
and the history are then read as a reader would read them.
"""

import csv
import datetime as dt
import io
import re

import pypdf
import pytest
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from actionplans import queries, rag, rules, snapshots, workflow
from actionplans.models import Action, Plan, ProgressUpdate
from dashboards import data
from reminders import digest
from reporting import appendix, presets, printing
from reporting.fields import Updates
from reporting.models import Layout, LayoutColumn

from .conftest import pdf

pytestmark = pytest.mark.django_db

RETURN_REASON = "Please attach the final approved forms, not the meeting minutes."
SIGN_OFF_NOTE = "Evidence seen; policy live."
CP6_PROGRESS = "Revised CIN and CP plan forms agreed by the QA Manager and in use by every team."
CP7_PROGRESS = "Supervision policy live in the Tri-X library; every Team Manager has signed it."
PROPOSED_ON = dt.date(2012, 11, 20)
# What the officer's log holds that is progress (the rule under test, written out here).
PROGRESS = ["update", "proposal"]


def squash(text):
    return re.sub(r"\s+", "", text)


def rotherham_action(reference, opening):
    return Action.objects.get(
        recommendation__plan__title=presets.ROTHERHAM,
        recommendation__reference=reference,
        text__startswith=opening,
    )


@pytest.fixture
def decided(demo_plans):
    """CP6's action returned with a reason and CP7's signed off with a note, by the demo manager,
    each after the demo officer (Warren Carratt, their lead) proposed it complete."""
    users = get_user_model().objects
    officer, manager = users.get(username="officer"), users.get(username="manager")
    cp6 = rotherham_action("CP6", "Review, improve and simplify")
    cp7 = rotherham_action("CP7", "New supervision policy")
    for action, text in ((cp6, CP6_PROGRESS), (cp7, CP7_PROGRESS)):
        workflow.completion_propose(
            action, author=officer, written_on=PROPOSED_ON, text=text, files=[pdf()]
        )
    workflow.completion_return(cp6, manager=manager, reason=RETURN_REASON)
    workflow.completion_sign_off(cp7, manager=manager, note=SIGN_OFF_NOTE)
    for action in (cp6, cp7):
        action.refresh_from_db()
    assert (cp6.status, cp7.status) == ("underway", "complete")
    return {
        "plan": Plan.objects.get(title=presets.ROTHERHAM),
        "cp6": cp6,
        "cp7": cp7,
        "officer": officer,
        "manager": manager,
        "clerk": users.get(username="clerk"),
    }


def assert_progress_only(text):
    """The officers' progress is in ``text``; neither decision is."""
    text = squash(text)
    assert squash(CP6_PROGRESS) in text and squash(CP7_PROGRESS) in text
    assert squash(RETURN_REASON) not in text
    assert squash(SIGN_OFF_NOTE) not in text


# The committee appendix


def test_the_rotherham_appendix_prints_progress_not_the_managers_decisions(decided):
    plan = decided["plan"]
    doc = appendix.build(plan, appendix.spec_for(plan))
    assert doc.spec.name == "Rotherham action delivery plan"
    laid_out, _, _ = printing.layout_pdf(doc)
    reader = pypdf.PdfReader(io.BytesIO(laid_out.write_pdf(pdf_tags=True)))
    assert_progress_only(" ".join(page.extract_text() for page in reader.pages))
    # Every update, too: the earlier progress of the document is there, the decisions are not.
    every = printing.html(appendix.build(plan, appendix.spec_for(plan), updates=Updates("all")))
    assert_progress_only(every)
    assert "CIN and CP plan documents revised and subject to consultation" in every


def test_the_rows_keep_decisions_apart_now_and_as_they_stood(decided):
    now = snapshots.current(decided["plan"])
    then = snapshots.as_of(decided["plan"], timezone.now())
    for outline in (now, then):
        rows = {a.id: a for s in outline.sections for r in s.recommendations for a in r.actions}
        cp6, cp7 = rows[decided["cp6"].pk], rows[decided["cp7"].pk]
        assert cp6.latest_update.text == CP6_PROGRESS and cp6.last_updated_on == PROPOSED_ON
        assert cp7.latest_update.text == CP7_PROGRESS
        assert [d.kind for d in cp6.decisions] == ["returned"]
        assert [d.kind for d in cp7.decisions] == ["sign_off"]


def test_a_layout_that_asks_for_decisions_gets_them_in_words(decided):
    plan = decided["plan"]
    # A council's own layout, stored (the column's field is one of the database's choices).
    layout = Layout.objects.create(name="With decisions", organisation=plan.organisation)
    for order, (heading, key) in enumerate(
        [
            ("Ref", "reference"),
            ("Action", "action"),
            ("Progress", "progress"),
            ("Sign-off and returns", "decisions"),
        ]
    ):
        LayoutColumn.objects.create(layout=layout, order=order, heading=heading, field=key)
    markup = printing.html(appendix.build(plan, appendix.spec_for(plan, layout)))
    day = f"{timezone.localdate():%-d %B %Y}"
    assert f"Signed off by Demo Manager on {day}: {SIGN_OFF_NOTE}" in markup
    assert f"Returned to its owner by Demo Manager on {day}: {RETURN_REASON}" in markup
    # Each once: in the decisions column, never in the progress column beside it.
    assert markup.count(SIGN_OFF_NOTE) == 1 and markup.count(RETURN_REASON) == 1
    assert "decisions" not in {f for p in presets.PRESETS for _, f, _ in p["columns"]}


# Pages


def test_the_plan_page_shows_progress_not_decisions(client, decided):
    client.force_login(decided["clerk"])
    url = reverse("plan_detail", args=[decided["plan"].pk])
    for query in ("", "?updates=all"):
        response = client.get(url + query)
        assert response.status_code == 200
        assert_progress_only(response.content.decode())


def test_last_update_is_the_last_progress(client, decided):
    cp6 = decided["cp6"]
    # The lists (home pages, the action list the dashboards link to) and the action page's rating.
    row = queries.shown_columns(Action.objects.filter(pk=cp6.pk)).get()
    assert row.last_update_on == PROPOSED_ON
    client.force_login(decided["officer"])
    work = client.get(reverse("home")).context["work"]
    shown = next(a for a in work.actions if a.pk == cp6.pk)
    assert shown.last_update_on == PROPOSED_ON
    assert ("returned", "Returned by a manager") in shown.reasons
    client.force_login(decided["manager"])
    listed = client.get(reverse("action_list"), {"stale": "on"}).context["page_obj"]
    assert cp6.pk in {a.pk for a in listed.object_list}
    assert next(a for a in listed.object_list if a.pk == cp6.pk).last_update_on == PROPOSED_ON


def test_a_return_does_not_make_an_action_fresh_in_either_rule(decided):
    """CP6's last progress is of 2012; the manager's return today is no news of the work. The
    Python rule (snapshots, the lists, one action) and the SQL rule (filters, dashboards) agree."""
    cp6, today = decided["cp6"], timezone.localdate()
    # Undated, so only staleness can make it amber (no history: the live rows are read).
    Action.objects.filter(pk=cp6.pk).update(planned_completion_date=None)
    cp6.refresh_from_db()
    amber = rag.Rag.AMBER.value
    outline = snapshots.current(decided["plan"])
    row = next(
        a for s in outline.sections for r in s.recommendations for a in r.actions if a.id == cp6.pk
    )
    assert row.rag == amber
    assert rag.rate_one(cp6, today)[0] == amber
    assert rag.annotate(Action.objects.filter(pk=cp6.pk), today).get().rag == amber
    listed = list(queries.shown_columns(Action.objects.filter(pk=cp6.pk)))
    queries.rated([listed], today)
    assert listed[0].rag == amber
    assert Action.objects.filter(queries.stale_rule(today), pk=cp6.pk).exists()


def test_the_dashboard_counts_no_recent_progress(decided):
    manager, today = decided["manager"], timezone.localdate()
    stale_days = {p.pk: p.stale_days for p in Plan.objects.all()}
    expected = 0
    for action in rules.visible_actions(manager).filter(queries.WITH_OWNER):
        last = action.updates.filter(kind__in=PROGRESS).aggregate(on=Max("written_on"))["on"]
        since = today - dt.timedelta(days=stale_days[action.recommendation.plan_id])
        if timezone.localdate(action.created_at) < since and (last is None or last < since):
            expected += 1
    headline = {words: n for words, n, _ in data.across_plans(manager, today).headline}
    assert headline["No recent update (as each plan sets it)"] == expected


def test_the_table_export_holds_progress_not_decisions(client, decided):
    client.force_login(decided["clerk"])
    response = client.get(reverse("plan_table_export", args=[decided["plan"].pk, "csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    progress = rows[1].index("Progress")
    cells = {row[2]: row[progress] for row in rows[2:] if len(row) > progress}
    cp6 = cells[decided["cp6"].text]
    cp7 = cells[decided["cp7"].text]
    assert f"[{PROPOSED_ON.isoformat()}] {CP6_PROGRESS}" in cp6
    assert f"[{PROPOSED_ON.isoformat()}] {CP7_PROGRESS}" in cp7
    assert RETURN_REASON not in cp6 and SIGN_OFF_NOTE not in cp7
    assert_progress_only(response.content.decode("utf-8-sig"))


def test_the_reminder_counts_days_without_progress(decided):
    today = timezone.localdate()
    _, body = digest.owner_digest(decided["officer"], today)
    stale = re.search(r"No recent update \(\d+\):\n(.*?)(\n\n|$)", body, re.S).group(1)
    assert decided["cp6"].get_absolute_url() in stale
    _, summary = digest.manager_summary(decided["manager"], today)
    rotherham = next(line for line in summary.splitlines() if line.startswith(presets.ROTHERHAM))
    open_actions = Action.objects.filter(queries.WITH_OWNER, recommendation__plan=decided["plan"])
    # Every open Rotherham action was last written about in 2012: all of them, CP6 included.
    assert f"{open_actions.count()} without a recent update" in rotherham


def test_history_says_what_was_decided(client, decided):
    client.force_login(decided["clerk"])
    for action in (decided["cp6"], decided["cp7"]):
        response = client.get(reverse("action_history", args=[action.pk]))
        assert response.status_code == 200
        entries = response.context["page_obj"].object_list
        by_text = {e.reason: e for e in entries}
        if action == decided["cp6"]:
            entry = by_text[f"Reason: {RETURN_REASON}"]
            assert entry.sentence == (
                "Demo Manager returned the proposal to complete action CP6 to its owner"
            )
        else:
            entry = by_text[f"Sign-off note: {SIGN_OFF_NOTE}"]
            assert entry.sentence == "Demo Manager signed off action CP7 as complete"
        page = response.content.decode()
        assert entry.sentence in page and entry.reason in page
        # The proposal is named as one; nothing on the page calls a decision a progress update.
        assert any(e.what.startswith("Proposal to complete of") for e in entries)
        named_updates = [e for e in entries if e.what.startswith("Progress update")]
        made = ProgressUpdate.history.filter(action_id=action.pk, kind="update")
        assert len(named_updates) == made.count()


def test_no_update_since_counts_progress_only(client, decided):
    """The action list's "No update since" filter: a return after the officer's last progress
    does not make the action updated."""
    client.force_login(decided["manager"])
    since = (PROPOSED_ON + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    listed = client.get(reverse("action_list"), {"no_update_since": since}).context["page_obj"]
    assert decided["cp6"].pk in {a.pk for a in listed.object_list}
