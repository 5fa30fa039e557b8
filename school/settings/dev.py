"""Local development: DEBUG on, a fixed insecure key, every local host allowed."""

from .base import *  # noqa: F403
from .base import SECRET_KEY, VAR_DIR

DEBUG = True
SECRET_KEY = SECRET_KEY or "django-insecure-dev-only-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = ["*"]
# seed_demo may run here (it creates accounts with a published password).
GRIDSCHOOL_DEMO_ALLOWED = True
VAR_DIR.mkdir(parents=True, exist_ok=True)
