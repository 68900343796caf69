"""Done that stays done (issue 27): complete -> signed off -> assured -> impact shown, each with
who, when and evidence; steps climb in order only; a manager reopens any step with a reason, which
removes it and every step above it (kept in history); re-check dates reach reminders and
dashboards."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actionplans import ladder, workflow
from actionplans.models import Action, CompletionStep, ProgressUpdate
from core.errors import Refused
from core.people import person_name
from reminders.digest import manager_summary, send_all

from .conftest import pdf, person
from .factories import ActionFactory, MeasureFactory, ReadingFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
IN_THREE_MONTHS = TODAY + dt.timedelta(days=91)
SCRIPT = "<script>alert('owned')</script>"


def propose(action, officer):
    workflow.completion_propose(
        action, author=officer, written_on=dt.date(2012, 10, 18), text="Done", files=[pdf()]
    )


@pytest.fixture
def signed_off(world, proposed):
    workflow.completion_sign_off(proposed, manager=world.manager, note="Seen the audit.")
    proposed.refresh_from_db()
    return proposed


@pytest.fixture
def assured(world, signed_off):
    workflow.completion_assure(
        signed_off,
        actor=world.manager,
        text="Dip sample of 10 cases: all had a plan.",
        recheck_on=IN_THREE_MONTHS,
    )
    signed_off.refresh_from_db()
    return signed_off


@pytest.fixture
def at_target(world, assured):
    """The assured action's measure: from 50% to a target of 98%, the latest reading 98.5%."""
    measure = MeasureFactory(
        plan=world.plan, action=assured, baseline_value=50, target_value=98, name="On time"
    )
    ReadingFactory(measure=measure, value=60, taken_on=dt.date(2012, 6, 1))
    reading = ReadingFactory(measure=measure, value=Decimal("98.5"), taken_on=dt.date(2013, 1, 1))
    reading.refresh_from_db()  # its value as stored, as the service reads it
    return reading


@pytest.fixture
def quality_lead(world):
    user, _ = person("quality", "Quality lead", name="Quinn Audit")
    return user


def standing(action):
    return {s.step for s in CompletionStep.objects.filter(action=action, reopened_at=None)}


# --- Order ----------------------------------------------------------------------------------


def test_an_action_not_signed_off_cannot_be_assured(world, proposed):
    with pytest.raises(Refused, match="follows sign-off.*awaiting sign-off"):
        workflow.completion_assure(proposed, actor=world.manager, text="Audited.")
    assert not CompletionStep.objects.exists()
    assert not ProgressUpdate.objects.filter(kind=ProgressUpdate.Kind.ASSURED).exists()


def test_impact_cannot_be_shown_before_assurance(world, signed_off):
    measure = MeasureFactory(plan=world.plan, action=signed_off, target_value=90)
    reading = ReadingFactory(measure=measure, value=95, taken_on=dt.date(2013, 1, 1))
    with pytest.raises(Refused, match="must be assured before its impact shown"):
        workflow.completion_impact_shown(signed_off, manager=world.manager, reading_id=reading.pk)
    assert standing(signed_off) == set()


def test_a_step_is_recorded_once_and_the_second_manager_is_told_who_did_it(world, assured):
    with pytest.raises(Refused, match=f"{person_name(world.manager)} already recorded it assured"):
        workflow.completion_assure(assured, actor=world.admin, text="Audited again.")
    assert CompletionStep.objects.filter(action=assured).count() == 1


def test_the_database_holds_one_standing_step_per_action(world, assured):
    with pytest.raises(IntegrityError), transaction.atomic():
        CompletionStep.objects.create(action=assured, step="assured", recorded_by=world.admin)


def test_the_ladder_climbs_to_impact_shown_with_the_reading_as_evidence(world, at_target):
    action = at_target.measure.action
    step = workflow.completion_impact_shown(
        action, manager=world.manager, reading_id=at_target.pk, note="Target of 98% reached."
    )
    assert step.reading == at_target and step.recorded_by == world.manager
    assert f"On time: {at_target.display_value} on 1 January 2013" in step.evidence_text
    assert standing(action) == {"assured", "impact_shown"}


def test_impact_is_refused_when_the_reading_seen_is_no_longer_the_latest(world, at_target):
    action = at_target.measure.action
    ReadingFactory(measure=at_target.measure, value=80, taken_on=dt.date(2013, 2, 1))
    with pytest.raises(Refused, match="no longer shows the measure at its target"):
        workflow.completion_impact_shown(action, manager=world.manager, reading_id=at_target.pk)
    assert standing(action) == {"assured"}


def test_a_falling_measure_meets_its_target_at_or_below_it(world):
    measure = MeasureFactory(plan=world.plan, baseline_value=30, target_value=10)
    assert ladder.meets_target(measure, ReadingFactory.build(measure=measure, value=10))
    assert not ladder.meets_target(measure, ReadingFactory.build(measure=measure, value=11))
    rising = MeasureFactory(plan=world.plan, baseline_value=50, target_value=98)
    assert not ladder.meets_target(rising, ReadingFactory.build(measure=rising, value=97))


def test_the_action_page_offers_impact_only_when_a_measure_meets_its_target(client, world, assured):
    client.force_login(world.manager)
    url = reverse("action_detail", args=[assured.pk])
    impact = reverse("completion_impact", args=[assured.pk])
    measure = MeasureFactory(plan=world.plan, action=assured, baseline_value=50, target_value=98)
    ReadingFactory(measure=measure, value=90, taken_on=dt.date(2013, 1, 1))
    assert impact not in client.get(url).content.decode()
    ReadingFactory(measure=measure, value=99, taken_on=dt.date(2013, 2, 1))
    assert impact in client.get(url).content.decode()
    page = client.get(impact).content.decode()
    assert "99%" in page and "1 February 2013" in page


# --- Who may record each step -------------------------------------------------------------


def test_an_officer_may_not_sign_off_assure_record_impact_or_reopen(client, world, signed_off):
    client.force_login(world.officer)
    for name in ("action_sign_off", "completion_assure", "completion_impact"):
        assert client.get(reverse(name, args=[signed_off.pk])).status_code == 403, name
    post = client.post(
        reverse("completion_step_reopen", args=[signed_off.pk]),
        {"step": "signed_off", "reason": "x", "version": signed_off.version},
    )
    assert post.status_code == 403
    response = client.post(reverse("completion_assure", args=[signed_off.pk]), {"text": "Fine."})
    assert response.status_code == 403 and not CompletionStep.objects.exists()
    assert "Record it assured" not in client.get(signed_off.get_absolute_url()).content.decode()


def test_a_quality_lead_assures_but_neither_signs_off_nor_records_impact(
    client, world, signed_off, quality_lead
):
    client.force_login(quality_lead)
    page = client.get(signed_off.get_absolute_url()).content.decode()
    assert reverse("completion_assure", args=[signed_off.pk]) in page
    response = client.post(
        reverse("completion_assure", args=[signed_off.pk]),
        {"text": "Audited 12 cases.", "recheck_on_0": "1", "recheck_on_1": "1", "recheck_on_2": ""},
    )
    # The re-check date is optional, but half a date is a mistake.
    assert response.status_code == 200 and not CompletionStep.objects.exists()
    response = client.post(
        reverse("completion_assure", args=[signed_off.pk]), {"text": "Audited 12 cases."}
    )
    assert response.status_code == 302
    step = CompletionStep.objects.get()
    assert step.recorded_by == quality_lead and step.recorded_on == TODAY
    assert client.get(reverse("completion_impact", args=[signed_off.pk])).status_code == 403
    assert client.get(reverse("action_sign_off", args=[signed_off.pk])).status_code == 403


def test_another_plans_manager_may_not_assure_and_another_councils_quality_lead_finds_nothing(
    client, world, signed_off
):
    client.force_login(world.other_manager)
    assert client.get(reverse("completion_assure", args=[signed_off.pk])).status_code == 403
    elsewhere, _ = person("elsewhere_quality", "Quality lead", "Another Council")
    client.force_login(elsewhere)
    for name in ("completion_assure", "completion_impact", "completion_step_reopen"):
        url = reverse(name, args=[signed_off.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"text": "Audited."}).status_code == 404, name
    assert not CompletionStep.objects.exists()


def test_the_quality_lead_role_carries_assuring_and_no_change():
    lead = Group.objects.get(name="Quality lead")
    codes = set(lead.permissions.values_list("codename", flat=True))
    assert "assure_action" in codes and "change_plan" not in codes
    assert "sign_off_action" not in codes and "add_progressupdate" not in codes


# --- Evidence and re-check dates ------------------------------------------------------------


def assure_post(client, action, **fields):
    data = {"text": "Audited 10 cases."}
    data.update(fields)
    return client.post(reverse("completion_assure", args=[action.pk]), data)


def date_fields(day):
    return {"recheck_on_0": day.day, "recheck_on_1": day.month, "recheck_on_2": day.year}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (date_fields(TODAY - dt.timedelta(days=1)), "must be in the future"),
        (date_fields(TODAY), "must be in the future"),
        (date_fields(TODAY + dt.timedelta(days=800)), "within two years"),
        ({"recheck_on_0": "31", "recheck_on_1": "2", "recheck_on_2": "2027"}, "real date"),
        ({"recheck_on_0": "x", "recheck_on_1": "y", "recheck_on_2": "z"}, "in numbers"),
        ({"recheck_on_0": "1", "recheck_on_1": "1", "recheck_on_2": "9999"}, "between"),
        ({"text": "x" * 30_000}, "at most 20000 characters"),
        ({"text": "   "}, "Say what the audit or dip sample found"),
    ],
)
def test_bad_evidence_or_recheck_dates_are_refused_and_nothing_saved(
    client, world, signed_off, fields, message
):
    client.force_login(world.manager)
    response = assure_post(client, signed_off, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CompletionStep.objects.exists()
    assert not ProgressUpdate.objects.filter(kind=ProgressUpdate.Kind.ASSURED).exists()


def test_the_service_refuses_a_recheck_date_the_form_would(world, signed_off):
    for day in (TODAY, TODAY + dt.timedelta(days=3650)):
        with pytest.raises(Refused):
            workflow.completion_assure(signed_off, actor=world.manager, text="x", recheck_on=day)
    assert not CompletionStep.objects.exists()


def test_assured_with_a_report_a_recheck_date_and_script_shown_as_text(client, world, signed_off):
    client.force_login(world.manager)
    response = client.post(
        reverse("completion_assure", args=[signed_off.pk]),
        {"text": SCRIPT, "evidence": pdf("audit.pdf"), **date_fields(IN_THREE_MONTHS)},
    )
    assert response.status_code == 302
    step = CompletionStep.objects.get()
    assert step.recheck_on == IN_THREE_MONTHS and step.evidence_text == SCRIPT
    assert [e.original_name for e in step.entry.evidence.all()] == ["audit.pdf"]
    page = client.get(signed_off.get_absolute_url()).content.decode()
    assert SCRIPT not in page and "&lt;script&gt;" in page
    assert f"Re-check by {IN_THREE_MONTHS:%-d %B %Y}" in page
    assert "audit.pdf" in page


def test_the_action_page_shows_the_ladder_with_who_and_when(client, world, assured):
    client.force_login(world.clerk)
    page = client.get(assured.get_absolute_url()).content.decode()
    ladder_part = page[page.index('id="completion"') : page.index('id="timeline"')]
    assert ladder_part.count("govuk-tag--green") == 3  # complete, signed off, assured
    assert ladder_part.count("Not yet") == 1  # impact shown
    # The owner's proposal, then the manager's sign-off and assurance.
    assert f"By {person_name(world.officer)} on 18 October 2012" in ladder_part
    assert ladder_part.count(f"By {person_name(world.manager)} on {TODAY:%-d %B %Y}") == 2
    assert "Dip sample of 10 cases" in ladder_part


# --- Reopening ------------------------------------------------------------------------------


def test_reopening_assured_removes_it_and_impact_with_the_reason_kept(client, world, at_target):
    action = at_target.measure.action
    workflow.completion_impact_shown(action, manager=world.manager, reading_id=at_target.pk)
    action.refresh_from_db()
    client.force_login(world.manager)
    response = client.post(
        reverse("completion_step_reopen", args=[action.pk]),
        {
            "step": "assured",
            "reason": "The sample was of the wrong team.",
            "version": action.version,
        },
    )
    assert response.status_code == 302
    assert standing(action) == set()
    reopened = CompletionStep.objects.filter(action=action)
    assert {s.reopen_reason for s in reopened} == {"The sample was of the wrong team."}
    assert {s.reopened_by for s in reopened} == {world.manager}
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETE  # signed off stands
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Steps reopened (2)" in page and "The sample was of the wrong team." in page
    # It can be assured again.
    workflow.completion_assure(action, actor=world.manager, text="Sampled the right team.")
    assert standing(action) == {"assured"}


def test_reopening_impact_leaves_assured_standing(world, at_target):
    action = at_target.measure.action
    workflow.completion_impact_shown(action, manager=world.manager, reading_id=at_target.pk)
    workflow.completion_step_reopen(
        action, manager=world.manager, step="impact_shown", reason="Measure restated."
    )
    assert standing(action) == {"assured"}
    entry = ProgressUpdate.objects.get(kind=ProgressUpdate.Kind.IMPACT_REOPENED)
    assert entry.text == "Measure restated." and entry.author == world.manager


def test_reopening_signed_off_puts_the_proposal_back_and_removes_assured(world, assured):
    workflow.completion_step_reopen(
        assured, manager=world.manager, step="signed_off", reason="Signed off too early."
    )
    assured.refresh_from_db()
    assert assured.status == Action.Status.AWAITING_SIGN_OFF and assured.completed_on is None
    assert standing(assured) == set()
    with pytest.raises(Refused):
        workflow.completion_assure(assured, actor=world.manager, text="Audited.")
    workflow.completion_sign_off(assured, manager=world.manager)  # the proposal stands


def test_reopening_the_action_removes_every_step_above(world, assured):
    workflow.action_reopen(assured, manager=world.manager, reason="Practice slipped.")
    assert standing(assured) == set()
    assert CompletionStep.objects.get().reopen_reason == "Practice slipped."


def test_a_reopen_needs_a_reason_a_step_reached_and_the_version_seen(world, assured):
    with pytest.raises(Refused, match="Give the reason"):
        workflow.completion_step_reopen(assured, manager=world.manager, step="assured", reason=" ")
    with pytest.raises(Refused, match="is not impact shown"):
        workflow.completion_step_reopen(
            assured, manager=world.manager, step="impact_shown", reason="x"
        )
    with pytest.raises(Refused, match="changed since you opened"):
        workflow.completion_step_reopen(
            assured, manager=world.manager, step="assured", reason="x", version=assured.version - 1
        )
    assert standing(assured) == {"assured"}


def test_a_manager_of_another_plan_may_not_reopen_a_step(client, world, assured):
    client.force_login(world.other_manager)
    url = reverse("completion_step_reopen", args=[assured.pk])
    response = client.post(url, {"step": "assured", "reason": "x", "version": assured.version})
    assert response.status_code == 403 and standing(assured) == {"assured"}


# --- Re-checks in reminders and dashboards ----------------------------------------------------


@pytest.fixture
def due_soon(world, assured):
    """The assured action's re-check falls due in a week."""
    CompletionStep.objects.update(recheck_on=TODAY + dt.timedelta(days=7))
    return assured


def test_the_managers_summary_lists_assured_actions_due_for_recheck(settings, world, due_soon):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.manager.email = "manager@example.gov.uk"
    world.manager.save()
    send_all(TODAY)
    summary = next(m for m in mail.outbox if m.to == ["manager@example.gov.uk"])
    assert "Assured actions due for re-check (1)" in summary.body
    assert f"/actions/{due_soon.pk}/" in summary.body
    assert f"{TODAY + dt.timedelta(days=7):%-d %B %Y}" in summary.body
    # Only to the plan's managers: the other plan's manager hears nothing of it.
    assert "re-check" not in (manager_summary(world.other_manager, TODAY) or ("", ""))[1]


def test_a_recheck_far_off_or_reopened_is_not_in_the_summary(world, assured):
    assert "re-check" not in manager_summary(world.manager, TODAY)[1]  # three months away
    CompletionStep.objects.update(recheck_on=TODAY - dt.timedelta(days=1))  # overdue
    assert "was due by" in manager_summary(world.manager, TODAY)[1]
    workflow.completion_step_reopen(assured, manager=world.manager, step="assured", reason="x")
    assert "re-check" not in manager_summary(world.manager, TODAY)[1]


def test_dashboards_show_assured_actions_due_for_recheck(client, world, due_soon):
    client.force_login(world.manager)
    for url in (reverse("manager_dashboard"), reverse("plan_dashboard", args=[world.plan.pk])):
        page = client.get(url).content.decode()
        part = page[page.index('id="rechecks"') :]
        assert due_soon.get_absolute_url() in part, url
    other = client.get(reverse("plan_dashboard", args=[world.other_plan.pk])).content.decode()
    assert "No assured action is due for re-check." in other


# --- The plan's pages and history -----------------------------------------------------------


def test_the_plan_page_says_assured_in_the_status_words(client, world, assured):
    client.force_login(world.clerk)
    page = client.get(world.plan.get_absolute_url()).content.decode()
    assert "Complete: assured" in page
    workflow.completion_step_reopen(assured, manager=world.manager, step="assured", reason="x")
    page = client.get(world.plan.get_absolute_url()).content.decode()
    assert "Complete: assured" not in page and "Complete" in page


def test_history_says_who_recorded_each_step_and_when(client, world, assured):
    workflow.completion_step_reopen(
        assured, manager=world.admin, step="assured", reason="Sample too small."
    )
    client.force_login(world.clerk)
    page = client.get(reverse("action_history", args=[assured.pk])).content.decode()
    assert f"{person_name(world.manager)} recorded action CP4 (a) as assured" in page
    assert f"{person_name(world.admin)} reopened the assurance of action CP4 (a)" in page
    assert "Sample too small." in page


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_action_page_and_the_plan_page_cost_the_same_as_steps_grow(client, world, at_target):
    action = at_target.measure.action
    client.force_login(world.manager)
    urls = [action.get_absolute_url(), world.plan.get_absolute_url()]
    from django.conf import settings
    from django.core.cache import caches

    def counts():
        caches[settings.PAGE_CACHE].clear()
        return [count(client, url) for url in urls]

    before = counts()
    for n in range(4):
        workflow.completion_impact_shown(action, manager=world.manager, reading_id=at_target.pk)
        workflow.completion_step_reopen(
            action, manager=world.manager, step="assured", reason=f"Redo {n}"
        )
        workflow.completion_assure(action, actor=world.manager, text=f"Round {n}")
    for other in (world.via_team, world.others):
        propose(other, world.officer)
        workflow.completion_sign_off(other, manager=world.manager)
        workflow.completion_assure(other, actor=world.manager, text="Audited.")
    assert CompletionStep.objects.count() == 11
    assert counts() == before


def test_a_new_action_is_not_on_the_ladder(world):
    action = ActionFactory(recommendation=world.rec)
    rungs = ladder.rungs(action, [], [])
    assert [r.done for r in rungs] == [False] * 4 and ladder.top(rungs) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_two_managers_assuring_at_once_record_one_step(committed_world):
    from .test_races import together

    world = committed_world
    propose(world.own, world.officer)
    workflow.completion_sign_off(world.own, manager=world.manager)
    for round_ in range(3):
        results = together(
            *[
                lambda who=who, n=round_: workflow.completion_assure(
                    Action.objects.get(pk=world.own.pk), actor=who, text=f"Round {n}"
                )
                for who in (world.manager, world.admin)
            ]
        )
        refused = [r for r in results if isinstance(r, Refused)]
        assert len(refused) == 1 and "already recorded it assured" in str(refused[0]), results
        assert standing(world.own) == {"assured"}
        assert ProgressUpdate.objects.filter(kind=ProgressUpdate.Kind.ASSURED).count() == round_ + 1
        workflow.completion_step_reopen(
            world.own, manager=world.manager, step="assured", reason="x"
        )


def test_changes_since_a_committee_name_the_ladders_steps_not_progress(world, signed_off):
    from actionplans.snapshots import changes_between

    since = timezone.now()
    workflow.completion_assure(signed_off, actor=world.manager, text="Audited.")
    workflow.completion_step_reopen(signed_off, manager=world.manager, step="assured", reason="x")
    changed = changes_between(world.plan, since)
    kinds = [c.kind for a in changed.actions for c in a.changes]
    assert "assured" in kinds and "reopened" in kinds and "progress" not in kinds
