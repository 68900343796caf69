"""The pages cache's backend: Django's file cache, with two costs cut and the least used
entries dropped first (issue 28)."""

import contextlib
import os
import pickle  # nosec B403: the cache reads only what this site's own processes wrote
import random

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class PagesCache(FileBasedCache):
    """Django's file-based cache, shared by every app server on the machine, that

    - counts its files (to drop some past MAX_ENTRIES) at about one write in ``CULL_EVERY``, not
      at every write: listing 2,000 files cost more than the write itself, and a dashboard that
      keeps fifty plans' counts writes fifty entries;
    - past MAX_ENTRIES drops the entries read least recently, not a random third: a read sets
      its file's modified time. Yesterday's pages, never read today, go before the pages
      readers reuse (issue 28: among 150 councils, each night's counts made ahead pushed out,
      at random, the entries the day's first views needed, and made them slower than none);
    - keeps each value pickled as it is, not compressed: a reused plan page of 200 actions spent
      a tenth of its time taking its 560 KB of rows out of zlib (Django compresses every entry).
      Its files are about five times bigger; entries are bounded by MAX_ENTRIES and a day.
      Every key names the release (page_cache.key_of): no release reads another's entries.
    """

    CULL_EVERY = 50

    def _cull(self):
        if random.random() * self.CULL_EVERY < 1:  # nosec B311: spacing housekeeping, no secret
            self._drop_least_used()

    def _drop_least_used(self):
        entries = self._entries_by_use()
        if len(entries) < self._max_entries:
            return
        if self._cull_frequency == 0:
            return self.clear()
        for path in entries[: len(entries) // self._cull_frequency]:
            self._delete(path)

    def _entries_by_use(self):
        """The entries' files, the least recently read or written first."""
        found = []
        with os.scandir(self._dir) as listing:
            for entry in listing:
                if entry.name.endswith(self.cache_suffix):
                    with contextlib.suppress(FileNotFoundError):  # another process dropped it
                        found.append((entry.stat().st_mtime_ns, entry.path))
        return [path for _, path in sorted(found)]

    def _write_content(self, file, timeout, value):
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(pickle.dumps(value, self.pickle_protocol))

    def get(self, key, default=None, version=None):
        path = self._key_to_file(key, version)
        try:
            with open(path, "rb") as file:
                if not self._is_expired(file):
                    value = pickle.loads(file.read())  # nosec B301: written by this site
                    with contextlib.suppress(OSError):  # dropped meanwhile: the value stands
                        os.utime(path)  # read now: the cull keeps it over those not read since
                    return value
        except FileNotFoundError:
            pass
        return default

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            with open(self._key_to_file(key, version), "r+b") as file, _locked(file):
                if self._is_expired(file):
                    return False
                value = pickle.loads(file.read())  # nosec B301: written by this site
                file.seek(0)
                self._write_content(file, timeout, value)
                return True
        except FileNotFoundError:
            return False


@contextlib.contextmanager
def _locked(file):
    locks.lock(file, locks.LOCK_EX)
    try:
        yield
    finally:
        if not file.closed:  # an expired entry's file is closed and deleted on reading
            locks.unlock(file)
