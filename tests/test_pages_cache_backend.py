"""The pages cache's backend (config/cache.py): what is written is read back, and it still keeps
to its size, counting its files now and then rather than at every write, and dropping the entries
read least recently."""

import os
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
    real = pages._entries_by_use
    monkeypatch.setattr(pages, "_entries_by_use", lambda: listed.append(1) or real())
    for i in range(500):
        pages.set(f"k{i}", i)
    assert 0 < len(listed) < 50  # about one write in PagesCache.CULL_EVERY
    assert len(real()) < 10 + PagesCache.CULL_EVERY * 3


def test_past_its_size_it_drops_what_was_read_least_recently(tmp_path, monkeypatch):
    monkeypatch.setattr(PagesCache, "CULL_EVERY", 1)
    pages = cache(tmp_path, entries=40)
    pages.set_many({f"yesterday{i}": i for i in range(30)})
    for i, path in enumerate(pages._entries_by_use()):  # written in the night, a second apart
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    read_today = [f"yesterday{i}" for i in range(0, 30, 3)]  # the oldest among them too
    assert all(pages.get(key) is not None for key in read_today)
    pages.set_many({f"today{i}": i for i in range(15)})  # past 40: half of it dropped
    kept = set(pages.get_many([f"yesterday{i}" for i in range(30)]))
    assert set(read_today) <= kept and len(kept) < 20
    assert pages.get_many([f"today{i}" for i in range(15)]) == {f"today{i}": i for i in range(15)}
