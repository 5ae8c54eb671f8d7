"""A file cache shared by every process on the host, for deployments without a cache server.

Django's FileBasedCache lists its whole directory on every write to decide whether to cull.
With tens of thousands of entries that listing costs more than the page it caches, so this
backend culls on a sample of writes instead: the directory may overshoot MAX_ENTRIES by a few
percent between culls, which is harmless.
"""

import random

from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    cull_every = 50  # about one write in this many looks at the directory

    def _cull(self):
        if random.randrange(self.cull_every) == 0:
            super()._cull()
