"""gunicorn for Gridschool in production: `gunicorn -c deploy/gunicorn.conf.py`.

Every knob comes from the environment (deploy/gridschool.env.example), so the
systemd unit, a container and a developer's shell start the same server. The
access log is one JSON object per line on stdout, in the shape of the
application's own logs (school.logging), with the proxy's X-Request-ID.
"""

import logging
import multiprocessing
import os
import re
import sys
from pathlib import Path

from gunicorn.glogging import Logger

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))  # school.logging, whoever starts us


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


wsgi_app = "school.wsgi:application"
chdir = str(PROJECT)
raw_env = [
    "DJANGO_SETTINGS_MODULE="
    + os.environ.get("DJANGO_SETTINGS_MODULE", "school.settings.production")
]

# Behind the reverse proxy on the loopback (or a unix socket: GUNICORN_BIND=unix:…).
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# 2 × cores + 1, at most 8 per host (each holds a database connection per thread);
# WEB_CONCURRENCY overrides (the name Heroku and others use).
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
# Threads: a page waiting on the database does not hold up the next request.
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
# A flash crowd at a booking opening queues in the kernel, not in a refused connect.
backlog = _int("GUNICORN_BACKLOG", 2048)
# A request taking longer than this is killed (and logged): certificates and ZIPs are
# made by the queue, so no page needs more.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Restart each worker after about this many requests (jittered, so not all at once):
# a slow leak never grows without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# The proxy sets X-Forwarded-*; only it may (PROXY_COUNT tells Django how many hops).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Newer gunicorns open a control socket under ~/.gunicorn; nothing here uses it
# (older ones ignore the setting).
control_socket_disable = True
proc_name = "gridschool-web"
capture_output = False


REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")  # as school.logging


class JsonAccessLogger(Logger):
    """gunicorn's logger with the access line as structured fields."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        request_id = environ.get("HTTP_X_REQUEST_ID", "")
        if not REQUEST_ID.match(request_id):
            request_id = ""  # not the proxy's: not trusted into the logs
        try:
            self.access_log.info(
                "%s %s %s",
                environ.get("REQUEST_METHOD"),
                environ.get("RAW_URI") or environ.get("PATH_INFO"),
                status,
                extra={
                    "request_id": request_id,
                    "method": environ.get("REQUEST_METHOD"),
                    "path": environ.get("PATH_INFO"),
                    "query": environ.get("QUERY_STRING", ""),
                    "status": int(status),
                    "bytes": getattr(resp, "sent", None),
                    "duration_ms": round(request_time.total_seconds() * 1000, 1),
                    "remote_addr": environ.get("REMOTE_ADDR"),
                    # As the proxy passed it: the client's address is its last
                    # entry (PROXY_COUNT = 1), anything left of that the client's own.
                    "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR", ""),
                    "user_agent": environ.get("HTTP_USER_AGENT", ""),
                    "referer": environ.get("HTTP_REFERER", ""),
                    "pid": os.getpid(),
                },
            )
        except Exception:
            self.exception("access log")


logger_class = JsonAccessLogger
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "school.logging.JsonFormatter"}},
    "handlers": {
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        },
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
    },
    "root": {"level": "INFO", "handlers": ["error"]},
    "loggers": {
        "gunicorn.access": {
            "level": "INFO",
            "handlers": ["access"],
            "propagate": False,
        },
        "gunicorn.error": {
            "level": logging.getLevelName(loglevel.upper()),
            "handlers": ["error"],
            "propagate": False,
        },
    },
}
