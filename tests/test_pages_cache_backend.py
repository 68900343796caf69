"""The pages cache's backend (config/cache.py): what is written is read back, and it still keeps
to its size, counting its files now and then rather than at every write."""

import random

from config.cache import PagesCache


def cache(tmp_path, entries=10):
    return PagesCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": entries, "CULL_FREQUENCY": 2}})


def test_what_is_written_is_read_back(tmp_path):
    pages = cache(tmp_path)
    pages.set("page", "<p>" + "x" * 100_000 + "</p>")
    pages.set_many({"a": 1, "b": (1, "two")})
    assert pages.get("page") == "<p>" + "x" * 100_000 + "</p>"
    assert pages.get_many(["a", "b", "c"]) == {"a": 1, "b": (1, "two")}


def test_an_entry_expires_and_a_touch_keeps_it(tmp_path):
    pages = cache(tmp_path)
    pages.set("gone", b"rows", timeout=-1)
    pages.set("kept", b"rows", timeout=-1)
    assert pages.touch("kept", timeout=60) is False  # expired already: not brought back
    pages.set("kept", b"rows", timeout=60)
    assert pages.touch("kept", timeout=120) and not pages.touch("missing")
    assert pages.get("gone") is None and pages.get("kept") == b"rows"


def test_it_counts_its_files_at_some_writes_and_keeps_to_its_size(tmp_path, monkeypatch):
    monkeypatch.setattr("config.cache.random", random.Random(1))  # the same writes counted each run
    pages = cache(tmp_path)
    listed = []
    real = pages._list_cache_files
    monkeypatch.setattr(pages, "_list_cache_files", lambda: listed.append(1) or real())
    for i in range(500):
        pages.set(f"k{i}", i)
    assert 0 < len(listed) < 50  # about one write in PagesCache.CULL_EVERY
    assert len(real()) < 10 + PagesCache.CULL_EVERY * 3
