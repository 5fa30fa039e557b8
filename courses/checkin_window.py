"""The check-in window, a rule of time alone: pages that only ask whether check-in
is open (我的学习, the session list) read it here without the check-in service."""

from datetime import datetime, timedelta

from django.utils import timezone

# From this long before a session starts to this long after.
OPENS_BEFORE_START = timedelta(minutes=30)
CLOSES_AFTER_START = timedelta(minutes=30)


def window_is_open(starts_at: datetime, at: datetime | None = None) -> bool:
    """Whether check-in is open at `at` for a session starting at `starts_at`."""
    at = at or timezone.now()
    return starts_at - OPENS_BEFORE_START <= at <= starts_at + CLOSES_AFTER_START
