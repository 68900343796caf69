"""No render can hold a server: long words wrap and lay out fast, every render runs in a child
process with a time and a memory limit, a render that stopped is kept and shown (not tried again
on each click), and a render that may be slow never runs inside the request."""

import dataclasses
import io
import os
import resource
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document as WordDocument
from docx.oxml.ns import qn
from pypdf import PdfReader

from reporting import appendix, limits, printing, renders
from reporting.fields import Updates
from reporting.formats import FORMATS
from reporting.models import RenderFailure, Rendering

from .factories import ActionFactory, RecommendationFactory
from .test_renders import download, run_queued

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def word(length, seed):
    """A word of ``length`` letters without a space, none like another's."""
    return "".join(chr(97 + (i * 7 + seed * 3 + i // 26) % 26) for i in range(length))


@pytest.fixture
def long_words(world):
    """The world's plan with six actions of one 10,000-letter word each (an import's attack)."""
    rec = RecommendationFactory(plan=world.plan, reference="LW")
    for n in range(6):
        ActionFactory(recommendation=rec, reference=f"({n})", text=word(10_000, n))
    return world


@pytest.fixture
def counted(monkeypatch):
    """Each render's child process started, counted in this process."""
    calls = []
    real = limits.run

    def run(function, out, doc, **kwargs):
        calls.append(out.key)
        return real(function, out, doc, **kwargs)

    monkeypatch.setattr(limits, "run", run)
    return calls


@pytest.fixture
def stalling(monkeypatch):
    """Every PDF render takes ten seconds (in the child, which inherits the patch)."""

    def write(doc, target=None):
        time.sleep(10)
        return b"%PDF never"

    monkeypatch.setitem(FORMATS, "pdf", dataclasses.replace(FORMATS["pdf"], write=write))


def child_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def squeezed(text):
    return "".join(text.split()).replace("\u200b", "")


def test_long_words_wrap_in_the_pdf_and_word_within_seconds(long_words, counted):
    world = long_words
    spec = appendix.spec_for(world.plan)
    before = child_cpu()
    pdf = renders.rendered(world.plan, spec, TODAY, Updates())
    pdf_cpu = child_cpu() - before
    # 22 s of CPU before long runs got places to break; about 3 s after (bench/worst_render.py).
    assert pdf_cpu < 10
    pages = PdfReader(io.BytesIO(bytes(pdf.content))).pages
    text = squeezed("".join(page.extract_text() for page in pages))
    for n in range(6):  # every piece of each word, wrapped within its column
        whole = word(10_000, n)
        # (The first lines share theirs with the row's other cells, which the text runs into.)
        assert all(whole[i : i + 20] in text for i in range(1000, 10_000, 250))
        assert whole[-20:] in text
    lines = [line for page in pages for line in page.extract_text().splitlines()]
    assert max(len(line) for line in lines) < 300  # wrapped, not run off the page

    before = child_cpu()
    docx = renders.rendered(world.plan, spec, TODAY, Updates(), Rendering.Format.DOCX)
    assert child_cpu() - before < 5
    document = WordDocument(io.BytesIO(bytes(docx.content)))
    table = document.tables[0]
    # Word breaks a word wider than its cell at the cell's edge in a table of fixed widths: the
    # text is kept whole, and the long rows may break across pages.
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    cells = {cell.text for row in table.rows for cell in row.cells}
    assert all(any(word(10_000, n) in cell for cell in cells) for n in range(6))
    long_rows = [row for row in table.rows if any(len(c.text) >= 10_000 for c in row.cells)]
    assert long_rows and all(row._tr.trPr.find(qn("w:cantSplit")) is None for row in long_rows)
    assert counted == ["pdf", "docx"]


def test_a_word_longer_than_the_forms_allow_is_cut_in_the_pdf_only(world):
    action = ActionFactory(recommendation=world.rec, reference="(z)", text=word(100_000, 9))
    doc = appendix.build(world.plan, appendix.spec_for(world.plan))
    printed = printing.printable(doc)
    texts = [p.text for r in printed.rows for c in r.cells for p in c.paras]
    cut = next(t for t in texts if action.text[:100] in t)
    assert len(cut) == printing.PRINT_MAX_CHARS and cut.endswith(printing.PRINT_CUT_NOTE)
    assert estimate_of(printed) == estimate_of(doc)  # judged by what is printed
    # Word and Excel read the document as built: all of it (Excel to its own cell limit).
    whole = [p.text for r in doc.rows for c in r.cells for p in c.paras]
    assert any(action.text in text for text in whole)


def estimate_of(doc):
    return renders.estimate(doc, "pdf")


def test_breaks_are_put_in_text_never_in_tags_or_entities():
    long = "a" * 30
    markup = (
        f'<html><head><style>.x{{content:"{long}"}}</style></head>'
        f'<body class="appendix"><td data-row="{long}">{long}&amp;{long} short words</td></body>'
    )
    out = printing.breakable(markup)
    assert out.startswith(f'<html><head><style>.x{{content:"{long}"}}</style></head>')
    assert f'<td data-row="{long}">' in out and "&amp;" in out and " short words</td>" in out
    text = out.split('">', 2)[-1].split("</td>")[0]
    assert text.replace("\u200b", "").replace("<wbr>", "") == f"{long}&amp;{long} short words"
    assert "aaaa\u200baaaa" in text
    assert printing.breakable("<body><p>an ordinary sentence of words</p></body>") == (
        "<body><p>an ordinary sentence of words</p></body>"
    )


def test_columns_keep_a_least_width(world):
    spec = dataclasses.replace(
        appendix.spec_for(world.plan),
        columns=[appendix.Column("Ref", "reference", 1), appendix.Column("Action", "action", 99)],
    )
    doc = appendix.build(world.plan, spec)
    assert doc.widths == [appendix.MIN_COLUMN_PERCENT, 100 - appendix.MIN_COLUMN_PERCENT]


def test_a_render_past_its_time_is_kept_and_shown_without_rendering_again(
    client, world, settings, stalling, counted
):
    settings.RENDER_TIMEOUT_SECONDS = 0.5
    client.force_login(world.clerk)
    started = time.monotonic()
    page = download(client, world.plan)
    assert time.monotonic() - started < 5  # stopped at its limit, not after its ten seconds
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    text = page.content.decode()
    assert "The PDF could not be made in 0.5 seconds" in text
    assert "very long text without spaces" in text and "Try again" in text
    failure = RenderFailure.objects.get(plan=world.plan)
    assert failure.reason == RenderFailure.Reason.TIME and failure.format == "pdf"
    assert counted == ["pdf"]
    # Each click after that is answered at once from the kept failure: no render is started.
    for _ in range(3):
        again = download(client, world.plan)
        assert "The PDF could not be made in 0.5 seconds" in again.content.decode()
    assert counted == ["pdf"]
    # Another format of the same plan is another document.
    query = {"as_at": TODAY.isoformat(), "updates": "latest"}
    word_file = client.get(reverse("appendix_download_docx", args=[world.plan.pk]), query)
    assert word_file.content.startswith(b"PK") and counted == ["pdf", "docx"]
    # "Try again" forgets the failure; the next request renders again.
    url = (
        reverse("appendix_download", args=[world.plan.pk]) + "?" + page.wsgi_request.GET.urlencode()
    )
    retried = client.post(url)
    assert retried.status_code == 302 and retried["Location"] == url
    assert not RenderFailure.objects.exists()
    client.get(url)
    assert counted == ["pdf", "docx", "pdf"] and RenderFailure.objects.count() == 1


def test_a_change_to_the_plan_is_a_new_attempt(client, world, settings, stalling, counted):
    settings.RENDER_TIMEOUT_SECONDS = 0.5
    client.force_login(world.clerk)
    download(client, world.plan)
    world.own.text = "Shorter text."
    world.own.save()  # recorded in history: the plan's rows changed, so the document's key did
    download(client, world.plan)
    assert counted == ["pdf", "pdf"] and RenderFailure.objects.count() == 2


def test_a_render_ahead_past_its_time_is_kept_and_not_tried_again(
    world, settings, stalling, counted
):
    settings.RENDER_TIMEOUT_SECONDS = 0.5
    first = renders.render_current.call(world.plan.pk)
    failure = RenderFailure.objects.get()
    assert first == failure.key and failure.reason == "time"
    assert renders.render_current.call(world.plan.pk) == failure.key
    assert counted == ["pdf"]


@pytest.fixture
def queue(settings):
    """The real database queue, which the progress page can follow."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def enqueued():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.count()


def test_a_slow_document_is_queued_once_and_its_failure_shown_on_the_progress_page(
    client, long_words, queue, settings, stalling, counted
):
    world = long_words
    settings.RENDER_TIMEOUT_SECONDS = 0.5
    client.force_login(world.clerk)
    first = download(client, world.plan)
    # Sixty thousand letters are not clearly quick: queued without starting a render.
    assert first.status_code == 302 and "/committee/progress/" in first["Location"]
    assert counted == [] and enqueued() == 1
    # Clicking again while it waits shows the same task; nothing more is queued.
    assert download(client, world.plan)["Location"] == first["Location"]
    assert enqueued() == 1 and counted == []
    run_queued()
    assert counted == ["pdf"]
    page = client.get(first["Location"]).content.decode()
    assert "The PDF could not be made in 0.5 seconds" in page and "Try again" in page
    # The download shows the kept failure at once: no task, no render.
    again = download(client, world.plan).content.decode()
    assert "The PDF could not be made in 0.5 seconds" in again
    assert enqueued() == 1 and counted == ["pdf"]


def test_a_quick_looking_render_that_outruns_the_request_goes_on_the_queue(
    client, world, queue, monkeypatch, stalling, counted
):
    monkeypatch.setattr(renders, "estimate", lambda doc, fmt="pdf": 0.1)  # looks quick
    monkeypatch.setattr(renders, "RENDER_INLINE_MAX_SECONDS", 0.5)  # stopped after 1 s
    client.force_login(world.clerk)
    started = time.monotonic()
    response = download(client, world.plan)
    assert time.monotonic() - started < 5
    assert response.status_code == 302 and "/committee/progress/" in response["Location"]
    assert counted == ["pdf"] and enqueued() == 1
    assert not RenderFailure.objects.exists()  # it was not given its full time yet


def test_the_memory_limit_stops_a_render_that_allocates_too_much(world, settings, monkeypatch):
    settings.RENDER_MEMORY_LIMIT_MB = 64  # on top of what the child was forked with

    def greedy(doc, target=None):
        return bytes(512 * 1024 * 1024)

    monkeypatch.setitem(FORMATS, "docx", dataclasses.replace(FORMATS["docx"], write=greedy))
    with pytest.raises(renders.Failed) as failed:
        renders.rendered(world.plan, appendix.spec_for(world.plan), TODAY, Updates(), "docx")
    assert failed.value.failure.reason == RenderFailure.Reason.MEMORY
    assert "more memory than one document may use" in renders.failure_message(failed.value.failure)
    assert len(bytes(256 * 1024 * 1024)) > 0  # this process was never limited


def test_a_render_that_raises_is_kept_as_failed(world, monkeypatch):
    def broken(doc, target=None):
        raise RuntimeError("a bug in a writer")

    monkeypatch.setitem(FORMATS, "xlsx", dataclasses.replace(FORMATS["xlsx"], write=broken))
    with pytest.raises(renders.Failed) as failed:
        renders.rendered(world.plan, appendix.spec_for(world.plan), TODAY, Updates(), "xlsx")
    assert failed.value.failure.reason == RenderFailure.Reason.ERROR
    assert "a bug in a writer" in failed.value.failure.detail


def _orphan(path):
    """Start a process that writes its id to ``path`` and sleeps; then sleep too."""
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    with open(path, "w") as out:
        out.write(str(pid))
    time.sleep(60)
    return b""


def test_the_time_limit_kills_the_render_and_every_process_it_started(tmp_path):
    path = tmp_path / "grandchild"
    with pytest.raises(limits.Exceeded) as stopped:
        limits.run(_orphan, str(path), seconds=1)
    assert stopped.value.reason == "time"
    grandchild = int(path.read_text())
    time.sleep(0.2)
    assert _state(grandchild) in (None, "Z")  # killed with its parent, not left running


def _state(pid):
    """A process's state letter (Z: dead, not yet reaped), or None if there is none."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def test_progress_of_a_task_of_another_kind_is_not_found(client, world, queue):
    """The id of a render ahead (render_current) is not a document the clerk asked for: 404, as
    an unknown id, not 500 (TaskResultMismatch)."""
    ahead = renders.render_current.enqueue(world.plan.pk)
    client.force_login(world.clerk)
    url = reverse("appendix_progress", args=[world.plan.pk])
    for fmt in ("pdf", "docx"):
        page = client.get(url, {"task": ahead.id, "format": fmt})
        assert page.status_code == 404 and "no such document" in page.content.decode()


def test_a_large_pdf_is_laid_out_in_parts_inside_the_render_process(world, monkeypatch):
    """The parts of a large appendix (reporting.parts) are processes the render's child starts."""
    from reporting import parts

    pdf = FORMATS["pdf"]
    in_parts = dataclasses.replace(
        pdf, write=lambda doc, target=None: parts.write_pdf(doc, target, parts=2, min_rows=2)
    )
    monkeypatch.setitem(FORMATS, "pdf", in_parts)
    for n in range(6):
        rec = RecommendationFactory(plan=world.plan, reference=f"P{n}")
        ActionFactory(recommendation=rec, reference="(a)", text=word(3000, n))
    rendering = renders.rendered(world.plan, appendix.spec_for(world.plan), TODAY, Updates())
    text = squeezed(
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(rendering.content)).pages)
    )
    assert word(3000, 5)[-100:] in text and "CP4" in text


def test_a_plan_whose_render_failed_is_queued_until_one_succeeds(world):
    RenderFailure.objects.create(plan=world.plan, key="f" * 64, format="pdf", reason="time")
    assert renders.slow(world.plan, "pdf") and not renders.slow(world.plan, "docx")
    renders.rendered(world.plan, appendix.spec_for(world.plan), TODAY, Updates())  # text mended
    # Its time as on an idle machine: the rule under test is the failure's, not the time's.
    Rendering.objects.filter(plan=world.plan).update(seconds=0.5)
    assert not renders.slow(world.plan, "pdf")


def test_a_plan_of_megabytes_is_queued_without_building_its_document(
    client, long_words, queue, monkeypatch, counted
):
    """Building the document of megabytes of text takes seconds: four clicks at once would hold
    four app servers for them. The database counts the plan's text instead."""
    monkeypatch.setattr(renders, "RENDER_INLINE_MAX_SECONDS", 1.0)  # clearly slow over 4 s
    built = []
    real = appendix.build
    monkeypatch.setattr(appendix, "build", lambda *a, **k: built.append(1) or real(*a, **k))
    assert renders.text_size(long_words.plan) > 60_000 and renders.clearly_slow(long_words.plan)
    client.force_login(long_words.clerk)
    response = download(client, long_words.plan)
    assert response.status_code == 302 and "/committee/progress/" in response["Location"]
    assert built == [] and counted == [] and enqueued() == 1
    assert not renders.clearly_slow(long_words.other_plan)
