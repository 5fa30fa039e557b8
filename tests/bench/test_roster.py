"""One attendance roster POST (点名) through the real view, for a session of 30
confirmed bookings and one of 300: the queries it takes must not grow with the
roster (roster_queries_30 == roster_queries_300).

The figures count the request itself: the job it queues after commit (completion
and absence warnings, one for the whole roster) runs in a worker, not here."""

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from courses.models import AttendanceChange, AttendanceRecord
from tests.courses.factories import ClassSessionFactory
from tests.courses.test_attendance import book_all, enrol_many

pytestmark = pytest.mark.django_db

STATUSES = ("present", "late", "excused", "absent")


def _session(training_class, practice_site, size: int):
    """A session that ended an hour ago with `size` confirmed bookings."""
    starts = timezone.now() - timedelta(hours=3)
    session = ClassSessionFactory(
        training_class=training_class,
        practice_site=practice_site,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        booking_closes_at=starts - timedelta(hours=1),
    )
    return session, book_all(session, enrol_many(training_class, size))


def _post_queries(client: Client, session, data: dict) -> int:
    url = reverse("sites:attendance", args=[session.pk])
    # What a running site keeps warm (the schools in the cache) is warmed by the
    # page the host has just opened.
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return len(queries)


def test_a_roster_post_takes_the_same_queries_for_30_and_300_rows(
    training_class, practice_site, site_host, record_figures
):
    client = Client()
    client.force_login(site_host)
    first, corrected = {}, {}
    for size in (30, 300):
        session, bookings = _session(training_class, practice_site, size)
        marks = {
            f"mark-{b.pk}": STATUSES[n % len(STATUSES)] for n, b in enumerate(bookings)
        }
        first[size] = _post_queries(client, session, marks)
        changes = dict.fromkeys(marks, "present")
        corrected[size] = _post_queries(
            client, session, {**changes, "reason": "核对签到表"}
        )
        assert AttendanceRecord.objects.filter(session=session).count() == size
        assert AttendanceChange.objects.filter(record__session=session).count() == (
            size + sum(1 for status in marks.values() if status != "present")
        )

    record_figures(roster_queries_30=first[30], roster_queries_300=first[300])
    print(f"\nroster POST queries: first marks {first}, corrections {corrected}")
    assert first[30] == first[300]
    assert corrected[30] == corrected[300]
