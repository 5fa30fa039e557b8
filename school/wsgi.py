"""WSGI entry point for gunicorn: `gunicorn school.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "school.settings.production")

application = get_wsgi_application()
