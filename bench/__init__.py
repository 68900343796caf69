"""A large generated data set and a timing script for the main pages (see README.md)."""

import os
import tempfile


def production_settings(*, task_queue=False, own_pages_cache=False):
    """Production-like settings (DEBUG off) for a bench run through ``django.test.Client``, with
    what a throwaway run needs to start; called before Django is imported. ``task_queue``: the
    database queue, as the site runs; ``own_pages_cache``: a pages cache of the run's own."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    if task_queue:
        os.environ.setdefault("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    if "testserver" not in os.environ.get("ALLOWED_HOSTS", "").split(","):
        os.environ["ALLOWED_HOSTS"] = ",".join(
            filter(None, [os.environ.get("ALLOWED_HOSTS", ""), "testserver"])
        )
    if own_pages_cache:
        os.environ["PAGE_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-pages-")
