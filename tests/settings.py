"""Test settings: the real settings with a throwaway key and a private tmp evidence folder."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="evidence-"))

from config.settings import *  # noqa: E402, F403

# Fast hashing: the tests log in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
# Tasks are recorded, not run: a test that wants one run calls it (tests/test_renders.py).
TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
# The plan page's reuse in memory, emptied before each test (conftest): ids repeat between tests.
CACHES = {**CACHES, PAGE_CACHE: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # noqa: F405
# Renders that should succeed must not be stopped by a loaded test machine's slowness; the tests of
# the limits set their own (tests/test_render_limits.py, tests/test_pack_renders.py).
RENDER_TIMEOUT_SECONDS = 300
