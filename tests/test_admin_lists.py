"""The Django admin's lists of every council's rows (issue 28): found by owner, filtered by
council, and a search counted up to a cap, never through every row."""

import time

import pytest
from django.contrib.admin import ModelAdmin
from django.contrib.admin import site as admin_site
from django.db import connection
from django.db.models.expressions import RawSQL
from django.urls import reverse

from actionplans.admin import CappedCount, EveryCouncil, ProgressUpdateAdmin
from actionplans.models import Action, ProgressUpdate
from bench.dataset import generate
from bench.scale import site_administrator

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_admin_client(client):
    data = generate(plans=2, actions=20, updates=100)
    client.force_login(site_administrator())
    return client, data


def test_an_action_is_found_by_its_owners_name(site_admin_client):
    client, _ = site_admin_client
    url = reverse("admin:actionplans_action_changelist")
    response = client.get(url + "?q=Jordan Ellis")
    assert response.status_code == 200
    found = response.context["cl"].result_list
    assert found and all(
        any(o.name == "Jordan Ellis" for o in a.owners.all()) or "Jordan Ellis" in a.text
        for a in found
    )
    assert not client.get(url + "?q=Nobody Atall").context["cl"].result_list


@pytest.mark.parametrize(
    "name",
    ["action", "recommendation", "section", "plan", "owner", "measure"],
)
def test_every_council_list_is_filtered_by_council(site_admin_client, name):
    client, _ = site_admin_client
    response = client.get(reverse(f"admin:actionplans_{name}_changelist"))
    assert response.status_code == 200
    assert "Northshire County Council" in response.content.decode()


def test_every_update_is_listed_newest_first(site_admin_client):
    client, _ = site_admin_client
    response = client.get(reverse("admin:actionplans_progressupdate_changelist"))
    shown = [u.pk for u in response.context["cl"].result_list]
    assert shown == sorted(shown, reverse=True) and len(shown) == 100


def test_a_search_is_counted_up_to_the_cap(site_admin_client, monkeypatch):
    monkeypatch.setattr(CappedCount, "CAP", 7)
    everything = ProgressUpdate.objects.all()
    assert CappedCount(everything, 5).count == everything.count() > 7
    assert CappedCount(everything.filter(text__icontains="a"), 5).count == 7


def _every_council_admins():
    return [
        model_admin
        for model_admin in admin_site._registry.values()
        if isinstance(model_admin, EveryCouncil)
    ]


def test_a_search_finds_what_djangos_own_search_finds(site_admin_client, rf):
    """The search by arrays of related ids is Django's search, said so that an index can serve
    it: each word in any field, every word, a quoted phrase as one."""
    action = Action.objects.filter(updates__isnull=False).first()
    words = [
        "review",
        "circulated",
        action.reference,
        action.recommendation.reference,
        f"{action.reference} circulated",
        '"heads of service"',
        "Northshire",
        "aardvark",
        "%",
        "<script>alert(1)</script>",
    ]
    request = rf.get("/")
    admins = _every_council_admins()
    assert {type(a).__name__ for a in admins} >= {"ProgressUpdateAdmin", "ActionAdmin"}
    for model_admin in admins:
        everything = model_admin.model.objects.all()
        for word in words:
            ours, duplicates = EveryCouncil.get_search_results(
                model_admin, request, everything, word
            )
            theirs, _ = ModelAdmin.get_search_results(model_admin, request, everything, word)
            assert not duplicates
            found = list(ours.values_list("pk", flat=True))
            assert len(found) == len(set(found))
            assert set(found) == set(theirs.values_list("pk", flat=True)), (model_admin, word)
    updates = ProgressUpdateAdmin(ProgressUpdate, admin_site)
    by_reference, _ = updates.get_search_results(
        request, ProgressUpdate.objects.all(), action.reference
    )
    assert set(action.updates.all()) <= set(by_reference)


def test_a_search_of_many_words_looks_for_the_first_ten_and_says_so(site_admin_client):
    client, _ = site_admin_client
    url = reverse("admin:actionplans_progressupdate_changelist")
    words = ["circulated"] * 9 + ["heads", "<script>alert(1)</script>", "aardvark"]
    response = client.get(url, {"q": " ".join(words)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Only the first 10 words were searched for" in page
    assert "<script>alert(1)</script>" not in page
    found = response.context["cl"].result_list
    assert found and all("heads" in u.text for u in found)  # "aardvark" was not looked for


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_a_word_in_no_update_is_looked_for_through_the_trigram_indexes(site_admin_client, rf):
    """The indexes' expressions are the ORM's own (``UPPER(field) LIKE UPPER(...)``): built on
    another expression, they would never be used and a rare word would read every update."""
    updates = ProgressUpdateAdmin(ProgressUpdate, admin_site)
    found, _ = updates.get_search_results(rf.get("/"), ProgressUpdate.objects.all(), "aardvark")
    sql, params = found.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "progressupdate_text_trgm" in plan and "progressupdate_period_label_trgm" in plan, plan
    assert " Join" not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_a_search_that_runs_too_long_is_stopped_and_the_list_shown_again(
    site_admin_client, monkeypatch
):
    """A word of two letters in no update read every update (6 s among 150 councils): a search's
    queries are stopped at the limit, and the list shown again without it, saying why."""
    client, _ = site_admin_client
    monkeypatch.setattr(EveryCouncil, "SEARCH_SECONDS", 0.2)

    def slow(self, request, queryset, search_term):  # a search PostgreSQL takes a while over
        asleep = queryset.annotate(asleep=RawSQL("pg_sleep(0.05)::text", []))
        return asleep.filter(asleep=""), False

    monkeypatch.setattr(ProgressUpdateAdmin, "get_search_results", slow)
    url = reverse("admin:actionplans_progressupdate_changelist")
    started = time.monotonic()
    response = client.get(url, {"q": "zq", "status": "underway"})
    assert time.monotonic() - started < 2
    assert response.status_code == 302 and response["Location"] == f"{url}?status=underway"
    page = client.get(response["Location"]).content.decode()
    assert "The search for \u201czq\u201d was stopped after 0.2 seconds" in page
    assert ProgressUpdate.objects.exists()  # the connection is fine afterwards
    monkeypatch.undo()
    assert client.get(url, {"q": "circulated"}).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_a_time_limit_ends_with_its_work_inside_a_transaction():
    from django.db import transaction

    from core import query_time

    def limit():
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            return cursor.fetchone()[0]

    with transaction.atomic():
        before = limit()
        with query_time.at_most(5):
            assert limit() != before
        assert limit() == before
        with (
            pytest.raises(query_time.TooSlow),
            query_time.at_most(0.05),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT pg_sleep(1)")
        assert limit() == before
        assert ProgressUpdate.objects.count() >= 0  # the transaction goes on
