"""Exact rate limits shared by every web process: fixed windows counted in the
database (RateCounter), one atomic upsert per event, on SQLite and PostgreSQL.

A cache would do on one process; with several gunicorn workers a local cache
counts per worker (a limit of 30 becomes 30 × workers), and a shared file or
database cache increments by read-then-write, which simultaneous requests undercount.
"""

import hashlib
import random
import time
from datetime import UTC, datetime

from django.db import connection

from school.models import RateCounter

CLEANUP_CHANCE = 0.01  # of hits that also delete expired counters


def _window_key(key: str, window: int, now: float) -> tuple[str, datetime]:
    start = int(now // window) * window
    # Keys carry phone numbers and addresses: stored hashed, and short.
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    name = f"{key.split(':', 1)[0]}:{digest}:{start}"
    expires = datetime.fromtimestamp(start + window, tz=UTC)
    return name, expires


def hit(key: str, *, window: int, now: float | None = None) -> int:
    """Count one event under `key` in the current window of `window` seconds and
    return the window's count including it."""
    now = time.time() if now is None else now
    name, expires = _window_key(key, window, now)
    quote = connection.ops.quote_name
    table, key_, count_ = (
        quote(RateCounter._meta.db_table),
        quote("key"),
        quote("count"),
    )
    # Only our own table and column names are formatted in; values are parameters.
    sql = (
        f"INSERT INTO {table} ({key_}, {count_}, {quote('expires_at')}) "  # noqa: S608
        f"VALUES (%s, 1, %s) ON CONFLICT ({key_}) "
        f"DO UPDATE SET {count_} = {table}.{count_} + 1 RETURNING {count_}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [name, connection.ops.adapt_datetimefield_value(expires)])
        (count,) = cursor.fetchone()
    if random.random() < CLEANUP_CHANCE:
        RateCounter.objects.filter(expires_at__lt=datetime.now(tz=UTC)).delete()
    return count


def count(key: str, *, window: int, now: float | None = None) -> int:
    """Events counted under `key` in the current window, without counting one."""
    return counts([key], window=window, now=now)[key]


def counts(keys: list[str], *, window: int, now: float | None = None) -> dict:
    """`count` for several keys in one query."""
    now = time.time() if now is None else now
    names = {_window_key(key, window, now)[0]: key for key in keys}
    found = dict(RateCounter.objects.filter(key__in=names).values_list("key", "count"))
    return {key: found.get(name, 0) for name, key in names.items()}


def seconds_left(window: int, now: float | None = None) -> int:
    """Seconds until the current window of `window` seconds ends (at least 1)."""
    now = time.time() if now is None else now
    return max(1, int(window - now % window + 0.999))


def clear(key: str, *, window: int, now: float | None = None) -> None:
    """Forget the current window's count under `key` (a successful login)."""
    now = time.time() if now is None else now
    name, _expires = _window_key(key, window, now)
    RateCounter.objects.filter(key=name).delete()
