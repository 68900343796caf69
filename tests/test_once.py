"""One click means one thing, even twice: a form that makes a record carries a one-time key, and a
repeat of its post (a double click, a retry after an error) makes nothing new and shows what the
first one saved. Two posts at the same moment are run as two real clients on PostgreSQL.

Every test here fails when the services stop claiming the key (``once.guarded``)."""

import datetime as dt
import re
import threading
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actionplans import forms, plan_forms, workflow
from actionplans.models import (
    Action,
    CompletionStep,
    Evidence,
    Measure,
    Owner,
    Plan,
    ProgressUpdate,
    Reading,
    Recommendation,
    Section,
)
from core import errors, once
from core.forms import OnceKeyMixin
from core.models import Submission
from inspections import forms as inspection_forms
from inspections.models import Finding, Inspection, Judgement

from .conftest import COUNCIL, pdf
from .factories import InspectionFactory
from .test_races import together

KEY_FIELD = re.compile(r'<input type="hidden" name="once" value="([A-Za-z0-9_-]+)"')
DAY = "18/10/2012"


def _inspection(world):
    if not hasattr(world, "inspection"):
        world.inspection = InspectionFactory(organisation=COUNCIL, title="Inspection 2012")
    return world.inspection


def _signed_off(world):
    """An action of the officer's, completed and signed off: what an assurance is of."""
    if not hasattr(world, "signed_off"):
        action = world.own
        day = dt.date(2012, 10, 18)
        workflow.completion_propose(
            action, author=world.officer, written_on=day, text="Done.", files=[pdf()]
        )
        action.refresh_from_db()
        workflow.completion_sign_off(action, manager=world.manager, note="Seen the audit.")
        action.refresh_from_db()
        world.signed_off = action
    return world.signed_off


# Every form that makes a record: (page, who, its argument, what it posts, what it makes, where
# the first post leads). "evidence" is a fresh file on each post.
CREATE_FORMS = {
    "action_update": SimpleNamespace(
        who="officer",
        arg=lambda w: w.own.pk,
        model=ProgressUpdate,
        data={"written_on": DAY, "text": "Briefing held.", "evidence": True},
        done=lambda w, made: reverse("action_detail", args=[w.own.pk]),
    ),
    "action_propose": SimpleNamespace(
        who="officer",
        arg=lambda w: w.own.pk,
        model=ProgressUpdate,
        data={"written_on": DAY, "text": "All done.", "evidence": True},
        done=lambda w, made: reverse("action_detail", args=[w.own.pk]),
    ),
    "reading_add": SimpleNamespace(
        who="manager",
        arg=lambda w: w.measure.pk,
        model=Reading,
        data={"value": "50", "taken_on": DAY},
        done=lambda w, made: reverse("plan_measures", args=[w.plan.pk]),
    ),
    "section_add": SimpleNamespace(
        who="manager",
        arg=lambda w: w.plan.pk,
        model=Section,
        data={"title": "Early help"},
        done=lambda w, made: w.plan.get_absolute_url(),
    ),
    "recommendation_add": SimpleNamespace(
        who="manager",
        arg=lambda w: w.plan.pk,
        model=Recommendation,
        data={"reference": "CP9", "text": "Audit the front door.", "version": 1},
        done=lambda w, made: made.get_absolute_url(),
    ),
    "action_add": SimpleNamespace(
        who="manager",
        arg=lambda w: w.rec.pk,
        model=Action,
        data={
            "reference": "(z)",
            "text": "Train the front door staff.",
            "status": "underway",
            "planned_completion_text": "Nov 12",
            "version": 1,
        },
        done=lambda w, made: made.get_absolute_url(),
    ),
    "measure_add": SimpleNamespace(
        who="manager",
        arg=lambda w: w.plan.pk,
        model=Measure,
        data={"name": "Timely plans", "unit": "percent"},
        done=lambda w, made: reverse("plan_measures", args=[w.plan.pk]),
    ),
    "plan_create": SimpleNamespace(
        who="manager",
        arg=None,
        model=Plan,
        data={"title": "Early help improvement plan"},
        done=lambda w, made: made.get_absolute_url(),
    ),
    "owner_add": SimpleNamespace(
        who="manager",
        arg=None,
        model=Owner,
        data={"name": "Front door team", "kind": "team", "organisation": COUNCIL, "version": 1},
        done=lambda w, made: made.get_absolute_url(),
    ),
    "inspection_add": SimpleNamespace(
        who="manager",
        arg=None,
        model=Inspection,
        data={"inspectorate": "Ofsted", "kind": "other", "title": "Focused visit", "version": 1},
        done=lambda w, made: reverse("inspection_detail", args=[made.pk]),
    ),
    "judgement_add": SimpleNamespace(
        who="manager",
        arg=lambda w: _inspection(w).pk,
        model=Judgement,
        data={"area": "Safeguarding", "grade": "Adequate"},
        done=lambda w, made: reverse("inspection_detail", args=[w.inspection.pk]),
    ),
    "finding_add": SimpleNamespace(
        who="manager",
        arg=lambda w: _inspection(w).pk,
        model=Finding,
        data={"kind": "recommendation", "reference": "1", "text": "Improve risk assessments."},
        done=lambda w, made: reverse("inspection_detail", args=[w.inspection.pk]),
    ),
    # Last: it completes the officer's own action, which the forms above add to.
    "completion_assure": SimpleNamespace(
        who="manager",
        arg=lambda w: _signed_off(w).pk,
        model=CompletionStep,
        data={"text": "10 of 10 cases sampled had a plan."},
        done=lambda w, made: reverse("action_detail", args=[made.action_id]),
    ),
}


def url_of(world, name):
    form = CREATE_FORMS[name]
    return reverse(name, args=[form.arg(world)] if form.arg else [])


def shown_key(client, url):
    """The one-time key of the form as the page shows it."""
    found = KEY_FIELD.findall(client.get(url).content.decode())
    assert len(found) == 1, f"{url}: no one-time key in the form"
    return found[0]


def posted(name, key, **changes):
    data = {**CREATE_FORMS[name].data, **changes}
    if data.get("evidence") is True:
        data["evidence"] = [pdf("minutes.pdf")]
    return {**data, "once": key} if key else data


def info(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


pytestmark = pytest.mark.django_db


def test_every_form_that_makes_a_record_carries_a_key_and_is_listed_here(client, world):
    """The forms with a key are exactly the pages listed above; edit forms have none."""
    keyed = set()
    for name, form in CREATE_FORMS.items():
        client.force_login(getattr(world, form.who))
        response = client.get(url_of(world, name))
        keyed.add(type(response.context["form"]))
        assert shown_key(client, url_of(world, name)) != shown_key(client, url_of(world, name))
    with_key = {
        cls
        for module in (forms, plan_forms, inspection_forms)
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, OnceKeyMixin) and cls is not OnceKeyMixin
    }
    assert keyed == with_key
    client.force_login(world.manager)
    edits = [
        ("action_edit", world.own.pk),
        ("section_edit", world.rec.section_id),
        ("recommendation_edit", world.rec.pk),
        ("plan_edit", world.plan.pk),
    ]
    for name, pk in edits:
        assert 'name="once"' not in client.get(reverse(name, args=[pk])).content.decode()


@pytest.mark.parametrize("name", CREATE_FORMS)
def test_a_repeated_post_makes_nothing_new_and_shows_the_first(client, world, name):
    form = CREATE_FORMS[name]
    client.force_login(getattr(world, form.who))
    url = url_of(world, name)
    key = shown_key(client, url)
    before = form.model.objects.count()
    evidence = Evidence.objects.count()

    first = client.post(url, posted(name, key))
    assert first.status_code == 302, first.content.decode()[:2000]
    assert form.model.objects.count() == before + 1
    made = form.model.objects.order_by("-pk").first()
    assert first["Location"] == form.done(world, made)
    assert Submission.objects.get(key=key).made_id == made.pk

    again = client.post(url, posted(name, key))
    assert again.status_code == 302
    assert again["Location"] == first["Location"]  # shown what the first one saved
    assert form.model.objects.count() == before + 1
    assert Evidence.objects.count() == evidence + (1 if "evidence" in form.data else 0)
    at = f"{timezone.localtime(Submission.objects.get(key=key).created_at):%H:%M}"
    told = f"was already saved at {at}; it was not saved twice."
    assert any(told in m for m in info(again)), info(again)


def test_the_message_names_what_was_saved(client, world):
    client.force_login(world.officer)
    url = url_of(world, "action_update")
    key = shown_key(client, url)
    client.post(url, posted("action_update", key))
    page = client.post(url, posted("action_update", key), follow=True).content.decode()
    assert "This update was already saved at" in page
    assert page.count("Briefing held.") == 1  # the first update, shown once


def test_a_post_refused_on_its_input_does_not_use_up_its_key(client, world):
    client.force_login(world.officer)
    url = url_of(world, "action_update")
    key = shown_key(client, url)
    refused = client.post(url, posted("action_update", key, written_on="31/02/2012"))
    assert refused.status_code == 200
    assert KEY_FIELD.findall(refused.content.decode()) == [key]  # the same form, the same key
    assert not Submission.objects.filter(key=key).exists()
    assert client.post(url, posted("action_update", key)).status_code == 302
    assert world.own.updates.filter(text="Briefing held.").count() == 1


def test_a_post_the_service_refuses_does_not_use_up_its_key(world):
    """A refusal rolls back the claim with everything else: the key is free for the retry."""
    workflow.completion_propose(
        world.own,
        author=world.officer,
        written_on=dt.date(2012, 10, 18),
        text="Done",
        files=[pdf()],
    )
    key = once.new_key()
    with pytest.raises(errors.Refused, match="cannot change its status"):
        workflow.progress_add(
            Action.objects.get(pk=world.own.pk),
            author=world.officer,
            written_on=dt.date(2012, 10, 19),
            text="x",
            status=Action.Status.DELAYED,
            once=key,
        )
    assert not Submission.objects.filter(key=key).exists()


def test_a_repeated_proposal_is_shown_the_proposal_not_told_the_action_is_awaiting(client, world):
    client.force_login(world.officer)
    url = url_of(world, "action_propose")
    key = shown_key(client, url)
    client.post(url, posted("action_propose", key))
    again = client.post(url, posted("action_propose", key))
    assert again.status_code == 302
    assert any("This proposal was already saved at" in m for m in info(again)), info(again)
    assert world.own.updates.filter(kind=ProgressUpdate.Kind.PROPOSAL).count() == 1


def test_another_users_key_is_refused_and_reveals_nothing(client, world):
    client.force_login(world.officer)
    url = url_of(world, "action_update")
    key = shown_key(client, url)
    client.post(url, posted("action_update", key, text="The officer's private note."))
    count = ProgressUpdate.objects.count()
    # The team's action: the other officer may update it too, and has somehow got the key.
    client.force_login(world.manager)
    response = client.post(url, posted("action_update", key, text="Someone else's."))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This form cannot be sent again. Nothing was saved" in page
    assert "already saved" not in page and "private note" not in page
    assert ProgressUpdate.objects.count() == count


def test_a_post_without_a_key_is_still_saved(client, world):
    """Forms opened before keys were added, and scripts, still work: only unguarded."""
    client.force_login(world.officer)
    url = url_of(world, "action_update")
    for _ in range(2):
        assert client.post(url, posted("action_update", None)).status_code == 302
    assert world.own.updates.filter(text="Briefing held.").count() == 2


@pytest.mark.parametrize("key", ["short", "x" * 65, "not a key!", "\x00" * 32])
def test_a_key_that_is_not_ours_is_an_error_of_the_form(client, world, key):
    client.force_login(world.officer)
    url = url_of(world, "action_update")
    count = ProgressUpdate.objects.count()
    response = client.post(url, posted("action_update", key))
    assert response.status_code == 200
    assert "Form key:" in response.content.decode()
    assert ProgressUpdate.objects.count() == count


# Two at once, as two real clients on PostgreSQL.

concurrent = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections: PostgreSQL"
)
ROUNDS = 6


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@concurrent
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("slow", [False, True], ids=["as-fast-as-they-come", "first-held-open"])
def test_two_identical_posts_at_once_make_one_update(committed_world, monkeypatch, slow):
    """Two tabs (or a double click) post the same form at the same moment. "first-held-open"
    keeps whichever claims the key first inside its transaction a while, so the second is sure
    to arrive while the first is not yet committed: it waits on the key, then finds it."""
    world = committed_world
    if slow:
        record = once.record

        def held(submission, made):
            record(submission, made)
            threading.Event().wait(0.3)

        monkeypatch.setattr(once, "record", held)
    url = url_of(world, "action_update")
    for round_ in range(ROUNDS):
        key = once.new_key()
        clients = [signed_in(world.officer), signed_in(world.officer)]
        before = ProgressUpdate.objects.count()
        posts = [(c, posted("action_update", key, text=f"Round {round_}.")) for c in clients]
        responses = together(*[lambda c=c, d=d: c.post(url, d) for c, d in posts])
        assert [getattr(r, "status_code", r) for r in responses] == [302, 302], responses
        assert ProgressUpdate.objects.count() == before + 1, f"round {round_}: saved twice"
        assert world.own.updates.filter(text=f"Round {round_}.").count() == 1
        told = [m for r in responses for m in info(r) if "it was not saved twice" in m]
        assert len(told) == 1, [info(r) for r in responses]


@concurrent
@pytest.mark.django_db(transaction=True)
def test_two_identical_readings_at_once_make_one_and_a_retry_makes_none(committed_world):
    world = committed_world
    url = url_of(world, "reading_add")
    key = shown_key(signed_in(world.manager), url)
    clients = [signed_in(world.manager) for _ in range(3)]
    responses = together(*[lambda c=c: c.post(url, posted("reading_add", key)) for c in clients])
    assert [getattr(r, "status_code", r) for r in responses] == [302] * 3, responses
    assert Reading.objects.filter(measure=world.measure).count() == 1
    retry = signed_in(world.manager).post(url, posted("reading_add", key), follow=True)
    assert "This reading was already saved at" in retry.content.decode()
    assert Reading.objects.filter(measure=world.measure).count() == 1
