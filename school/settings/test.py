"""Test run: a file-backed SQLite (so that real threads share it) or DATABASE_URL,
a fast password hasher, the queue run synchronously, mail kept in memory."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, Q_CLUSTER, VAR_DIR

# Each xdist worker (gw0, gw1 …) keeps its files apart: certificates are numbered
# per database, so two workers would otherwise write and delete the same names.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / f"test-private-media{WORKER}"},
    },
}
MEDIA_ROOT = VAR_DIR / f"test-media{WORKER}"
WHITENOISE_AUTOREFRESH = True
# Each xdist worker is its own process with its own database: its own cache too, so
# that one worker's cache.clear() between tests never empties another's.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
GRIDSCHOOL_DEMO_ALLOWED = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not ":memory:", so that threads in concurrency tests see one database.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
