"""How long the 20,000-row attendance-record export takes through the real view
(统计报表 › 导出出勤记录), and how much memory streaming it costs.

- attendance_export_20000_s: an administrator's GET of the CSV export, timed
  until the last byte of the streamed body is read (20,000 records of 500
  trainees at 40 sessions, built with bulk_create).
- attendance_export_peak_rss_mb: the largest growth of this process's resident
  set over its size just before the request, while the CSV streams: the peak
  (VmHWM, reset first through /proc/self/clear_refs where the kernel allows,
  and a 5 ms sampler of VmRSS beside it) minus the baseline. The target is at
  most 50 MB: rows are read in chunks and written as they come, never all held.
- attendance_export_whole_in_memory_s / _rss_mb: the control, measured the same
  way: the same rows listed and the CSV built whole in memory (the roster's way),
  to show what streaming saves and that the meter sees growth when there is some.
- attendance_export_xlsx_20000_s / attendance_export_xlsx_peak_rss_mb: the same
  for the Excel file, which openpyxl's write-only mode fills in a temporary file.
"""

import gc
import threading
import time
from datetime import timedelta
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

import pytest

from courses import rosters
from courses.models import (
    AttendanceRecord,
    Booking,
    ClassSession,
    Enrollment,
)
from courses.reports import Period
from courses.reports.exports import attendance_records_table
from school import roles
from school.models import User
from tests.courses.factories import TrainingClassFactory
from tests.factories import PracticeSiteFactory, UserFactory, community_with_grid

pytestmark = [pytest.mark.django_db]

TRAINEES, SESSIONS = 500, 40
RECORDS = TRAINEES * SESSIONS
STATUSES = ("present", "present", "present", "late", "excused", "absent")


def _rss_kb() -> dict[str, int]:
    fields = (
        line.split(":", 1)
        for line in Path("/proc/self/status").read_text().splitlines()
    )
    return {
        key: int(value.split()[0]) for key, value in fields if key in ("VmRSS", "VmHWM")
    }


def _reset_peak() -> bool:
    """Start VmHWM afresh from the current resident set (Linux 4.0+)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Sampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak_kb, self.stopped = 0, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.005):
            self.peak_kb = max(self.peak_kb, _rss_kb()["VmRSS"])


def _build_records(course) -> None:
    """500 trainees in one class, 40 ended sessions at a site, every trainee
    marked at every session: 20,000 records, in a few bulk inserts."""
    community, grid = community_with_grid()
    site = PracticeSiteFactory(name="桃园社区党群服务中心", org_unit=community)
    marker = UserFactory(real_name="李讲师", role=roles.INSTRUCTOR)
    training_class = TrainingClassFactory(course=course, capacity=TRAINEES)
    people = User.objects.bulk_create(
        User(
            phone=f"139{n:08d}",
            real_name=f"学员{n:03d}",
            org_unit=grid,
            password="!",
        )
        for n in range(TRAINEES)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            training_class=training_class,
            trainee=person,
            status=Enrollment.Status.ACTIVE,
        )
        for person in people
    )
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    sessions = [
        ClassSession.objects.create(
            training_class=training_class,
            practice_site=site,
            seats=TRAINEES,
            starts_at=start - timedelta(days=SESSIONS - n, hours=2),
            ends_at=start - timedelta(days=SESSIONS - n),
            booking_closes_at=start - timedelta(days=SESSIONS - n + 1),
        )
        for n in range(SESSIONS)
    ]
    for number, session in enumerate(sessions):
        bookings = Booking.objects.bulk_create(
            Booking(
                session_id=session.pk,
                trainee=person,
                status=Booking.Status.CONFIRMED,
                confirmed_at=session.booking_closes_at,
            )
            for person in people
        )
        AttendanceRecord.objects.bulk_create(
            AttendanceRecord(
                session_id=session.pk,
                booking=booking,
                trainee_id=booking.trainee_id,
                enrollment=enrollment,
                status=(status := STATUSES[(number + index) % len(STATUSES)]),
                credit={"present": 1, "late": "0.5"}.get(status, 0),
                method=AttendanceRecord.Method.ROSTER,
                marked_by=marker,
                marked_at=session.ends_at,
            )
            for index, (booking, enrollment) in enumerate(
                zip(bookings, enrollments, strict=True)
            )
        )


def _measured(call):
    """(seconds, peak RSS growth in MB over the size just before, result)."""
    gc.collect()
    exact = _reset_peak()
    baseline = _rss_kb()["VmRSS"]
    sampler = Sampler()
    sampler.start()
    started = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    peak = max(sampler.peak_kb, _rss_kb()["VmHWM"] if exact else 0)
    return elapsed, max(0, peak - baseline) / 1024, result


def _read(client, url: str) -> tuple[bytes, int]:
    """GET the export and read the whole body; its first bytes and its line
    count (the body itself is counted, not held)."""
    response = client.get(url)
    assert response.status_code == 200
    lines, head = 0, b""
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        if len(head) < 400:
            head += chunk[:400]
    return head, lines


def _stream(client, url: str):
    elapsed, growth, (head, lines) = _measured(lambda: _read(client, url))
    return elapsed, growth, head, lines


def _whole_csv() -> int:
    """The control: the same table, rows listed first and the file built whole
    in memory, as courses.rosters does for a class roster."""
    headers, rows = attendance_records_table(Period())
    return len(rosters.table_csv(headers, list(rows)))


def test_attendance_export_of_20000_records(client, course, record_figures):
    _build_records(course)
    assert AttendanceRecord.objects.count() == RECORDS
    client.force_login(UserFactory(role=roles.SCHOOL_ADMIN))
    # Warm: the admin's imports, templates and the user's session.
    client.get(reverse("course_reports:index"))
    list(client.get(reverse("course_reports:export", args=["sites", "xlsx"])))

    csv_s, csv_mb, sample, lines = _stream(
        client, reverse("course_reports:export", args=["records", "csv"])
    )
    assert lines == RECORDS + 1  # a header and a line per record
    assert "学员000".encode() in sample
    xlsx_s, xlsx_mb, _sample, _lines = _stream(
        client, reverse("course_reports:export", args=["records", "xlsx"])
    )

    whole_s, whole_mb, _size = _measured(_whole_csv)

    record_figures(
        attendance_export_20000_s=csv_s,
        attendance_export_whole_in_memory_s=whole_s,
        attendance_export_whole_in_memory_rss_mb=whole_mb,
        attendance_export_peak_rss_mb=csv_mb,
        attendance_export_xlsx_20000_s=xlsx_s,
        attendance_export_xlsx_peak_rss_mb=xlsx_mb,
    )
    assert csv_mb <= 50
