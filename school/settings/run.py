"""`make run`: the whole school on one machine, served as it would be for real.

gunicorn (bin/serve) with several worker processes on the embedded SQLite (or
DATABASE_URL), DEBUG off, static files collected and served by WhiteNoise, the
cache in files under VAR_DIR/cache so that every web worker and the job worker
share it. It serves plain HTTP on the loopback: no HTTPS redirect, no secure-only
cookies, which would lock a browser out of http://127.0.0.1.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from .base import *  # noqa: F403
from .base import CACHE_DIR, VAR_DIR, env_list


def secret_key_from_file(path: Path) -> str:
    """The signing key kept in `path`, made once (readable by its owner only) and
    reused, so that sessions outlive a restart and every process signs alike.

    The key is written to a private draft and linked into place: when several
    processes start at once, the first link wins and the others read its key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(get_random_secret_key() + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(
            f"{path} holds no usable key: delete it, a new one will be made."
        )
    return key


DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY") or secret_key_from_file(
    VAR_DIR / "secret_key"
)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", *env_list("ALLOWED_HOSTS")]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# seed_demo may run here: `make run` loads the demo accounts.
GRIDSCHOOL_DEMO_ALLOWED = True

VAR_DIR.mkdir(parents=True, exist_ok=True)
CACHE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
