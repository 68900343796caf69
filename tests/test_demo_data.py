"""The demo data against the seeds: counts per plan, sampled texts, owners, dates, history."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.http import HttpRequest

from actionplans.models import Action, Measure, Owner, Plan, ProgressUpdate, Reading
from importers.demo import demo_usernames
from inspections.models import Finding, Inspection

pytestmark = pytest.mark.django_db


ROTHERHAM = "Improvement Panel - Action Delivery Plan – October 2012"
MERTON_AA = "ACCESS AND ASSESSMENT TEAM ACTION PLAN IMPROVING PRACTICE IN CHILD PROTECTION"
MERTON_YJ = "Merton Youth Justice Core Case Inspection (HMIP) Action Plan – October 2011"
LONDON = ZoneInfo("Europe/London")


def plan(title):
    return Plan.objects.get(title=title)


def updates_in(p):
    return ProgressUpdate.objects.filter(action__recommendation__plan=p).count() + (
        ProgressUpdate.objects.filter(recommendation__plan=p).count()
    )


@pytest.mark.parametrize(
    ("title", "sections", "recommendations", "actions", "updates", "measures"),
    [
        (ROTHERHAM, 3, 13, 36, 36, 0),
        (MERTON_AA, 2, 19, 22, 19, 0),
        # Merton B's two Safeguarding Manager paragraphs under one who/when are one action.
        (MERTON_YJ, 1, 14, 66, 13, 59),
    ],
)
def test_counts_per_plan(demo_plans, title, sections, recommendations, actions, updates, measures):
    p = plan(title)
    assert p.sections.count() == sections
    assert p.recommendations.count() == recommendations
    assert Action.objects.in_plan(p).count() == actions
    assert updates_in(p) == updates
    assert p.measures.count() == measures


def test_rotherham_timeframe_groups_and_references(demo_plans):
    p = plan(ROTHERHAM)
    assert list(p.sections.values_list("title", flat=True)) == [
        "Immediate",
        "Within 3 Months",
        "Within 6 Months",
    ]
    refs = list(p.recommendations.values_list("reference", flat=True))
    assert refs == [f"CP{n}" for n in range(1, 10)] + [f"CP {n}" for n in range(10, 14)]
    assert p.recommendations.get(reference="CP1").text == (
        "Undertake a multi-agency review of cases of serious neglect where children's social care "
        "services have been involved for a significant period of time."
    )


def test_rotherham_complete_actions_shown_in_bold_are_complete(demo_plans):
    actions = Action.objects.in_plan(plan(ROTHERHAM))
    complete = actions.filter(status=Action.Status.COMPLETE)
    assert complete.count() == 14
    assert {a.planned_completion_text.lower() for a in complete} == {"complete"}
    assert not complete.exclude(planned_completion_date=None).exists()


def test_rotherham_dates_owners_and_progress(demo_plans):
    actions = Action.objects.in_plan(plan(ROTHERHAM))
    marf = actions.get(text__startswith="Multi Agency Referral Form (MARF)")
    assert marf.planned_completion_text == "Nov 12"
    assert marf.planned_completion_date == dt.date(2012, 11, 30)
    assert [o.name for o in marf.owners.all()] == ["Terry Irvine"]
    assert marf.latest_update.text.startswith("MARF launched 12 months ago")

    caseload = actions.get(text__startswith="Caseload review to be undertaken")
    assert caseload.planned_completion_date == dt.date(2012, 10, 31)
    assert {o.name for o in caseload.owners.all()} == {"Phil Bradley", "Ailsa Barr"}
    assert caseload.owners_as_written == "Phil Bradley & Ailsa Barr"

    review = actions.get(text__startswith="Review to be based on 10% sample")
    assert review.owners.get().name == "LSCB P&QA Sub Group"
    assert review.owners.get().kind == Owner.Kind.SUB_GROUP

    checklist = actions.filter(recommendation__reference="CP6").first()
    assert checklist.latest_update.text == (
        "Procedure and checklist issued 15th October for immediate effect."
    )
    assert checklist.latest_update.written_on == dt.date(2012, 10, 18)


def test_rotherham_answers_its_ofsted_recommendations(demo_plans):
    cp4 = plan(ROTHERHAM).recommendations.get(reference="CP4")
    finding = cp4.findings.get()
    assert finding.kind == Finding.Kind.RECOMMENDATION
    assert finding.inspection.inspectorate == "Ofsted"
    assert finding.inspection.findings.count() == 13


def test_merton_access_and_assessment_plan(demo_plans):
    p = plan(MERTON_AA)
    inspection = p.inspections.get()
    assert inspection.kind == Inspection.Kind.UNANNOUNCED
    kinds = {k: inspection.findings.filter(kind=k).count() for k in Finding.Kind.values}
    assert kinds == {
        "strength": 2,
        "meets_requirements": 10,
        "area_for_development": 6,
        "recommendation": 0,
    }
    sections = list(p.sections.all())
    assert sections[0].title == "Areas of Development arising from OFSTED Inspection"
    assert sections[1].title == "General Service Enhancements"
    assert sections[1].recommendations.count() == 13
    first = sections[0].recommendations.get(reference="1")
    assert first.text.startswith("Although the frequency of formal staff supervision is improving")
    action = first.actions.get()
    assert action.target == "100% of staff in A&A to receive supervision at least once a month."
    # "Areas for Dev 3 and 4": an enhancement that also answers two areas for development.
    qa = sections[1].recommendations.get(reference="1").actions.get()
    assert sorted(r.reference for r in qa.also_answers.all()) == ["3", "4"]
    assert all(r.section == sections[0] for r in qa.also_answers.all())
    # The plan's header names its managers by initials.
    sm = Owner.objects.get(name="Service Manager", service="Access and Assessment Service")
    assert (sm.initials, sm.job_title) == ("M W-S", "Service Manager")
    atms = Owner.objects.get(name="ATM's")
    assert sorted(m.initials for m in atms.members.all()) == ["C F", "F H", "L M", "N M"]


def test_merton_youth_justice_plan_measures_and_inspection(demo_plans):
    p = plan(MERTON_YJ)
    assert p.submitted_on == dt.date(2011, 10, 3)
    inspection = p.inspections.get()
    assert inspection.inspectorate == "HMI Probation"
    assert list(inspection.judgements.values_list("area", "grade")) == [
        ("Safeguarding", "substantial improvement required"),
        ("Public protection risk of harm", "substantial improvement required"),
        ("Public protection likelihood of reoffending", "moderate improvement required"),
    ]
    assert inspection.findings.filter(kind=Finding.Kind.RECOMMENDATION).count() == 8
    # The seed names none of its measures: the cell's words identify this one.
    rosh = p.measures.get(
        baseline_text="50% timely completion", recommendation__reference="Recommendation 2"
    )
    assert rosh.name == ""
    assert (rosh.baseline_text, rosh.baseline_value) == ("50% timely completion", 50)
    assert (rosh.target_value, rosh.target_date) == (60, dt.date(2011, 12, 31))
    # "completed by Dec 11, started Oct 11" is due in December ("started" marks a start).
    guidelines = p.measures.get(name="Good Practice guidelines")
    assert guidelines.target_date == dt.date(2011, 12, 31)
    reading = Reading.objects.get(measure__plan=p)
    assert (reading.value, reading.taken_on) == (50, dt.date(2011, 9, 30))
    # Recommendation 7's "RMP Panel ..." and "Safety of victims embedded ..." are words, not a %.
    assert p.measures.filter(unit=Measure.Unit.PERCENT).count() >= 20
    # Merton's YOS and A&A service managers are different people.
    assert Owner.objects.filter(name="Service Manager").count() == 2


def test_every_owner_named_on_an_action_exists_and_most_actions_have_one(demo_plans):
    unowned = Action.objects.filter(owners__isnull=True)
    # The one action the seed names nobody for (Merton YJ, "Challenge culture ...").
    assert [a.text[:16] for a in unowned] == ["Challenge cultur"]


def test_loading_twice_changes_nothing(demo_plans):
    counts = (Plan.objects.count(), Action.objects.count(), ProgressUpdate.objects.count())
    call_command("load_demo", "--force", verbosity=0)
    call_command("load_demo", "--if-empty", "--force", verbosity=0)
    assert (Plan.objects.count(), Action.objects.count(), ProgressUpdate.objects.count()) == counts
    assert get_user_model().objects.count() == len(demo_usernames())


def test_demo_logins(demo_plans):
    for username in demo_usernames():
        assert authenticate(HttpRequest(), username=username, password="demo") is not None
    officer = get_user_model().objects.get(username="officer")
    assert Action.objects.filter(owners__user=officer).count() == 8
    assert get_user_model().objects.get(username="admin").is_superuser


def test_history_is_dated_by_the_seed_documents(demo_plans):
    """ "As it stood in October 2012" works on the demo plans."""
    p = plan(ROTHERHAM)
    before = dt.datetime(2012, 10, 1, tzinfo=LONDON)
    after = dt.datetime(2012, 10, 31, tzinfo=LONDON)
    assert not Plan.history.as_of(before).filter(id=p.id).exists()
    assert Plan.history.as_of(after).get(id=p.id).title == ROTHERHAM
    rec_ids = list(p.recommendations.values_list("id", flat=True))
    assert Action.history.as_of(after).filter(recommendation_id__in=rec_ids).count() == 36

    yj = plan(MERTON_YJ)
    yj_recs = list(yj.recommendations.values_list("id", flat=True))
    submitted = dt.datetime(2011, 10, 4, tzinfo=LONDON)
    reported = dt.datetime(2011, 11, 16, tzinfo=LONDON)
    assert (
        ProgressUpdate.history.as_of(submitted).filter(recommendation_id__in=yj_recs).count() == 0
    )
    assert (
        ProgressUpdate.history.as_of(reported).filter(recommendation_id__in=yj_recs).count() == 13
    )
    first = p.history.earliest()
    assert first.history_date.astimezone(LONDON).date() == dt.date(2012, 10, 18)
    assert first.history_change_reason == (
        "Imported from Rotherham's Improvement Panel Action Delivery Plan of October 2012"
    )


def test_history_names_the_document_not_a_file(demo_plans, client):
    """History says what a plan was imported from in the council's words, never a file name."""
    from django.apps import apps

    histories = [
        model
        for model in apps.get_models()
        if model.__name__.startswith("Historical") and hasattr(model, "history_change_reason")
    ]
    assert Plan.history.model in histories, histories  # the loop below has something to read
    for model in histories:
        reasons = model.objects.values_list("history_change_reason", flat=True).distinct()
        assert not [r for r in reasons if r and ".txt" in r], model.__name__
    plan = Plan.objects.get(organisation="London Borough of Merton", title__startswith="Merton")
    assert plan.history.earliest().history_change_reason == (
        "Imported from Merton's Scrutiny Panel report of 15 November 2011, Appendix B"
    )
    client.force_login(get_user_model().objects.get(username="merton-clerk"))
    for url in ["/", f"/plans/{plan.pk}/history/"]:
        page = client.get(url).content.decode()
        assert "000_" not in page and ".txt" not in page


def test_the_demo_councils_have_their_committees(demo_plans):
    """Loading the demo adds each council's bodies (reporting.demo), as their reports name them,
    with the plans they receive and the Panel's two meetings; loading again adds none."""
    from reporting.models import GovernanceBody, Meeting

    call_command("load_demo", "--force", verbosity=0)
    panel = GovernanceBody.objects.get(name="Children and Young People Scrutiny Panel")
    assert panel.organisation == "London Borough of Merton"
    assert set(panel.plans.values_list("title", flat=True)) == {MERTON_AA, MERTON_YJ}
    assert sorted(panel.meetings.values_list("date", flat=True)) == [
        dt.date(2011, 9, 21),
        dt.date(2011, 11, 15),
    ]
    improvement = GovernanceBody.objects.get(name="Improvement Panel")
    assert improvement.organisation == "Rotherham Metropolitan Borough Council"
    assert list(improvement.plans.values_list("title", flat=True)) == [ROTHERHAM]
    assert GovernanceBody.objects.count() == 4 and Meeting.objects.count() == 2
