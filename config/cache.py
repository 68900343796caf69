"""The pages cache's backend: Django's file cache, with two costs cut (issue 28)."""

import pickle  # nosec B403: the cache reads only what this site's own processes wrote
import random
import zlib

from django.core.cache.backends.filebased import FileBasedCache


class PagesCache(FileBasedCache):
    """Django's file-based cache, shared by every app server on the machine, that

    - counts its files (to drop some past MAX_ENTRIES) at about one write in ``CULL_EVERY``, not
      at every write: listing 2,000 files cost more than the write itself, and a dashboard that
      keeps fifty plans' counts writes fifty entries;
    - compresses at zlib's fastest level: a 560 KB plan page compressed in a third of the time,
      for files a tenth bigger.
    """

    CULL_EVERY = 50

    def _cull(self):
        if random.random() * self.CULL_EVERY < 1:  # nosec B311: spacing housekeeping, no secret
            super()._cull()

    def _write_content(self, file, timeout, value):
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol), 1))
